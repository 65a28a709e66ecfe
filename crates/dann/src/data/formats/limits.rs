//! Bounded reads: caps on the length of a line (a CSV record) and of a CSV field, checked
//! while the bytes stream past, before any parser buffers them, and on the expansion of gzip
//! data. A 9 MB `.csv.gz` that expands to one 2 GiB line is refused at its first 64 MiB
//! instead of aborting on an allocation failure.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The default of [`ReadLimits::max_line_bytes`]: 64 MiB, room for a dense row of the
/// 2^24 features supported ([`MAX_FEATURES`](super::MAX_FEATURES)) at 4 bytes a number.
pub const DEFAULT_MAX_LINE_BYTES: u64 = 64 << 20;
/// The default of [`ReadLimits::max_field_bytes`]: 1 MiB (a number or a class name is far
/// shorter).
pub const DEFAULT_MAX_FIELD_BYTES: u64 = 1 << 20;
/// The default of [`ReadLimits::max_gzip_ratio`].
pub const DEFAULT_MAX_GZIP_RATIO: f64 = 200.0;
/// Gzip data may expand by any ratio until this many bytes have come out (small files of
/// zeros compress very well and are harmless).
pub const GZIP_RATIO_GRACE_BYTES: u64 = 256 << 20;

/// Caps on what a read may take in (the `[data]` settings `max_line_bytes`,
/// `max_field_bytes`, `max_gzip_ratio`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReadLimits {
    /// The longest line of a text file (CSV, SVMlight, a labels file), in bytes; for CSV a
    /// record continued over several lines by a quoted field counts as one line.
    pub max_line_bytes: u64,
    /// The longest CSV field (cell), in bytes.
    pub max_field_bytes: u64,
    /// Gzip data may expand at most this many times its compressed size once more than
    /// 256 MiB have come out.
    pub max_gzip_ratio: f64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_field_bytes: DEFAULT_MAX_FIELD_BYTES,
            max_gzip_ratio: DEFAULT_MAX_GZIP_RATIO,
        }
    }
}

impl ReadLimits {
    /// Fails, naming the setting, unless every cap is positive.
    pub fn check(&self) -> Result<()> {
        for (field, v) in [
            ("data.max_line_bytes", self.max_line_bytes),
            ("data.max_field_bytes", self.max_field_bytes),
        ] {
            if v == 0 {
                return Err(Error::config(field, "must be at least 1 byte"));
            }
        }
        crate::error::positive("data.max_gzip_ratio", self.max_gzip_ratio)
    }
}

/// Which cap a read ran into; carried inside an `io::Error` from [`Limited`] (or the gzip
/// reader) up to the parser, which turns it into an [`Error::DataFile`] with
/// [`Exceeded::into_error`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Exceeded {
    /// A line (record) longer than `limit` at 1-based `line`.
    Line { line: usize, limit: u64 },
    /// A CSV field longer than `limit` at 1-based `line` (where the limit was passed).
    Field { line: usize, limit: u64 },
    /// Gzip data expanding `ratio` times after `out` bytes.
    Gzip { out: u64, ratio: f64, limit: f64 },
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Line { line, limit } => write!(f, "line {line} is longer than {limit} bytes"),
            Exceeded::Field { line, limit } => {
                write!(f, "a field at line {line} is longer than {limit} bytes")
            }
            Exceeded::Gzip { out, ratio, .. } => {
                write!(f, "gzip data expanding {ratio:.0} times after {out} bytes")
            }
        }
    }
}

impl std::error::Error for Exceeded {}

impl Exceeded {
    fn into_io(self) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, self)
    }

    /// The cap carried by `e`, if it is one.
    pub(crate) fn of(e: &std::io::Error) -> Option<&Exceeded> {
        e.get_ref()?.downcast_ref::<Exceeded>()
    }

    /// The user's error: the file, the line, the limit and the setting that raises it.
    pub(crate) fn into_error(self, path: &std::path::Path) -> Error {
        let mib = |b: u64| format!("{} bytes ({:.1} MiB)", b, b as f64 / (1 << 20) as f64);
        match self {
            Exceeded::Line { line, limit } => Error::parse(
                path,
                line,
                format!("line longer than the limit of {}", mib(limit)),
            )
            .fix(
                "a text data file has one row per line; if the rows really are this long, raise \
                 [data] max_line_bytes",
            ),
            Exceeded::Field { line, limit } => Error::parse(
                path,
                line,
                format!(
                    "a field longer than the limit of {} (an unclosed `\"`?)",
                    mib(limit)
                ),
            )
            .fix("if the cells really are this long, raise [data] max_field_bytes"),
            Exceeded::Gzip { out, ratio, limit } => Error::data_file(
                path,
                format!(
                    "gzip data expands {ratio:.0} times (after {}), more than the {limit} allowed: \
                     a gzip bomb, or a file of one repeated byte",
                    mib(out)
                ),
            )
            .fix("if the file is what you meant, raise [data] max_gzip_ratio"),
        }
    }
}

/// The error of a failed read of `path`: the cap's own message when a cap was passed, else
/// an I/O error.
pub(crate) fn io_error(path: &std::path::Path, e: std::io::Error) -> Error {
    match Exceeded::of(&e) {
        Some(x) => x.clone().into_error(path),
        None => Error::io(path, e),
    }
}

/// A reader that fails as soon as a line (a record, for CSV with quoting) or a CSV field
/// grows past its cap, counting the bytes since the last line break as they pass.
pub(crate) struct Limited<R> {
    inner: R,
    max_line: u64,
    /// `Some((delimiter, quote))` for CSV: fields are counted, and a line break inside
    /// quotes continues the record.
    csv: Option<(u8, u8)>,
    max_field: u64,
    line: usize,
    in_line: u64,
    in_field: u64,
    in_quotes: bool,
}

impl<R: Read> Limited<R> {
    /// Lines capped at `limits.max_line_bytes`.
    pub(crate) fn lines(inner: R, limits: &ReadLimits) -> Self {
        Self {
            inner,
            max_line: limits.max_line_bytes,
            csv: None,
            max_field: u64::MAX,
            line: 1,
            in_line: 0,
            in_field: 0,
            in_quotes: false,
        }
    }

    /// CSV records capped at `limits.max_line_bytes`, fields at `limits.max_field_bytes`.
    pub(crate) fn csv(inner: R, limits: &ReadLimits, delimiter: u8) -> Self {
        Self {
            csv: Some((delimiter, b'"')),
            max_field: limits.max_field_bytes,
            ..Self::lines(inner, limits)
        }
    }

    fn count(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self.csv {
            None => {
                for chunk in bytes.split_inclusive(|&b| b == b'\n') {
                    self.in_line += chunk.len() as u64;
                    if self.in_line > self.max_line + 1 {
                        return Err(self.line_error());
                    }
                    if chunk.ends_with(b"\n") {
                        self.line += 1;
                        self.in_line = 0;
                    }
                }
            }
            Some((delimiter, quote)) => {
                for &b in bytes {
                    self.in_line += 1;
                    self.in_field += 1;
                    if b == quote {
                        self.in_quotes = !self.in_quotes;
                    } else if b == b'\n' {
                        self.line += 1;
                        if !self.in_quotes {
                            self.in_line = 0;
                            self.in_field = 0;
                        }
                    } else if b == delimiter && !self.in_quotes {
                        self.in_field = 0;
                    }
                    if self.in_field > self.max_field + 1 {
                        return Err(Exceeded::Field {
                            line: self.line,
                            limit: self.max_field,
                        }
                        .into_io());
                    }
                    if self.in_line > self.max_line + 1 {
                        return Err(self.line_error());
                    }
                }
            }
        }
        Ok(())
    }

    fn line_error(&self) -> std::io::Error {
        Exceeded::Line {
            line: self.line,
            limit: self.max_line,
        }
        .into_io()
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn limits(line: u64, field: u64) -> ReadLimits {
        ReadLimits {
            max_line_bytes: line,
            max_field_bytes: field,
            ..Default::default()
        }
    }

    fn read_all(mut r: impl Read) -> std::result::Result<Vec<u8>, Exceeded> {
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| Exceeded::of(&e).cloned().expect("a cap"))?;
        Ok(out)
    }

    #[test]
    fn a_long_line_is_stopped_at_its_line() {
        let text = b"short\nabcdefghij\nok\n".as_slice();
        assert_eq!(
            read_all(Limited::lines(text, &limits(5, 5))),
            Err(Exceeded::Line { line: 2, limit: 5 })
        );
        // The line break and a `\r` before it do not count.
        assert!(
            read_all(Limited::lines(
                b"12345\r\n12345\n".as_slice(),
                &limits(6, 1)
            ))
            .is_ok()
        );
    }

    #[test]
    fn csv_fields_and_quoted_records_are_counted() {
        let l = limits(100, 4);
        assert!(read_all(Limited::csv(b"ab,cd\n1234,5\n".as_slice(), &l, b',')).is_ok());
        assert_eq!(
            read_all(Limited::csv(b"ab,cd\n1,123456\n".as_slice(), &l, b',')),
            Err(Exceeded::Field { line: 2, limit: 4 })
        );
        // A quoted line break continues the record: its length counts from the record's
        // start.
        let quoted = b"a,\"1\n2\n3\n4\n5\n6\n7\n8\",b\n".as_slice();
        assert_eq!(
            read_all(Limited::csv(quoted, &limits(10, 100), b',')),
            Err(Exceeded::Line { line: 5, limit: 10 })
        );
    }

    #[test]
    fn the_message_names_the_line_the_limit_and_the_setting() {
        let e = Exceeded::Line {
            line: 3,
            limit: 1 << 20,
        }
        .into_error("a.csv".as_ref());
        let m = e.to_string();
        assert!(m.starts_with("a.csv:3: line longer than the limit of 1048576 bytes (1.0 MiB)"));
        assert!(m.contains("[data] max_line_bytes"), "{m}");
    }
}
