//! Numbers in the README come from files a command in the repository writes: the README
//! quotes them verbatim.

use std::path::Path;

fn repo(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The two-moons table (benchmarks/moons/table.sh -> results/moons/table.md).
#[test]
fn the_moons_table_is_the_results_file() {
    let readme = repo("README.md");
    let table = repo("results/moons/table.md");
    let rows: Vec<&str> = table.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(rows.len() >= 6, "{table}");
    for line in rows {
        assert!(
            readme.contains(line),
            "README.md does not quote this line of results/moons/table.md: {line}"
        );
    }
}

/// The tabular benchmark's means and win count (benchmarks/tabular/table.py ->
/// results/tabular.md).
#[test]
fn the_tabular_means_are_the_results_file() {
    let readme = repo("README.md");
    let results = repo("results/tabular.md");
    let lines: Vec<&str> = results.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("| task |"))
        .unwrap();
    let mean = lines
        .iter()
        .find(|l| l.starts_with("| mean over tasks"))
        .unwrap();
    let ahead = lines
        .iter()
        .find(|l| l.starts_with("DANN ahead on"))
        .unwrap();
    for line in [lines[header], lines[header + 1], mean, ahead] {
        assert!(
            readme.contains(line),
            "README.md does not quote this line of results/tabular.md: {line}"
        );
    }
}
