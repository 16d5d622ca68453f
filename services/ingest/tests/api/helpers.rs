use std::{
    sync::{Arc, atomic::AtomicU64},
    time::Duration,
};

use aws_sdk_s3::{
    primitives::ByteStream,
    types::{Event, NotificationConfiguration, QueueConfiguration},
};
use aws_sdk_sqs::types::QueueAttributeName;
use corpus_ingest::{
    Application,
    aws::Clients,
    config::{Common, ServeConfig, WorkConfig},
    worker::Worker,
};
use corpus_platform::{HttpConfig, auth::ApiKeys};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

pub const API_KEY: &str = "ingest-test-key";
pub const SECRET: &str = "callback-secret";

pub async fn fresh_database() -> (String, DatabaseConnection) {
    corpus_test_support::fresh_database("ingest", 4).await
}

/// Per-test AWS resources: jobs table, queue with a DLQ (redrive after 5 receives), a
/// landing bucket notifying the queue for `incoming/` and `uploads/`, and a data bucket.
pub struct Env {
    pub clients: Clients,
    pub table: String,
    pub queue_url: String,
    pub dlq_url: String,
    pub bucket: String,
    pub data_bucket: String,
    pub database_url: String,
    /// The worker's: a member of `corpus_worker` (so every worker test checks its grants).
    pub worker_url: String,
    pub db: DatabaseConnection,
}

pub async fn env() -> Env {
    env_with_visibility(30).await
}

pub async fn env_with_visibility(visibility: u32) -> Env {
    corpus_test_support::require_emulator();
    let clients = Clients::from_env().await;
    let suffix = Uuid::new_v4().simple().to_string()[..12].to_owned();
    let table = format!("jobs-{suffix}");
    corpus_test_support::create_jobs_table(&clients.dynamodb, &table).await;
    let (queue_url, queue_arn, dlq_url) = corpus_test_support::queue_with_dlq(
        &clients.sqs,
        &format!("ingest-{suffix}"),
        visibility,
        5,
    )
    .await;
    let bucket = format!("landing-{suffix}");
    let data_bucket = format!("data-{suffix}");
    for b in [&bucket, &data_bucket] {
        clients.s3.create_bucket().bucket(b).send().await.unwrap();
    }
    let notify = |prefix: &str| {
        QueueConfiguration::builder()
            .queue_arn(&queue_arn)
            .events(Event::S3ObjectCreated)
            .filter(
                aws_sdk_s3::types::NotificationConfigurationFilter::builder()
                    .key(
                        aws_sdk_s3::types::S3KeyFilter::builder()
                            .filter_rules(
                                aws_sdk_s3::types::FilterRule::builder()
                                    .name(aws_sdk_s3::types::FilterRuleName::Prefix)
                                    .value(prefix)
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
            .unwrap()
    };
    clients
        .s3
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(notify("incoming/"))
                .queue_configurations(notify("uploads/"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (database_url, db) = fresh_database().await;
    let (_, worker_url) =
        corpus_test_support::service_login(&database_url, "corpus_worker", "worker-pw").await;
    Env {
        worker_url,
        clients,
        table,
        queue_url,
        dlq_url,
        bucket,
        data_bucket,
        database_url,
        db,
    }
}

impl Env {
    pub fn common(&self) -> Common {
        Common {
            table: self.table.clone(),
            queue_url: self.queue_url.clone(),
            bucket: self.bucket.clone(),
            allowed_buckets: vec![self.data_bucket.clone(), self.bucket.clone()],
            max_file_bytes: 1024 * 1024,
            callback_secret: SecretString::from(SECRET),
            callback_secret_previous: None,
            callback_allow_private: true,
            max_job_files: 50,
            job_deadline: chrono::Duration::days(1),
        }
    }

    pub fn serve_config(&self) -> ServeConfig {
        ServeConfig {
            http: HttpConfig {
                port: 0,
                base_path: String::new(),
                api_keys: ApiKeys::from_keys([API_KEY]),
                shutdown_grace: Duration::from_secs(5),
            },
            bind_address: "127.0.0.1".into(),
            common: self.common(),
            upload_ttl: Duration::from_secs(300),
        }
    }

    pub fn work_config(&self) -> WorkConfig {
        WorkConfig {
            common: self.common(),
            database_url: SecretString::from(self.worker_url.clone()),
            credentials: corpus_documents::CredentialsConfig::fixed(),
            concurrency: 2,
            visibility: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
            callback_retry_base: Duration::from_millis(1000),
            max_receives: 5,
            list_page_size: 1000,
        }
    }

    pub async fn put(&self, bucket: &str, key: &str, body: impl Into<Vec<u8>>) {
        self.clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body.into()))
            .send()
            .await
            .unwrap();
    }

    pub async fn document_count(&self) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM documents".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    pub async fn sources(&self) -> Vec<String> {
        let rows = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT source FROM documents ORDER BY source".to_owned(),
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get::<String>("", "source").unwrap())
            .collect()
    }

    pub async fn queue_depth(&self, url: &str) -> u64 {
        let attrs = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap();
        attrs[&QueueAttributeName::ApproximateNumberOfMessages]
            .parse::<u64>()
            .unwrap()
            + attrs[&QueueAttributeName::ApproximateNumberOfMessagesNotVisible]
                .parse::<u64>()
                .unwrap()
    }

    /// Drops every message on the ingest queue (a lost message, for tests of recovery).
    pub async fn purge(&self) {
        loop {
            let out = self
                .clients
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return;
            }
            for m in messages {
                self.clients
                    .sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }

    /// The reconciler over this environment's table and queue.
    pub fn reconciler(&self) -> corpus_ingest::reconcile::Reconciler {
        corpus_ingest::reconcile::Reconciler::new(corpus_ingest::Plane::new(
            &self.clients,
            &self.common(),
        ))
    }

    pub async fn send_raw(&self, body: &str) {
        self.clients
            .sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
}

/// The ingest API in-process.
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

pub async fn spawn_api(config: ServeConfig) -> Api {
    let app = Application::build(config).await.unwrap();
    let port = app.port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    Api {
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        _stop: stop,
    }
}

impl Api {
    pub async fn post_job(&self, query: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/jobs?{query}", self.base))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
    }

    /// `POST /jobs?{query}`: the job as answered.
    pub async fn start_job(&self, query: &str) -> Value {
        self.post_job(query).await.json().await.unwrap()
    }

    pub async fn job(&self, id: &str) -> Value {
        self.client
            .get(format!("{}/jobs/{id}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Polls until the job reaches a final status (or panics after `secs`).
    pub async fn wait_final(&self, id: &str, secs: u64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let job = self.job(id).await;
            let status = job["status"].as_str().unwrap_or_default().to_owned();
            if !matches!(status.as_str(), "queued" | "running" | "") {
                return job;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "job {id} did not finish: {job}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A worker in-process; stops (draining) when dropped.
pub struct RunningWorker {
    pub processed: Arc<AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

pub async fn spawn_worker(config: WorkConfig) -> RunningWorker {
    let credentials =
        corpus_documents::Credentials::load(&config.credentials, &config.database_url)
            .await
            .unwrap();
    let db = corpus_documents::connect_as(&config.database_url, 4, None, &credentials)
        .await
        .unwrap();
    let worker = Worker::new(Clients::from_env().await, db, config).with_credentials(credentials);
    let processed = worker.files_processed();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    RunningWorker {
        processed,
        stop: Some(stop),
        handle: Some(handle),
    }
}

impl RunningWorker {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

pub use corpus_test_support::eventually;

pub use crate::receivers::{callback_receiver, callback_receiver_on, redirecting_receiver};
