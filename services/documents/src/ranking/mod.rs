//! Search ranking, and the bounded search that finds the best passages without scoring
//! every match (issue 11, item 1; docs/scaling.md, "Search ranking").
//!
//! A passage's score is the sum over the query's terms of `idf(term) * g(tf)`: `tf` how
//! often the term occurs in the passage, `g` BM25's saturation (`k1` = 1.2; passages are
//! chunks of about equal length, so there is no length normalisation) and `idf` BM25's
//! inverse document frequency. A term is a word (lexeme), or a pair of adjacent words
//! when the query quotes a phrase; excluded words (`-word`) only filter.
//!
//! The bounded search reads the matches class by class: a class is the passages whose
//! frequency of each term falls in one tier (1, 2, ..., 8, 10-11, 12-15, 16+), a short
//! posting list thanks to the tier tokens of `passages.terms` (migration
//! `m20261220_000001_search_terms`). Classes are read best upper bound first, at most a
//! page of each, until the page's last passage scores above the next class's upper bound:
//! nothing unread can beat it, so the page is exactly the exhaustive ranking's. The cost
//! follows the number of classes and the page size, not the number of matches.

mod classes;
mod stats;
mod tsquery;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use uuid::Uuid;

use self::classes::{Class, Tier, class_size, classes, tier_token};
pub use self::{
    stats::{StatsCache, TermStats},
    tsquery::{Analysis, analyse, literal},
};
use crate::query::{SearchCursor, bind};

/// Frequency tiers: a tier token `x|t` is in a passage where `x` occurs at least `t` times.
const TIERS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16];
/// `g` never reaches this: the upper bound of the top tier.
const G_LIMIT: f64 = 2.2;
/// Two terms the rarer of which is estimated in fewer passages than this are scored
/// exhaustively: fewer matches than the classes would take queries.
const EXHAUSTIVE_BELOW: f64 = 1000.0;

/// BM25's saturation with `k1` = 1.2, `tf * 2.2 / (tf + 1.2)` written with `tf` once
/// (the SQL in [`score_sql`] is the same expression, so both give the same doubles).
fn g(tf: f64) -> f64 {
    G_LIMIT - 2.64 / (tf + 1.2)
}

/// A term with its weight, as bound into a statement.
pub struct Weighted {
    pub term: String,
    pub idf: f64,
}

pub fn weigh(stats: &TermStats, a: &Analysis) -> Vec<Weighted> {
    a.terms
        .iter()
        .map(|t| Weighted {
            term: t.clone(),
            idf: stats.idf(t),
        })
        .collect()
}

/// The score of passage `p` as SQL, its terms and weights bound into `values`.
pub fn score_sql(terms: &[Weighted], values: &mut Vec<Value>) -> String {
    sum_sql(terms, values, |values, w| {
        let t = bind(values, literal(&w.term));
        format!("round(ts_rank_cd(p.terms, {t}::tsquery) * 10)::float8")
    })
}

/// The score every member of a class of one-frequency tiers has, as a constant: the same
/// operations as [`score_sql`] on the same values, so the same double.
fn class_score_sql(terms: &[Weighted], tiers: &[Tier], values: &mut Vec<Value>) -> String {
    let mut tiers = tiers.iter();
    sum_sql(terms, values, |values, _| {
        let tf = tiers.next().map_or(0.0, |t| f64::from(t.low));
        format!("{}::float8", bind(values, tf))
    })
}

/// The sum over `terms` of idf * g(tf), `tf` the SQL that `tf_sql` writes for a term.
fn sum_sql(
    terms: &[Weighted],
    values: &mut Vec<Value>,
    mut tf_sql: impl FnMut(&mut Vec<Value>, &Weighted) -> String,
) -> String {
    if terms.is_empty() {
        return "0::float8".into();
    }
    terms
        .iter()
        .map(|w| {
            let idf = bind(values, w.idf);
            let tf = tf_sql(values, w);
            format!("{idf}::float8 * (2.2::float8 - 2.64::float8 / ({tf} + 1.2::float8))")
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The condition "after the cursor" in (score desc, document, passage) order, on the
/// score `score` and the key columns of table alias `key`; empty without a cursor.
pub fn after_sql(
    after: Option<&SearchCursor>,
    score: &str,
    key: &str,
    values: &mut Vec<Value>,
) -> Option<String> {
    let c = after?;
    let r = bind(values, c.rank);
    let d = bind(values, c.document_id);
    let s = bind(values, c.seq);
    Some(format!(
        "({score} < {r} OR ({score} = {r} AND ({key}.document_id, {key}.seq) > ({d}, {s})))"
    ))
}

/// A ranked passage.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct Scored {
    pub document_id: Uuid,
    pub seq: i32,
    pub score: f64,
}

fn ranked_before(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(a.document_id.cmp(&b.document_id))
        .then(a.seq.cmp(&b.seq))
}

/// Whether the bounded search applies (two terms need enough matches to be worth it).
pub fn bounded(a: &Analysis, stats: &TermStats) -> bool {
    match a.terms.len() {
        1 => a.conjunctive,
        2 => a.conjunctive && a.terms.iter().all(|t| stats.df(t) >= EXHAUSTIVE_BELOW),
        _ => false,
    }
}

/// The first `need` passages after `after` matching `tsquery` (whose
/// [`Analysis::index_query`] is `index_query`, and whose terms are `terms`, every one in
/// every match), in (score desc, document, passage) order.
pub async fn bounded_search(
    db: &impl ConnectionTrait,
    stats: &TermStats,
    tsquery: &str,
    index_query: &str,
    terms: &[Weighted],
    after: Option<&SearchCursor>,
    need: usize,
) -> Result<Vec<Scored>, DbErr> {
    let Some(top_tiers) = top_tiers(db, terms).await? else {
        return Ok(Vec::new()); // a term no passage has: nothing matches
    };
    let mut found: Vec<Scored> = Vec::new();
    for class in classes(terms, &top_tiers) {
        let slack = 1e-9 * class.high.abs().max(1.0);
        if found.len() >= need && found[need - 1].score > class.high + slack {
            break;
        }
        if after.is_some_and(|c| class.low > c.rank + slack) {
            continue; // every member comes before the cursor
        }
        let statement = class_statement(stats, tsquery, index_query, terms, &class, after, need);
        let rows = Scored::find_by_statement(statement).all(db).await?;
        found.extend(rows);
        found.sort_by(ranked_before);
        found.truncate(need);
    }
    Ok(found)
}

/// The statement reading one class's first `need` passages after `after`, in order.
fn class_statement(
    stats: &TermStats,
    tsquery: &str,
    index_query: &str,
    terms: &[Weighted],
    class: &Class,
    after: Option<&SearchCursor>,
    need: usize,
) -> Statement {
    let mut q = format!("({index_query})");
    for (w, tier) in terms.iter().zip(&class.tiers) {
        if tier.low > 1 {
            q.push_str(&format!(" & {}", literal(&tier_token(&w.term, tier.low))));
        }
        if let Some(n) = tier.next {
            q.push_str(&format!(" & !{}", literal(&tier_token(&w.term, n))));
        }
    }
    let mut values = vec![Value::from(q)];
    let tie = class.tiers.iter().all(|t| t.next == Some(t.low + 1));
    let limit = i64::try_from(need).unwrap_or(i64::MAX);
    let sql = if tie {
        // Every member scores the same: the class's first passages in (document,
        // passage) order. Two ways to them, the cheaper by the class's estimated size:
        // sort the class (small), or walk the primary key until enough are found
        // (about need * passages / size rows; large classes). The walk tests the
        // query on `tsv` first, which rejects most rows without reading `terms`.
        let score = class_score_sql(terms, &class.tiers, &mut values);
        let cursor = after_sql(after, &score, "p", &mut values)
            .map_or_else(String::new, |c| format!(" AND {c}"));
        let size = class_size(stats, terms, &class.tiers);
        let walk = need as f64 * stats.passages / size.max(1.0);
        let limit = bind(&mut values, limit);
        if size <= 2.0 * walk {
            format!(
                "WITH c AS MATERIALIZED (SELECT p.document_id, p.seq FROM passages p \
                 WHERE p.terms @@ $1::tsquery{cursor}) \
                 SELECT c.document_id, c.seq, {score} AS score FROM c \
                 ORDER BY c.document_id, c.seq LIMIT {limit}"
            )
        } else {
            let q = bind(&mut values, tsquery);
            format!(
                "SELECT p.document_id, p.seq, {score} AS score FROM passages p \
                 WHERE p.tsv @@ {q}::tsquery AND p.terms @@ $1::tsquery{cursor} \
                 ORDER BY p.document_id, p.seq LIMIT {limit}"
            )
        }
    } else {
        let score = score_sql(terms, &mut values);
        let cursor = after_sql(after, &score, "p", &mut values)
            .map_or_else(String::new, |c| format!(" AND {c}"));
        let limit = bind(&mut values, limit);
        format!(
            "SELECT p.document_id, p.seq, {score} AS score FROM passages p \
             WHERE p.terms @@ $1::tsquery{cursor} \
             ORDER BY score DESC, p.document_id, p.seq LIMIT {limit}"
        )
    };
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Each term's highest tier that any passage reaches, probed from the top in one statement
/// (GIN reads a token's whole posting list, and a common word's low tiers are long); none
/// when a term is in no passage.
async fn top_tiers(
    db: &impl ConnectionTrait,
    terms: &[Weighted],
) -> Result<Option<Vec<u32>>, DbErr> {
    let mut values = Vec::new();
    let probes: Vec<String> = terms
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let rows: Vec<String> = TIERS
                .iter()
                .rev()
                .map(|&t| {
                    format!(
                        "({t}, {}::text)",
                        bind(&mut values, literal(&tier_token(&w.term, t)))
                    )
                })
                .collect();
            format!(
                "(SELECT v.t FROM (VALUES {}) v(t, tok) WHERE EXISTS \
                 (SELECT 1 FROM passages p WHERE p.terms @@ v.tok::tsquery) LIMIT 1) AS t{i}",
                rows.join(", ")
            )
        })
        .collect();
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("SELECT {}", probes.join(", ")),
            values,
        ))
        .await?
    else {
        return Ok(None);
    };
    let mut tops = Vec::with_capacity(terms.len());
    for i in 0..terms.len() {
        match row.try_get::<Option<i32>>("", &format!("t{i}"))? {
            Some(t) => tops.push(u32::try_from(t).unwrap_or(1)),
            None => return Ok(None),
        }
    }
    Ok(Some(tops))
}
