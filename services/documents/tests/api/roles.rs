//! The service roles the migrations create: each may do what its service does, nothing
//! more (issue 10, item 1). Every other test of this suite runs the API as a member of
//! `corpus_documents` (helpers::spawn_app_at), and the ingest suite runs its worker as a
//! member of `corpus_worker`, so what the services need is covered there.

use corpus_documents::{
    connect,
    store::{self, NewDocument, WriteOutcome},
};
use corpus_test_support::service_login;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, RuntimeErr};
use secrecy::SecretString;

use crate::helpers::fresh_database;

async fn as_member_of(url: &str, role: &str) -> DatabaseConnection {
    let (_, login) = service_login(url, role, "role-test-pw").await;
    connect(&SecretString::from(login), 1).await.unwrap()
}

fn sqlstate(err: &DbErr) -> String {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned())
            .unwrap_or_default(),
        other => format!("not a database error: {other}"),
    }
}

fn meta(source: &str) -> NewDocument {
    NewDocument {
        title: "Whales".into(),
        source: source.into(),
        content_type: "text/plain".into(),
        job_id: None,
    }
}

#[tokio::test]
async fn each_service_role_may_do_only_what_its_service_does() {
    let url = fresh_database().await;
    let documents = as_member_of(&url, "corpus_documents").await;
    let worker = as_member_of(&url, "corpus_worker").await;

    // The write path as the worker, a duplicate as the API, a delete (passages by the
    // foreign key's cascade) as the API.
    let text = "Whales sing long songs.\n\nThey travel far.";
    let WriteOutcome::Created(doc) = store::create_document(&worker, meta("api"), text)
        .await
        .unwrap()
    else {
        panic!("not created")
    };
    let dup = store::create_document(&documents, meta("api"), text)
        .await
        .unwrap();
    assert!(matches!(dup, WriteOutcome::Duplicate { existing_id } if existing_id == doc.id));
    assert!(store::delete_document(&documents, doc.id).await.unwrap());
    let left = documents
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM passages",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.try_get::<i64>("", "n").unwrap(), 0);

    let neither = [
        "UPDATE documents SET title = 'x'",
        "DELETE FROM passages",
        "TRUNCATE documents",
        "TRUNCATE passages",
        "DROP TABLE passages",
        "ALTER TABLE documents ADD COLUMN x int",
        "CREATE INDEX ON documents (title)",
        "CREATE TABLE public.t (x int)",
        "SELECT * FROM seaql_migrations",
    ];
    for (who, conn) in [("documents", &documents), ("worker", &worker)] {
        for sql in neither {
            let err = conn.execute_unprepared(sql).await.unwrap_err();
            assert_eq!(sqlstate(&err), "42501", "{who}: {sql}: {err}");
        }
    }
    let err = worker
        .execute_unprepared("DELETE FROM documents")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "worker may not delete: {err}");
}

#[tokio::test]
async fn a_service_role_without_its_password_cannot_log_in() {
    let url = fresh_database().await;
    let (user, _) = service_login(&url, "corpus_documents", "the-right-one").await;
    let wrong = corpus_test_support::login_url(&url, &user, Some("a-wrong-one"));
    let db = connect(&SecretString::from(wrong), 1).await.unwrap();
    let err = db.execute_unprepared("SELECT 1").await.unwrap_err();
    assert!(
        corpus_documents::credentials::is_auth_failure(&err),
        "{err}"
    );
}

async fn accepts(url: &str, user: &str, password: &str) -> bool {
    let login = corpus_test_support::login_url(url, user, Some(password));
    let db = connect(&SecretString::from(login), 1).await.unwrap();
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// `documents migrate` with DATABASE_ROLE_SECRET_ARNS: the database accepts each secret's
/// login afterwards, a rotation under way is left alone, and only service logins are set.
#[tokio::test]
async fn migrate_sets_each_service_login_from_its_secret() {
    use corpus_documents::credentials::{Provisioned, provision_logins};
    corpus_test_support::require_emulator();
    let url = fresh_database().await;
    let (user, _) = service_login(&url, "corpus_worker", "stale-pw-0").await;
    let secrets = aws_sdk_secretsmanager::Client::new(
        &aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await,
    );
    let arn = corpus_test_support::login_secret(&secrets, &user, "fresh-pw-1").await;
    let admin = connect(&SecretString::from(url.clone()), 1).await.unwrap();
    let target = SecretString::from(url.clone());
    let arns = vec![arn.clone()];

    let done = provision_logins(&admin, &target, &arns).await.unwrap();
    assert_eq!(done, vec![Provisioned::PasswordSet]);
    // The verifier sent is one PostgreSQL checks the password against.
    assert!(accepts(&url, &user, "fresh-pw-1").await);
    assert!(!accepts(&url, &user, "stale-pw-0").await);
    let done = provision_logins(&admin, &target, &arns).await.unwrap();
    assert_eq!(done, vec![Provisioned::UpToDate]);

    // A single-user rotation between its database step and its promotion.
    secrets
        .put_secret_value()
        .secret_id(&arn)
        .secret_string(serde_json::json!({"username": user, "password": "next-pw-2"}).to_string())
        .version_stages("AWSPENDING")
        .send()
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("ALTER ROLE {user} PASSWORD 'next-pw-2'"))
        .await
        .unwrap();
    let done = provision_logins(&admin, &target, &arns).await.unwrap();
    assert_eq!(done, vec![Provisioned::RotationUnderWay]);
    assert!(accepts(&url, &user, "next-pw-2").await);

    // A secret naming the admin (a superuser) or a role that does not exist sets nothing.
    for name in ["corpus", "nobody_at_all"] {
        let other = corpus_test_support::login_secret(&secrets, name, "hijack-pw").await;
        let err = provision_logins(&admin, &target, &[other])
            .await
            .unwrap_err();
        assert!(format!("{err:#}").contains(name), "{err:#}");
    }
}

/// The binary as the pipeline runs it: `documents migrate` logging in through the master's
/// secret, then setting the service logins of DATABASE_ROLE_SECRET_ARNS.
#[tokio::test]
async fn the_migrate_command_migrates_then_sets_the_service_logins() {
    corpus_test_support::require_emulator();
    let admin = corpus_test_support::admin_url();
    let name = format!("migrate_{}", uuid::Uuid::new_v4().simple());
    let server = connect(&SecretString::from(admin.clone()), 1)
        .await
        .unwrap();
    server
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let secrets = aws_sdk_secretsmanager::Client::new(
        &aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await,
    );
    // The admin of the test server logs in without a password: any will do.
    let master = corpus_test_support::login_secret(&secrets, "corpus", "unused").await;
    let run = |roles: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_documents"))
            .arg("migrate")
            .env(
                "DATABASE_URL",
                corpus_test_support::login_url(&url, "nobody", None),
            )
            .env("DATABASE_SECRET_ARN", &master)
            .env("DATABASE_ROLE_SECRET_ARNS", roles)
            .env("LOG_FORMAT", "json")
            .output()
            .unwrap()
    };
    let out = run(String::new());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (user, _) = service_login(&url, "corpus_worker", "before-pw").await;
    let login = corpus_test_support::login_secret(&secrets, &user, "after-pw").await;
    let out = run(format!(" {login} ,"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(accepts(&url, &user, "after-pw").await);
    let logs = String::from_utf8_lossy(&out.stdout);
    assert!(!logs.contains("after-pw"), "a password in the logs: {logs}");
}
