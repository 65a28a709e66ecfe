//! Settings written `"auto"`, `true` or `false` (`[data.csv] header`, `[train] standardize`):
//! one reading and one writing for all of them, `None` standing for `"auto"`.

/// Writes `None` as `"auto"`, a value as the boolean it is.
pub(crate) fn serialize<S: serde::Serializer>(
    value: Option<bool>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        None => s.serialize_str("auto"),
        Some(v) => s.serialize_bool(v),
    }
}

/// Reads `"auto"` (`None`), `true` or `false` (also as the strings `"true"`, `"false"`);
/// anything else is an error naming `key` and the three choices.
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
    d: D,
    key: &'static str,
) -> std::result::Result<Option<bool>, D::Error> {
    struct Visitor(&'static str);
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("\"auto\", true or false")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            match v {
                "auto" => Ok(None),
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(E::custom(format!(
                    "{} = \"{v}\": expected \"auto\", true or false",
                    self.0
                ))),
            }
        }
    }
    d.deserialize_any(Visitor(key))
}
