# shellcheck shell=bash
# Seeding shared by the benchmarks: documents of 10 passages of generated English-like text.
#
#   bench_seed <database url> <passages>
#
# A 5000-word vocabulary of letter-only pseudo-words (word(n) below), drawn with a skew
# (random()^2) so a few words are common and most are rare, like natural text: word(1) is in
# about 2 of 3 passages, word(300) in about 1 in 30, word(3000) in about 1 in 100. Each
# passage is 80 words. Document ids are md5('doc' || n), so pgbench can pick one without a
# lookup. The random generator is seeded: the same size gives the same corpus.
bench_seed() {
  local url=$1 docs=$(($2 / 10))
  echo "==> seeding $docs documents x 10 passages"
  psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
DO \$\$ BEGIN PERFORM setseed(0.20261202); END \$\$;
CREATE FUNCTION pg_temp.word(n int) RETURNS text IMMUTABLE LANGUAGE sql
  AS \$\$ SELECT translate(substr(md5(n::text), 1, 7), '0123456789', 'ghijklmnop') \$\$;
CREATE TEMP TABLE ids AS SELECT md5('doc' || g)::uuid AS id, g FROM generate_series(1, $docs) g;
-- Bulk load without the GIN index, then build it once (much faster than row by row).
SET maintenance_work_mem = '512MB';
DROP INDEX passages_tsv_idx;
DROP INDEX passages_terms_idx;
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO passages (document_id, seq, text)
SELECT ids.id, s,
       (SELECT string_agg(pg_temp.word(1 + floor(5000 * random() ^ 2)::int + 0 * w.i), ' ')
          FROM generate_series(1, 80 + 0 * s + 0 * ids.g) AS w(i)) || '. '
FROM ids, generate_series(0, 9) s;
INSERT INTO documents (id, source, checksum, title, content_type, byte_size, passage_count)
SELECT id, 'bench', md5(id::text), 'Bench document ' || g, 'text/plain', 6000, 10 FROM ids;
COMMIT;
CREATE INDEX passages_tsv_idx ON passages USING GIN (tsv);
CREATE INDEX passages_terms_idx ON passages USING GIN (terms);
VACUUM ANALYZE;
SQL
}

# The n-th word of the seeded vocabulary (1 is the most common), as bench_seed wrote it.
bench_word_sql() {
  echo "translate(substr(md5(($1)::text), 1, 7), '0123456789', 'ghijklmnop')"
}
