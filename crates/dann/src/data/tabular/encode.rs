//! A table's cells as the features of a [`Schema`]: numbers, imputed values and
//! indicators, one-hot categories.

use std::collections::HashMap;
use std::sync::Arc;

use crate::data::dataset::Dataset;
use crate::data::matrix::{DenseMatrix, Features};
use crate::data::schema::{ColumnKind, MatchBy, Schema};
use crate::data::table::{Cells, MISSING_CATEGORY, Table, some_labels};
use crate::error::{Error, Result};

/// The features of `table` under `schema` (read under its plan, or the table it was fitted
/// on): numbers, medians and indicators where values are missing, one-hot categories (a
/// category the source never had is all zeros, counted in a note naming the column).
pub(crate) fn encode(schema: &Schema, table: Table) -> Result<Dataset> {
    let n = table.n_rows;
    let d = schema.n_features;
    if table.columns.len() != schema.columns.len() {
        return Err(Error::data_file(
            &table.path,
            format!(
                "{} feature columns for a schema of {}",
                table.columns.len(),
                schema.columns.len()
            ),
        ));
    }
    let mut data = vec![0f32; n * d];
    let mut notes = table.notes.clone();
    let mut offset = 0;
    for (spec, column) in schema.columns.iter().zip(&table.columns) {
        let name = &spec.name;
        match (&spec.kind, &column.cells) {
            (ColumnKind::Numeric { median, indicator }, Cells::Number(values)) => {
                for (r, &v) in values.iter().enumerate() {
                    let at = r * d + offset;
                    if v.is_nan() {
                        data[at] = median.ok_or_else(|| {
                            Error::data_file(
                                &table.path,
                                format!("column `{name}`: missing values, and none imputed"),
                            )
                        })?;
                        if *indicator {
                            data[at + 1] = 1.0;
                        }
                    } else {
                        data[at] = v;
                    }
                }
            }
            (
                ColumnKind::Categorical {
                    categories,
                    missing_category,
                },
                Cells::Text { codes, levels },
            ) => {
                let slot: HashMap<&str, usize> = categories
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.as_str(), i))
                    .collect();
                let map: Vec<Option<usize>> = levels
                    .iter()
                    .map(|l| slot.get(l.as_str()).copied())
                    .collect();
                let missing_slot = missing_category.then_some(categories.len());
                let mut unknown: HashMap<&str, usize> = HashMap::new();
                for (r, &code) in codes.iter().enumerate() {
                    let hot = if code == Cells::MISSING {
                        missing_slot.ok_or(MISSING_CATEGORY)
                    } else {
                        map[code as usize].ok_or(levels[code as usize].as_str())
                    };
                    match hot {
                        Ok(k) => data[r * d + offset + k] = 1.0,
                        Err(level) => *unknown.entry(level).or_default() += 1,
                    }
                }
                if !unknown.is_empty() {
                    notes.push(unknown_note(name, unknown));
                }
            }
            _ => {
                return Err(Error::data_file(
                    &table.path,
                    format!("column `{name}` is not of the kind the schema says"),
                ));
            }
        }
        offset += spec.width();
    }
    let features = Features::Dense(DenseMatrix::new(n, d, data)?);
    let labels = table.labels.filter(|l| some_labels(l));
    let mut ds = match labels {
        Some(raw) if raw.iter().all(|l| !l.is_empty()) => Dataset::from_raw_labels(features, raw)?,
        Some(raw) => {
            let without = raw.iter().filter(|l| l.is_empty()).count();
            let label = table
                .label_column
                .as_ref()
                .map_or("the label column".to_string(), |c| c.to_string());
            Dataset::unlabelled(features).with_no_labels_note(format!(
                "{without} of its {n} rows have no label in {label}"
            ))
        }
        None => {
            let ds = Dataset::unlabelled(features);
            match table.no_labels_note {
                Some(note) => ds.with_no_labels_note(note),
                None => ds,
            }
        }
    };
    for note in notes {
        ds = ds.with_note(note);
    }
    if schema.match_by == MatchBy::Name {
        ds = ds.with_feature_names(schema.feature_names())?;
    }
    Ok(ds
        .with_origin(&table.path)
        .with_schema(Some(Arc::new(schema.clone()))))
}

/// "column `c`: 12 rows have categories the source never had (green: 10, pink: 2), encoded
/// as all zeros".
fn unknown_note(name: &str, unknown: HashMap<&str, usize>) -> String {
    let total: usize = unknown.values().sum();
    let mut levels: Vec<(&str, usize)> = unknown.into_iter().collect();
    levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = levels
        .iter()
        .take(5)
        .map(|(l, c)| format!("{l}: {c}"))
        .collect();
    let more = if levels.len() > 5 {
        format!(", {} more", levels.len() - 5)
    } else {
        String::new()
    };
    format!(
        "column `{name}`: {total} row{} {} a category the source never had ({}{more}), encoded \
         as all zeros",
        if total == 1 { "" } else { "s" },
        if total == 1 { "has" } else { "have" },
        shown.join(", ")
    )
}
