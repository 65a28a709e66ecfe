//! t-SNE maps of a model's features `G_f(x)` for source and target rows (the paper's figure
//! for MNIST -> MNIST-M: before adaptation the domains form separate clouds, after it they
//! mix). Barnes-Hut t-SNE (van der Maaten 2014, theta 0.5, 1,000 epochs) from `bhtsne`.

use bhtsne::tSNE;
use burn::tensor::backend::Backend;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::Dataset;
use crate::deep::FittedDann;
use crate::error::{Error, Result};

/// Settings of a t-SNE map: one value for `dann tsne`, the map of `dann train`'s report and
/// the maps of `reproduce digits`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TsneSettings {
    /// Rows drawn from each domain (all when fewer).
    pub n: usize,
    /// Perplexity, a number >= 1 (the effective number of neighbours; lowered to a third of
    /// the rows for few rows).
    pub perplexity: f32,
    /// Seed of the row draw and of the initial embedding.
    pub seed: u64,
}

impl Default for TsneSettings {
    /// 1,000 rows per domain, perplexity 30, seed 0.
    fn default() -> Self {
        Self {
            n: 1000,
            perplexity: 30.0,
            seed: 0,
        }
    }
}

/// A 2-D embedding of rows of both domains.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneMap {
    /// `x, y` of each row, source rows first.
    pub xy: Vec<f32>,
    /// `"source"` or `"target"` for each row.
    pub domains: Vec<&'static str>,
    /// Each row's class name (empty for unlabelled data).
    pub labels: Vec<String>,
}

impl TsneMap {
    /// Rows embedded.
    pub fn len(&self) -> usize {
        self.domains.len()
    }

    /// Whether no row is embedded.
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    /// The map as CSV: `x,y,domain,label`, a row per point.
    pub fn csv(&self) -> String {
        let mut csv = String::from("x,y,domain,label\n");
        for (i, xy) in self.xy.chunks_exact(2).enumerate() {
            csv += &format!(
                "{},{},{},{}\n",
                xy[0], xy[1], self.domains[i], self.labels[i]
            );
        }
        csv
    }
}

impl TsneSettings {
    /// Embeds `model`'s features of up to `n` rows of `source` and of `target` (as read,
    /// prepared here).
    pub fn embed<B: Backend>(
        &self,
        model: &FittedDann<B>,
        source: &Dataset,
        target: &Dataset,
    ) -> Result<TsneMap> {
        self.check()?;
        let rng = &mut ChaCha8Rng::seed_from_u64(self.seed);
        let mut points: Vec<Vec<f32>> = Vec::new();
        let (mut domains, mut labels) = (Vec::new(), Vec::new());
        for (domain, data) in [("source", source), ("target", target)] {
            if data.is_empty() {
                return Err(data.error("has no rows"));
            }
            let picked: Vec<usize> = sample(rng, data.len(), self.n.min(data.len())).into_vec();
            let data = model.prepare(data.subset(&picked))?;
            let features = model.features(&data)?;
            let d = features.n_cols();
            for (i, row) in features.as_slice().chunks_exact(d).enumerate() {
                points.push(row.to_vec());
                domains.push(domain);
                labels.push(label_of(&data, i));
            }
        }
        let n = points.len();
        let perplexity = self.perplexity.min((n as f32 - 1.0) / 3.0).max(1.0);
        let init: Vec<f32> = (0..n * 2)
            .map(|_| rng.random_range(-1e-4f32..1e-4))
            .collect();
        let xy = tSNE::<f32, Vec<f32>>::new(&points)
            .perplexity(perplexity)
            .epochs(1000)
            .initial_embedding(init)
            .barnes_hut(0.5, |a, b| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f32>()
                    .sqrt()
            })
            .embedding();
        Ok(TsneMap {
            xy,
            domains,
            labels,
        })
    }

    /// Fails unless at least 2 rows per domain are asked for and the perplexity is a number
    /// >= 1.
    ///
    /// ```
    /// use dann::analysis::tsne::TsneSettings;
    /// let err = TsneSettings { n: 1, ..TsneSettings::default() }.check().unwrap_err();
    /// assert!(err.to_string().contains("at least 2"));
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.n < 2 {
            return Err(Error::Data("--n must be at least 2".into()));
        }
        if !(self.perplexity.is_finite() && self.perplexity >= 1.0) {
            return Err(Error::Data(format!(
                "--perplexity {}: must be a number >= 1 (the effective number of neighbours; \
                 5 to 50 is usual, 30 the default)",
                self.perplexity
            )));
        }
        Ok(())
    }
}

/// The row's class name, or empty for unlabelled data.
fn label_of(data: &Dataset, i: usize) -> String {
    data.labels()
        .map(|l| data.class_names()[l[i]].clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perplexity_below_1_or_not_a_number_is_refused() {
        for p in [0.0, 0.5, -1.0, f32::NAN, f32::INFINITY] {
            let settings = TsneSettings {
                perplexity: p,
                ..TsneSettings::default()
            };
            let err = settings.check().unwrap_err().to_string();
            assert!(
                err.contains("--perplexity") && err.contains(">= 1"),
                "{p}: {err}"
            );
        }
        let settings = TsneSettings {
            perplexity: 1.0,
            ..TsneSettings::default()
        };
        settings.check().unwrap();
    }

    #[test]
    fn csv_has_a_row_per_point() {
        let map = TsneMap {
            xy: vec![0.5, -1.0, 2.0, 3.0],
            domains: vec!["source", "target"],
            labels: vec!["a".into(), String::new()],
        };
        assert_eq!(map.len(), 2);
        assert_eq!(
            map.csv(),
            "x,y,domain,label\n0.5,-1,source,a\n2,3,target,\n"
        );
    }
}
