//! Integration tests of the ingest service against the AWS emulator (moto server, through
//! the real AWS SDK over HTTP: `AWS_ENDPOINT_URL`) and real PostgreSQL (`DATABASE_URL`).
//! `./scripts/test.sh` starts both. Every test creates its own table, queues, bucket and
//! database, so tests run in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod api;
mod callbacks;
mod concurrency;
mod crashes;
mod http;
mod process;
mod procs;
mod receivers;
mod reconcile;
mod rotation;
mod uploads;
mod worker;
