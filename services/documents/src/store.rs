//! The data layer: the write path (shared with the ingest worker) and the reads by id.
//! Lists and search are in [`crate::query`]. Functions take a connection so callers
//! choose the transaction.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Statement,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    entities::{document, passage},
    passages::Splitter,
};

/// Passages per multi-row INSERT. 3 bind parameters a row keeps far below PostgreSQL's
/// 65535, and 64 x 8 KiB bounds a statement at about 512 KiB of text.
const PASSAGE_BATCH: usize = 64;

/// What a new document is, apart from its text.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub title: String,
    /// `s3://bucket/key`, or `api`.
    pub source: String,
    pub content_type: String,
    pub job_id: Option<Uuid>,
}

/// The result of writing a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Created(document::Model),
    /// The same text from the same source is already stored: the caller must roll the
    /// transaction back (the deferred foreign key makes a commit fail otherwise).
    Duplicate {
        existing_id: Uuid,
    },
}

/// Streams one document into the database inside the caller's transaction: text goes in
/// as chunks, is split into passages and inserted in multi-row batches, and the document
/// row is written last, when its checksum and size are known. Memory stays bounded by one
/// batch of passages whatever the text's size.
pub struct DocumentWriter<'c, C: ConnectionTrait> {
    conn: &'c C,
    id: Uuid,
    meta: NewDocument,
    splitter: Splitter,
    hasher: Sha256,
    byte_size: i64,
    next_seq: i32,
    pending: Vec<String>,
}

impl<'c, C: ConnectionTrait> DocumentWriter<'c, C> {
    pub fn new(conn: &'c C, meta: NewDocument) -> Self {
        Self {
            conn,
            id: Uuid::now_v7(),
            meta,
            splitter: Splitter::default(),
            hasher: Sha256::new(),
            byte_size: 0,
            next_seq: 0,
            pending: Vec::with_capacity(PASSAGE_BATCH),
        }
    }

    /// The id the document will have.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Bytes of text pushed so far.
    pub fn byte_size(&self) -> i64 {
        self.byte_size
    }

    /// Adds the next chunk of text.
    pub async fn push(&mut self, chunk: &str) -> Result<(), DbErr> {
        self.hasher.update(chunk.as_bytes());
        self.byte_size += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        self.splitter.push(chunk, &mut self.pending);
        if self.pending.len() >= PASSAGE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), DbErr> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = self.pending.drain(..).map(|text| {
            let seq = self.next_seq;
            self.next_seq += 1;
            passage::ActiveModel {
                document_id: Set(self.id),
                seq: Set(seq),
                text: Set(text),
            }
        });
        let rows: Vec<_> = rows.collect();
        passage::Entity::insert_many(rows)
            .exec_without_returning(self.conn)
            .await?;
        Ok(())
    }

    /// Writes the remaining passages and the document row.
    pub async fn finish(mut self) -> Result<WriteOutcome, DbErr> {
        let splitter = std::mem::take(&mut self.splitter);
        splitter.finish(&mut self.pending);
        self.flush().await?;
        let checksum = hex::encode(self.hasher.finalize_reset());
        let row = Row {
            id: self.id,
            meta: &self.meta,
            checksum: &checksum,
            byte_size: self.byte_size,
            passage_count: self.next_seq,
        };
        match row.insert(self.conn).await? {
            Some(doc) => Ok(WriteOutcome::Created(doc)),
            None => Ok(WriteOutcome::Duplicate {
                existing_id: existing_id(self.conn, &self.meta.source, &checksum).await?,
            }),
        }
    }
}

/// A document row about to be written.
struct Row<'a> {
    id: Uuid,
    meta: &'a NewDocument,
    checksum: &'a str,
    byte_size: i64,
    passage_count: i32,
}

impl Row<'_> {
    /// Inserts the row; `None` when the same source and text are stored already.
    async fn insert(&self, conn: &impl ConnectionTrait) -> Result<Option<document::Model>, DbErr> {
        document::Model::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            r#"INSERT INTO documents
                   (id, source, checksum, title, content_type, byte_size, passage_count, job_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (source, checksum) DO NOTHING
               RETURNING id, source, checksum, title, content_type, byte_size, passage_count,
                         job_id, created_at"#,
            [
                self.id.into(),
                self.meta.source.clone().into(),
                self.checksum.to_owned().into(),
                self.meta.title.clone().into(),
                self.meta.content_type.clone().into(),
                self.byte_size.into(),
                self.passage_count.into(),
                self.meta.job_id.into(),
            ],
        ))
        .one(conn)
        .await
    }
}

async fn existing_id(
    conn: &impl ConnectionTrait,
    source: &str,
    checksum: &str,
) -> Result<Uuid, DbErr> {
    Ok(document::Entity::find()
        .filter(document::Column::Source.eq(source))
        .filter(document::Column::Checksum.eq(checksum))
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("document vanished after a conflict".into()))?
        .id)
}

/// Writes one document held whole in memory, the row first: a duplicate writes nothing,
/// so a caller needs neither a savepoint nor a rollback to undo it (the ingest worker
/// writes one per NDJSON line inside the file's transaction). Statements: one for the row,
/// one per [`PASSAGE_BATCH`] passages.
pub async fn write_whole<C: ConnectionTrait>(
    conn: &C,
    meta: NewDocument,
    text: &str,
) -> Result<WriteOutcome, DbErr> {
    let checksum = hex::encode(Sha256::digest(text.as_bytes()));
    let passages = crate::passages::split(text);
    let row = Row {
        id: Uuid::now_v7(),
        meta: &meta,
        checksum: &checksum,
        byte_size: i64::try_from(text.len()).unwrap_or(i64::MAX),
        passage_count: i32::try_from(passages.len()).unwrap_or(i32::MAX),
    };
    let Some(doc) = row.insert(conn).await? else {
        return Ok(WriteOutcome::Duplicate {
            existing_id: existing_id(conn, &meta.source, &checksum).await?,
        });
    };
    let mut seq = 0;
    let mut passages = passages.into_iter();
    loop {
        let batch: Vec<passage::ActiveModel> = passages
            .by_ref()
            .take(PASSAGE_BATCH)
            .map(|text| {
                seq += 1;
                passage::ActiveModel {
                    document_id: Set(doc.id),
                    seq: Set(seq - 1),
                    text: Set(text),
                }
            })
            .collect();
        if batch.is_empty() {
            break;
        }
        passage::Entity::insert_many(batch)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(WriteOutcome::Created(doc))
}

/// Writes one in-memory document in its own transaction (the API's create); a duplicate
/// writes nothing.
pub async fn create_document(
    db: &DatabaseConnection,
    meta: NewDocument,
    text: &str,
) -> Result<WriteOutcome, DbErr> {
    let txn = db.begin().await?;
    let outcome = write_whole(&txn, meta, text).await?;
    txn.commit().await?;
    Ok(outcome)
}

pub async fn get_document(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<document::Model>, DbErr> {
    document::Entity::find_by_id(id).one(db).await
}

/// Deletes a document and (by cascade) its passages; false when there was none.
pub async fn delete_document(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let res = document::Entity::delete_by_id(id).exec(db).await?;
    Ok(res.rows_affected > 0)
}

/// Up to `limit` passages of a document from `from_seq` on, in order.
pub async fn passages_from(
    db: &impl ConnectionTrait,
    document_id: Uuid,
    from_seq: i32,
    limit: u64,
) -> Result<Vec<passage::Model>, DbErr> {
    passage::Entity::find()
        .filter(passage::Column::DocumentId.eq(document_id))
        .filter(passage::Column::Seq.gte(from_seq))
        .order_by_asc(passage::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// True when the database answers.
/// A refused login while the credentials are being re-read is not unreadiness: requests
/// wait for the accepted login meanwhile (`crate::credentials`), so the ping waits up to
/// 1.5 s (inside readiness's 2 s) and then answers what requests would get.
pub async fn ping(db: &DatabaseConnection, credentials: &crate::Credentials) -> bool {
    let ping = credentials.retry(|| db.execute_unprepared("SELECT 1"));
    match tokio::time::timeout(std::time::Duration::from_millis(1500), ping).await {
        Ok(result) => result.is_ok(),
        Err(_) => credentials.waiting_for_login(),
    }
}
