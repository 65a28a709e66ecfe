//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `dann`, with enough context (file, line, field) for a user
/// to fix the input without reading the code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A data file is malformed at a given line.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A setting is out of range or inconsistent with another one.
    #[error("invalid setting `{field}`: {message}")]
    Config {
        /// Dotted name of the setting, e.g. `train.batch_size`.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Data that is well formed on its own does not fit the model or another data set.
    #[error("{0}")]
    Data(String),
    /// A saved model could not be read back.
    #[error("model {path}: {message}")]
    Model {
        /// The model directory or file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A loss stopped being finite, or exploded, during training.
    #[error("training diverged at iteration {iteration} ({message})")]
    Diverged {
        /// The (1-based) iteration whose loss diverged.
        iteration: usize,
        /// Which loss, its value, and what to change.
        message: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks a setting that must be a finite number `>= 0`; `field` names it in the error.
pub(crate) fn non_negative(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(field, format!("must be >= 0, got {value}")))
    }
}

/// Checks a setting that must be a finite number `> 0`; `field` names it in the error.
pub(crate) fn positive(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::config(field, format!("must be > 0, got {value}")))
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}
