//! Indexes for the list and search filters (issue 11, item 6). Expand-only: the previous
//! release ignores them. Plain `CREATE INDEX` (a migration runs in a transaction, where
//! `CONCURRENTLY` is refused): it blocks writes to `documents` (one row per document, not
//! per passage) for the seconds the build takes, before the deployment.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
-- GET /documents?job_id= and search narrowed to a job: one job's documents, newest first.
CREATE INDEX IF NOT EXISTS documents_job_id_created_at_idx
    ON documents (job_id, created_at DESC, id DESC) WHERE job_id IS NOT NULL;
-- content_type=..., newest first.
CREATE INDEX IF NOT EXISTS documents_content_type_created_at_idx
    ON documents (content_type, created_at DESC, id DESC);
-- source_prefix=...: a range scan in byte order, whatever the database's collation.
CREATE INDEX IF NOT EXISTS documents_source_c_idx
    ON documents (source COLLATE "C");
-- created_from / created_to use documents_created_at_id_idx.
"#;

const DOWN: &str = r#"
DROP INDEX IF EXISTS documents_job_id_created_at_idx;
DROP INDEX IF EXISTS documents_content_type_created_at_idx;
DROP INDEX IF EXISTS documents_source_c_idx;
"#;

sql_migration!(UP, DOWN);
