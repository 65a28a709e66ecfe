//! Tests of the parent module.

use std::io::Write;

use super::*;
use crate::data::matrix::Features;
use crate::data::tabular::load_csv;

fn write(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

#[test]
fn reads_header_and_label_column() {
    let f = write("x,label,y\n1.5,cat,2\n-3,dog,4e-1\n");
    let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
    assert_eq!(ds.n_features(), 2);
    assert_eq!(ds.class_names(), ["cat", "dog"]);
    let Features::Dense(m) = ds.features() else {
        panic!("dense expected")
    };
    assert_eq!(m.as_slice(), [1.5, 2.0, -3.0, 0.4]);
}

#[test]
fn label_by_index_without_header_and_unlabelled() {
    let f = write("1,2,0\n3,4,1\n");
    let opts = CsvOptions {
        header: CsvHeader::No,
        label_column: Some(LabelColumn::Index(2)),
        ..Default::default()
    };
    let ds = load_csv(f.path(), &opts).unwrap();
    assert_eq!(ds.labels().unwrap(), [0, 1]);
    let unl = load_csv(
        f.path(),
        &CsvOptions {
            header: CsvHeader::No,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(unl.labels().is_none());
    assert_eq!(unl.n_features(), 3);
}

#[test]
fn malformed_cells_name_file_line_and_column() {
    for (text, opts, line, needle) in [
        (
            "a,label\n1,x\nz,y\n",
            CsvOptions::default(),
            3,
            "column `a` holds numbers and text (`1` at line 2, `z` here)",
        ),
        (
            "a,label\n1,x\n2\n",
            CsvOptions::default(),
            3,
            "expected 2 fields",
        ),
        (
            "a,label\n,x\n",
            CsvOptions::default(),
            2,
            "column `a`: missing value",
        ),
    ] {
        let f = write(text);
        let err = load_csv(f.path(), &opts).unwrap_err().to_string();
        let want = format!("{}:{line}: ", f.path().display());
        assert!(err.starts_with(&want), "{err} should start with {want}");
        assert!(err.contains(needle), "{err} should contain {needle}");
    }
}

/// Issue 23: a label column with empty cells is an unlabelled file (a target), which says
/// why when labels are needed; a source read for training refuses the row, naming its line.
#[test]
fn empty_labels_make_an_unlabelled_file() {
    let f = write("a,label\n1,\n2,\n");
    let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
    assert!(ds.labels().is_none());
    let some = write("a,label\n1,x\n2,\n");
    let ds = load_csv(some.path(), &CsvOptions::default()).unwrap();
    let err = ds
        .require_labels("data to evaluate")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("1 of its 2 rows have no label in `label`"),
        "{err}"
    );
    let plan = ReadPlan {
        label_required: true,
        ..ReadPlan::default()
    };
    let err = read_csv_table(
        std::fs::File::open(some.path()).unwrap(),
        some.path(),
        &CsvOptions::default(),
        &ReadLimits::default(),
        &plan,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(":3: empty label (column `label`)"), "{err}");
    // A label column named but absent: unlabelled, and said so when labels are needed.
    let f = write("a,b\n1,2\n");
    let named = CsvOptions {
        label_column: Some(LabelColumn::Name("y".into())),
        ..Default::default()
    };
    let err = load_csv(f.path(), &named)
        .unwrap()
        .require_labels("the source data")
        .unwrap_err()
        .to_string();
    assert!(err.contains("the file has no column `y`"), "{err}");
}

/// Issue 22: a file whose line 1 is all numbers was read with that line as its header
/// (299 rows for 300). `auto` reads it as data; `true` keeps the old reading.
#[test]
fn a_first_line_of_numbers_is_data_not_a_header() {
    let f = write("1,2\n3,4\n5,6\n");
    let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
    assert_eq!((ds.len(), ds.n_features()), (3, 2));
    assert!(!ds.has_feature_names());
    assert!(
        ds.notes()[0].contains("read as data, not as a header"),
        "{:?}",
        ds.notes()
    );
    let forced = CsvOptions {
        header: CsvHeader::Yes,
        ..Default::default()
    };
    assert_eq!(load_csv(f.path(), &forced).unwrap().len(), 2);
    // A header of names is still a header.
    let named = write("a,b\n1,2\n");
    assert_eq!(
        load_csv(named.path(), &CsvOptions::default())
            .unwrap()
            .len(),
        1
    );
    // Labels are needed: the error says there is no header line and what to do.
    let err = ds
        .require_labels("the source data")
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no header line"), "{err}");
    assert!(err.contains("line 1 is read as data"), "{err}");
    assert!(err.contains("--label-column <its 0-based index>"), "{err}");
    let named_label = CsvOptions {
        label_column: Some(LabelColumn::Name("y".into())),
        ..Default::default()
    };
    let err = load_csv(f.path(), &named_label).unwrap_err().to_string();
    assert!(
        err.contains(
            ":1: the label column is named `y` (--label-column ([data] label_column)), but the file \
             has no header line"
        ),
        "{err}"
    );
}

#[test]
fn header_setting_reads_auto_true_false_and_the_old_name() {
    let read = |t: &str| toml::from_str::<CsvOptions>(t).map(|o| o.header);
    assert_eq!(read("header = \"auto\"").unwrap(), CsvHeader::Auto);
    assert_eq!(read("header = true").unwrap(), CsvHeader::Yes);
    assert_eq!(read("has_header = false").unwrap(), CsvHeader::No);
    assert!(
        read("header = \"maybe\"")
            .unwrap_err()
            .to_string()
            .contains("\"auto\", true or false")
    );
    let shown = toml::to_string(&CsvOptions::default()).unwrap();
    assert!(shown.contains("header = \"auto\""), "{shown}");
}

#[test]
fn a_negative_label_column_is_explained() {
    let err = toml::from_str::<CsvOptions>("label_column = -1")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("label_column = -1: columns count from 0"),
        "{err}"
    );
    assert!(!err.contains("untagged"), "{err}");
    let ok = toml::from_str::<CsvOptions>("label_column = 2").unwrap();
    assert_eq!(ok.label_column, Some(LabelColumn::Index(2)));
}

#[test]
fn labels_1_and_1_0_are_one_class() {
    let f = write("x,label\n1,0\n2,1\n3,1.0\n4,+1\n5,0.0\n");
    let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
    assert_eq!(ds.class_names(), ["0", "1"]);
    assert_eq!(ds.labels().unwrap(), [0, 1, 1, 1, 0]);
}

#[test]
fn unclear_files_get_clear_messages() {
    let check = |text: &str, needles: &[&str]| {
        let f = write(text);
        let err = load_csv(f.path(), &CsvOptions::default())
            .unwrap_err()
            .to_string();
        for n in needles {
            assert!(err.contains(n), "{err} should contain {n}");
        }
    };
    check(
        "a;b;label\n1;2;0\n",
        &[
            ":2: column `a;b;label`",
            r#"set [data.csv] delimiter = ";""#,
        ],
    );
    check(
        "a\tb\tlabel\n1\t2\t0\n",
        &[
            "looks tab-separated, not `,`-separated",
            r#"delimiter = "\t""#,
        ],
    );
    check(
        "a,label,label\n1,2,3\n",
        &[":1: two columns are named `label` (columns 2 and 3"],
    );
    check(
        "a,b\n1,1e308\n",
        &[":2: column `b`: `1e308` is too large for 32-bit floats"],
    );
    // A last line of blanks is skipped like an empty line.
    let f = write("a,label\n1,x\n2,y\n   \n");
    assert_eq!(load_csv(f.path(), &CsvOptions::default()).unwrap().len(), 2);
    // A label column named otherwise: "no label column found", when labels are needed.
    let f = write("a,b,y\n1,2,0\n3,4,1\n");
    let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
    let err = ds
        .require_labels("the source data")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no label column found"), "{err}");
    assert!(
        err.contains("[a, b, y]") && err.contains("--label-column"),
        "{err}"
    );
}

#[test]
fn long_lines_and_fields_are_refused_while_reading() {
    let limits = ReadLimits {
        max_line_bytes: 20,
        max_field_bytes: 8,
        ..Default::default()
    };
    let read = |t: &str| {
        read_csv_table(
            t.as_bytes(),
            Path::new("x.csv"),
            &CsvOptions::default(),
            &limits,
            &ReadPlan::default(),
        )
        .unwrap_err()
        .to_string()
    };
    let err = read("a,b\n1,2\n1234567,1234567,1234567,1\n");
    assert!(
        err.starts_with("x.csv:3: line longer than the limit of 20 bytes"),
        "{err}"
    );
    assert!(err.contains("[data] max_line_bytes"), "{err}");
    let err = read("a,b\n1,123456789012\n");
    assert!(
        err.starts_with("x.csv:2: a field longer than the limit of 8 bytes"),
        "{err}"
    );
    assert!(err.contains("[data] max_field_bytes"), "{err}");
}
