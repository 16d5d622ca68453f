//! The index behind the bounded search (issue 11, item 1; `crate::ranking` and
//! docs/scaling.md, "Search ranking"). Expand-only: the previous release neither reads nor
//! writes `passages.terms`, and its inserts fill it through the trigger.
//!
//! `terms` holds, per passage:
//! - the passage's lexemes with their positions (as `tsv`),
//! - a shingle per pair of adjacent lexemes (`'white whale'`), so a two-word phrase is a
//!   term with its own posting list and frequency,
//! - tier tokens `x|t` for every term `x` (lexeme or shingle) occurring at least `t` times,
//!   `t` in 2, 3, 4, 5, 6, 7, 8, 10, 12, 16,
//!
//! under one GIN index: "the passages where `x` occurs at least `t` times" is one short
//! posting list, so the search reads matches in score order instead of scoring them all.
//! The text search parser never yields a lexeme with a space or a `|`, so a query cannot
//! name a shingle or a tier token, and `terms @@ q` is `tsv @@ q` for every user query.
//!
//! Cost, measured (bench/README.md): the index is about 6.7x the `tsv` index, and the
//! backfill below takes about 0.6 ms per short passage and 5 ms per full 8 KiB one (an
//! hour and a half per million full passages, holding the rows it updates; reads go on).
//! The plain `CREATE INDEX` blocks inserts into `passages` for its build, tens of minutes
//! at a million full passages: docs/runbook-database.md says how to release it (the
//! statements are idempotent, so a large corpus can be prepared by hand beforehand, in
//! batches and with `CREATE INDEX CONCURRENTLY`).
//!
//! Statistics: the search takes each term's document frequency from the column's
//! `most_common_elems` (ANALYZE, kept current by autovacuum), with a target of 1000 (up to
//! 10,000 elements).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE OR REPLACE FUNCTION corpus_search_terms(v tsvector) RETURNS tsvector
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  WITH pos AS (
    SELECT u.lexeme, p, lead(u.lexeme) OVER w AS next, lead(p) OVER w AS next_p
    FROM unnest(v) u, unnest(u.positions) p WINDOW w AS (ORDER BY p)),
  shingles AS (
    SELECT coalesce(string_agg(format('%s:%s', quote_literal(s), ps), ' ')::tsvector, ''::tsvector) AS sv
    FROM (SELECT lexeme || ' ' || next AS s, string_agg(p::text, ',') AS ps
          FROM pos WHERE next_p = p + 1 GROUP BY 1) x),
  terms AS (SELECT v || shingles.sv AS tv FROM shingles)
  SELECT terms.tv || coalesce(array_to_tsvector(array(
      SELECT u.lexeme || '|' || t
      FROM unnest(terms.tv) u, unnest('{2,3,4,5,6,7,8,10,12,16}'::int[]) t
      WHERE array_length(u.positions, 1) >= t)), ''::tsvector)
  FROM terms
$$;

ALTER TABLE passages ADD COLUMN IF NOT EXISTS terms tsvector;

-- Generated columns are computed after BEFORE triggers: derive from the text again.
CREATE OR REPLACE FUNCTION passages_fill_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.terms := corpus_search_terms(to_tsvector('english', NEW.text));
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS passages_fill_search_terms ON passages;
CREATE TRIGGER passages_fill_search_terms BEFORE INSERT ON passages
  FOR EACH ROW EXECUTE FUNCTION passages_fill_search_terms();

UPDATE passages SET terms = corpus_search_terms(tsv) WHERE terms IS NULL;
CREATE INDEX IF NOT EXISTS passages_terms_idx ON passages USING gin (terms);
ALTER TABLE passages ALTER COLUMN terms SET STATISTICS 1000;
ANALYZE passages;
"#;

const DOWN: &str = r#"
DROP TRIGGER passages_fill_search_terms ON passages;
DROP FUNCTION passages_fill_search_terms();
ALTER TABLE passages DROP COLUMN terms;
DROP FUNCTION corpus_search_terms(tsvector);
"#;

sql_migration!(UP, DOWN);
