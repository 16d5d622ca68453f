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
use corpus_platform::{ConfigError, Env, server::shutdown_signal, telemetry};

const USAGE: &str = "usage: ingest <serve|work|openapi>
  serve    run the jobs/uploads API (PORT, BASE_PATH, INGEST_*, CALLBACK_*, API_KEY_SHA256, ...)
  work     consume the ingest queue (DATABASE_URL, INGEST_*, CALLBACK_*, WORKER_CONCURRENCY, ...)
  openapi  print the OpenAPI document";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("serve") => run("ingest", ServeConfig::from_env, serve),
        Some("work") => run("ingest-worker", WorkConfig::from_env, work),
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

/// Reads the configuration (a bad variable: one line on stderr, exit 1), starts
/// telemetry and a runtime, and runs `task`.
fn run<C, F, Fut>(
    service: &'static str,
    load: fn(&Env) -> Result<C, ConfigError>,
    task: F,
) -> ExitCode
where
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let env = Env::from_process();
    let config = match load(&env) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = match telemetry::init(service, &env) {
        Ok(g) => g,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(task(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "fatal");
            ExitCode::FAILURE
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
