//! `documents migrate` with `DATABASE_ROLE_SECRET_ARNS`: makes the database accept each
//! service login its secret holds. Runs as the master user after the migrations (which
//! create the roles), before every deployment; idempotent.
//!
//! For each secret: when the database accepts its `AWSCURRENT` login, nothing; when it
//! accepts `AWSPENDING` (a rotation is under way), nothing; otherwise the user's password
//! becomes `AWSCURRENT`'s. Only members of the service roles are touched (a secret naming
//! the master user, or anyone else, is an error). The password is sent as a SCRAM-SHA-256
//! verifier, never as text: the instance logs DDL statements.

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sha2::{Digest as _, Sha256};

use super::{
    is_auth_error,
    secret::{CURRENT, Login, PENDING, SecretSource},
};

/// The roles whose members a secret may name.
pub const SERVICE_ROLES: [&str; 2] = ["corpus_documents", "corpus_worker"];

/// What was done for one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    UpToDate,
    RotationUnderWay,
    PasswordSet,
}

/// Makes the database of `db` (logged in as `db_url`'s user, the master) accept the
/// current login of each secret in `secret_arns`.
pub async fn provision_logins(
    db: &DatabaseConnection,
    db_url: &secrecy::SecretString,
    secret_arns: &[String],
) -> anyhow::Result<Vec<Provisioned>> {
    use anyhow::Context as _;
    use secrecy::ExposeSecret as _;
    let target: sea_orm::sqlx::postgres::PgConnectOptions = db_url
        .expose_secret()
        .parse()
        .context("the database URL cannot be parsed")?;
    let mut done = Vec::new();
    for arn in secret_arns {
        let source = SecretSource::from_env(arn).await;
        let current = source
            .read(CURRENT)
            .await?
            .with_context(|| format!("{arn} has no current version"))?;
        check_service_login(db, &current.username)
            .await
            .with_context(|| format!("{arn} names user {}", current.username))?;
        let outcome = if accepted(&target, &current).await? {
            Provisioned::UpToDate
        } else if let Some(pending) = source.read(PENDING).await?
            && accepted(&target, &pending).await?
        {
            Provisioned::RotationUnderWay
        } else {
            let sql = format!(
                "ALTER ROLE {} LOGIN PASSWORD '{}'",
                quote_ident(&current.username),
                scram_verifier(&current, &rand::random::<[u8; 16]>()),
            );
            db.execute_unprepared(&sql)
                .await
                .with_context(|| format!("cannot set the password of {}", current.username))?;
            Provisioned::PasswordSet
        };
        tracing::info!(user = %current.username, ?outcome, "service login provisioned");
        done.push(outcome);
    }
    Ok(done)
}

async fn accepted(
    target: &sea_orm::sqlx::postgres::PgConnectOptions,
    login: &Login,
) -> anyhow::Result<bool> {
    use sea_orm::sqlx::Connection as _;
    match sea_orm::sqlx::PgConnection::connect_with(&login.apply(target.clone())).await {
        Ok(conn) => {
            conn.close().await?;
            Ok(true)
        }
        Err(e) if is_auth_error(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `user` exists, can log in, is no superuser and is a member of a service role.
async fn check_service_login(db: &DatabaseConnection, user: &str) -> anyhow::Result<()> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb AND \
                    (pg_has_role(rolname, $2, 'MEMBER') OR pg_has_role(rolname, $3, 'MEMBER')) AS ok \
             FROM pg_roles WHERE rolname = $1",
            [user.into(), SERVICE_ROLES[0].into(), SERVICE_ROLES[1].into()],
        ))
        .await?;
    match row {
        None => anyhow::bail!("no such database role (the migrations create the service roles)"),
        Some(r) if r.try_get::<bool>("", "ok")? => Ok(()),
        Some(_) => anyhow::bail!(
            "not a service login: only members of {SERVICE_ROLES:?} without other powers are set from a secret"
        ),
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SCRAM-SHA-256 verifier PostgreSQL stores for `login`'s password (RFC 5802, RFC 7677;
/// what `psql`'s `\password` sends): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
/// The password is used as given (no SASLprep: generated passwords are ASCII).
pub fn scram_verifier(login: &Login, salt: &[u8]) -> String {
    use secrecy::ExposeSecret as _;
    const ITERATIONS: u32 = 4096;
    let password = login.password.expose_secret().as_bytes();
    let hmac = |key: &[u8], data: &[&[u8]]| -> [u8; 32] {
        // HMAC takes keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
        for d in data {
            mac.update(d);
        }
        mac.finalize().into_bytes().into()
    };
    // PBKDF2-HMAC-SHA256, one block.
    let mut u = hmac(password, &[salt, &1u32.to_be_bytes()]);
    let mut salted = u;
    for _ in 1..ITERATIONS {
        u = hmac(password, &[&u]);
        for (s, x) in salted.iter_mut().zip(u) {
            *s ^= x;
        }
    }
    let client_key = hmac(&salted, &[b"Client Key"]);
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, &[b"Server Key"]);
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        B64.encode(salt),
        B64.encode(stored_key),
        B64.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_has_postgresqls_shape_and_depends_on_salt_and_password() {
        let login = Login::parse(r#"{"username":"u","password":"pencil"}"#).unwrap();
        let v = scram_verifier(&login, b"0123456789abcdef");
        let (head, keys) = v.split_once('$').unwrap().1.split_once('$').unwrap();
        assert_eq!(head, format!("4096:{}", B64.encode(b"0123456789abcdef")));
        let (stored, server) = keys.split_once(':').unwrap();
        assert_eq!(B64.decode(stored).unwrap().len(), 32);
        assert_eq!(B64.decode(server).unwrap().len(), 32);
        assert_ne!(v, scram_verifier(&login, b"fedcba9876543210"));
        let other = Login::parse(r#"{"username":"u","password":"pencil2"}"#).unwrap();
        assert_ne!(v, scram_verifier(&other, b"0123456789abcdef"));
        assert!(!v.contains("pencil"));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("corpus_documents"), "\"corpus_documents\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
