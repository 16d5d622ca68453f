#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests of the documents service against a real PostgreSQL server.
//! `DATABASE_URL` must name a server where the test user may create databases
//! (`./scripts/test.sh` starts one); every test gets a fresh database.

mod helpers;

mod auth;
mod caching;
mod documents;
mod errors;
mod filters;
mod health;
mod limits;
mod openapi;
mod pool;
mod process;
mod ranking;
mod reads;
mod replica;
mod roles;
mod rotation;
mod search;
mod task_cache;
