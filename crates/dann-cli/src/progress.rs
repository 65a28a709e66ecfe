//! The progress bar, fed by the trainer's listener (the library streams the metrics file).

use std::io::IsTerminal;

use dann::{MetricsRecord, StepOutput, TrainListener};
use indicatif::{ProgressBar, ProgressStyle};

/// Shows a progress bar with ETA and the current losses on a terminal, or one plain line per
/// metrics record when stderr is not a terminal (a log file, CI), unless quiet.
pub struct Reporter {
    bar: Option<ProgressBar>,
    /// Plain lines instead of a bar.
    plain: bool,
}

impl Reporter {
    pub fn new(total: usize, quiet: bool, label: &str) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>12} [{bar:30}] {pos}/{len} ({per_sec}, ETA {eta}) {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar
        });
        Self {
            plain: !quiet && bar.is_none(),
            bar,
        }
    }

    /// Ends the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl TrainListener for Reporter {
    fn on_step(&mut self, iteration: usize, _total: usize, output: &StepOutput) {
        if let Some(bar) = &self.bar {
            bar.set_position(iteration as u64);
            if iteration.is_multiple_of(50) {
                let domain = match (output.domain_loss, output.domain_accuracy) {
                    (Some(l), Some(a)) => format!(" domain loss {l:.4} acc {a:.2}"),
                    _ => String::new(),
                };
                bar.set_message(format!("label loss {:.4}{domain}", output.label_loss));
            }
        }
    }

    fn on_record(&mut self, record: &MetricsRecord) {
        let line = record.progress_line();
        if let Some(bar) = &self.bar {
            bar.println(line);
        } else if self.plain {
            eprintln!("{line}");
        }
    }
}
