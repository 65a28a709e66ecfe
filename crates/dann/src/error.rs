//! The library's error type.

use std::path::{Path, PathBuf};

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
    /// A data file's content is wrong: malformed at a line (a syntax error), or well formed
    /// but unusable as a whole (a shape, a type, a missing part).
    ///
    /// Rendered as `path:line: what; fix`, the line and the fix only when known:
    /// `path: what` at its shortest.
    #[error("{}", fmt_data_file(path, *line, what, fix.as_deref()))]
    DataFile {
        /// The file (or directory, for a folder of images).
        path: PathBuf,
        /// 1-based line number, for text files whose fault is at one line.
        line: Option<usize>,
        /// What was wrong (and what was expected), without the path.
        what: String,
        /// What to do about it, when there is more to say than the reverse of `what`.
        fix: Option<String>,
    },
    /// A setting is out of range or inconsistent with another one.
    #[error("invalid setting `{field}`: {message}")]
    Config {
        /// Dotted name of the setting, e.g. `train.batch_size`.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Data that is well formed on its own does not fit the model or another data set, or data
    /// made in memory is unusable; a data file's own faults are [`Error::DataFile`].
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
    /// A data file could not be loaded; the cause says why.
    #[error("cannot load {}", path.display())]
    Load {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// A loss stopped being finite, or exploded, during training.
    #[error("training diverged at iteration {iteration} ({message})")]
    Diverged {
        /// The (1-based) iteration whose loss diverged.
        iteration: usize,
        /// Which loss, its value, and what to change.
        message: String,
    },
    /// Training was stopped by its listener ([`TrainListener::interrupted`](crate::TrainListener::interrupted)).
    #[error("training interrupted at iteration {iteration}")]
    Interrupted {
        /// The last iteration run.
        iteration: usize,
    },
    /// Work other than one training run (a selection) was stopped on request
    /// ([`Cancel`](crate::training::Cancel)).
    #[error("{what} was stopped on request before it finished")]
    Cancelled {
        /// What was stopped ("the selection").
        what: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks a setting that must be a finite number `>= 0`; `field` names it in the error.
pub(crate) fn non_negative<T: Into<f64> + Copy + std::fmt::Display>(
    field: &str,
    value: T,
) -> Result<()> {
    let v: f64 = value.into();
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(field, format!("must be >= 0, got {value}")))
    }
}

/// Checks a setting that must be a finite number `> 0`; `field` names it in the error.
pub(crate) fn positive<T: Into<f64> + Copy + std::fmt::Display>(
    field: &str,
    value: T,
) -> Result<()> {
    let v: f64 = value.into();
    if v.is_finite() && v > 0.0 {
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

    /// A data file's content is wrong; add [`Error::at_line`] and [`Error::fix`] as known.
    pub(crate) fn data_file(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Error::DataFile {
            path: path.into(),
            line: None,
            what: what.into(),
            fix: None,
        }
    }

    /// A data file is malformed at a (1-based) line: a [`Error::DataFile`] with that line.
    pub(crate) fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::data_file(path, message).at_line(line)
    }

    /// The (1-based) line of a [`Error::DataFile`]; other errors are returned as they are.
    pub(crate) fn at_line(mut self, n: usize) -> Self {
        if let Error::DataFile { line, .. } = &mut self {
            *line = Some(n);
        }
        self
    }

    /// What to do about a [`Error::DataFile`]; an [`Error::Data`] (about data in memory) gets
    /// it after `; `, as a data file would. Other errors are returned as they are.
    pub(crate) fn fix(self, how: impl Into<String>) -> Self {
        match self {
            Error::DataFile {
                path, line, what, ..
            } => Error::DataFile {
                path,
                line,
                what,
                fix: Some(how.into()),
            },
            Error::Data(message) => Error::Data(format!("{message}; {}", how.into())),
            other => other,
        }
    }

    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// `path:line: what; fix`, without `:line` or `; fix` when not known.
fn fmt_data_file(path: &Path, line: Option<usize>, what: &str, fix: Option<&str>) -> String {
    let mut out = path.display().to_string();
    if let Some(line) = line {
        out.push_str(&format!(":{line}"));
    }
    out.push_str(": ");
    out.push_str(what);
    if let Some(fix) = fix {
        out.push_str("; ");
        out.push_str(fix);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_message_has_the_path_then_what() {
        let e = Error::data_file("a/b.csv", "no rows");
        assert_eq!(e.to_string(), "a/b.csv: no rows");
    }

    #[test]
    fn data_file_message_puts_the_line_after_the_path() {
        let e = Error::data_file("a/b.csv", "3 fields, expected 4").at_line(7);
        assert_eq!(e.to_string(), "a/b.csv:7: 3 fields, expected 4");
    }

    #[test]
    fn data_file_message_ends_with_the_fix() {
        let e = Error::data_file("x.npy", "Fortran-ordered array").fix("save it in C order");
        assert_eq!(
            e.to_string(),
            "x.npy: Fortran-ordered array; save it in C order"
        );
    }

    #[test]
    fn data_file_message_with_line_and_fix() {
        // The order of the builder calls does not matter.
        let e = Error::data_file("t.svm", "index 0")
            .fix("use 1-based indices")
            .at_line(2);
        assert_eq!(e.to_string(), "t.svm:2: index 0; use 1-based indices");
        match e {
            Error::DataFile {
                path,
                line,
                what,
                fix,
            } => {
                assert_eq!(path, PathBuf::from("t.svm"));
                assert_eq!(line, Some(2));
                assert_eq!(what, "index 0");
                assert_eq!(fix.as_deref(), Some("use 1-based indices"));
            }
            other => panic!("expected DataFile, got {other:?}"),
        }
    }

    #[test]
    fn parse_is_a_data_file_error_at_a_line() {
        let e = Error::parse("a.csv", 3, "bad value `x`");
        assert!(matches!(
            &e,
            Error::DataFile { line: Some(3), fix: None, what, .. } if what == "bad value `x`"
        ));
        assert_eq!(e.to_string(), "a.csv:3: bad value `x`");
    }

    #[test]
    fn fix_on_in_memory_data_follows_the_same_shape() {
        let e = Error::Data("<memory>: no labels".into()).fix("label it");
        assert_eq!(e.to_string(), "<memory>: no labels; label it");
        let c = Error::config("train.lr", "must be > 0")
            .fix("ignored")
            .at_line(3);
        assert_eq!(c.to_string(), "invalid setting `train.lr`: must be > 0");
    }
}
