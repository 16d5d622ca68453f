//! `deploy-hook`: the Lambda entry point (runtime `provided.al2023`, handler `bootstrap`).

use corpus_deploy_hook::{CodeDeployReporter, Config, HookEvent, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .init();
    let config = Config::from_lookup(|name| std::env::var(name).ok())?;
    let aws = aws_config::load_from_env().await;
    let reporter = CodeDeployReporter(aws_sdk_codedeploy::Client::new(&aws));
    let http = reqwest::Client::builder().build()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<HookEvent>| {
        let (config, http, reporter) = (&config, &http, &reporter);
        async move {
            let (status, failures) = handle(config, http, reporter, &event.payload).await?;
            Ok::<Value, Error>(json!({"status": status.as_str(), "failures": failures}))
        }
    }))
    .await
}
