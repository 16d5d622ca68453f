//! One database role per service, with only the privileges its code needs (issue 10,
//! item 1). Expand-only and idempotent: the roles are created when missing (roles belong to
//! the whole server, so this also runs harmlessly in a second database, and two databases
//! migrated at once cannot both create them: the loser's duplicate is ignored).
//!
//! - The role that runs `documents migrate` (the master user on RDS) owns the schema; it
//!   is the only one that may change it.
//! - `corpus_documents` (`documents serve`): reads and search, `POST /documents`,
//!   `DELETE /documents/{id}` (its passages go by the foreign key's cascade, which runs
//!   with the table owner's rights). No UPDATE, TRUNCATE or DDL.
//! - `corpus_worker` (`ingest work`, through `store`): reads and inserts only.
//!
//! The roles can log in but have no password here: passwords live in each service's
//! secret (docs/runbook-database.md, "Database roles and credential rotation"). They are
//! not granted `rds_iam`: on RDS that role turns password logins off for its members.
//! Tables created later get their grants in the migration that creates them (no default
//! privileges: a new table is nobody's until a migration says whose it is).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['corpus_documents', 'corpus_worker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by the migration of another database
            END;
        END IF;
    END LOOP;
    -- Nobody but the owner creates objects in the schema (PostgreSQL 15 and later already
    -- say so; older servers let every role create tables in public).
    BEGIN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'public schema not owned by the migrating role; CREATE left as it is';
    END;
END
$$;
GRANT USAGE ON SCHEMA public TO corpus_documents, corpus_worker;
GRANT SELECT, INSERT, DELETE ON documents TO corpus_documents;
GRANT SELECT, INSERT ON passages TO corpus_documents;
GRANT SELECT, INSERT ON documents, passages TO corpus_worker;
"#;

const DOWN: &str = r#"
REVOKE ALL ON documents, passages FROM corpus_documents, corpus_worker;
REVOKE USAGE ON SCHEMA public FROM corpus_documents, corpus_worker;
"#;

// Down: the roles stay; they belong to the server, and other databases may use them.
sql_migration!(UP, DOWN);
