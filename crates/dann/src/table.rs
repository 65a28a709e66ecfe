//! Markdown tables for reports and benchmarks.

/// A Markdown table: a header row, then rows of already formatted cells.
///
/// ```
/// let mut t = dann::table::MarkdownTable::new(["method", "accuracy"]);
/// t.row(["DANN", "0.763"]);
/// t.row(["NN", ""]);
/// assert_eq!(
///     t.render(),
///     "| method | accuracy |\n|---|---|\n| DANN | 0.763 |\n| NN | |\n"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarkdownTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl MarkdownTable {
    /// A table with these column titles.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Self {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The table as Markdown text, one line per row, each ending in a newline.
    pub fn render(&self) -> String {
        // An empty cell is `| |`, not `|  |`.
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for c in cells {
                s += &if c.is_empty() {
                    " |".into()
                } else {
                    format!(" {c} |")
                };
            }
            s + "\n"
        };
        let mut s = line(&self.header);
        s += &format!("|{}\n", "---|".repeat(self.header.len()));
        for r in &self.rows {
            s += &line(r);
        }
        s
    }
}
