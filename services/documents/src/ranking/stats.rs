//! Term frequencies for ranking, from PostgreSQL's own statistics on `passages.terms`.

use std::{
    collections::HashMap,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

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

    /// BM25's inverse document frequency, to seven significant digits: a search cursor
    /// carries the weights of its pages (`query::SearchCursor`), and short ones keep it
    /// short.
    pub fn idf(&self, term: &str) -> f64 {
        let df = self.df(term).min(self.passages);
        let idf = (1.0 + (self.passages - df + 0.5) / (df + 0.5)).ln();
        format!("{idf:.6e}").parse().unwrap_or(idf)
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

/// [`TermStats`] read at most once per [`STATS_TTL`] per task. Searches only ever take a
/// read lock for a moment: once loaded, stale statistics go on being served while one
/// search refreshes them, so the refresh (a query over up to 10,000 elements) never holds
/// up the others.
#[derive(Default)]
pub struct StatsCache {
    cached: RwLock<Option<(Instant, Arc<TermStats>)>>,
    refreshing: Mutex<()>,
}

impl StatsCache {
    pub async fn get(&self, db: &impl ConnectionTrait) -> Result<Arc<TermStats>, DbErr> {
        self.get_with(|| TermStats::load(db)).await
    }

    async fn get_with<F, Fut>(&self, load: F) -> Result<Arc<TermStats>, DbErr>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TermStats, DbErr>>,
    {
        let current = self.current();
        if let Some((at, stats)) = &current
            && at.elapsed() < STATS_TTL
        {
            return Ok(stats.clone());
        }
        let _refresh = match (self.refreshing.try_lock(), &current) {
            (Ok(guard), _) => guard,
            // Another search is refreshing: the stale statistics serve meanwhile.
            (Err(_), Some((_, stats))) => return Ok(stats.clone()),
            // Nothing loaded yet: wait for the first load.
            (Err(_), None) => self.refreshing.lock().await,
        };
        // A refresh that finished since the first look is not done again.
        if let Some((at, stats)) = self.current()
            && at.elapsed() < STATS_TTL
        {
            return Ok(stats);
        }
        match load().await {
            Ok(stats) => {
                let stats = Arc::new(stats);
                *self.cached.write().unwrap_or_else(PoisonError::into_inner) =
                    Some((Instant::now(), stats.clone()));
                Ok(stats)
            }
            Err(e) => match current {
                // A failed refresh keeps serving what it has; the next search tries again.
                Some((_, stats)) => {
                    tracing::warn!(error = %e, "term statistics not refreshed; using the previous ones");
                    Ok(stats)
                }
                None => Err(e),
            },
        }
    }

    fn current(&self) -> Option<(Instant, Arc<TermStats>)> {
        self.cached
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::oneshot;

    use super::*;

    fn stats(passages: f64) -> TermStats {
        TermStats {
            passages,
            ..TermStats::default()
        }
    }

    /// A cache whose statistics were loaded longer ago than the TTL.
    fn stale(passages: f64) -> Arc<StatsCache> {
        let cache = StatsCache::default();
        let long_ago = Instant::now()
            .checked_sub(STATS_TTL + Duration::from_secs(1))
            .unwrap();
        *cache.cached.write().unwrap() = Some((long_ago, Arc::new(stats(passages))));
        Arc::new(cache)
    }

    #[test]
    fn weights_print_short() {
        for passages in [1.0, 7.0, 1234.0, 1e6, 3.3e9] {
            let stats = TermStats {
                passages,
                frequency: HashMap::from([("common".to_owned(), 0.9)]),
                floor: 0.3 / passages,
            };
            for term in ["common", "rare"] {
                let w = stats.idf(term);
                assert!(w > 0.0, "{w}");
                let printed = serde_json::to_string(&w).unwrap();
                let digits = printed.split('e').next().unwrap().replace(['.', '-'], "");
                assert!(digits.trim_start_matches('0').len() <= 7, "{printed}");
            }
        }
    }

    #[tokio::test]
    async fn statistics_are_loaded_once_per_ttl() {
        let cache = StatsCache::default();
        let loads = AtomicUsize::new(0);
        for _ in 0..3 {
            let got = cache
                .get_with(|| async {
                    loads.fetch_add(1, Ordering::SeqCst);
                    Ok(stats(7.0))
                })
                .await
                .unwrap();
            assert_eq!(got.passages, 7.0);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_refresh_in_flight_holds_up_no_other_search() {
        let cache = stale(1.0);
        let (release, held) = oneshot::channel::<()>();
        let (started, refresh_started) = oneshot::channel::<()>();
        let refresh = tokio::spawn({
            let cache = cache.clone();
            async move {
                cache
                    .get_with(|| async move {
                        started.send(()).unwrap();
                        held.await.unwrap();
                        Ok(stats(2.0))
                    })
                    .await
            }
        });
        refresh_started.await.unwrap();

        // The refresh is stuck in its query: another search gets the stale statistics at
        // once, without loading them again.
        let during = tokio::time::timeout(
            Duration::from_secs(5),
            cache.get_with(|| async { panic!("a second refresh while one is in flight") }),
        )
        .await
        .expect("a search waited for the refresh")
        .unwrap();
        assert_eq!(during.passages, 1.0);

        release.send(()).unwrap();
        assert_eq!(refresh.await.unwrap().unwrap().passages, 2.0);
        let after = cache
            .get_with(|| async { panic!("fresh statistics loaded again") })
            .await
            .unwrap();
        assert_eq!(after.passages, 2.0);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_old_statistics_and_a_failed_first_load_is_an_error() {
        let cache = stale(3.0);
        let got = cache
            .get_with(|| async { Err(DbErr::Custom("database away".into())) })
            .await
            .unwrap();
        assert_eq!(got.passages, 3.0);
        // Still stale, so the next search tries again.
        let got = cache.get_with(|| async { Ok(stats(4.0)) }).await.unwrap();
        assert_eq!(got.passages, 4.0);

        let empty = StatsCache::default();
        let err = empty
            .get_with(|| async { Err(DbErr::Custom("database away".into())) })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("database away"), "{err}");
    }
}
