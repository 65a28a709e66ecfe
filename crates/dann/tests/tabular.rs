//! CSV and Parquet files through one schema: the same data in either format gives the same
//! features; Parquet's types, nulls, NaN and row groups; clear errors. The fixtures are made
//! by `tests/fixtures/tabular/make.py` (pyarrow).

use std::path::{Path, PathBuf};

use dann::data::{ColumnRef, LoadOptions, Missing, load};
use dann::problem::{load_pair, read_pair};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tabular")
        .join(name)
}

fn options() -> LoadOptions {
    LoadOptions {
        label_column: Some(ColumnRef::Name("y".into())),
        ignore_columns: vec![ColumnRef::Name("id".into())],
        missing: Missing::Impute,
        ..LoadOptions::default()
    }
}

fn rows(ds: &dann::Dataset) -> Vec<Vec<f32>> {
    let mut row = vec![0f32; ds.n_features()];
    (0..ds.len())
        .map(|i| {
            ds.features().write_row(i, &mut row);
            row.clone()
        })
        .collect()
}

#[test]
fn csv_and_parquet_give_the_same_features() {
    let (cs, ct) = load_pair(
        &fixture("source.csv"),
        &fixture("target.csv"),
        &options(),
        false,
    )
    .unwrap();
    let (ps, pt) = load_pair(
        &fixture("source.parquet"),
        &fixture("target.parquet"),
        &options(),
        false,
    )
    .unwrap();
    assert_eq!(rows(&cs), rows(&ps));
    assert_eq!(rows(&ct), rows(&pt));
    assert_eq!(cs.labels(), ps.labels());
    assert_eq!(cs.class_names(), ["no", "yes"]);
    let (a, b) = (cs.schema().unwrap(), ps.schema().unwrap());
    assert_eq!((a.format.as_str(), b.format.as_str()), ("csv", "parquet"));
    assert_eq!(a.columns, b.columns);
    assert_eq!(
        a.feature_names(),
        [
            "a",
            "b",
            "c",
            "c=<missing>",
            "colour=blue",
            "colour=green",
            "colour=red",
            "colour=<missing>"
        ]
    );
    // The target's purple rows: a category the source never had, counted by column.
    let note = ct.notes().join("\n");
    assert!(
        note.contains("column `colour`: 5 rows have a category the source never had (purple: 5)"),
        "{note}"
    );
    // A target whose label cells are all empty is unlabelled, and reads the same.
    let (_, empty) = load_pair(
        &fixture("source.csv"),
        &fixture("target_empty_y.csv"),
        &options(),
        false,
    )
    .unwrap();
    assert_eq!(rows(&empty), rows(&ct));
    // Mixed formats meet by name too.
    let (_, mixed) = read_pair(
        &fixture("source.parquet"),
        &fixture("target.csv"),
        &options(),
        true,
    )
    .unwrap();
    assert_eq!(rows(&mixed), rows(&ct));
}

#[test]
fn parquet_types_nulls_and_row_groups() {
    let path = fixture("types.parquet");
    // A null in `i32` at data row 4: refused by default, naming the row and its row group.
    let err = load(&path, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("row 4 (row group 0): column `i32`: missing value"),
        "{err}"
    );
    // The all-null column has nothing to impute with.
    let impute = LoadOptions {
        missing: Missing::Impute,
        ..LoadOptions::default()
    };
    let err = load(&path, &impute).unwrap_err().to_string();
    assert!(
        err.contains("column `nothing` has no value in any row"),
        "{err}"
    );
    let options = LoadOptions {
        ignore_columns: vec![ColumnRef::Name("nothing".into())],
        ..impute
    };
    let ds = load(&path, &options).unwrap();
    assert_eq!(ds.len(), 120);
    assert_eq!(ds.class_names(), ["0", "1", "2"]);
    let names = ds.schema().unwrap().feature_names();
    for name in [
        "flag",
        "cat=x",
        "cat=z",
        "big=p",
        "big=q",
        "f32=<missing>",
        "i32=<missing>",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    // The NaN in `f32` (row 10, 0-based) is a missing value, imputed and flagged.
    let f = names.iter().position(|n| n == "f32=<missing>").unwrap();
    let r = rows(&ds);
    assert_eq!(r[10][f], 1.0);
    assert_eq!(r.iter().filter(|row| row[f] == 1.0).count(), 1);
    // Only the columns needed are read: ignoring the label reads the rest unlabelled.
    let unlabelled = LoadOptions {
        ignore_columns: vec![
            ColumnRef::Name("nothing".into()),
            ColumnRef::Name("label".into()),
        ],
        ..options
    };
    let err = load(&path, &unlabelled).unwrap_err().to_string();
    assert!(
        err.contains("is the label column and is also ignored"),
        "{err}"
    );
}

#[test]
fn unreadable_columns_and_cells_are_named() {
    let err = load(fixture("when.parquet"), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("column `t` is a date or time"), "{err}");
    assert!(err.contains("--ignore-columns t"), "{err}");
    let options = LoadOptions {
        ignore_columns: vec![ColumnRef::Name("t".into())],
        ..LoadOptions::default()
    };
    assert_eq!(load(fixture("when.parquet"), &options).unwrap().len(), 5);
    let err = load(fixture("mixed.csv"), &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "mixed.csv:5: column `a` holds numbers and text (`1.5` at line 2, `oops` here)"
        ),
        "{err}"
    );
    // Not a Parquet file at all.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("x.parquet");
    std::fs::write(&fake, b"PAR1 but nothing else").unwrap();
    let err = load(&fake, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.parquet: not a readable Parquet file"),
        "{err}"
    );
}
