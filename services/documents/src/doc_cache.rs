//! A task's cache of documents' metadata for `GET /documents/{id}` (issue 11, item 3).
//!
//! A stored document never changes, so a cached copy is never wrong while the document
//! exists; only a delete makes it stale. The cache therefore keeps only documents that were
//! found (a miss is never cached, so a client reading its own write right after `POST` sees
//! it), forgets a document this task deletes at once, and forgets every entry after a
//! time to live, which bounds how long another task can still serve a deleted document
//! (docs/architecture.md, "Caching documents").
//!
//! Memory is bounded by bytes, not entries (a source or title may be long): entries go to
//! the current of two generations; when it holds half the budget it becomes the previous
//! one and the old previous one is emptied to become the current one. A hit in the previous
//! generation moves to the current one, so documents read often stay while the rest age
//! out. Each task logs its hits and misses once a minute ([`DocumentCache::report_every`]).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use uuid::Uuid;

use crate::entities::document;

/// Deletes remembered at most (a burst beyond it is covered by the time to live alone).
const MAX_DELETED: usize = 4096;

pub struct DocumentCache {
    /// Bytes per generation; 0 turns the cache off.
    generation_budget: usize,
    ttl: Duration,
    inner: Mutex<Generations>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the cache did since the last [`DocumentCache::take_stats`].
#[derive(Debug, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Entries held now (expired ones included until they are looked up or rotated out).
    pub entries: usize,
}

#[derive(Default)]
struct Generations {
    current: HashMap<Uuid, Entry>,
    current_bytes: usize,
    previous: HashMap<Uuid, Entry>,
    /// Documents this task deleted, and when: a read that raced the delete (it found the
    /// row before the delete committed) must not put it back.
    deleted: HashMap<Uuid, Instant>,
}

impl Generations {
    /// Removes an entry of the current generation, keeping its byte count right.
    fn take_current(&mut self, id: Uuid) {
        if let Some(e) = self.current.remove(&id) {
            self.current_bytes -= entry_bytes(&e.doc);
        }
    }
}

struct Entry {
    doc: document::Model,
    stored: Instant,
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DocumentCache({} bytes, ttl {:?})",
            2 * self.generation_budget,
            self.ttl
        )
    }
}

/// What an entry costs, about: its slot in the map (twice, as a map holds up to twice the
/// slots it uses after it grows) and each string's heap block (its capacity rounded up to
/// the allocator's 16 bytes, plus 16 of bookkeeping).
fn entry_bytes(d: &document::Model) -> usize {
    let block = |s: &String| s.capacity().div_ceil(16) * 16 + 16;
    2 * std::mem::size_of::<(Uuid, Entry)>()
        + block(&d.source)
        + block(&d.checksum)
        + block(&d.title)
        + block(&d.content_type)
}

impl DocumentCache {
    /// A cache of at most `budget_bytes` of documents, each kept at most `ttl`.
    pub fn new(budget_bytes: usize, ttl: Duration) -> Self {
        Self {
            generation_budget: budget_bytes / 2,
            ttl,
            inner: Mutex::new(Generations::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A cache that keeps nothing.
    pub fn off() -> Self {
        Self::new(0, Duration::ZERO)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // A panic while holding the lock leaves maps that are still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The document and how long ago it was read from the database, if that was less than
    /// the time to live ago.
    pub fn get(&self, id: Uuid) -> Option<(document::Model, Duration)> {
        if self.generation_budget == 0 {
            return None;
        }
        let found = self.lookup(id);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn lookup(&self, id: Uuid) -> Option<(document::Model, Duration)> {
        let mut g = self.lock();
        if let Some(e) = g.current.get(&id) {
            let age = e.stored.elapsed();
            if age < self.ttl {
                return Some((e.doc.clone(), age));
            }
            g.take_current(id);
            return None;
        }
        let e = g.previous.remove(&id)?;
        let age = e.stored.elapsed();
        if age >= self.ttl {
            return None;
        }
        let doc = e.doc.clone();
        self.put(&mut g, id, e);
        Some((doc, age))
    }

    /// Keeps a document that was just read from the database.
    pub fn insert(&self, doc: &document::Model) {
        if self.generation_budget == 0 {
            return;
        }
        let entry = Entry {
            doc: doc.clone(),
            stored: Instant::now(),
        };
        let mut g = self.lock();
        if g.deleted.contains_key(&doc.id) {
            return;
        }
        g.previous.remove(&doc.id);
        self.put(&mut g, doc.id, entry);
    }

    fn put(&self, g: &mut Generations, id: Uuid, entry: Entry) {
        let bytes = entry_bytes(&entry.doc);
        if bytes > self.generation_budget {
            return;
        }
        if g.current_bytes + bytes > self.generation_budget {
            // The old previous generation's table becomes the new current one, emptied:
            // rotating reuses the two tables instead of growing a new one each time (which
            // left the heap fragmented: RSS grew to twice the budget).
            std::mem::swap(&mut g.current, &mut g.previous);
            g.current.clear();
            g.current_bytes = 0;
        }
        g.current_bytes += bytes;
        if let Some(old) = g.current.insert(id, entry) {
            g.current_bytes -= entry_bytes(&old.doc);
        }
    }

    /// Forgets a document (this task deleted it).
    pub fn remove(&self, id: Uuid) {
        if self.generation_budget == 0 {
            return;
        }
        let mut g = self.lock();
        g.take_current(id);
        g.previous.remove(&id);
        // A read in flight now started before the delete, so it ends within the statement
        // timeout; after the time to live its copy would have expired anyway.
        let keep = self.ttl.max(crate::STATEMENT_TIMEOUT);
        if g.deleted.len() >= MAX_DELETED {
            g.deleted.retain(|_, at| at.elapsed() < keep);
        }
        if g.deleted.len() < MAX_DELETED {
            g.deleted.insert(id, Instant::now());
        }
    }

    /// Hits and misses since the last call, and the entries held.
    pub fn take_stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.swap(0, Ordering::Relaxed),
            misses: self.misses.swap(0, Ordering::Relaxed),
            entries: self.len(),
        }
    }

    /// Logs [`Self::take_stats`] every `period` in which the cache was used (at `info`, as
    /// "document cache": its hit rate is in the logs), until the cache is dropped.
    pub fn report_every(cache: &Arc<Self>, period: Duration) {
        if cache.generation_budget == 0 {
            return;
        }
        let cache = Arc::downgrade(cache);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(cache) = cache.upgrade() else { return };
                let s = cache.take_stats();
                if s.hits + s.misses > 0 {
                    tracing::info!(
                        hits = s.hits,
                        misses = s.misses,
                        entries = s.entries,
                        period_seconds = period.as_secs(),
                        "document cache"
                    );
                }
            }
        });
    }

    /// Entries held (both generations).
    fn len(&self) -> usize {
        let g = self.lock();
        g.current.len() + g.previous.len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, by the same measure as the budget.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        let g = self.lock();
        g.current_bytes
            + g.previous
                .values()
                .map(|e| entry_bytes(&e.doc))
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u128, title_len: usize) -> document::Model {
        document::Model {
            id: Uuid::from_u128(n),
            source: format!("s3://bucket/{n}.txt"),
            checksum: "ab".repeat(32),
            title: "t".repeat(title_len),
            content_type: "text/plain".into(),
            byte_size: 10,
            passage_count: 1,
            job_id: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn keeps_what_was_inserted_until_its_time_to_live() {
        let cache = DocumentCache::new(1 << 20, Duration::from_millis(80));
        let d = doc(1, 5);
        assert_eq!(cache.get(d.id), None);
        cache.insert(&d);
        let (got, age) = cache.get(d.id).unwrap();
        assert_eq!(got, d);
        assert!(age < Duration::from_millis(80));
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(cache.get(d.id), None, "an entry older than its ttl is gone");
        assert!(cache.is_empty());
    }

    #[test]
    fn remove_forgets_at_once_in_either_generation() {
        let budget = 4 * entry_bytes(&doc(1, 5));
        let cache = DocumentCache::new(budget, Duration::from_secs(60));
        for n in 1..=3 {
            cache.insert(&doc(n, 5));
        }
        // Documents 1 and 2 filled the first generation; 3 started the next.
        cache.remove(Uuid::from_u128(1));
        cache.remove(Uuid::from_u128(3));
        assert_eq!(cache.get(Uuid::from_u128(1)), None);
        assert_eq!(cache.get(Uuid::from_u128(3)), None);
        assert!(cache.get(Uuid::from_u128(2)).is_some());
    }

    #[test]
    fn memory_stays_within_the_budget_and_hot_entries_stay() {
        let per = entry_bytes(&doc(0, 100));
        let budget = 20 * per;
        let cache = DocumentCache::new(budget, Duration::from_secs(60));
        let hot = doc(0, 100);
        cache.insert(&hot);
        for n in 1..1000 {
            cache.insert(&doc(n, 100));
            assert!(cache.bytes() <= budget, "{} > {budget}", cache.bytes());
            if n % 5 == 0 {
                assert!(cache.get(hot.id).is_some(), "the hot entry aged out at {n}");
            }
        }
        assert!(cache.len() <= 20);
        assert!(
            cache.get(Uuid::from_u128(1)).is_none(),
            "cold entries age out"
        );
        // A single entry bigger than a generation is not kept (it would break the bound).
        let huge = doc(5000, budget);
        cache.insert(&huge);
        assert_eq!(cache.get(huge.id), None);
        assert!(cache.bytes() <= budget);
    }

    #[test]
    fn a_read_that_raced_a_delete_does_not_put_the_document_back() {
        let cache = DocumentCache::new(1 << 20, Duration::from_secs(60));
        let d = doc(1, 5);
        // The read found the row, then the delete ran and forgot it, then the read stores.
        cache.remove(d.id);
        cache.insert(&d);
        assert_eq!(cache.get(d.id), None);
        let other = doc(2, 5);
        cache.insert(&other);
        assert!(cache.get(other.id).is_some());
    }

    #[test]
    fn stats_count_hits_and_misses_since_the_last_look() {
        let cache = DocumentCache::new(1 << 20, Duration::from_secs(60));
        let d = doc(1, 5);
        assert!(cache.get(d.id).is_none());
        cache.insert(&d);
        assert!(cache.get(d.id).is_some());
        assert!(cache.get(d.id).is_some());
        let want = CacheStats {
            hits: 2,
            misses: 1,
            entries: 1,
        };
        assert_eq!(cache.take_stats(), want);
        let want = CacheStats {
            hits: 0,
            misses: 0,
            entries: 1,
        };
        assert_eq!(cache.take_stats(), want);
    }

    #[test]
    fn a_budget_of_zero_keeps_nothing() {
        let cache = DocumentCache::off();
        let d = doc(1, 5);
        cache.insert(&d);
        assert_eq!(cache.get(d.id), None);
        assert!(cache.is_empty());
    }
}
