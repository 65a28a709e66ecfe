//! SVMlight / LibSVM sparse text files.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::gzip::{for_each_line, limited_lines, lines_of};
use super::limits::ReadLimits;
use super::{BadValue, MAX_FEATURES, parse_value};
use crate::data::dataset::Dataset;
use crate::data::labels::normalise_label;
use crate::data::matrix::{CsrMatrix, Features};
use crate::error::{Error, Result};

/// Whether feature indices in an SVMlight file start at 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IndexBase {
    /// 1-based (the SVMlight/LibSVM convention) unless the file contains index 0, in which case
    /// it is read as 0-based (the rule of scikit-learn's `load_svmlight_file`). The DANN
    /// authors' Amazon files are 0-based.
    #[default]
    Auto,
    /// 0-based indices.
    Zero,
    /// 1-based indices; index 0 is an error.
    One,
}

/// Options of [`load_svmlight`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SvmLightOptions {
    /// Fixed number of features; a larger index is an error. Without it the number of
    /// features is the largest index seen.
    pub n_features: Option<usize>,
    /// Index base of the file.
    pub index_base: IndexBase,
}

/// Whether any row of the SVMlight file uses feature index 0 (a quick scan, no parsing of
/// values; malformed lines are left to [`load_svmlight`]).
pub fn uses_index_zero(path: impl AsRef<Path>, limits: &ReadLimits) -> Result<bool> {
    let mut found = false;
    for_each_line(path.as_ref(), limits, |_, line| {
        let content = line.split('#').next().unwrap_or("");
        found |= content
            .split_ascii_whitespace()
            .skip(1)
            .any(|tok| tok.split(':').next() == Some("0"));
        Ok(())
    })?;
    Ok(found)
}

/// Loads an SVMlight / LibSVM file (`<label> <index>:<value> ... [# comment]`), gzip or not.
/// Features stay sparse. Blank lines and lines starting with `#` are skipped; `qid:` tokens
/// are ignored. Indices must be strictly increasing within a line.
///
/// Labels are normalised when numeric (`+1` and `1.0` are the class `1`, see
/// [`normalise_label`](crate::data::normalise_label)); a multi-label row (`1,3`) is refused.
pub fn load_svmlight(path: impl AsRef<Path>, options: &SvmLightOptions) -> Result<Dataset> {
    load_svmlight_with(path.as_ref(), options, &ReadLimits::default())
}

/// [`load_svmlight`] under `limits`.
pub(crate) fn load_svmlight_with(
    path: &Path,
    options: &SvmLightOptions,
    limits: &ReadLimits,
) -> Result<Dataset> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_svmlight_with(file, path, options, limits)
}

/// [`load_svmlight`] from any reader (gzip or not); `name` is what errors and the data set
/// call the input (a path, or e.g. `<stdin>`).
pub fn read_svmlight(
    reader: impl std::io::Read,
    name: impl AsRef<Path>,
    options: &SvmLightOptions,
) -> Result<Dataset> {
    read_svmlight_with(reader, name.as_ref(), options, &ReadLimits::default())
}

fn read_svmlight_with(
    reader: impl std::io::Read,
    path: &Path,
    options: &SvmLightOptions,
    limits: &ReadLimits,
) -> Result<Dataset> {
    let reader = limited_lines(reader, limits).map_err(|e| Error::io(path, e))?;
    let mut raw_labels = Vec::new();
    let mut indptr = vec![0usize];
    // Indices as written; shifted once the base is known.
    let mut indices: Vec<u64> = Vec::new();
    let mut values = Vec::new();
    // Line of the first index 0 and of the largest index, for error messages.
    let mut zero_line = None;
    let mut max_index: Option<(u64, usize)> = None;

    lines_of(reader, path, |line_no, line| {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            return Ok(());
        }
        let mut tokens = content.split_ascii_whitespace();
        let label = tokens.next().unwrap_or_default();
        if label.contains(':') {
            return Err(Error::parse(
                path,
                line_no,
                format!("expected a label before the features, found `{label}`"),
            ));
        }
        if label.contains(',') {
            return Err(Error::parse(
                path,
                line_no,
                format!("the label `{label}` lists several classes (multi-label data)"),
            )
            .fix("multi-label data is not supported: give each row one class"));
        }
        raw_labels.push(normalise_label(label));
        let mut last: Option<u64> = None;
        for tok in tokens {
            let Some((idx, val)) = tok.split_once(':') else {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!("expected `index:value`, found `{tok}`"),
                ));
            };
            if idx == "qid" {
                continue;
            }
            let idx: u64 = idx.parse().map_err(|_| {
                Error::parse(
                    path,
                    line_no,
                    format!("feature index `{idx}` is not a non-negative integer"),
                )
            })?;
            let val: f32 = parse_value(val).map_err(|bad| {
                let e = match bad {
                    BadValue::NotNumber => Error::parse(
                        path,
                        line_no,
                        format!("value `{val}` of feature {idx} is not a number"),
                    ),
                    BadValue::NotFinite => Error::parse(
                        path,
                        line_no,
                        format!("value of feature {idx} is not finite (NaN or infinite)"),
                    ),
                    BadValue::TooLarge => Error::parse(
                        path,
                        line_no,
                        format!("value of feature {idx}: {}", bad.describe(val)),
                    ),
                };
                match bad.fix() {
                    Some(fix) => e.fix(fix),
                    None => e,
                }
            })?;
            if let Some(prev) = last
                && idx <= prev
            {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "feature indices must increase along a line: {idx} after {prev} (list \
                         each feature at most once, in increasing order)"
                    ),
                ));
            }
            last = Some(idx);
            if idx == 0 && zero_line.is_none() {
                zero_line = Some(line_no);
            }
            if max_index.is_none_or(|(m, _)| idx > m) {
                max_index = Some((idx, line_no));
            }
            indices.push(idx);
            values.push(val);
        }
        indptr.push(indices.len());
        Ok(())
    })?;

    let zero_based = match options.index_base {
        IndexBase::Zero => true,
        IndexBase::Auto => zero_line.is_some(),
        IndexBase::One => {
            if let Some(line) = zero_line {
                return Err(Error::parse(
                    path,
                    line,
                    "feature index 0 in a file read as 1-based (set index_base = \"zero\" or \"auto\")",
                ));
            }
            false
        }
    };
    let shift = u64::from(!zero_based);
    if let Some((m, line)) = max_index
        && m - shift >= MAX_FEATURES as u64
    {
        return Err(Error::parse(
            path,
            line,
            format!(
                "feature index {m} is beyond the {MAX_FEATURES} features supported (the first \
                 layer alone would not fit in memory); renumber the features densely"
            ),
        ));
    }
    let needed = max_index.map_or(0, |(m, _)| (m + 1 - shift) as usize);
    let n_features = match options.n_features {
        Some(n) if needed > n => {
            let (m, line) = max_index.unwrap_or_default();
            return Err(Error::parse(
                path,
                line,
                format!("feature index {m} exceeds the {n} features expected"),
            ));
        }
        Some(n) => n,
        None => needed,
    };
    if n_features > MAX_FEATURES {
        return Err(Error::data_file(
            path,
            format!("{n_features} features is more than the {MAX_FEATURES} supported"),
        ));
    }
    let indices = indices.into_iter().map(|i| (i - shift) as u32).collect();
    let matrix = CsrMatrix::new(n_features, indptr, indices, values)?;
    Ok(Dataset::from_raw_labels(Features::Sparse(matrix), raw_labels)?.with_origin(path))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    #[test]
    fn reads_one_based_sparse_rows() {
        let f = write("# header comment\n+1 1:0.5 3:2\n\n-1 qid:3 2:1 # trailing\n");
        let ds = load_svmlight(f.path(), &SvmLightOptions::default()).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.n_features(), 3);
        assert_eq!(ds.class_names(), ["-1", "1"]);
        assert_eq!(ds.labels().unwrap(), [1, 0]);
        // `1.0`, `1e0` and `+1` are one class, as in every format.
        let f2 = write("1.0 1:1\n1e0 1:1\n+1 1:1\n0.50 1:1\n.5 1:1\n");
        let same = load_svmlight(f2.path(), &SvmLightOptions::default()).unwrap();
        assert_eq!(same.class_names(), ["0.5", "1"]);
        let mut row = [0.0; 3];
        ds.features().write_row(0, &mut row);
        assert_eq!(row, [0.5, 0.0, 2.0]);
        ds.features().write_row(1, &mut row);
        assert_eq!(row, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn auto_detects_zero_based() {
        let f = write("1 0:1 4:2\n");
        let ds = load_svmlight(f.path(), &SvmLightOptions::default()).unwrap();
        assert_eq!(ds.n_features(), 5);
        let err = load_svmlight(
            f.path(),
            &SvmLightOptions {
                index_base: IndexBase::One,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains(":1: feature index 0"), "{err}");
    }

    #[test]
    fn fixed_n_features_pads_and_checks() {
        let f = write("1 1:1\n0 7:1\n");
        let opts = |n| SvmLightOptions {
            n_features: Some(n),
            index_base: IndexBase::One,
        };
        assert_eq!(load_svmlight(f.path(), &opts(10)).unwrap().n_features(), 10);
        let err = load_svmlight(f.path(), &opts(5)).unwrap_err().to_string();
        assert!(err.contains(":2: feature index 7 exceeds the 5"), "{err}");
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        for (text, line, needle) in [
            ("1 1:1\n1 2=3\n", 2, "expected `index:value`"),
            ("1 1:x\n", 1, "value `x` of feature 1"),
            ("1 a:1\n", 1, "feature index `a`"),
            (
                "1 1:1\n-1 2000000000:1\n",
                2,
                "beyond the 16777216 features",
            ),
            ("1 1:1\n1 3:1 2:1\n", 2, "must increase"),
            ("1 1:1\n\n1:3\n", 3, "expected a label"),
            ("1 1:inf\n", 1, "not finite"),
            ("1 1:1e308\n", 1, "too large for 32-bit floats"),
            ("1 1:1\n1,-1 2:1\n", 2, "multi-label data is not supported"),
        ] {
            let f = write(text);
            let err = load_svmlight(f.path(), &SvmLightOptions::default())
                .unwrap_err()
                .to_string();
            let want = format!("{}:{line}: ", f.path().display());
            assert!(err.starts_with(&want), "{err} should start with {want}");
            assert!(err.contains(needle), "{err} should contain {needle}");
        }
    }

    #[test]
    fn reads_gzip_transparently() {
        use flate2::{Compression, write::GzEncoder};
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(b"-1 2:3\n1 1:1\n").unwrap();
        f.write_all(&enc.finish().unwrap()).unwrap();
        let ds = load_svmlight(f.path(), &SvmLightOptions::default()).unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.labels().unwrap(), [0, 1]);
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = load_svmlight("/nonexistent/x.svm", &SvmLightOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/x.svm: "), "{err}");
    }
}
