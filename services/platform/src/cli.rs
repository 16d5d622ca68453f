//! The start-up sequence every binary shares.

use std::{future::Future, process::ExitCode};

use crate::{ConfigError, Env, telemetry};

/// Reads the configuration with `load` (a missing or malformed variable: one line on
/// stderr, exit 1), starts telemetry for `service`, runs `task` on a multi-threaded
/// runtime and turns its outcome into the exit code (an error is logged with its whole
/// cause chain). Telemetry is flushed before returning.
pub fn run<C, F, Fut>(
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
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = match telemetry::init(service, &env) {
        Ok(guard) => guard,
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
