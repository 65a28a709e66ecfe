//! Tests of the parent module: columns by name, categories, missing values, positions.

use std::path::{Path, PathBuf};

use super::*;
use crate::data::dataset::Dataset;
use crate::data::load::{load, load_for};
use crate::data::options::LoadOptions;
use crate::data::tabular::read_pair;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn impute() -> LoadOptions {
    LoadOptions {
        missing: Missing::Impute,
        ..LoadOptions::default()
    }
}

fn rows(ds: &Dataset) -> Vec<Vec<f32>> {
    let mut row = vec![0f32; ds.n_features()];
    (0..ds.len())
        .map(|i| {
            ds.features().write_row(i, &mut row);
            row.clone()
        })
        .collect()
}

/// The same rows with columns in another order, an ID column added and the label moved read
/// as the same features; a dropped column is an error naming it; an extra one too, unless
/// extra columns are let through.
#[test]
fn columns_are_matched_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.csv",
        "a,colour,b,label\n1,red,10,x\n2,blue,20,y\n3,red,30,x\n",
    );
    let t = write(dir.path(), "t.csv", "b,a,colour\n5,6,blue\n");
    let (source, target) = read_pair(&s, &t, &LoadOptions::default(), true).unwrap();
    assert_eq!(
        source.schema().unwrap().feature_names(),
        ["a", "colour=blue", "colour=red", "b"]
    );
    assert_eq!(rows(&target), [[6.0, 1.0, 0.0, 5.0]]);
    let schema = source.schema().unwrap().clone();
    let shuffled = write(
        dir.path(),
        "shuffled.csv",
        "label,id,b,colour,a\nx,r1,10,red,1\ny,r2,20,blue,2\nx,r3,30,red,3\n",
    );
    let options = LoadOptions {
        ignore_columns: vec![ColumnRef::Name("id".into())],
        ..LoadOptions::default()
    };
    let err = load_for(&schema, &shuffled, &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("column `id` not in the model"), "{err}");
    let through = LoadOptions {
        ignore_extra_columns: true,
        ..LoadOptions::default()
    };
    let again = load_for(&schema, &shuffled, &through).unwrap();
    assert_eq!(rows(&again), rows(&source));
    assert_eq!(again.labels(), source.labels());
    let dropped = write(dir.path(), "dropped.csv", "a,colour\n1,red\n");
    let err = load_for(&schema, &dropped, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dropped.csv:1: missing column `b`: the model has it"),
        "{err}"
    );
}

/// Missing values: refused by default (file, line, column and the setting); imputed with the
/// source's median and an indicator, or a `<missing>` category; a category the source never
/// had is all zeros and counted in a note.
#[test]
fn missing_values_and_unknown_categories() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.csv",
        "a,c,label\n1,red,x\nNA,blue,y\n3,,x\n10,red,y\n",
    );
    let err = load(&s, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("s.csv:3: column `a`: missing value"), "{err}");
    assert!(err.contains("[data] missing = \"impute\""), "{err}");
    let t = write(dir.path(), "t.csv", "c,a\npink,\nred,2\n");
    let (source, target) = read_pair(&s, &t, &impute(), true).unwrap();
    let schema = source.schema().unwrap();
    assert_eq!(
        schema.feature_names(),
        ["a", "a=<missing>", "c=blue", "c=red", "c=<missing>"]
    );
    // The median of 1, 3, 10.
    assert_eq!(rows(&source)[1], [3.0, 1.0, 1.0, 0.0, 0.0]);
    assert_eq!(rows(&source)[2], [3.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(rows(&target)[0], [3.0, 1.0, 0.0, 0.0, 0.0]);
    let note = target.notes().join("\n");
    assert!(
        note.contains("column `c`: 1 row has a category the source never had (pink: 1)"),
        "{note}"
    );
    // The schema goes into model.json and comes back the same.
    let json = serde_json::to_string(schema).unwrap();
    assert!(json.contains("\"median\":3.0"), "{json}");
    assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), *schema);
}

/// A column of numbers and text is refused (naming both cells) unless listed as categorical;
/// an identifier-like text column is refused with the way to ignore it.
#[test]
fn mixed_and_identifier_columns_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = write(dir.path(), "m.csv", "a,label\n1,x\nz,y\n");
    let err = load(&mixed, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("m.csv:3: column `a` holds numbers and text"),
        "{err}"
    );
    let categorical = LoadOptions {
        categorical: vec!["a".into()],
        ..LoadOptions::default()
    };
    let ds = load(&mixed, &categorical).unwrap();
    assert_eq!(ds.schema().unwrap().feature_names(), ["a=1", "a=z"]);
    let mut text = String::from("id,v,label\n");
    for i in 0..120 {
        text.push_str(&format!("row{i},{i},{}\n", i % 2));
    }
    let ids = write(dir.path(), "ids.csv", &text);
    let err = load(&ids, &LoadOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("column `id` holds text with 120 distinct values"),
        "{err}"
    );
    assert!(err.contains("--ignore-columns id"), "{err}");
    let ignoring = LoadOptions {
        ignore_columns: vec![ColumnRef::Name("id".into())],
        ..LoadOptions::default()
    };
    assert_eq!(load(&ids, &ignoring).unwrap().n_features(), 1);
    // A misspelt ignored or categorical column is an error, not silently a feature.
    let typo = LoadOptions {
        ignore_columns: vec![ColumnRef::Name("idd".into())],
        ..LoadOptions::default()
    };
    let err = load(&ids, &typo).unwrap_err().to_string();
    assert!(err.contains("no column `idd` to ignore"), "{err}");
}

/// Without a header, columns are matched by position; a later file may lack the label
/// column (the training file's columns without it).
#[test]
fn files_without_a_header_are_read_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.csv", "0,1,2\n1,3,4\n0,5,6\n");
    let options = LoadOptions {
        label_column: Some(ColumnRef::Index(0)),
        ..LoadOptions::default()
    };
    let t = write(dir.path(), "t.csv", "7,8\n");
    let (source, target) = read_pair(&s, &t, &options, true).unwrap();
    let schema = source.schema().unwrap();
    assert_eq!(schema.match_by, MatchBy::Position);
    assert!(!source.has_feature_names());
    assert_eq!(rows(&target), [[7.0, 8.0]]);
    let labelled = write(dir.path(), "l.csv", "1,7,8\n");
    let ds = load_for(schema, &labelled, &options).unwrap();
    assert_eq!(
        (rows(&ds), ds.class_names()),
        (vec![vec![7.0, 8.0]], &["1".to_string()][..])
    );
    let wide = write(dir.path(), "w.csv", "1,7,8,9\n");
    let err = load_for(schema, &wide, &options).unwrap_err().to_string();
    assert!(err.contains("3 feature columns, the model has 2"), "{err}");
}

/// A file without a header for a model of named columns: read as the training file's
/// columns (with or without the label), said in a note; another width is refused.
#[test]
fn a_headerless_file_for_a_named_model_takes_the_training_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.csv", "a,b,label\n1,10,0\n2,20,1\n");
    let schema = load(&s, &LoadOptions::default())
        .unwrap()
        .schema()
        .unwrap()
        .clone();
    assert_eq!(schema.file_columns, ["a", "b", "label"]);
    // (Line 1 is all numbers, so it is data, not a header.)
    let with_label = write(dir.path(), "w.csv", "3,30,0\n");
    let ds = load_for(&schema, &with_label, &LoadOptions::default()).unwrap();
    assert_eq!(
        (rows(&ds), ds.labels()),
        (vec![vec![3.0, 30.0]], Some(&[0][..]))
    );
    assert!(
        ds.notes()[0].contains("taken to be those the model was trained on"),
        "{:?}",
        ds.notes()
    );
    let without = write(dir.path(), "n.csv", "3,30\n");
    let ds = load_for(&schema, &without, &LoadOptions::default()).unwrap();
    assert_eq!(rows(&ds), [[3.0, 30.0]]);
    let odd = write(dir.path(), "o.csv", "3\n");
    let err = load_for(&schema, &odd, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("its 1 columns cannot be matched"), "{err}");
}
