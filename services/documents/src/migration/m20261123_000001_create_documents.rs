use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE documents (
    id            uuid        PRIMARY KEY,
    source        text        NOT NULL,
    checksum      text        NOT NULL,
    title         text        NOT NULL,
    content_type  text        NOT NULL,
    byte_size     bigint      NOT NULL CHECK (byte_size >= 0),
    passage_count integer     NOT NULL CHECK (passage_count >= 0),
    job_id        uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documents_source_checksum_key UNIQUE (source, checksum)
);
CREATE INDEX documents_created_at_id_idx ON documents (created_at DESC, id DESC);
CREATE INDEX documents_job_id_idx ON documents (job_id) WHERE job_id IS NOT NULL;

-- Passages are written before their document row inside one transaction (the document
-- row is inserted last, once the checksum of the streamed text is known), so the foreign
-- key is checked at commit.
CREATE TABLE passages (
    document_id uuid    NOT NULL
        REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq         integer NOT NULL CHECK (seq >= 0),
    text        text    NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    PRIMARY KEY (document_id, seq)
);
CREATE INDEX passages_tsv_idx ON passages USING GIN (tsv);
"#;

const DOWN: &str = "DROP TABLE passages; DROP TABLE documents;";

sql_migration!(UP, DOWN);
