//! `ingest serve | work | openapi`

// A command-line entry point: usage and the spec go to stdout on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use corpus_ingest::{
    Application,
    aws::Clients,
    config::{ServeConfig, WorkConfig},
    openapi_json,
    worker::Worker,
};
use corpus_platform::{cli, server::shutdown_signal};

const USAGE: &str = "usage: ingest <serve|work|openapi>
  serve    run the jobs/uploads API (PORT, BASE_PATH, INGEST_*, CALLBACK_*, API_KEY_SHA256, ...)
  work     consume the ingest queue (DATABASE_URL, INGEST_*, CALLBACK_*, WORKER_CONCURRENCY, ...)
  openapi  print the OpenAPI document";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("serve") => cli::run("ingest", ServeConfig::from_env, serve),
        Some("work") => cli::run("ingest-worker", WorkConfig::from_env, work),
        Some("openapi") => {
            println!("{}", openapi_json());
            ExitCode::SUCCESS
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    Application::build(config)
        .await?
        .run_until_stopped()
        .await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn work(config: WorkConfig) -> anyhow::Result<()> {
    let db = corpus_documents::connect(
        &config.database_url,
        u32::try_from(config.concurrency).unwrap_or(4) + 2,
    )
    .await?;
    let clients = Clients::from_env().await;
    Worker::new(clients, db, config)
        .run(shutdown_signal())
        .await;
    Ok(())
}
