//! HTTP caching of documents: they never change once stored, so reads carry a strong
//! `ETag` and a bounded `Cache-Control`, and `If-None-Match` answers 304
//! (docs/architecture.md, "Caching documents").

use crate::entities::document;

/// How long browsers (60 s of age) and CloudFront (300 s) may keep a document's metadata or
/// text. Documents never change once stored, so this bounds only how long a deleted one can
/// still be served: 300 s (docs/architecture.md, "Caching documents").
pub const CACHE_CONTROL: &str = "public, max-age=60, s-maxage=300";

/// [`CACHE_CONTROL`] for a copy read from the database `age` ago (the task's cache of
/// documents): both lifetimes are shortened by that age, rounded up, so a copy served from
/// the task's cache does not extend the 300 s bound.
pub(super) fn cache_control(age: std::time::Duration) -> String {
    if age.is_zero() {
        return CACHE_CONTROL.to_owned();
    }
    let age = age.as_millis().div_ceil(1000);
    format!(
        "public, max-age={}, s-maxage={}",
        60u128.saturating_sub(age),
        300u128.saturating_sub(age)
    )
}

/// The metadata's entity tag: the id and the API version (a release may render the same
/// document's metadata differently).
pub(super) fn metadata_etag(d: &document::Model) -> String {
    format!("\"{}-v{}\"", d.id, env!("CARGO_PKG_VERSION"))
}

/// The text's entity tag: its content hash.
pub(super) fn text_etag(d: &document::Model) -> String {
    format!("\"sha256-{}\"", d.checksum)
}

/// True when an `If-None-Match` value names `etag` (or is `*`); weak validators compare
/// by their opaque part, as RFC 9110 asks for If-None-Match.
pub(super) fn matches(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{CACHE_CONTROL, cache_control, matches};

    #[test]
    fn a_copy_from_the_task_cache_is_kept_less_long_by_its_age() {
        assert_eq!(cache_control(Duration::ZERO), CACHE_CONTROL);
        assert_eq!(
            cache_control(Duration::from_millis(1)),
            "public, max-age=59, s-maxage=299"
        );
        assert_eq!(
            cache_control(Duration::from_secs(30)),
            "public, max-age=30, s-maxage=270"
        );
        assert_eq!(
            cache_control(Duration::from_secs(100)),
            "public, max-age=0, s-maxage=200"
        );
        assert_eq!(
            cache_control(Duration::from_secs(400)),
            "public, max-age=0, s-maxage=0"
        );
    }

    #[test]
    fn if_none_match_compares_strong_and_weak_tags_and_lists() {
        let etag = "\"sha256-ab\"";
        assert!(matches(Some("\"sha256-ab\""), etag));
        assert!(matches(Some("W/\"sha256-ab\""), etag));
        assert!(matches(Some("\"x\", \"sha256-ab\""), etag));
        assert!(matches(Some("*"), etag));
        assert!(!matches(Some("\"sha256-ac\""), etag));
        assert!(
            !matches(Some("sha256-ab"), etag),
            "an unquoted value is no entity tag"
        );
        assert!(!matches(None, etag));
    }
}
