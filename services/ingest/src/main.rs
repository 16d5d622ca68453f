//! `ingest serve | work | openapi`

// A command-line entry point: usage and the spec go to stdout on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use corpus_ingest::{
    Application,
    aws::Clients,
    config::{ReconcileConfig, ServeConfig, WorkConfig},
    openapi_json,
    worker::Worker,
};
use corpus_platform::{cli, server::shutdown_signal};

const USAGE: &str = "usage: ingest <serve|work|reconcile|resend-callback JOB_ID|openapi>
  serve            run the jobs/uploads API (PORT, BASE_PATH, INGEST_*, CALLBACK_*, API_KEY_SHA256, ...)
  work             consume the ingest queue (DATABASE_URL, INGEST_*, CALLBACK_*, WORKER_CONCURRENCY, ...)
  reconcile        one sweep: finish jobs past their deadline, re-queue unsettled callbacks (INGEST_*, RECONCILE_LIMIT)
  resend-callback  make a final job's callback pending again and queue it (INGEST_*)
  openapi          print the OpenAPI document";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("serve") => cli::run("ingest", ServeConfig::from_env, serve),
        Some("work") => cli::run("ingest-worker", WorkConfig::from_env, work),
        Some("reconcile") => cli::run("ingest-reconcile", ReconcileConfig::from_env, reconcile),
        Some("resend-callback") => match std::env::args().nth(2).map(|a| uuid::Uuid::parse_str(&a))
        {
            Some(Ok(id)) => cli::run("ingest-reconcile", ReconcileConfig::from_env, move |c| {
                resend_callback(c, id)
            }),
            _ => {
                eprintln!("resend-callback needs a job id (a UUID)\n{USAGE}");
                ExitCode::from(2)
            }
        },
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
    let credentials =
        corpus_documents::Credentials::load(&config.credentials, &config.database_url).await?;
    let db = corpus_documents::connect_as(
        &config.database_url,
        u32::try_from(config.concurrency).unwrap_or(4) + 2,
        Some(corpus_documents::STATEMENT_TIMEOUT),
        &credentials,
    )
    .await?;
    let clients = Clients::from_env().await;
    Worker::new(clients, db, config)
        .with_credentials(credentials)
        .run(shutdown_signal())
        .await;
    Ok(())
}

async fn reconcile(config: ReconcileConfig) -> anyhow::Result<()> {
    corpus_ingest::reconcile_once(config).await?;
    Ok(())
}

async fn resend_callback(config: ReconcileConfig, id: uuid::Uuid) -> anyhow::Result<()> {
    corpus_ingest::resend_callback(config, id).await?;
    println!("callback of job {id} queued");
    Ok(())
}
