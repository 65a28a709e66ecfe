//! `dann`: train, evaluate and reproduce Domain-Adversarial Neural Networks.
//!
//! `cli` defines the arguments and dispatches; each command lives in `commands/`; the work is
//! the library's.

mod cli;
mod commands;
mod moons_figure;
mod progress;
mod report;
mod run_config;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(exceeded) = err.downcast_ref::<commands::shift::ShiftExceeded>() {
                eprintln!("{exceeded}");
                return ExitCode::from(1);
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
