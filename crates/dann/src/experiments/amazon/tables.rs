//! The Amazon domains and the paper's Table 1, transcribed.

/// The four domains.
pub const DOMAINS: [&str; 4] = ["books", "dvd", "electronics", "kitchen"];

/// The paper's Table 1a (raw features): `(source, target, DANN, NN, SVM)` target accuracy.
/// Every entry agrees with a second, independent copy of the table; the means of the
/// columns are 0.763, 0.761 and 0.760 (the paper's text rounds the SVM's to 0.762).
pub const PAPER_TABLE_1A: [(&str, &str, f64, f64, f64); 12] = [
    ("books", "dvd", 0.784, 0.790, 0.799),
    ("books", "electronics", 0.733, 0.747, 0.748),
    ("books", "kitchen", 0.779, 0.778, 0.769),
    ("dvd", "books", 0.723, 0.720, 0.743),
    ("dvd", "electronics", 0.754, 0.732, 0.748),
    ("dvd", "kitchen", 0.783, 0.778, 0.746),
    ("electronics", "books", 0.713, 0.709, 0.705),
    ("electronics", "dvd", 0.738, 0.733, 0.726),
    ("electronics", "kitchen", 0.854, 0.854, 0.847),
    ("kitchen", "books", 0.709, 0.708, 0.707),
    ("kitchen", "dvd", 0.740, 0.739, 0.736),
    ("kitchen", "electronics", 0.843, 0.841, 0.842),
];

/// The paper's Table 1b (mSDA features): `(source, target, DANN, NN, SVM)` target accuracy.
/// Means over the 12 pairs: 0.813, 0.803, 0.802 (the issue that asked for this quoted 0.820
/// for DANN; the per-pair entries, identical in two independent copies of the table, average
/// to 0.813).
pub const PAPER_TABLE_1B: [(&str, &str, f64, f64, f64); 12] = [
    ("books", "dvd", 0.829, 0.824, 0.830),
    ("books", "electronics", 0.804, 0.770, 0.766),
    ("books", "kitchen", 0.843, 0.842, 0.821),
    ("dvd", "books", 0.825, 0.823, 0.826),
    ("dvd", "electronics", 0.809, 0.768, 0.739),
    ("dvd", "kitchen", 0.849, 0.853, 0.842),
    ("electronics", "books", 0.774, 0.770, 0.762),
    ("electronics", "dvd", 0.781, 0.759, 0.770),
    ("electronics", "kitchen", 0.881, 0.863, 0.847),
    ("kitchen", "books", 0.718, 0.721, 0.769),
    ("kitchen", "dvd", 0.789, 0.789, 0.788),
    ("kitchen", "electronics", 0.856, 0.850, 0.861),
];

/// Number of features of the authors' files.
pub const N_FEATURES: usize = 5000;

/// All 12 ordered pairs of distinct domains, in the paper's order.
pub fn all_pairs() -> Vec<(String, String)> {
    PAPER_TABLE_1A
        .iter()
        .map(|p| (p.0.to_string(), p.1.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn means(table: &[(&str, &str, f64, f64, f64)]) -> (f64, f64, f64) {
        let n = table.len() as f64;
        let col = |f: fn(&(&str, &str, f64, f64, f64)) -> f64| table.iter().map(f).sum::<f64>() / n;
        (col(|r| r.2), col(|r| r.3), col(|r| r.4))
    }

    /// The transcribed tables cover the 12 pairs in the same order and average to the means
    /// stated in their docs (a guard against typos).
    #[test]
    fn paper_tables_cover_all_pairs_and_match_their_means() {
        for (table, want) in [
            (&PAPER_TABLE_1A, (0.763, 0.761, 0.760)),
            (&PAPER_TABLE_1B, (0.813, 0.803, 0.802)),
        ] {
            let pairs: Vec<(String, String)> = table
                .iter()
                .map(|p| (p.0.to_string(), p.1.to_string()))
                .collect();
            assert_eq!(pairs, all_pairs());
            let got = means(table);
            for (g, w) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
                assert!((g - w).abs() < 0.0005, "{got:?} vs {want:?}");
            }
        }
    }
}
