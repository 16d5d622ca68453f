//! HTTP caching of documents: they never change once stored, so reads carry a strong
//! `ETag` and a bounded `Cache-Control`, and `If-None-Match` answers 304
//! (docs/architecture.md, "Caching documents").

use crate::entities::document;

/// How long browsers (60 s of age) and CloudFront (300 s) may keep a document's metadata or
/// text. Documents never change once stored, so this bounds only how long a deleted one can
/// still be served: 300 s (docs/architecture.md, "Caching documents").
pub const CACHE_CONTROL: &str = "public, max-age=60, s-maxage=300";

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
    use super::matches;

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
