//! The search cursor: a position in a ranked list, and the term weights its pages were
//! ranked with.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ranking::Weighted;

/// A position in a ranked result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchCursor {
    /// The score (a double: the search compares it exactly).
    #[serde(rename = "r")]
    pub rank: f64,
    #[serde(rename = "d")]
    pub document_id: Uuid,
    #[serde(rename = "s")]
    pub seq: i32,
    /// [`super::Filters::fingerprint`] of the search that issued it (query, filters, collapse).
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The weight (idf) of each of the query's terms on the pages before. Later pages score
    /// with the same weights, so neither a statistics refresh between two pages nor a page
    /// served by another task (with statistics of its own age) reorders the list under the
    /// cursor. Absent from older cursors: those pages use the current statistics.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<f64>,
}

/// Most terms whose weights a cursor carries: the API takes cursors of up to 1024
/// characters. A search of more terms ranks each page with the statistics at hand.
const MAX_CURSOR_WEIGHTS: usize = 16;

impl SearchCursor {
    /// The position of a hit, ranked with `terms`; the API adds the fingerprint.
    pub(super) fn at(rank: f64, document_id: Uuid, seq: i32, terms: &[Weighted]) -> Self {
        Self {
            rank,
            document_id,
            seq,
            fingerprint: None,
            weights: if terms.len() <= MAX_CURSOR_WEIGHTS {
                terms.iter().map(|t| t.idf).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Sets `terms`' weights to the ones this cursor's pages were ranked with, when it has
    /// a usable set (one positive weight per term; anything else is ignored).
    pub(super) fn reweigh(&self, terms: &mut [Weighted]) {
        if self.weights.len() == terms.len()
            && self.weights.iter().all(|w| w.is_finite() && *w > 0.0)
        {
            for (t, w) in terms.iter_mut().zip(&self.weights) {
                t.idf = *w;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Filters, ListCursor};

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = SearchCursor {
            rank: 0.1,
            document_id: Uuid::nil(),
            seq: 3,
            fingerprint: Some("abc".into()),
            weights: vec![0.1, 2.0 / 3.0],
        };
        let s = corpus_platform::cursor::encode(&c);
        assert_eq!(corpus_platform::cursor::decode::<SearchCursor>(&s), Some(c));
        assert_eq!(
            corpus_platform::cursor::decode::<ListCursor>(&s),
            None,
            "a search cursor is no list cursor"
        );
    }

    #[test]
    fn a_cursor_keeps_its_rank_and_weights_to_the_last_bit() {
        // serde_json parses some 17-digit numbers one unit in the last place off unless
        // its float_roundtrip feature is on; a cursor a bit off skips or repeats ties.
        let mut values = vec![0.452_071_871_428_571_47, 0.287_682_1];
        values.extend((1..5000).map(|i| f64::from(i).sqrt() * 0.287_682_072_451_780_85 / 3.0));
        for v in values {
            let c = SearchCursor {
                rank: v,
                document_id: Uuid::nil(),
                seq: 0,
                fingerprint: None,
                weights: vec![v, v / 7.0],
            };
            let back = corpus_platform::cursor::decode::<SearchCursor>(
                &corpus_platform::cursor::encode(&c),
            )
            .unwrap();
            assert_eq!(back.rank.to_bits(), v.to_bits(), "{v:e}");
            assert_eq!(back.weights, c.weights, "{v:e}");
        }
    }

    #[test]
    fn a_cursor_with_the_most_weights_it_carries_fits_the_api() {
        let terms: Vec<Weighted> = (0..MAX_CURSOR_WEIGHTS)
            .map(|i| Weighted {
                term: format!("t{i}"),
                // Longer than any weight prints (seven significant digits).
                idf: 1.234567e-100,
            })
            .collect();
        let mut c = SearchCursor::at(-1.2345678901234567e-300, Uuid::max(), i32::MIN, &terms);
        c.fingerprint = Some(Filters::default().fingerprint("q"));
        assert_eq!(c.weights.len(), MAX_CURSOR_WEIGHTS);
        let encoded = corpus_platform::cursor::encode(&c);
        assert!(encoded.len() <= 1024, "{} characters", encoded.len());

        let more: Vec<Weighted> = (0..=MAX_CURSOR_WEIGHTS)
            .map(|i| Weighted {
                term: format!("t{i}"),
                idf: 1.0,
            })
            .collect();
        assert!(
            SearchCursor::at(1.0, Uuid::nil(), 0, &more)
                .weights
                .is_empty()
        );
    }

    #[test]
    fn a_cursor_keeps_the_weights_of_its_pages_when_they_fit() {
        let weighted = |idf: &[f64]| -> Vec<Weighted> {
            idf.iter()
                .enumerate()
                .map(|(i, &idf)| Weighted {
                    term: format!("t{i}"),
                    idf,
                })
                .collect()
        };
        let cursor = SearchCursor::at(1.0, Uuid::nil(), 0, &weighted(&[0.5, 3.0]));
        assert_eq!(cursor.weights, vec![0.5, 3.0]);

        let mut now = weighted(&[0.7, 2.0]);
        cursor.reweigh(&mut now);
        assert_eq!(
            now.iter().map(|t| t.idf).collect::<Vec<_>>(),
            vec![0.5, 3.0]
        );

        // Another number of terms, or weights no ranking produces: the current ones stay.
        for weights in [
            vec![0.5],
            vec![0.5, 3.0, 1.0],
            vec![0.5, -1.0],
            vec![0.0, 1.0],
        ] {
            let forged = SearchCursor {
                weights,
                ..cursor.clone()
            };
            let mut now = weighted(&[0.7, 2.0]);
            forged.reweigh(&mut now);
            assert_eq!(
                now.iter().map(|t| t.idf).collect::<Vec<_>>(),
                vec![0.7, 2.0]
            );
        }
    }
}
