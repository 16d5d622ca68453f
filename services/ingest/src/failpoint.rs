//! Crash points for the process tests: `INGEST_FAILPOINT=<name>` makes the process abort
//! (no clean-up, no flush: as abrupt as a SIGKILL) the first time it reaches the named
//! boundary between two durable writes. Unset in every deployed environment; the names:
//!
//! - `after-commit`: a file's documents are committed, its outcome not yet recorded;
//! - `after-record`: the outcome is recorded, the message not yet deleted;
//! - `after-finish`: the job is final, its callback not yet queued;
//! - `after-list-page`: a listing page's files are queued, the job's listing position not
//!   yet advanced.

use std::sync::OnceLock;

static POINT: OnceLock<Option<String>> = OnceLock::new();

/// Aborts the process when `name` is the configured crash point.
pub fn hit(name: &str) {
    let point = POINT.get_or_init(|| {
        std::env::var("INGEST_FAILPOINT")
            .ok()
            .filter(|p| !p.is_empty())
    });
    if point.as_deref() == Some(name) {
        tracing::error!(failpoint = name, "INGEST_FAILPOINT reached; aborting");
        std::process::abort();
    }
}
