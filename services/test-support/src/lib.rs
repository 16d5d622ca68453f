//! Fixtures for the services' integration tests. Every test gets its own database and its
//! own emulator resources (unique names), so tests run in parallel. The dependencies are
//! real processes `./scripts/test.sh` starts: PostgreSQL (`DATABASE_URL`, an admin URL)
//! and the AWS emulator (`AWS_ENDPOINT_URL`, on this machine only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use serde::Deserialize;
use uuid::Uuid;

/// The jobs table's one definition (also read by scripts/lib/local_aws.py).
pub const JOBS_TABLE_SCHEMA: &str = include_str!("../../ingest/schema/jobs-table.json");

/// The admin URL of the test PostgreSQL server.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must point at a PostgreSQL server (run ./scripts/test.sh, which starts one)",
    )
}

/// Creates an empty, migrated database; its URL and a pool of `pool` connections to it.
pub async fn fresh_database(prefix: &str, pool: u32) -> (String, DatabaseConnection) {
    let admin = admin_url();
    let name = format!("{prefix}_{}", Uuid::new_v4().simple());
    let db = corpus_documents::connect(&SecretString::from(admin.clone()), 1)
        .await
        .unwrap();
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    db.close().await.unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let db = corpus_documents::connect(&SecretString::from(url.clone()), pool)
        .await
        .unwrap();
    corpus_documents::migrate(&db).await.unwrap();
    (url, db)
}

/// A login role of its own (a unique name, so tests that change its password run in
/// parallel) with `password`, inheriting the privileges of `service_role`
/// (`corpus_documents` or `corpus_worker`, created by the migrations) as the users of an
/// alternating-users rotation do. Returns its name and `database_url` logging in as it.
pub async fn service_login(
    database_url: &str,
    service_role: &str,
    password: &str,
) -> (String, String) {
    let name = format!(
        "{service_role}_{}",
        &Uuid::new_v4().simple().to_string()[..12]
    );
    let admin = corpus_documents::connect(&SecretString::from(admin_url()), 1)
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {service_role}"
        ))
        .await
        .unwrap();
    admin.close().await.unwrap();
    (name.clone(), login_url(database_url, &name, Some(password)))
}

/// `url` logging in as `user` (with `password`, or none).
pub fn login_url(url: &str, user: &str, password: Option<&str>) -> String {
    let rest = url.split_once('@').unwrap().1;
    match password {
        Some(p) => format!("postgres://{user}:{p}@{rest}"),
        None => format!("postgres://{user}@{rest}"),
    }
}

/// A Secrets Manager secret (in the emulator) holding a login as RDS writes it; its ARN.
pub async fn login_secret(
    client: &aws_sdk_secretsmanager::Client,
    user: &str,
    password: &str,
) -> String {
    client
        .create_secret()
        .name(format!("corpus-test-{}", Uuid::new_v4().simple()))
        .secret_string(
            serde_json::json!({"engine": "postgres", "username": user, "password": password})
                .to_string(),
        )
        .send()
        .await
        .unwrap()
        .arn
        .unwrap()
}

/// A Secrets Manager client of the emulator.
pub async fn secrets_client() -> aws_sdk_secretsmanager::Client {
    require_emulator();
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    aws_sdk_secretsmanager::Client::new(&shared)
}

/// A new version of the login secret `arn`, labelled `stage` (`AWSCURRENT` moves the
/// label from the version that had it, as `PutSecretValue` does).
pub async fn put_login(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
    user: &str,
    password: &str,
    stage: &str,
) -> String {
    client
        .put_secret_value()
        .secret_id(arn)
        .secret_string(serde_json::json!({"username": user, "password": password}).to_string())
        .version_stages(stage)
        .send()
        .await
        .unwrap()
        .version_id
        .unwrap()
}

/// Panics unless the AWS SDK points at a local emulator (tests never reach AWS).
pub fn require_emulator() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL must point at the local AWS emulator (run ./scripts/test.sh, which starts moto)",
    );
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "tests only talk to a local emulator, not {endpoint}"
    );
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Key {
    attribute_name: String,
    key_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attr {
    attribute_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Index {
    index_name: String,
    key_schema: Vec<Key>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Schema {
    key_schema: Vec<Key>,
    attribute_definitions: Vec<Attr>,
    global_secondary_indexes: Vec<Index>,
    time_to_live_attribute: String,
}

fn key(k: &Key) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(&k.attribute_name)
        .key_type(KeyType::from(k.key_type.as_str()))
        .build()
        .unwrap()
}

/// Creates the jobs table `name` exactly as `JOBS_TABLE_SCHEMA` describes it.
pub async fn create_jobs_table(client: &aws_sdk_dynamodb::Client, name: &str) {
    let schema: Schema = serde_json::from_str(JOBS_TABLE_SCHEMA).unwrap();
    let mut create = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for k in &schema.key_schema {
        create = create.key_schema(key(k));
    }
    for a in &schema.attribute_definitions {
        create = create.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&a.attribute_name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        );
    }
    for i in &schema.global_secondary_indexes {
        let mut index = GlobalSecondaryIndex::builder()
            .index_name(&i.index_name)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            );
        for k in &i.key_schema {
            index = index.key_schema(key(k));
        }
        create = create.global_secondary_indexes(index.build().unwrap());
    }
    create.send().await.unwrap();
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&schema.time_to_live_attribute)
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// A queue and its dead-letter queue (redrive after `max_receives`): (url, arn, dlq url).
pub async fn queue_with_dlq(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility: u32,
    max_receives: u32,
) -> (String, String, String) {
    let arn_of = async |url: &str| {
        sqs.get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone()
    };
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let dlq_arn = arn_of(&dlq_url).await;
    let url = sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::VisibilityTimeout, visibility.to_string())
        .attributes(
            QueueAttributeName::RedrivePolicy,
            serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives.to_string()})
                .to_string(),
        )
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = arn_of(&url).await;
    (url, arn, dlq_url)
}

/// Waits until `check` holds, polling every 200 ms; panics naming `what` after `secs`.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A TCP proxy in front of the PostgreSQL server of `url` that records every byte clients
/// send (statements travel as text in the wire protocol). Returns the URL through the
/// proxy and the recording.
pub async fn recording_proxy(url: &str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let recorded = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = recorded.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let target = authority.clone();
            let sink = sink.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(target.as_str()).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        sink.lock().unwrap().extend_from_slice(&buf[..n]);
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                };
                tokio::join!(up, down);
            });
        }
    });
    let proxied = url.replacen(
        url.split('@').nth(1).unwrap().split('/').next().unwrap(),
        &format!("127.0.0.1:{port}"),
        1,
    );
    (proxied, recorded)
}
