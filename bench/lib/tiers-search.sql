-- The searches over bench/lib/tiers-index.sql's index (bench/search-tiers.sh): the exhaustive
-- ranking (every match scored) and the tiered one (below), which returns the same top `lim`
-- scores by construction; the benchmark checks it. Only AND queries (the benchmark's mix)
-- are handled: `or` would need classes over the union. Re-runnable (CREATE OR REPLACE).
CREATE OR REPLACE FUNCTION lex(w text) RETURNS tsquery IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT ('''' || replace(w, '''', '''''') || '''')::tsquery $$;
CREATE OR REPLACE FUNCTION g(tf float8) RETURNS float8 IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE WHEN tf <= 0 THEN 0 ELSE tf * 2.2 / (tf + 1.2) END $$;

DROP TYPE IF EXISTS hit CASCADE;
CREATE TYPE hit AS (document_id uuid, seq int, s float8);
CREATE OR REPLACE FUNCTION idf(w text) RETURNS float8 STABLE LANGUAGE sql AS $$
  SELECT coalesce((SELECT idf FROM term_idf WHERE term_idf.w = idf.w),
                  ln(1 + ((SELECT reltuples FROM pg_class WHERE relname = 'passages') - 0.5) / 1.5)) $$;
-- The score of a passage (p) as an SQL expression: the sum of idf * g(tf) over the terms.
CREATE OR REPLACE FUNCTION score_sql(terms text[]) RETURNS text STABLE LANGUAGE sql AS $$
  SELECT coalesce(string_agg(format('%s * g(round(ts_rank_cd(p.tt, %L::tsquery) * 10))',
                   idf(w), lex(w)::text), ' + '), '0')
  FROM unnest(terms) w $$;
CREATE OR REPLACE FUNCTION exhaustive(q tsquery, terms text[], lim int) RETURNS SETOF hit STABLE LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('SELECT p.document_id, p.seq, (%s)::float8 s FROM passages p
    WHERE p.tt @@ $1 ORDER BY s DESC, 1, 2 LIMIT $2', score_sql(terms)) USING q, lim;
END $$;
-- The tiered search. Every match belongs to one class: for each term, the tier its frequency
-- falls in (1, 2, ..., 8, 10-11, 12-15, 16+). A class's members score between its lower
-- and upper bound (exactly its bound when every tier is one frequency wide). Classes are
-- read best upper bound first, each with one query on the tier tokens (at most `lim` of its
-- members: in score order, or any `lim` when they all score the same), until the `lim`-th
-- best read so far is at least the upper bound of the next class: no passage left unread
-- can beat it. One or two terms; more (and a two-term query with a term in fewer than
-- 1,000 passages, which has fewer matches than the classes take queries) are scored
-- exhaustively.
CREATE OR REPLACE FUNCTION tiered(q tsquery, terms text[], lim int) RETURNS SETOF hit STABLE LANGUAGE plpgsql AS $$
DECLARE
  n int := coalesce(array_length(terms, 1), 0);
  idfs float8[] := ARRAY(SELECT idf(w) FROM unnest(terms) WITH ORDINALITY x(w, i) ORDER BY i);
  expr text := score_sql(terms);
  c record; tq tsquery; got hit[]; top hit[] := '{}'; maxl int[] := '{}'; m int; lvl int;
BEGIN
  IF n = 0 OR n > 2 OR (n = 2 AND (SELECT min(df) FROM term_idf WHERE w = ANY (terms)) < 1000) THEN
    RETURN QUERY SELECT * FROM exhaustive(q, terms, lim);
    RETURN;
  END IF;
  -- Each term's highest tier that any passage reaches (the classes above it are empty),
  -- probed from the top: GIN reads a token's whole posting list, and the low tiers of a
  -- common word are long.
  FOR i IN 1..n LOOP
    m := 1;
    FOREACH lvl IN ARRAY '{16,12,10,8,7,6,5,4,3,2}'::int[] LOOP
      IF EXISTS (SELECT 1 FROM passages p WHERE p.tt @@ lex(terms[i] || '|' || lvl)) THEN
        m := lvl;
        EXIT;
      END IF;
    END LOOP;
    maxl := maxl || m;
  END LOOP;
  FOR c IN
    WITH lv AS (SELECT l, lead(l) OVER (ORDER BY l) AS nxt FROM unnest('{1,2,3,4,5,6,7,8,10,12,16}'::int[]) l),
    -- the upper bound of a tier: g of its highest frequency (g(16+) is below 2.2)
    b AS (SELECT l, nxt, g(l) AS lo, CASE WHEN nxt IS NULL THEN 2.2 ELSE g(nxt - 1) END AS hi FROM lv),
    cls AS (
      SELECT ARRAY[a.l] ls, ARRAY[a.nxt] nx, idfs[1] * a.lo lb, idfs[1] * a.hi ub FROM b a
      WHERE n = 1 AND a.l <= maxl[1]
      UNION ALL
      SELECT ARRAY[a.l, z.l], ARRAY[a.nxt, z.nxt], idfs[1] * a.lo + idfs[2] * z.lo,
             idfs[1] * a.hi + idfs[2] * z.hi FROM b a, b z
      WHERE n = 2 AND a.l <= maxl[1] AND z.l <= maxl[2])
    SELECT * FROM cls ORDER BY ub DESC, lb DESC
  LOOP
    EXIT WHEN coalesce(array_length(top, 1), 0) >= lim AND (top[lim]).s >= c.ub;
    tq := q;
    FOR i IN 1..n LOOP
      IF c.ls[i] > 1 THEN tq := tq && lex(terms[i] || '|' || c.ls[i]); END IF;
      IF c.nx[i] IS NOT NULL THEN tq := tq && !! lex(terms[i] || '|' || c.nx[i]); END IF;
    END LOOP;
    EXECUTE format('SELECT array_agg((r.document_id, r.seq, r.s)::hit) FROM (
      SELECT p.document_id, p.seq, (%s)::float8 s FROM passages p WHERE p.tt @@ $1 %s LIMIT $2) r',
      expr, CASE WHEN c.lb = c.ub THEN '' ELSE 'ORDER BY s DESC, 1, 2' END)
      INTO got USING tq, lim;
    IF got IS NOT NULL THEN
      top := ARRAY(SELECT x FROM unnest(top || got) x ORDER BY (x).s DESC, (x).document_id, (x).seq LIMIT lim);
    END IF;
  END LOOP;
  RETURN QUERY SELECT * FROM unnest(top) x ORDER BY (x).s DESC, (x).document_id, (x).seq;
END $$;
