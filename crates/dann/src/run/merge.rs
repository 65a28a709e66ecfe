//! One way to merge settings given twice: a value named on the command line (or in Python's
//! keywords) replaces the same value of the configuration file.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// `base` with every value that `patch` sets put in its place, matched by name at any depth
/// (TOML tables): the command line's flags over the configuration file. A value `patch`
/// leaves unset (`None`, or a `false` switch skipped when serialising) keeps `base`'s; a
/// value `patch` sets that `base` lacks is added (an unknown name is refused when the result
/// is read back, naming it).
///
/// Both go through TOML values, the configuration file's own representation, so a flag means
/// exactly what the same key written in the file would mean.
///
/// ```
/// use dann::run::{Files, overlay};
/// let file = Files { source: Some("a.csv".into()), out: Some("run".into()), ..Files::default() };
/// let flags = Files { out: Some("elsewhere".into()), ..Files::default() };
/// let merged = overlay(&file, &flags)?;
/// assert_eq!(merged.source, Some("a.csv".into()));
/// assert_eq!(merged.out, Some("elsewhere".into()));
/// # Ok::<(), dann::Error>(())
/// ```
pub fn overlay<T, P>(base: &T, patch: &P) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    P: Serialize + ?Sized,
{
    let mut value = to_table(base)?;
    merge(&mut value, to_table(patch)?);
    value
        .try_into()
        .map_err(|e: toml::de::Error| Error::config("settings", e.message().to_string()))
}

fn to_table<T: Serialize + ?Sized>(t: &T) -> Result<toml::Value> {
    toml::Value::try_from(t).map_err(|e| Error::config("settings", e.to_string()))
}

/// Puts `patch`'s leaves into `base`, recursing into the tables both have. A table whose
/// `kind` differs from `base`'s (`[train.optimizer] kind = "adam"` over SGD's) replaces it
/// whole: the other kind's keys would not belong to it.
pub(crate) fn merge(base: &mut toml::Value, patch: toml::Value) {
    match (base, patch) {
        (toml::Value::Table(b), toml::Value::Table(p))
            if p.get("kind").is_some_and(|k| b.get("kind") != Some(k)) =>
        {
            *b = p;
        }
        (toml::Value::Table(b), toml::Value::Table(p)) => {
            for (key, value) in p {
                match b.get_mut(&key) {
                    Some(slot @ toml::Value::Table(_)) if value.is_table() => merge(slot, value),
                    _ => {
                        b.insert(key, value);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Inner {
        a: f64,
        b: Vec<usize>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Outer {
        inner: Inner,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        on: bool,
    }

    #[test]
    fn set_values_replace_and_unset_ones_keep() {
        let base = Outer {
            inner: Inner {
                a: 1.5,
                b: vec![1, 2],
            },
            name: Some("file".into()),
            on: true,
        };
        #[derive(Serialize)]
        struct Patch {
            inner: InnerPatch,
        }
        #[derive(Serialize)]
        struct InnerPatch {
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<f64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            b: Option<Vec<usize>>,
        }
        let patch = Patch {
            inner: InnerPatch {
                a: None,
                b: Some(vec![7]),
            },
        };
        let merged = overlay(&base, &patch).unwrap();
        assert_eq!(merged.inner, Inner { a: 1.5, b: vec![7] });
        assert_eq!(merged.name.as_deref(), Some("file"));
        assert!(merged.on, "a switch left off keeps the file's");
        #[derive(Serialize)]
        struct Nothing {}
        assert_eq!(overlay(&base, &Nothing {}).unwrap(), base);
    }

    #[test]
    fn a_table_of_another_kind_replaces_the_whole_table() {
        let mut base: toml::Value =
            toml::from_str("[o]\nkind = \"sgd\"\nmomentum = 0.9\n[p]\nkind = \"a\"\nx = 1\n")
                .unwrap();
        let patch: toml::Value =
            toml::from_str("[o]\nkind = \"adam\"\nbeta1 = 0.8\n[p]\nkind = \"a\"\ny = 2\n")
                .unwrap();
        merge(&mut base, patch);
        let o = base["o"].as_table().unwrap();
        assert_eq!(o.len(), 2, "{o:?}");
        assert_eq!(o["kind"].as_str(), Some("adam"));
        let p = base["p"].as_table().unwrap();
        assert_eq!(p.len(), 3, "same kind: merged, {p:?}");
    }

    #[test]
    fn an_unknown_name_is_refused() {
        #[derive(Serialize)]
        struct Patch {
            nope: u32,
        }
        let err = overlay(&Outer::default(), &Patch { nope: 3 }).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
