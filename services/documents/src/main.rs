//! `documents serve | migrate | openapi`

// A command-line entry point: usage and the spec go to stdout on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use corpus_documents::{Application, Config, connect_with_timeout, migrate, openapi_json};
use corpus_platform::cli;

const USAGE: &str = "usage: documents <serve|migrate|openapi>
  serve    run the HTTP API (PORT, BASE_PATH, DATABASE_URL, API_KEY_SHA256, ...)
  migrate  apply pending database migrations (DATABASE_URL)
  openapi  print the OpenAPI document";

fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    match command.as_deref() {
        Some("serve") => cli::run("documents", Config::from_env, serve),
        Some("migrate") => cli::run("documents", Config::from_env, migrate_command),
        Some("openapi") => openapi(),
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

async fn serve(config: Config) -> anyhow::Result<()> {
    Application::build(config)
        .await?
        .run_until_stopped()
        .await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn migrate_command(config: Config) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let db = connect_with_timeout(&config.database_url, 2, None).await?;
    migrate(&db).await.context("migration failed")?;
    tracing::info!("migrations applied");
    Ok(())
}

fn openapi() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(openapi_json()) {
        Ok(spec) => {
            println!("{spec}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cannot build the OpenAPI document: {err}");
            ExitCode::FAILURE
        }
    }
}
