//! What a digits experiment measured, as JSON and as a Markdown table beside the published
//! numbers.

use serde::Serialize;

use super::config::{ModelKind, Pair, Variant};
use super::published::Published;

/// One trained model's accuracies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelResult {
    /// Which model.
    pub model: ModelKind,
    /// Accuracy on the target's test images.
    pub target_accuracy: f64,
    /// Accuracy on the source's test images.
    pub source_accuracy: f64,
    /// Training wall time, seconds.
    pub seconds: f64,
}

/// The whole experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitsReport {
    /// Source and target.
    pub pair: Pair,
    /// Training recipe.
    pub variant: Variant,
    /// Seed of the weights and batches (and of the subset draw).
    pub seed: u64,
    /// Iterations per model.
    pub iterations: usize,
    /// Images per batch, source and target together.
    pub batch_size: usize,
    /// Training images per domain, when a subset was drawn.
    pub subset: Option<usize>,
    /// Training images: source, target.
    pub train_images: [usize; 2],
    /// Target test images.
    pub test_images: usize,
    /// The models, in [`ModelKind::ALL`] order (those that were trained).
    pub models: Vec<ModelResult>,
    /// The published numbers, if any.
    pub published: Option<Published>,
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
}

impl DigitsReport {
    /// The result of `kind`, if it was trained.
    pub fn model(&self, kind: ModelKind) -> Option<&ModelResult> {
        self.models.iter().find(|m| m.model == kind)
    }

    /// A Markdown section: the target accuracies beside the published ones, then the settings.
    pub fn markdown(&self, command: &str) -> String {
        let published = |kind: ModelKind| -> String {
            let value = self.published.and_then(|p| match kind {
                ModelKind::SourceOnly => Some(p.source_only),
                ModelKind::Dann => Some(p.dann),
                ModelKind::TrainOnTarget => p.train_on_target,
            });
            value.map_or("-".into(), |v| format!("{v:.4}"))
        };
        let mut s = format!(
            "## {} -> {} ({})\n\n| model | target test accuracy | published | source test accuracy | train time |\n|---|---|---|---|---|\n",
            self.pair.source,
            self.pair.target,
            match self.variant {
                Variant::Paper => "the paper's network and training",
                Variant::BnAdam => "batch norm and Adam",
            }
        );
        for m in &self.models {
            s += &format!(
                "| {} | {:.4} | {} | {:.4} | {:.0} s |\n",
                m.model.name(),
                m.target_accuracy,
                published(m.model),
                m.source_accuracy,
                m.seconds
            );
        }
        s += &format!(
            "\n{} iterations of {} images ({} source + {} target for DANN), seed {}; {} source \
             and {} target training images{}, {} target test images; {:.0} s in all.\n",
            self.iterations,
            self.batch_size,
            self.batch_size / 2,
            self.batch_size - self.batch_size / 2,
            self.seed,
            self.train_images[0],
            self.train_images[1],
            self.subset
                .map(|n| format!(" (a subset of at most {n})"))
                .unwrap_or_default(),
            self.test_images,
            self.seconds
        );
        if let Some(p) = &self.published {
            s += &format!("Published: {}. Protocol: {}.\n", p.citation, p.protocol);
        }
        s += &format!("\nCommand: `{command}`\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::digits::published::published;

    #[test]
    fn markdown_puts_published_numbers_beside_ours() {
        let pair: Pair = "mnist:mnist-m".parse().unwrap();
        let report = DigitsReport {
            pair,
            variant: Variant::Paper,
            seed: 3,
            iterations: 100,
            batch_size: 128,
            subset: None,
            train_images: [60000, 59001],
            test_images: 9001,
            models: vec![ModelResult {
                model: ModelKind::Dann,
                target_accuracy: 0.81234,
                source_accuracy: 0.99,
                seconds: 12.0,
            }],
            published: published(pair),
            seconds: 20.0,
        };
        let md = report.markdown("dann reproduce digits");
        assert!(
            md.contains("| dann | 0.8123 | 0.7666 | 0.9900 | 12 s |"),
            "{md}"
        );
        assert!(md.contains("59001 target training images"), "{md}");
        assert!(md.contains("JMLR 2016, Table 2"), "{md}");
        assert_eq!(
            report.model(ModelKind::Dann).unwrap().target_accuracy,
            0.81234
        );
        assert!(report.model(ModelKind::SourceOnly).is_none());
    }
}
