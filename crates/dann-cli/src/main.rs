//! `dann`: train, evaluate and reproduce Domain-Adversarial Neural Networks.
//!
//! `cli` defines the arguments and dispatches; each command lives in `commands/`; the work is
//! the library's.

mod cli;
mod commands;
#[cfg(feature = "cuda")]
mod gpu;
mod output;
mod progress;
mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = cli::Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit());
    // DANN_CONV=burn: burn's own convolution ops instead of the fused CPU kernels (to compare).
    if std::env::var("DANN_CONV").as_deref() == Ok("burn") {
        dann::nn::conv::fused::set_enabled(false);
    }
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(exceeded) = err.downcast_ref::<commands::shift::ShiftExceeded>() {
                eprintln!("{exceeded}");
                return ExitCode::from(1);
            }
            eprint!("{}", output::error_lines(&err));
            ExitCode::from(2)
        }
    }
}

/// A reader that closes the pipe early (`dann shift --json | head -c 100`) ends the output,
/// not in a panic: Rust ignores SIGPIPE, so `println!` panics on the closed stdout; that
/// panic exits quietly with status 0 instead.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        if dann::contain::active() {
            // The library turns this panic into an error, printed in its place.
            return;
        }
        default(info);
    }));
}
