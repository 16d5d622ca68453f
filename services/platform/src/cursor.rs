//! Opaque page cursors: base64url (no padding) of compact JSON. Every list endpoint hands
//! one out as `next_cursor` and takes it back as `cursor`; the OpenAPI documents state the
//! alphabet ([`PATTERN`]) and [`MAX_LENGTH`], so a client can only send a cursor the
//! service may have issued in form, and one that does not decode is a 422.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

/// The cursor alphabet, as stated in the OpenAPI documents (empty means the first page).
pub const PATTERN: &str = "^[A-Za-z0-9_-]*$";
/// The longest cursor any endpoint issues, with room to spare.
pub const MAX_LENGTH: usize = 1024;

pub fn encode<T: Serialize>(cursor: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

/// The cursor's value, or `None` when `raw` is not a cursor of type `T`.
pub fn decode<T: for<'de> Deserialize<'de>>(raw: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Page {
        t: String,
        i: u32,
    }

    #[test]
    fn round_trips_within_the_documented_alphabet_and_length() {
        let page = Page {
            t: "2026-11-24T02:13:54.264742Z".into(),
            i: u32::MAX,
        };
        let raw = encode(&page);
        assert!(raw.len() <= MAX_LENGTH);
        assert!(
            raw.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode::<Page>(&raw), Some(page));
    }

    #[test]
    fn anything_else_is_not_a_cursor() {
        assert_eq!(decode::<Page>("abc"), None);
        assert_eq!(decode::<Page>("not base64!"), None);
        assert_eq!(decode::<Page>(&encode(&"a string")), None);
    }
}
