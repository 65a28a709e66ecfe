//! Which column of a tabular file is what: the label, ignored, a feature (and which), or an
//! extra column skipped; decided once from the header (or the width of a file without one)
//! and the [`ReadPlan`], the same way for CSV and Parquet.

use std::collections::HashSet;
use std::path::Path;

use super::{ColumnBuilder, ColumnRef, Loc, ReadPlan, Want};
use crate::error::Result;

/// What a column of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The label column.
    Label,
    /// Left out: ignored by the settings, or an extra column the plan lets through.
    Skip,
    /// Feature column `k` of the table.
    Feature(usize),
}

/// The role of every column of a file, and the builders of its feature columns.
#[derive(Debug)]
pub(crate) struct Layout {
    /// One per column of the file.
    pub roles: Vec<Role>,
    /// One per feature column, in table order.
    pub builders: Vec<ColumnBuilder>,
    /// The label column, as resolved.
    pub label: Option<ColumnRef>,
    /// Why there is no label column, when the file could have had one.
    pub no_labels_note: Option<String>,
    /// What the reader decided that the user should know.
    pub notes: Vec<String>,
}

/// The settings' name for the label column, for messages.
const LABEL_SETTING: &str = "--label-column ([data] label_column)";

impl Layout {
    /// Resolves the columns of a file whose header is `names` (`None`: no header, `width`
    /// unnamed columns) under `plan`; `at` is where the header (or the first row) is, and
    /// `no_header_why` says why the file is read without one.
    pub(crate) fn resolve(
        names: Option<&[String]>,
        width: usize,
        plan: &ReadPlan,
        path: &Path,
        at: Loc,
        no_header_why: &str,
    ) -> Result<Layout> {
        if let Some(names) = names {
            refuse_duplicates(names, path, at)?;
        }
        let positional = plan.expect.as_ref().is_some_and(|e| !e.by_name) || names.is_none();
        if let (Some(expect), None) = (&plan.expect, names)
            && expect.by_name
        {
            // A file without a header for a model of named columns: the training file's
            // columns, in its order (with or without the label column), said in a note.
            let header = &plan.header_fallback;
            let without_label: Vec<String> = match &plan.label {
                Some(ColumnRef::Name(l)) => header.iter().filter(|h| *h != l).cloned().collect(),
                _ => header.clone(),
            };
            let taken = if !header.is_empty() && width == header.len() {
                Some(header.clone())
            } else if !header.is_empty() && width == without_label.len() {
                Some(without_label)
            } else {
                None
            };
            if let Some(taken) = taken {
                let mut layout = Self::resolve(Some(&taken), width, plan, path, at, no_header_why)?;
                layout.notes.push(format!(
                    "{no_header_why}: its {width} columns are taken to be those {} was trained \
                     on, in that order ({})",
                    expect.owner,
                    taken.join(", ")
                ));
                return Ok(layout);
            }
            return Err(at
                .error(
                    path,
                    format!(
                        "{no_header_why}; its {width} columns cannot be matched to the named \
                         columns of {} ({})",
                        expect.owner,
                        list(expect.columns.iter().map(|c| c.0.as_str()))
                    ),
                )
                .fix("add the header line (or set [data.csv] header = true if line 1 is one)"));
        }
        // A file without names read for a model (or a source) by position may lack the label
        // column: it is then the training file's columns without it.
        if positional
            && let (Some(expect), Some(ColumnRef::Index(li))) = (&plan.expect, &plan.label)
        {
            let ignored = plan
                .ignore
                .iter()
                .filter(|c| matches!(c, ColumnRef::Index(_)))
                .count();
            if width == expect.columns.len() + ignored && *li <= width {
                let mut full = Self::resolve_width(None, width + 1, plan, path, at, no_header_why)?;
                full.roles.remove(*li);
                full.label = None;
                return Ok(full);
            }
        }
        Self::resolve_width(names, width, plan, path, at, no_header_why)
    }

    fn resolve_width(
        names: Option<&[String]>,
        width: usize,
        plan: &ReadPlan,
        path: &Path,
        at: Loc,
        no_header_why: &str,
    ) -> Result<Layout> {
        let generated: Vec<String>;
        let all: &[String] = match names {
            Some(n) => n,
            None => {
                generated = (0..width).map(|k| format!("column {k}")).collect();
                &generated
            }
        };
        let find = |name: &str| {
            all.iter()
                .position(|h| h == name)
                .filter(|_| names.is_some())
        };
        let header = || format!("the header [{}]", all.join(", "));
        let mut roles = vec![Role::Skip; width];
        let mut no_labels_note = None;

        // The label column.
        let label_at = match &plan.label {
            Some(ColumnRef::Name(name)) => {
                if names.is_none() {
                    return Err(at
                        .error(
                            path,
                            format!(
                                "the label column is named `{name}` ({LABEL_SETTING}), but \
                                 {no_header_why}"
                            ),
                        )
                        .fix("add a header line, or give the label column as a 0-based index"));
                }
                match find(name) {
                    Some(i) => Some(i),
                    None if plan.label_required => {
                        return Err(at
                            .error(path, format!("no column `{name}` in {}", header()))
                            .fix(format!(
                                "set {LABEL_SETTING} to one of these names or to a 0-based \
                                 index"
                            )));
                    }
                    None => {
                        no_labels_note = Some(format!("the file has no column `{name}`"));
                        None
                    }
                }
            }
            Some(ColumnRef::Index(i)) if *i < width => Some(*i),
            Some(ColumnRef::Index(i)) => {
                if plan.label_required {
                    return Err(at
                        .error(
                            path,
                            format!("label column {i} (0-based) but the line has {width} fields"),
                        )
                        .fix(format!(
                            "set {LABEL_SETTING} to an index below the number of columns"
                        )));
                }
                no_labels_note = Some(format!("the file has no column {i} (0-based)"));
                None
            }
            None => {
                let found = find("label");
                if found.is_none() && width > 0 {
                    no_labels_note = Some(match names {
                        Some(_) => format!(
                            "no label column found: {} has no column named `label`; name the \
                             label column `label`, or give its name with --label-column (or \
                             [data] label_column = \"<its name>\", or its 0-based index)",
                            header()
                        ),
                        None => format!(
                            "{no_header_why}, so no column can be found by the name `label`; \
                             add a header line naming the label column `label`, or give \
                             --label-column <its 0-based index> ([data] label_column)"
                        ),
                    });
                }
                found
            }
        };
        if let Some(i) = label_at {
            roles[i] = Role::Label;
        }

        // Ignored columns.
        let mut ignored = HashSet::new();
        for c in &plan.ignore {
            let at_col = match c {
                ColumnRef::Name(n) => find(n),
                ColumnRef::Index(i) => (*i < width).then_some(*i),
            };
            match at_col {
                Some(i) if Some(i) == label_at => {
                    return Err(at
                        .error(path, format!("{c} is the label column and is also ignored"))
                        .fix("remove it from --ignore-columns ([data] ignore_columns)"));
                }
                Some(i) => {
                    ignored.insert(i);
                }
                None if plan.strict_names => {
                    return Err(at
                        .error(path, format!("no column {c} to ignore in {}", header()))
                        .fix("check --ignore-columns ([data] ignore_columns)"));
                }
                None => {}
            }
        }
        let features: Vec<usize> = (0..width)
            .filter(|&i| Some(i) != label_at && !ignored.contains(&i))
            .collect();
        if plan.strict_names {
            for name in &plan.categorical {
                if !features.iter().any(|&i| all[i] == *name) {
                    return Err(at
                        .error(
                            path,
                            format!(
                                "[data] categorical names `{name}`, which is not a feature \
                                 column of {}",
                                header()
                            ),
                        )
                        .fix("check the name ([data] categorical lists feature columns)"));
                }
            }
        }

        // Feature columns: all of them, or those the model (or the source) has.
        let mut builders = Vec::new();
        match &plan.expect {
            None => {
                for &i in &features {
                    let want = if plan.categorical.contains(&all[i]) {
                        Want::Text
                    } else {
                        Want::Infer
                    };
                    roles[i] = Role::Feature(builders.len());
                    builders.push(ColumnBuilder::new(all[i].clone(), want));
                }
            }
            Some(expect) if expect.by_name && names.is_some() => {
                let mut extra = Vec::new();
                for &i in &features {
                    match expect.columns.iter().position(|(n, _)| *n == all[i]) {
                        Some(k) => roles[i] = Role::Feature(k),
                        None => extra.push(all[i].as_str()),
                    }
                }
                let missing: Vec<&str> = expect
                    .columns
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| !features.iter().any(|&i| all[i] == *n))
                    .collect();
                if !missing.is_empty() {
                    let (s, them) = if missing.len() == 1 {
                        ("", "it")
                    } else {
                        ("s", "them")
                    };
                    return Err(at
                        .error(
                            path,
                            format!(
                                "missing column{s} {}: {} has {them} (its columns: {})",
                                list(missing.iter().copied()),
                                expect.owner,
                                list(expect.columns.iter().map(|c| c.0.as_str()))
                            ),
                        )
                        .fix(
                            "give the file every column the model was trained on, by the same \
                             names (their order does not matter)",
                        ));
                }
                if !extra.is_empty() && !plan.ignore_extra {
                    return Err(at
                        .error(
                            path,
                            format!(
                                "column{} {} not in {} (its columns: {})",
                                if extra.len() == 1 { "" } else { "s" },
                                list(extra.iter().copied()),
                                expect.owner,
                                list(expect.columns.iter().map(|c| c.0.as_str()))
                            ),
                        )
                        .fix(
                            "leave them out, list them in --ignore-columns when training, or \
                             pass --ignore-extra-columns ([data] ignore_extra_columns = true) \
                             to skip them",
                        ));
                }
                builders = expect
                    .columns
                    .iter()
                    .map(|(n, w)| ColumnBuilder::new(n.clone(), *w))
                    .collect();
            }
            Some(expect) => {
                if features.len() != expect.columns.len() {
                    let mut e = at.error(
                        path,
                        format!(
                            "{} feature columns, {} has {} (matched by position: {} had no \
                             header)",
                            features.len(),
                            expect.owner,
                            expect.columns.len(),
                            expect.owner
                        ),
                    );
                    if let Some(note) = &no_labels_note
                        && features.len() == expect.columns.len() + 1
                    {
                        e = e.fix(format!("one column more: {note}"));
                    }
                    return Err(e);
                }
                for (k, &i) in features.iter().enumerate() {
                    roles[i] = Role::Feature(k);
                }
                builders = expect
                    .columns
                    .iter()
                    .map(|(n, w)| ColumnBuilder::new(n.clone(), *w))
                    .collect();
            }
        }
        let label = label_at.map(|i| match names {
            Some(n) => ColumnRef::Name(n[i].clone()),
            None => ColumnRef::Index(i),
        });
        Ok(Layout {
            roles,
            builders,
            label,
            no_labels_note: if label_at.is_some() {
                None
            } else {
                no_labels_note
            },
            notes: Vec::new(),
        })
    }
}

/// Refuses a header naming two columns alike: columns are found by name.
fn refuse_duplicates(names: &[String], path: &Path, at: Loc) -> Result<()> {
    for (j, name) in names.iter().enumerate() {
        if let Some(i) = names[..j].iter().position(|n| n == name) {
            return Err(at
                .error(
                    path,
                    format!(
                        "two columns are named `{name}` (columns {} and {}, counting from 1)",
                        i + 1,
                        j + 1
                    ),
                )
                .fix("rename one: columns are found by name"));
        }
    }
    Ok(())
}

/// `a`, `b` and `c`.
pub(crate) fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    match names.len() {
        0 => "none".into(),
        n if n > 12 => format!("{} and {} more", names[..10].join(", "), n - 10),
        _ => names.join(", "),
    }
}
