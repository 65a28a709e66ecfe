//! Bad input is an error that names the file, the line (or record) and what to do, with
//! exit status 2, never a panic: one case per kind of mistake a user's files can hold, in
//! the source, the target, the test data and the model directory.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{dann, refused, repo_data, train_cmd, write_moons};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

/// A tiny PNG (grey, `w x h`).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::GrayImage::from_fn(w, h, |x, y| image::Luma([(x * 30 + y * 7) as u8]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn image_folder(dir: &Path, name: &str, size: u32, broken: bool) -> PathBuf {
    let root = dir.join(name);
    for class in ["a", "b"] {
        fs::create_dir_all(root.join(class)).unwrap();
        for i in 0..2 {
            fs::write(root.join(class).join(format!("{i}.png")), png(size, size)).unwrap();
        }
    }
    if broken {
        fs::write(root.join("a/broken.png"), b"not a png").unwrap();
    }
    root
}

/// Each malformed source file, trained on against a good target.
#[test]
fn bad_source_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, target, _) = write_moons(d);
    let amazon = fs::read(repo_data().join("amazon/books_train.svmlight.gz")).unwrap();
    let mut idx = vec![0u8, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2];
    idx.extend([1, 2, 3]); // 8 pixels announced, 3 given
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (write(d, "empty.csv", b""), vec!["empty.csv", "no rows"]),
        (
            write(d, "header.csv", b"x0,x1,label\n"),
            vec!["header.csv", "no rows"],
        ),
        (
            write(d, "ragged.csv", b"x0,x1,label\n1,2,a\n3,b\n"),
            vec!["ragged.csv:3:", "expected 3 fields"],
        ),
        (
            write(d, "text.csv", b"x0,x1,label\n1,2,a\n3,abc,b\n"),
            vec![
                "text.csv:3:",
                "column `x1` holds numbers and text (`2` at line 2, `abc` here)",
                "[data] categorical = [\"x1\"]",
            ],
        ),
        (
            write(d, "nan.csv", b"x0,x1,label\n1,2,a\n3,nan,b\n"),
            vec![
                "nan.csv:3:",
                "column `x1`: missing value",
                "[data] missing = \"impute\"",
            ],
        ),
        (
            write(d, "inf.svm", b"1 1:0.5\n-1 2:inf\n"),
            vec!["inf.svm:2:", "not finite", "replace or drop it"],
        ),
        (
            write(d, "huge.svm", b"1 1:1\n-1 2000000000:1\n"),
            vec!["huge.svm:2:", "beyond", "renumber"],
        ),
        (
            write(d, "dup.svm", b"1 1:1\n-1 2:1 2:3\n"),
            vec!["dup.svm:2:", "must increase", "at most once"],
        ),
        (
            write(d, "unsorted.svm", b"1 1:1\n-1 3:1 2:3\n"),
            vec!["unsorted.svm:2:", "2 after 3"],
        ),
        (
            write(d, "colon.svm", b"1 1:1\n-1 2 3:1\n"),
            vec!["colon.svm:2:", "expected `index:value`, found `2`"],
        ),
        (
            write(
                d,
                "real.csv",
                b"x0,x1,label\n1,2,0.37\n3,4,1.52\n2,2,0.11\n",
            ),
            vec!["real.csv", "fractional number, not a class", "label_column"],
        ),
        (
            write(d, "one.csv", b"x0,x1,label\n1,2,a\n3,4,a\n"),
            vec![
                "one.csv",
                "every source row has the class \"a\"",
                "two classes",
            ],
        ),
        (
            write(d, "cut.svm.gz", &amazon[..300]),
            vec!["cut.svm.gz", "truncated or corrupt gzip data", "again"],
        ),
        (
            write(d, "magic.idx", b"abcdefgh"),
            vec!["magic.idx", "not an IDX file"],
        ),
        (
            write(d, "short-images-idx3-ubyte", &idx),
            vec!["short-images-idx3-ubyte", "truncated", "need 8 bytes"],
        ),
        (
            image_folder(d, "broken", 4, true),
            vec!["broken.png", "not a PNG or JPEG image", "remove it"],
        ),
        (
            write(d, "rows.dat", b"x0;x1;label\n1;2;a\n"),
            vec!["rows.dat", "cannot tell the format", "data.format"],
        ),
        (
            write(d, "nolabel.csv", b"x0,x1,label\n1,2,a\n3,4,\n"),
            vec![
                "nolabel.csv:3:",
                "empty label",
                "every source row needs one",
            ],
        ),
        (
            write(d, "infcell.csv", b"x0,x1,label\n1,2,a\n3,-inf,b\n"),
            vec!["infcell.csv:3:", "column `x1`", "NaN or infinite"],
        ),
        (
            write(d, "fake.parquet", b"PAR1 and then nothing"),
            vec!["fake.parquet", "not a readable Parquet file"],
        ),
    ];
    for (source, needles) in cases {
        refused(train_cmd(&source, &target, &d.join("m")), &needles);
        assert!(!d.join("m").join("model.json").exists());
    }
}

/// Source and target that do not fit each other, and an empty target.
#[test]
fn source_and_target_that_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = write(d, "s.csv", b"x0,x1,label\n1,2,a\n3,4,b\n");
    let wide = write(d, "t3.csv", b"x0,x1,x2\n1,2,3\n");
    refused(
        train_cmd(&source, &wide, &d.join("m")),
        &[
            "t3.csv:1:",
            "column `x2` not in the source",
            "--ignore-extra-columns",
        ],
    );
    let narrow = write(d, "t1.csv", b"x1\n1\n");
    refused(
        train_cmd(&source, &narrow, &d.join("m")),
        &["t1.csv:1:", "missing column `x0`", "the source", "has it"],
    );
    let text = write(d, "tt.csv", b"x0,x1\n1,2\n3,four\n");
    refused(
        train_cmd(&source, &text, &d.join("m")),
        &["tt.csv:3:", "column `x1`: expected a number, found `four`"],
    );
    let ids = write(
        d,
        "ids.csv",
        &(0..120)
            .map(|i| format!("u{i},{i},{}\n", i % 2))
            .fold(String::from("user,x0,label\n"), |a, l| a + &l)
            .into_bytes(),
    );
    let ids_target = write(d, "idt.csv", b"user,x0\nu1,3\n");
    refused(
        train_cmd(&ids, &ids_target, &d.join("m")),
        &[
            "ids.csv",
            "column `user` holds text with 120 distinct values",
            "--ignore-columns user",
        ],
    );
    refused(
        {
            let mut c = train_cmd(&ids, &ids_target, &d.join("m"));
            c.args(["--ignore-columns", "usr"]);
            c
        },
        &[
            "ids.csv:1:",
            "no column `usr` to ignore",
            "[user, x0, label]",
        ],
    );
    refused(
        {
            let mut c = train_cmd(&ids, &ids_target, &d.join("m"));
            c.args(["--label-column", "lable"]);
            c
        },
        &["ids.csv:1:", "no column `lable`", "--label-column"],
    );
    let empty = write(d, "t0.csv", b"x0,x1\n");
    refused(
        train_cmd(&source, &empty, &d.join("m")),
        &["t0.csv", "no rows"],
    );
    let small = image_folder(d, "small", 4, false);
    let big = image_folder(d, "big", 5, false);
    refused(
        train_cmd(&small, &big, &d.join("m")),
        &["[1, 4, 4]", "[1, 5, 5]", "[train.images] size"],
    );
}

/// Test data that does not fit the model, and model directories with a file missing or
/// edited.
#[test]
fn bad_test_data_and_model_directories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (source, target, _) = write_moons(d);
    let model = d.join("model");
    train_cmd(&source, &target, &model)
        .args(["--iterations", "50"])
        .assert()
        .success();
    let eval = |model: &Path, data: &Path| {
        let mut cmd = dann();
        cmd.args(["eval", "--model"])
            .arg(model)
            .arg("--data")
            .arg(data);
        cmd
    };
    let unseen = write(d, "unseen.csv", b"x0,x1,label\n1,2,upper\n3,4,sideways\n");
    refused(
        eval(&model, &unseen),
        &["unseen.csv", "`sideways` is not one of the model's classes"],
    );
    let wide = write(d, "wide.csv", b"x0,x1,x2,label\n1,2,3,upper\n");
    refused(
        eval(&model, &wide),
        &[
            "wide.csv:1:",
            "column `x2` not in the model",
            "--ignore-extra-columns",
        ],
    );

    let copy = |name: &str| {
        let to = d.join(name);
        fs::create_dir_all(&to).unwrap();
        // The model's files (its plots folder is not needed).
        for f in fs::read_dir(&model).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
        to
    };
    let no_weights = copy("no-weights");
    fs::remove_file(no_weights.join("model.mpk")).unwrap();
    refused(
        eval(&no_weights, &source),
        &["model.mpk", "weights file is missing"],
    );
    let no_spec = copy("no-spec");
    fs::remove_file(no_spec.join("model.json")).unwrap();
    refused(
        eval(&no_spec, &source),
        &["not a model directory", "model.json is missing"],
    );
    let edited = copy("edited");
    let spec = fs::read_to_string(edited.join("model.json")).unwrap();
    fs::write(
        edited.join("model.json"),
        spec.replacen("\"n_features\": 2", "\"n_features\": 7", 1),
    )
    .unwrap();
    refused(eval(&edited, &source), &["an edited model.json"]);
    let cut = copy("cut");
    let weights = fs::read(cut.join("model.mpk")).unwrap();
    fs::write(cut.join("model.mpk"), &weights[..weights.len() / 2]).unwrap();
    refused(eval(&cut, &source), &["model.mpk", "truncated or corrupt"]);
    let bad_config = copy("bad-config");
    fs::write(
        bad_config.join("config.toml"),
        "[train]\nbatch_size = \"big\"\n",
    )
    .unwrap();
    refused(eval(&bad_config, &source), &["config.toml:2"]);
}

/// Issue 22's reads: a headerless CSV predicted row for row, labels `1` and `1.0` one class,
/// a label column not found said so, a `;`-separated `.csv` pointed at the delimiter, a
/// negative `label_column` explained, a line over `[data] max_line_bytes` refused.
#[test]
fn files_read_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (source, target, _) = write_moons(d);
    let model = d.join("model");
    train_cmd(&source, &target, &model)
        .args(["--iterations", "50"])
        .assert()
        .success();
    let text = fs::read_to_string(&target).unwrap();
    let rows = text.lines().count() - 1;
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let nohead = write(d, "nohead.csv", body.as_bytes());
    let out = d.join("p.csv");
    dann()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&nohead)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let predictions = fs::read_to_string(&out).unwrap().lines().count() - 1;
    assert_eq!(
        predictions, rows,
        "one prediction per row of a headerless file"
    );

    let mixed = write(d, "mixed.csv", b"a,label\n1,0\n2,1\n3,1.0\n4,+1\n");
    let info = dann()
        .args(["data", "info", "--json"])
        .arg(&mixed)
        .assert()
        .success();
    let json = common::stdout_json(&info);
    assert_eq!(
        json["files"][0]["classes"].as_array().unwrap().len(),
        2,
        "{json}"
    );

    let numbered: String = body
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", i % 2))
        .collect();
    let y = write(d, "y.csv", format!("x0,x1,y\n{numbered}").as_bytes());
    refused(
        train_cmd(&y, &target, &d.join("m-y")),
        &["y.csv", "no label column found", "--label-column"],
    );
    let labelled_nohead = write(d, "nohead-labelled.csv", numbered.as_bytes());
    refused(
        train_cmd(&labelled_nohead, &target, &d.join("m-nh")),
        &[
            "nohead-labelled.csv",
            "has no header line",
            "--label-column <its 0-based index>",
        ],
    );
    let semi = write(d, "semi.csv", b"x0;x1;label\n1;2;a\n3;4;b\n");
    refused(
        train_cmd(&semi, &target, &d.join("m-semi")),
        &["semi.csv:2:", r#"[data.csv] delimiter = ";""#],
    );
    let negative = write(d, "neg.toml", b"[data.csv]\nlabel_column = -1\n");
    let mut cmd = train_cmd(&source, &target, &d.join("m-neg"));
    cmd.arg("--config").arg(&negative);
    refused(cmd, &["neg.toml:2", "columns count from 0"]);
    let capped = write(d, "cap.toml", b"[data]\nmax_line_bytes = 20\n");
    let long = write(
        d,
        "long.csv",
        b"x0,x1,label\n1,2,a\n1.000000000000,2.00000000000,b\n",
    );
    let mut cmd = dann();
    cmd.args(["data", "info", "--config"])
        .arg(&capped)
        .arg(&long);
    refused(
        cmd,
        &[
            "long.csv:3:",
            "longer than the limit of 20 bytes",
            "[data] max_line_bytes",
        ],
    );
}
