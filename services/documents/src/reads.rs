//! Reads by id on connections of their own (issue 11, item 3).
//!
//! Profiling `GET /documents/{id}` (bench/README.md) showed three sends to PostgreSQL's
//! socket per request where one is needed: the pool behind sea-orm (sqlx) pings every
//! connection when it is returned (a `Sync` and a wait for `ReadyForQuery`), so each read
//! cost PostgreSQL two wake-ups and the service two more system calls. The hottest read
//! therefore runs its one prepared statement on a small set of connections held here: a
//! connection is taken with a lock, used for one statement, and kept. A read abandoned
//! mid-statement (client gone) leaves the connection to finish the protocol exchange first
//! on its next use (sqlx waits for `ReadyForQuery` before sending), and any error drops the
//! connection so the next read opens a fresh one (statements time out as the pools' do). Connections open lazily, at most one per
//! slot (`DATABASE_MAX_CONNECTIONS` slots), so an idle task holds none.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use sea_orm::{
    DbErr, RuntimeErr,
    sqlx::{
        self, Connection, PgConnection, Row,
        postgres::{PgConnectOptions, PgRow},
    },
};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::{credentials::Credentials, entities::document};

/// The by-id statement (prepared once per connection).
pub const GET_DOCUMENT_SQL: &str = "SELECT id, source, checksum, title, content_type, byte_size, \
     passage_count, job_id, created_at FROM documents WHERE id = $1";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

pub struct DirectReads {
    options: PgConnectOptions,
    credentials: Arc<Credentials>,
    /// Each connection with the login generation it was opened with.
    slots: Vec<Mutex<Option<(PgConnection, u64)>>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DirectReads({} slots)", self.slots.len())
    }
}

impl DirectReads {
    /// Slots for `url`; nothing connects until the first read.
    pub fn new(url: &str, slots: u32, credentials: Arc<Credentials>) -> Result<Self, DbErr> {
        let ms = crate::STATEMENT_TIMEOUT.as_millis().to_string();
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| DbErr::Conn(RuntimeErr::Internal(format!("database URL: {e}"))))?
            .options([("statement_timeout", ms.as_str())]);
        Ok(Self {
            options,
            credentials,
            slots: (0..slots.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        })
    }

    /// Closes the idle connections opened with a login that is no longer current (a busy
    /// one is replaced when next used); call after every switch of the login.
    pub fn close_outdated(&self) {
        let generation = self.credentials.generation();
        for slot in &self.slots {
            if let Ok(mut g) = slot.try_lock()
                && g.as_ref().is_some_and(|(_, gen_)| *gen_ != generation)
            {
                *g = None;
            }
        }
    }

    /// One document's row, or None.
    pub async fn get_document(&self, id: Uuid) -> Result<Option<document::Model>, DbErr> {
        // The first free slot: under light load the same few connections stay warm (and
        // idle ones are never opened); when every slot is busy, wait for one in turn.
        let mut guard = None;
        for slot in &self.slots {
            if let Ok(g) = slot.try_lock() {
                guard = Some(g);
                break;
            }
        }
        let mut guard = match guard {
            Some(g) => g,
            None => {
                let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
                self.slots[turn].lock().await
            }
        };
        let generation = self.credentials.generation();
        if guard.as_ref().is_some_and(|(_, g)| *g != generation) {
            // Opened with a login that is no longer current: log in again.
            *guard = None;
        }
        if guard.is_none() {
            let options = self.credentials.apply(self.options.clone());
            let conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
                .await
                .map_err(|_| DbErr::Conn(RuntimeErr::Internal("connecting timed out".into())))?
                .map_err(conn_err)?;
            *guard = Some((conn, generation));
        }
        let Some((conn, _)) = guard.as_mut() else {
            return Ok(None);
        };
        let row = sqlx::query(GET_DOCUMENT_SQL)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await;
        match row {
            Ok(row) => {
                if self.credentials.generation() != generation {
                    // The login changed while this read ran: the idle connections were
                    // closed then, this one is closed now.
                    *guard = None;
                }
                row.map(|r| to_model(&r)).transpose()
            }
            Err(err) => {
                // Whatever went wrong, this connection is not trusted again; the error is
                // classified as the pool's are (`ApiError::from`: 503 when unavailable).
                *guard = None;
                Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))))
            }
        }
    }
}

fn conn_err(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))
}

fn to_model(r: &PgRow) -> Result<document::Model, DbErr> {
    let get = |e: sqlx::Error| DbErr::Type(e.to_string());
    Ok(document::Model {
        id: r.try_get("id").map_err(get)?,
        source: r.try_get("source").map_err(get)?,
        checksum: r.try_get("checksum").map_err(get)?,
        title: r.try_get("title").map_err(get)?,
        content_type: r.try_get("content_type").map_err(get)?,
        byte_size: r.try_get("byte_size").map_err(get)?,
        passage_count: r.try_get("passage_count").map_err(get)?,
        job_id: r.try_get("job_id").map_err(get)?,
        created_at: r.try_get("created_at").map_err(get)?,
    })
}
