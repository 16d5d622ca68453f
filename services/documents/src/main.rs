//! `documents serve | migrate | openapi`

// A command-line entry point: usage and the spec go to stdout on purpose.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use corpus_documents::{
    Application, Config, Credentials, connect_as, credentials::provision_logins, migrate,
    openapi_json,
};
use corpus_platform::cli;

const USAGE: &str = "usage: documents <serve|migrate|openapi>
  serve    run the HTTP API (PORT, BASE_PATH, DATABASE_URL, API_KEY_SHA256, ...)
  migrate  apply pending database migrations (DATABASE_URL, DATABASE_SECRET_ARN), then set
           the services' logins from their secrets (DATABASE_ROLE_SECRET_ARNS)
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
    let credentials = Credentials::load(&config.credentials, &config.database_url).await?;
    let db = connect_as(&config.database_url, 2, None, &credentials).await?;
    // Applied migrations are skipped, so running them again after a refused login is safe.
    credentials
        .retry(|| migrate(&db))
        .await
        .context("migration failed")?;
    // The services' logins (docs/runbook-database.md, "Database roles and credential
    // rotation").
    if !config.role_secret_arns.is_empty() {
        provision_logins(&db, &config.database_url, &config.role_secret_arns)
            .await
            .context("cannot set the services' database logins")?;
    }
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
