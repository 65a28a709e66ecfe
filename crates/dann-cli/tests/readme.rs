//! Numbers in the README and in docs/ come from files a command in the repository writes: the
//! pages quote them verbatim (or, where a page rounds or rearranges a table, every number of it
//! is in the results file). And every relative link of those pages leads to a file that exists
//! (and, with `#anchor`, to a heading of it).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn repo(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md and every docs/*.md, as (path relative to the root, text).
fn pages() -> Vec<(String, String)> {
    let mut pages = vec![("README.md".to_string(), repo("README.md"))];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 5, "docs/ holds {docs:?}");
    for name in docs {
        let rel = format!("docs/{name}");
        let text = repo(&rel);
        pages.push((rel, text));
    }
    pages
}

/// The lines of `text` outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push(line);
        }
    }
    out
}

/// Every Markdown table of `text`: runs of lines starting with `|`.
fn tables(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in prose(text) {
        if line.starts_with('|') {
            current.push(line);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// The tables of `text` whose header line is `header`, their rows after the separator.
fn tables_with_header<'a>(text: &'a str, header: &str) -> Vec<Vec<&'a str>> {
    tables(text)
        .into_iter()
        .filter(|t| t[0] == header)
        .map(|t| t[2..].to_vec())
        .collect()
}

/// The numbers written in `s`, thousands separators dropped: `275,736` -> `275736`,
/// `0.22-0.24x` -> `0.22`, `0.24`.
fn numbers(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut n = String::new();
            while i < chars.len() {
                let c = chars[i];
                let next_digit = chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                if c.is_ascii_digit() || (c == '.' && next_digit) {
                    n.push(c);
                } else if c == ','
                    && (1..=3).all(|k| chars.get(i + k).is_some_and(|d| d.is_ascii_digit()))
                    && !chars.get(i + 4).is_some_and(|d| d.is_ascii_digit())
                {
                    // a thousands separator: exactly three digits follow
                } else {
                    break;
                }
                i += 1;
            }
            out.push(n);
        } else {
            i += 1;
        }
    }
    out
}

/// Every number of `text` is written in `results` (both without thousands separators).
fn numbers_are_in(what: &str, text: &str, results_path: &str) {
    let results: String = numbers(&repo(results_path)).join(" ");
    let results = format!(" {results} ");
    let found = numbers(text);
    assert!(!found.is_empty(), "{what}: no numbers in {text:?}");
    for n in found {
        assert!(
            results.contains(&format!(" {n} ")),
            "{what}: {n} (in {text:?}) is not a number of {results_path}"
        );
    }
}

/// The two-moons table (benchmarks/moons/table.sh -> results/moons/table.md).
#[test]
fn the_moons_table_is_the_results_file() {
    let table = repo("results/moons/table.md");
    let rows: Vec<&str> = table.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(rows.len() >= 6, "{table}");
    for page in ["README.md", "docs/reproduce.md"] {
        let text = repo(page);
        for line in &rows {
            assert!(
                text.contains(line),
                "{page} does not quote this line of results/moons/table.md: {line}"
            );
        }
    }
}

/// The tabular benchmark's means and win count (benchmarks/tabular/table.py ->
/// results/tabular.md).
#[test]
fn the_tabular_means_are_the_results_file() {
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
    for page in ["README.md", "docs/config.md"] {
        let text = repo(page);
        for line in [lines[header], lines[header + 1], mean, ahead] {
            assert!(
                text.contains(line),
                "{page} does not quote this line of results/tabular.md: {line}"
            );
        }
    }
}

/// The Amazon tables (`dann reproduce amazon` -> results/amazon.md; the mSDA runs ->
/// results/msda/amazon_msda.md): every row a page shows is the results file's row of the same
/// pair, cell for cell over the columns the page shows (the results have two more: lambda,
/// hidden).
#[test]
fn the_amazon_tables_are_the_results_files() {
    const HEADER: &str =
        "| source -> target | DANN | NN | SVM | paper DANN | paper NN | paper SVM |";
    // (page, which of its tables with HEADER, results file, rows at least)
    let expected = [
        ("README.md", 0, "results/amazon.md", 1),
        ("README.md", 1, "results/msda/amazon_msda.md", 1),
        ("docs/reproduce.md", 0, "results/amazon.md", 13),
        ("docs/reproduce.md", 1, "results/msda/amazon_msda.md", 13),
    ];
    for (page, index, results_path, at_least) in expected {
        let text = repo(page);
        let found = tables_with_header(&text, HEADER);
        let rows = found
            .get(index)
            .unwrap_or_else(|| panic!("{page}: no table {index} with the header {HEADER}"));
        assert!(
            rows.len() >= at_least,
            "{page}: table {index} has {} rows",
            rows.len()
        );
        let results = repo(results_path);
        let results_rows: Vec<Vec<String>> = tables(&results)
            .into_iter()
            .filter(|t| cells(t[0]).starts_with(&cells(HEADER)))
            .flat_map(|t| t[2..].iter().map(|l| cells(l)).collect::<Vec<_>>())
            .collect();
        assert!(
            results_rows.len() >= 13,
            "{results_path}: {} rows",
            results_rows.len()
        );
        for row in rows {
            let row = cells(row);
            let theirs = results_rows
                .iter()
                .find(|r| r[0] == row[0])
                .unwrap_or_else(|| panic!("{page}: {results_path} has no row {:?}", row[0]));
            assert!(
                theirs.starts_with(&row),
                "{page} says {row:?}, {results_path} {theirs:?}"
            );
        }
    }
}

/// The digits table (`dann reproduce digits` -> results/digits/<pair>.md, one row per model
/// there, one row per pair on the pages).
#[test]
fn the_digits_table_is_the_results_files() {
    const HEADER: &str = "| source -> target | source-only | DANN | train-on-target | published (source-only / DANN / target) |";
    for page in ["README.md", "docs/reproduce.md"] {
        let text = repo(page);
        let found = tables_with_header(&text, HEADER);
        assert_eq!(found.len(), 1, "{page}: tables with the header {HEADER}");
        assert_eq!(found[0].len(), 3, "{page}: {:?}", found[0]);
        for row in &found[0] {
            let row = cells(row);
            let file = format!(
                "results/digits/{}.md",
                row[0].to_lowercase().replace(" -> ", "-")
            );
            let results = repo(&file);
            let model = |name: &str| -> Option<Vec<String>> {
                tables(&results)
                    .into_iter()
                    .flat_map(|t| t[2..].to_vec())
                    .map(cells)
                    .find(|c| c[0] == name)
            };
            let published: Vec<&str> = row[4].split(" (").next().unwrap().split(" / ").collect();
            assert_eq!(published.len(), 3, "{page}: {row:?}");
            for (k, name) in ["source-only", "dann", "train-on-target"]
                .into_iter()
                .enumerate()
            {
                let (accuracy, paper) = match model(name) {
                    Some(c) => (c[1].clone(), c[2].clone()),
                    None => ("-".to_string(), "-".to_string()),
                };
                assert_eq!(
                    row[k + 1],
                    accuracy,
                    "{page}, {}: {name} accuracy vs {file}",
                    row[0]
                );
                let same = match (published[k].parse::<f64>(), paper.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => published[k] == paper,
                };
                assert!(
                    same,
                    "{page}, {}: {name} published {} vs {paper} in {file}",
                    row[0], published[k]
                );
            }
        }
    }
}

/// Tables the pages quote whole: `dann shift`'s time (benchmarks/shift/speed.sh).
#[test]
fn the_shift_speed_table_is_the_results_file() {
    let results = repo("results/shift_speed.md");
    let table = tables(&results).into_iter().next().expect("a table");
    assert!(table.len() >= 5);
    let page = repo("docs/shift.md");
    for line in table {
        assert!(
            page.contains(line),
            "docs/shift.md does not quote this line of results/shift_speed.md: {line}"
        );
    }
}

/// Tables the pages write differently (thousands separators, a few runs in one cell, fewer
/// columns): every number in their rows, the first column aside, is in the results file.
#[test]
fn the_numbers_of_the_other_tables_are_in_the_results_files() {
    // (page, header, results file, rows)
    let expected = [
        (
            "docs/reproduce.md",
            "| implementation | examples/s | sparse path is faster by |",
            "results/bench_shallow.md",
            2,
        ),
        (
            "docs/reproduce.md",
            "| dense inputs, 30,000 features, Algorithm 1 | examples/s | blocked kernel is faster by |",
            "results/bench_shallow.md",
            2,
        ),
        (
            "docs/reproduce.md",
            "| 2 cores, batch 128 + 128 | steps/s, three runs (median of 5 rounds each) | vs PyTorch CPU in the same run |",
            "results/cnn_cpu.md",
            3,
        ),
        (
            "docs/reproduce.md",
            "| rule | mean of the picks | vs. the paper's rule, pick by pick |",
            "results/rv-noise/README.md",
            7,
        ),
    ];
    for (page, header, results_path, n) in expected {
        let text = repo(page);
        let found = tables_with_header(&text, header);
        assert_eq!(found.len(), 1, "{page}: tables with the header {header}");
        assert_eq!(found[0].len(), n, "{page}: {header}");
        for row in &found[0] {
            let rest = cells(row)[1..].join(" | ");
            numbers_are_in(page, &rest, results_path);
        }
    }
    // The README's line on the Python package's speed.
    let readme = repo("README.md");
    let start = readme
        .find("**Python speed**")
        .expect("README: **Python speed**");
    let paragraph = readme[start..].split("\n\n").next().unwrap();
    let paragraph = paragraph.split_once(':').unwrap().1; // after "([details](docs/python.md))"
    numbers_are_in("README.md", paragraph, "results/python.md");
}

#[test]
fn numbers_reads_what_the_tables_write() {
    assert_eq!(numbers("275,736 | 1x"), ["275736", "1"]);
    assert_eq!(
        numbers("0.22-0.24x, 26.35, 28.93"),
        ["0.22", "0.24", "26.35", "28.93"]
    );
    assert_eq!(
        numbers("+0.0009 (standard error 0.0008; 29 better)"),
        ["0.0009", "0.0008", "29"]
    );
    assert_eq!(numbers("PyTorch 2.15 CPU."), ["2.15"]);
}

/// GitHub's anchor for a heading: lower case, spaces to hyphens, other punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    prose(text)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// The `[text](target)` links of a page outside code (fenced blocks and `inline code`).
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text) {
        // drop inline code spans
        let mut plain = String::new();
        for (k, part) in line.split('`').enumerate() {
            if k % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_leads_somewhere() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (page, text) in pages() {
        let dir = Path::new(&page).parent().unwrap().to_path_buf();
        for link in links(&text) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p.to_string(), Some(a.to_string())),
                None => (link.clone(), None),
            };
            let (target_rel, target) = if path.is_empty() {
                (PathBuf::from(&page), root().join(&page))
            } else {
                (dir.join(&path), root().join(&dir).join(&path))
            };
            checked += 1;
            if !target.exists() {
                problems.push(format!(
                    "{page}: ({link}): {} does not exist",
                    target_rel.display()
                ));
                continue;
            }
            if let Some(anchor) = anchor
                && target.extension().is_some_and(|e| e == "md")
            {
                let text = std::fs::read_to_string(&target).unwrap();
                if !anchors(&text).contains(&anchor) {
                    problems.push(format!(
                        "{page}: ({link}): no heading #{anchor} in {}",
                        target_rel.display()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    assert!(checked >= 30, "only {checked} relative links found");
}

#[test]
fn the_link_checker_sees_links_and_headings() {
    assert_eq!(
        links("see [a](docs/a.md#x-y) and `[not](this)`, ![img](../r.png)\n```\n[no](code)\n```\n"),
        ["docs/a.md#x-y", "../r.png"]
    );
    assert_eq!(
        slug(" When the target moves: `--init`"),
        "when-the-target-moves---init"
    );
    assert_eq!(
        slug(" Two moons (paper sec. 5.1)"),
        "two-moons-paper-sec-51"
    );
}
