//! Class labels as written in a file, normalised so that one class has one name in every
//! format.

/// The class name of a label as written: numbers are written the shortest way that reads
/// back the same (`1`, `1.0`, `+1`, `1e0` and `01` are the class `1`; `0.50` and `.5` are
/// `0.5`; `-0` is `0`), anything else is kept as written, trimmed. CSV, SVMlight, NPY and IDX
/// labels go through it, and so do the class names of a saved model when it is read, so a
/// model saved before this rule still matches its data.
///
/// The rule is decided once: a label that reads as a number *is* that number, so `007` and
/// `7` are one class (give non-numeric names, e.g. `id007`, when they must differ).
///
/// ```
/// use dann::data::normalise_label;
/// assert_eq!(normalise_label(" +1.0 "), "1");
/// assert_eq!(normalise_label("0.50"), "0.5");
/// assert_eq!(normalise_label("cat"), "cat");
/// ```
pub fn normalise_label(label: &str) -> String {
    let label = label.trim();
    match label.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Ok(v) if v.is_finite() => format!("{v}"),
        _ => label.to_string(),
    }
}

/// `names` normalised by [`normalise_label`], for class names read back from a saved model.
pub(crate) fn normalise_all(names: Vec<String>) -> Vec<String> {
    names.iter().map(|n| normalise_label(n)).collect()
}

/// Sorts class names numerically when all parse as numbers, else lexicographically.
pub(crate) fn sort_class_names(names: &mut [String]) {
    let numeric: Option<Vec<f64>> = names.iter().map(|n| n.parse::<f64>().ok()).collect();
    match numeric {
        Some(_) => names.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        }),
        None => names.sort(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_is_one_class() {
        for same in ["1", "1.0", "+1", "1e0", " 1 ", "01", "1.000"] {
            assert_eq!(normalise_label(same), "1", "{same}");
        }
        for half in ["0.5", "0.50", ".5", "5e-1"] {
            assert_eq!(normalise_label(half), "0.5", "{half}");
        }
        assert_eq!(normalise_label("-1"), "-1");
        assert_eq!(normalise_label("-0"), "0");
        // Text is kept as written (trimmed), also text that only looks numeric to Rust.
        assert_eq!(normalise_label(" cat "), "cat");
        assert_eq!(normalise_label("NaN"), "NaN");
        assert_eq!(normalise_label("inf"), "inf");
        assert_eq!(normalise_label("1,-1"), "1,-1");
    }
}
