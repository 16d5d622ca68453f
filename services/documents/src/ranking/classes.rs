//! The classes the bounded search reads: one frequency tier per term, with the score
//! bounds of its members, and the tier tokens that name them in `passages.terms`.

use super::{G_LIMIT, TIERS, TermStats, Weighted, g};

/// One tier of one term: its lowest frequency and the next tier's (none for the top).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tier {
    pub(super) low: u32,
    pub(super) next: Option<u32>,
}

impl Tier {
    pub(super) fn bounds(self) -> (f64, f64) {
        let hi = self.next.map_or(G_LIMIT, |n| g(f64::from(n - 1)));
        (g(f64::from(self.low)), hi)
    }
}

pub(super) struct Class {
    pub(super) tiers: Vec<Tier>,
    pub(super) low: f64,
    pub(super) high: f64,
}

/// The token of `term`'s tier `t`: the term itself for the first tier.
pub(super) fn tier_token(term: &str, t: u32) -> String {
    if t == 1 {
        term.to_owned()
    } else {
        format!("{term}|{t}")
    }
}

/// Estimated passages in a class, taking the terms as independent.
pub(super) fn class_size(stats: &TermStats, terms: &[Weighted], tiers: &[Tier]) -> f64 {
    let share = |token: String| stats.df(&token) / stats.passages;
    let mut size = stats.passages;
    for (w, t) in terms.iter().zip(tiers) {
        let at = |n: u32| share(tier_token(&w.term, n));
        let above = t.next.map_or(0.0, at);
        size *= (at(t.low) - above).max(0.0);
    }
    size
}

/// Every combination of the terms' tiers up to each term's highest, best upper bound first.
pub(super) fn classes(terms: &[Weighted], top_tiers: &[u32]) -> Vec<Class> {
    let tiers = |top: u32| -> Vec<Tier> {
        TIERS
            .iter()
            .enumerate()
            .filter(|&(_, &t)| t <= top)
            .map(|(i, &t)| Tier {
                low: t,
                next: TIERS.get(i + 1).copied(),
            })
            .collect()
    };
    let mut combos: Vec<Vec<Tier>> = vec![Vec::new()];
    for &top in top_tiers {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                tiers(top).into_iter().map(move |t| {
                    let mut c = c.clone();
                    c.push(t);
                    c
                })
            })
            .collect();
    }
    let mut out: Vec<Class> = combos
        .into_iter()
        .map(|tiers| {
            let (mut low, mut high) = (0.0, 0.0);
            for (w, t) in terms.iter().zip(&tiers) {
                let (lo, hi) = t.bounds();
                low += w.idf * lo;
                high += w.idf * hi;
            }
            Class { tiers, low, high }
        })
        .collect();
    out.sort_by(|a, b| b.high.total_cmp(&a.high).then(b.low.total_cmp(&a.low)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_frequency_once_in_bound_order() {
        let w = |idf| Weighted {
            term: "x".into(),
            idf,
        };
        let cs = classes(&[w(2.0), w(1.0)], &[16, 3]);
        assert_eq!(cs.len(), 11 * 3);
        for pair in cs.windows(2) {
            assert!(pair[0].high >= pair[1].high);
        }
        // Each frequency pair falls in exactly one class, scoring within its bounds.
        for tf1 in 1..40u32 {
            for tf2 in 1..4u32 {
                let score = 2.0 * g(f64::from(tf1)) + g(f64::from(tf2));
                let holding: Vec<&Class> = cs
                    .iter()
                    .filter(|c| {
                        c.tiers
                            .iter()
                            .zip([tf1, tf2])
                            .all(|(t, tf)| tf >= t.low && t.next.is_none_or(|n| tf < n))
                    })
                    .collect();
                assert_eq!(holding.len(), 1, "tf {tf1}, {tf2}");
                assert!(holding[0].low <= score && score <= holding[0].high + 1e-12);
            }
        }
        assert!(g(0.0).abs() < 1e-12 && g(1e9) < G_LIMIT);
    }
}
