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
