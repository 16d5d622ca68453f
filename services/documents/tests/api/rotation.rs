//! The service's login rotates under load and no request fails (issue 10, item 1): the
//! app reads its login from a Secrets Manager secret (the local emulator), the database
//! (real PostgreSQL, passwords enforced) changes it as the rotation functions do, and more
//! load arrives at that moment so the pools must open new connections while the secret and
//! the database disagree.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use aws_config::BehaviorVersion;
use aws_sdk_secretsmanager::Client;
use corpus_documents::{CredentialsConfig, connect};
use corpus_test_support::{login_secret, login_url, service_login};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use tokio::task::JoinHandle;

use crate::helpers::{API_KEY, TestApp, config, fresh_database, spawn_with};

struct Rotation {
    app: Arc<TestApp>,
    admin: DatabaseConnection,
    secrets: Client,
    arn: String,
    user: String,
    database_url: String,
    doc: String,
}

/// The app logging in through a secret as `user` (a member of `corpus_documents`), re-read
/// every `refresh` seconds.
async fn rotating_app(refresh: u64) -> Rotation {
    corpus_test_support::require_emulator();
    let database_url = fresh_database().await;
    let (user, _) = service_login(&database_url, "corpus_documents", "first-pw-1").await;
    let secrets = Client::new(&aws_config::defaults(BehaviorVersion::latest()).load().await);
    let arn = login_secret(&secrets, &user, "first-pw-1").await;
    let app = Arc::new(secret_app(&database_url, &user, &arn, refresh).await);
    let doc = app.create("Whales", "Whales sing long songs.").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = connect(&SecretString::from(database_url.clone()), 1)
        .await
        .unwrap();
    Rotation {
        app,
        admin,
        secrets,
        arn,
        user,
        database_url,
        doc,
    }
}

/// An app whose login is the secret `arn`'s (the URL names the database only).
async fn secret_app(database_url: &str, user: &str, arn: &str, refresh: u64) -> TestApp {
    let mut config = config(&login_url(database_url, user, None), "");
    config.credentials = CredentialsConfig {
        secret_arn: Some(arn.to_owned()),
        refresh_every: Duration::from_secs(refresh),
    };
    config.database_max_connections = 4;
    spawn_with(config, database_url.to_owned()).await
}

/// Requests in `n` loops until stopped: every read, a search, readiness, a create and a
/// delete. Failures are recorded with what failed.
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failures: Arc<Mutex<Vec<String>>>,
    loops: Vec<JoinHandle<()>>,
}

impl Load {
    fn new() -> Self {
        Self {
            stop: Arc::default(),
            ok: Arc::default(),
            failures: Arc::default(),
            loops: Vec::new(),
        }
    }

    fn add(&mut self, r: &Rotation, n: usize) {
        self.add_app(&r.app, &r.doc, n);
    }

    fn add_app(&mut self, app: &Arc<TestApp>, doc: &str, n: usize) {
        for _ in 0..n {
            let (app, doc) = (app.clone(), doc.to_owned());
            let (stop, ok, failures) = (self.stop.clone(), self.ok.clone(), self.failures.clone());
            self.loops.push(tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let (what, status) = one_request(&app, &doc, i).await;
                    if (200..300).contains(&status) {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.lock().unwrap().push(format!("{what}: {status}"));
                    }
                }
            }));
        }
    }

    /// Stops the loops; the requests that succeeded.
    async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for l in self.loops {
            l.await.unwrap();
        }
        let failures = self.failures.lock().unwrap().clone();
        assert!(failures.is_empty(), "failed requests: {failures:?}");
        self.ok.load(Ordering::Relaxed)
    }
}

async fn one_request(app: &TestApp, doc: &str, i: u64) -> (String, u16) {
    let c = &app.client;
    let path = match i % 6 {
        0 => format!("/documents/{doc}"),
        1 => format!("/documents/{doc}/text"),
        2 => "/documents?limit=5".to_owned(),
        3 => "/search?q=whales".to_owned(),
        4 => "/readyz".to_owned(),
        _ => {
            let resp = c
                .post(app.url("/documents"))
                .bearer_auth(API_KEY)
                .json(&serde_json::json!({"title": "t", "text": format!("note {}", uuid::Uuid::new_v4())}))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            if status != 201 {
                return ("POST /documents".into(), status);
            }
            let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let resp = c
                .delete(app.url(&format!("/documents/{id}")))
                .bearer_auth(API_KEY)
                .send()
                .await
                .unwrap();
            return ("DELETE /documents/{id}".into(), resp.status().as_u16());
        }
    };
    let started = std::time::Instant::now();
    let resp = c.get(app.url(&path)).send().await.unwrap();
    let status = resp.status().as_u16();
    // Read the whole body: a text stream that broke half way is a failure too.
    let body = resp.bytes().await;
    let what = match &body {
        Ok(b) if !(200..300).contains(&status) => format!(
            "GET {path} after {:?}: {}",
            started.elapsed(),
            String::from_utf8_lossy(b)
        ),
        _ => format!("GET {path}"),
    };
    (what, if body.is_ok() { status } else { 599 })
}

impl Rotation {
    async fn sql(&self, sql: &str) {
        self.admin.execute_unprepared(sql).await.unwrap();
    }

    async fn now(&self) -> String {
        let row = self
            .admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT clock_timestamp()::text AS t",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "t").unwrap()
    }

    /// The app's connections to its database as `user`: (opened before `t`, opened after).
    async fn backends(&self, user: &str, t: &str) -> (i64, i64) {
        let row = self
            .admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT count(*) FILTER (WHERE backend_start < '{t}') AS before, \
                            count(*) FILTER (WHERE backend_start >= '{t}') AS after \
                     FROM pg_stat_activity WHERE usename = '{user}' AND datname = current_database()"
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        (
            row.try_get("", "before").unwrap(),
            row.try_get("", "after").unwrap(),
        )
    }

    async fn put_secret(&self, user: &str, password: &str, stage: &str) -> String {
        self.secrets
            .put_secret_value()
            .secret_id(&self.arn)
            .secret_string(serde_json::json!({"username": user, "password": password}).to_string())
            .version_stages(stage)
            .send()
            .await
            .unwrap()
            .version_id
            .unwrap()
    }

    async fn current_version(&self) -> String {
        self.secrets
            .get_secret_value()
            .secret_id(&self.arn)
            .send()
            .await
            .unwrap()
            .version_id
            .unwrap()
    }

    /// The app's connections as `user`, described (for assertion messages).
    async fn describe(&self, user: &str) -> String {
        let rows = self
            .admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT backend_start::text || ' ' || state || ' ' || left(query, 60) AS d \
                     FROM pg_stat_activity WHERE usename = '{user}' AND datname = current_database()"
                ),
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get::<String>("", "d").unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Waits (the load still running: connections are retired when next taken from the
    /// pool) until no connection of the app as `user` is older than `t`.
    async fn retired(&self, user: &str, t: &str) {
        corpus_test_support::eventually(
            20,
            "connections opened before the change closed",
            || async { self.backends(user, t).await.0 == 0 },
        )
        .await;
    }

    /// After a rotation of the first login under load: enough requests ran (`load` counts
    /// only successes, and fails on any failure), some connection opened after `changed`
    /// with the new password, and the first password is refused.
    async fn moved_to_the_new_password(&self, ok: u64, changed: &str) {
        assert!(ok > 50, "only {ok} requests");
        let (_, after) = self.backends(&self.user, changed).await;
        assert!(after > 0, "the app logged in with the new password");
        assert!(
            self.refused(&self.user, "first-pw-1").await,
            "the old password still works"
        );
    }

    /// Logging in as `user` with `password` fails authentication.
    async fn refused(&self, user: &str, password: &str) -> bool {
        let url = login_url(&self.database_url, user, Some(password));
        let db = connect(&SecretString::from(url), 1).await.unwrap();
        match db.execute_unprepared("SELECT 1").await {
            Ok(_) => false,
            Err(err) => corpus_documents::credentials::is_auth_failure(&err),
        }
    }
}

const SETTLE: Duration = Duration::from_millis(700);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_user_rotation_under_load_fails_no_request() {
    let r = rotating_app(3600).await;
    let mut load = Load::new();
    load.add(&r, 2);
    tokio::time::sleep(SETTLE).await;

    // What the rotation function does: the new password as AWSPENDING, then on the
    // database, then AWSPENDING becomes AWSCURRENT. Between the last two steps more load
    // arrives: the pools open connections, the secret's current password is refused, the
    // pending one is not.
    let old = r.current_version().await;
    let pending = r.put_secret(&r.user, "second-pw-2", "AWSPENDING").await;
    let changed = r.now().await;
    r.sql(&format!("ALTER ROLE {} PASSWORD 'second-pw-2'", r.user))
        .await;
    load.add(&r, 4);
    tokio::time::sleep(SETTLE).await;
    r.secrets
        .update_secret_version_stage()
        .secret_id(&r.arn)
        .version_stage("AWSCURRENT")
        .move_to_version_id(&pending)
        .remove_from_version_id(&old)
        .send()
        .await
        .unwrap();
    r.retired(&r.user, &changed).await;
    let ok = load.finish().await;

    r.moved_to_the_new_password(ok, &changed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_changed_on_the_database_before_the_secret_fails_no_request() {
    let r = rotating_app(3600).await;
    let mut load = Load::new();
    load.add(&r, 2);
    tokio::time::sleep(SETTLE).await;

    // By hand, in the wrong order: the database first, no AWSPENDING, the secret 1.5 s
    // later. Requests that need a new connection meanwhile wait for it.
    let changed = r.now().await;
    r.sql(&format!("ALTER ROLE {} PASSWORD 'third-pw-3'", r.user))
        .await;
    load.add(&r, 4);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    r.put_secret(&r.user, "third-pw-3", "AWSCURRENT").await;
    r.retired(&r.user, &changed).await;
    let ok = load.finish().await;

    r.moved_to_the_new_password(ok, &changed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alternating_users_switch_on_refresh_and_fail_no_request() {
    let r = rotating_app(1).await;
    let mut load = Load::new();
    load.add(&r, 4);
    tokio::time::sleep(SETTLE).await;

    // Alternating users: the other user gets a new password and becomes current; the
    // periodic re-read moves every connection over; then the first user's password
    // changes (the next rotation) and nothing notices.
    let (clone, _) = service_login(&r.database_url, "corpus_documents", "fourth-pw-4").await;
    let switched = r.now().await;
    r.put_secret(&clone, "fourth-pw-4", "AWSCURRENT").await;
    // Every connection as the first user closed, within a refresh and a few requests.
    r.retired(&r.user, "infinity").await;
    r.sql(&format!("ALTER ROLE {} PASSWORD 'fifth-pw-5'", r.user))
        .await;
    load.add(&r, 4);
    tokio::time::sleep(SETTLE).await;
    let ok = load.finish().await;

    assert!(ok > 50, "only {ok} requests");
    let (before, after) = r.backends(&clone, &switched).await;
    assert_eq!(before, 0, "{}", r.describe(&clone).await);
    assert!(after > 0, "the app logs in as the other user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_started_before_the_database_has_the_new_password_logs_in_with_the_previous() {
    let r = rotating_app(3600).await;
    // Terraform's apply gave the secret a new AWSCURRENT; the migrate step that sets it on
    // the database has not run. A task starting now is refused with AWSCURRENT.
    r.put_secret(&r.user, "next-pw-2", "AWSCURRENT").await;
    let late = secret_app(&r.database_url, &r.user, &r.arn, 1).await;
    for i in 0..6 {
        let (what, status) = one_request(&late, &r.doc, i).await;
        assert!(status < 300, "{what}: {status}");
    }
    // The migrate step: the database gets AWSCURRENT's password; the late task follows at
    // its next re-read (every second here), and only it opens connections from now on.
    let changed = r.now().await;
    r.sql(&format!("ALTER ROLE {} PASSWORD 'next-pw-2'", r.user))
        .await;
    let mut load = Load::new();
    load.add_app(&Arc::new(late), &r.doc, 2);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ok = load.finish().await;
    assert!(ok > 10, "only {ok} requests");
    let (_, after) = r.backends(&r.user, &changed).await;
    assert!(after > 0, "the late task logged in with the new password");
}
