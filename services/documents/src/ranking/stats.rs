//! Term frequencies for ranking, from PostgreSQL's own statistics on `passages.terms`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};
use tokio::{sync::Mutex, time::Instant};

use super::Analysis;

/// How long term statistics are reused before they are read again.
const STATS_TTL: Duration = Duration::from_secs(60);

/// Document frequencies of the `terms` column, from PostgreSQL's statistics.
#[derive(Debug, Clone, Default)]
pub struct TermStats {
    /// Passages (the table's row estimate).
    pub(super) passages: f64,
    /// The fraction of passages holding each of the most common elements.
    frequency: HashMap<String, f64>,
    /// The fraction assumed for an element not listed (half the least listed, as the
    /// planner assumes).
    floor: f64,
}

#[derive(FromQueryResult)]
struct Element {
    e: Option<String>,
    f: f64,
}

impl TermStats {
    async fn load(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let passages = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'passages'::regclass",
            ))
            .await?
            .map(|r| r.try_get::<f64>("", "n"))
            .transpose()?
            .unwrap_or(0.0)
            .max(1.0);
        let elements = Element::find_by_statement(Statement::from_string(
            DbBackend::Postgres,
            "SELECT u.e, u.f::float8 AS f FROM pg_stats s, \
             unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) WITH ORDINALITY u(e, f, i) \
             WHERE s.schemaname = current_schema() AND s.tablename = 'passages' AND s.attname = 'terms' \
             ORDER BY u.i",
        ))
        .all(db)
        .await?;
        let mut frequency = HashMap::with_capacity(elements.len());
        let mut floor = None;
        for el in elements {
            match el.e {
                Some(e) => {
                    frequency.insert(e, el.f);
                }
                // After the elements: the least frequency, the greatest, the null fraction.
                None => {
                    floor.get_or_insert(el.f / 2.0);
                }
            }
        }
        Ok(Self {
            passages,
            frequency,
            floor: floor.unwrap_or(1.0 / passages),
        })
    }

    /// Estimated passages holding `term`.
    pub fn df(&self, term: &str) -> f64 {
        self.frequency.get(term).copied().unwrap_or(self.floor) * self.passages
    }

    /// BM25's inverse document frequency.
    pub fn idf(&self, term: &str) -> f64 {
        let df = self.df(term).min(self.passages);
        (1.0 + (self.passages - df + 0.5) / (df + 0.5)).ln()
    }

    /// Matches of a conjunctive query, taking terms as independent.
    pub fn estimate(&self, a: &Analysis) -> f64 {
        let mut n = self.passages;
        for t in &a.terms {
            n *= self.df(t) / self.passages;
        }
        for t in &a.excluded {
            n *= 1.0 - self.df(t) / self.passages;
        }
        n
    }
}

/// [`TermStats`] read at most once per [`STATS_TTL`] per task.
#[derive(Default)]
pub struct StatsCache {
    cached: Mutex<Option<(Instant, Arc<TermStats>)>>,
}

impl StatsCache {
    pub async fn get(&self, db: &impl ConnectionTrait) -> Result<Arc<TermStats>, DbErr> {
        let mut cached = self.cached.lock().await;
        if let Some((at, stats)) = cached.as_ref()
            && at.elapsed() < STATS_TTL
        {
            return Ok(stats.clone());
        }
        let stats = Arc::new(TermStats::load(db).await?);
        *cached = Some((Instant::now(), stats.clone()));
        Ok(stats)
    }
}
