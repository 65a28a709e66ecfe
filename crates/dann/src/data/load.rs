//! Reading a data file in the format its options (or its name) say.

use std::path::{Path, PathBuf};

use crate::data::dataset::Dataset;
use crate::data::formats::folder::load_image_folder;
use crate::data::formats::idx::load_idx_with;
use crate::data::formats::npy::load_npy_with;
use crate::data::formats::svmlight::load_svmlight_with;
use crate::data::options::{Format, LoadOptions};
use crate::data::schema::Schema;
use crate::data::tabular::{encode, read_table};
use crate::error::{Error, Result};

/// Like [`load`], the error naming the file ([`Error::Load`], its cause below it).
pub fn load_named(path: &Path, options: &LoadOptions) -> Result<Dataset> {
    load(path, options).map_err(|e| Error::Load {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

/// Loads `path` in the format chosen by `options` (see [`LoadOptions::resolve_format`]). A
/// CSV or Parquet file's columns become features through a [`Schema`] fitted on the file
/// itself (its categories, medians), kept on the data set; a source and its target are read
/// together by [`load_pair`](crate::problem::load_pair) instead, a file for a model by
/// [`load_for`].
pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let limits = options.limits()?;
    match options.resolve(path)? {
        (Format::Csv | Format::Parquet, _) => {
            let table = read_table(path, options, &options.plan(false)?)?;
            encode(&Schema::fit(&table, None, options)?, table)
        }
        (Format::Idx, _) => load_idx_with(path, &limits),
        (Format::Images, _) => load_image_folder(path),
        (Format::Npy, _) => load_npy_with(path, &limits),
        (Format::Svmlight | Format::Auto, _) => {
            load_svmlight_with(path, &options.svmlight, &limits)
        }
    }
}

/// Reads `path` for a model of `schema`: a tabular file's columns matched by name (or
/// position) and encoded as the training data was; another format read as it is (its width
/// is checked by the model). `options` says how to read the file (format, delimiter,
/// limits, `ignore_extra_columns`). Every error names the file (and the line or row).
pub fn load_for(schema: &Schema, path: &Path, options: &LoadOptions) -> Result<Dataset> {
    if !schema.is_tabular() {
        return load_named(path, options);
    }
    let plan = schema.plan(options.ignore_extra_columns, "the model");
    encode(schema, read_table(path, options, &plan)?)
}

/// Environment variable naming the folder that holds benchmark data (`amazon/`, ...).
pub const DATA_DIR_ENV: &str = "DANN_DATA_DIR";

/// The benchmark data folder: `explicit` when given, else `$DANN_DATA_DIR`, else `data` (the
/// repository's shipped data, relative to the working directory).
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(|| {
        std::env::var_os(DATA_DIR_ENV).map_or_else(|| PathBuf::from("data"), PathBuf::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A CSV file named `.txt` used to be read as SVMlight: each line a class, features zero.
    #[test]
    fn the_content_decides_when_the_name_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let options = LoadOptions::default();
        let csv = write(dir.path(), "a.txt", "x0,x1,label\n0.5,1,a\n2,3,b\n4,5,a\n");
        let data = load(&csv, &options).unwrap();
        assert_eq!((data.len(), data.n_features()), (3, 2));
        assert_eq!(data.class_names(), ["a", "b"]);
        let tsv = write(dir.path(), "b.data", "x0\tx1\tlabel\n0.5\t1\ta\n2\t3\tb\n");
        assert_eq!(load(&tsv, &options).unwrap().n_features(), 2);
        let svm = write(dir.path(), "c.dat", "# comment\n1 0:0.5 3:1\n-1 2:2\n");
        let data = load(&svm, &options).unwrap();
        assert_eq!((data.len(), data.n_features()), (2, 4));
        // Space-separated numbers fit neither: refused, naming the file and the fix.
        let odd = write(dir.path(), "d.txt", "1 2 3\n4 5 6\n");
        let err = load(&odd, &options).unwrap_err().to_string();
        assert!(
            err.contains("d.txt") && err.contains("cannot tell the format"),
            "{err}"
        );
        // An explicit format is obeyed whatever the name.
        let forced = LoadOptions {
            format: Format::Svmlight,
            ..Default::default()
        };
        assert_eq!(
            forced.resolve_format(&csv).unwrap(),
            Format::Svmlight,
            "explicit format"
        );
    }
}
