-- Prototype of a bounded search in PostgreSQL (bench/search-tiers.sh; docs/scaling.md).
-- Nothing here is used by the services.
--
-- The index: one tsvector column `tt` per passage holding
--   - the passage's lexemes (as `tsv`, positions kept, so `@@` and ts_rank_cd work on it),
--   - a shingle per pair of adjacent lexemes ("a b"), so a two-word phrase is a term of its
--     own with its own posting list and frequency,
--   - tier tokens: "x|t" for every term x (lexeme or shingle) whose frequency in the passage
--     is at least t, t in 2, 3, 4, 5, 6, 7, 8, 10, 12, 16,
-- under one GIN index. The tier tokens make "the passages where term x occurs at least t
-- times" one short posting list: sorted access by score, at the granularity of t.
--
-- The ranking (bench/lib/tiers-search.sql): a sum over the query's positive terms of
-- idf(term) * g(tf), g BM25's saturation (k1 = 1.2; passages are equal-length chunks, so no
-- length normalisation). `term_idf` below holds the lexemes' document frequencies.
CREATE FUNCTION tiers(v tsvector) RETURNS tsvector IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT v || coalesce(array_to_tsvector(array(
     SELECT u.lexeme || '|' || t FROM unnest(v) u, unnest('{2,3,4,5,6,7,8,10,12,16}'::int[]) t
     WHERE array_length(u.positions, 1) >= t)), ''::tsvector)
$$;
CREATE FUNCTION shingles(v tsvector) RETURNS tsvector IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  WITH pos AS (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p),
  pairs AS (SELECT a.lexeme || ' ' || b.lexeme AS s, a.p FROM pos a JOIN pos b ON b.p = a.p + 1)
  SELECT coalesce(string_agg(format('%s:%s', quote_literal(s), ps), ' ')::tsvector, ''::tsvector)
  FROM (SELECT s, string_agg(p::text, ',' ORDER BY p) ps FROM pairs GROUP BY s) x $$;
SET maintenance_work_mem = '1GB';
ALTER TABLE passages ADD COLUMN tt tsvector;
UPDATE passages SET tt = tiers(tsv || shingles(tsv));
CREATE INDEX passages_tt_idx ON passages USING gin (tt);
-- Document frequencies of the lexemes (a product would keep these up to date; a shingle
-- missing here gets the idf of a term in one passage).
CREATE TABLE term_idf AS
  SELECT word AS w, ndoc AS df, ln(1 + ((SELECT count(*) FROM passages) - ndoc + 0.5) / (ndoc + 0.5)) AS idf
  FROM ts_stat('SELECT tsv FROM passages');
ALTER TABLE term_idf ADD PRIMARY KEY (w);
VACUUM ANALYZE passages;
