//! Building a mapping's fields from what a scenario wrote, each checked
//! against the record's schema.

use std::collections::BTreeMap;

use super::*;

/// A name a table, a column and a JSON field can all carry unquoted.
pub(super) fn check_name(key: &str, name: &str) -> Result<(), MappingError> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(MappingError::new(
            key,
            format!(
                "`{name}`: use letters, digits and `_`, starting with a letter or `_`, at most 63"
            ),
        ))
    }
}

/// The field at `path` in `fields` (a record's schema, `kind` first), and
/// whether it can be null (it, or a record on the way, is nullable).
pub(super) fn resolve<'a>(fields: &'a [Field], path: &[&str]) -> Option<(&'a Field, bool)> {
    let (first, rest) = path.split_first()?;
    let f = fields.iter().find(|f| f.name == *first)?;
    match (rest.is_empty(), f.ty) {
        (true, _) => Some((f, f.nullable)),
        (false, Type::Record(inner)) => {
            resolve(inner, rest).map(|(g, null)| (g, null || f.nullable))
        }
        _ => None,
    }
}

/// The `kind` field every record starts with.
pub(super) const KIND_FIELD: Field = Field::new("kind", Type::String, "The kind.");

/// The name and output fields of a record whose source fields are `all`.
pub(super) fn build_fields(
    what: &str,
    all: &[Field],
    at: &str,
    config: KindConfig,
) -> Result<(String, Vec<OutField>), MappingError> {
    let name = config.name.unwrap_or_else(|| what.to_string());
    check_name(&format!("{at}.name"), &name)?;
    let fields = match config.fields {
        Some(list) => {
            if !config.drop.is_empty() {
                return Err(MappingError::new(
                    format!("{at}.drop"),
                    "give either `fields` (what is written) or `drop` (what is left out), not both",
                ));
            }
            if list.is_empty() {
                return Err(MappingError::new(format!("{at}.fields"), "lists no field"));
            }
            let mut out: Vec<OutField> = Vec::new();
            for (i, f) in list.into_iter().enumerate() {
                let key = format!("{at}.fields[{i}]");
                let field = OutField::build(&key, all, f)?;
                if out.iter().any(|o| o.name == field.name) {
                    return Err(MappingError::new(
                        format!("{key}.name"),
                        format!("`{}` is written twice", field.name),
                    ));
                }
                out.push(field);
            }
            out
        }
        None => {
            for (i, d) in config.drop.iter().enumerate() {
                if !all.iter().any(|f| f.name == d) {
                    return Err(MappingError::new(
                        format!("{at}.drop[{i}]"),
                        format!("`{what}` has no field `{d}` (it has {})", names(all)),
                    ));
                }
            }
            all.iter()
                .filter(|f| !config.drop.iter().any(|d| d == f.name))
                .map(|f| OutField::of(f, vec![f.name.to_string()]))
                .collect()
        }
    };
    if fields.is_empty() {
        return Err(MappingError::new(format!("{at}.drop"), "drops every field"));
    }
    Ok((name, fields))
}

pub(super) fn names(fields: &[Field]) -> String {
    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

impl OutField {
    /// A field of the record as it is.
    pub(super) fn of(f: &Field, path: Vec<String>) -> OutField {
        OutField {
            name: f.name.to_string(),
            source: Source::Field(path),
            lookup: None,
            format: Format::AsIs,
            ty: OutType::Like(f.ty),
            nullable: f.nullable,
            doc: f.doc.to_string(),
        }
    }

    pub(super) fn build(
        key: &str,
        all: &[Field],
        c: FieldConfig,
    ) -> Result<OutField, MappingError> {
        check_name(&format!("{key}.name"), &c.name)?;
        let mut closed: &[&str] = &[];
        let (source, mut ty, nullable, doc) = match (&c.value, &c.from) {
            (Some(_), Some(_)) => {
                return Err(MappingError::new(
                    format!("{key}.value"),
                    "give either `from` or `value`, not both",
                ))
            }
            (Some(v), None) => {
                let (json, ty) = constant(&format!("{key}.value"), v)?;
                (Source::Constant(json), ty, false, "A constant.".to_string())
            }
            (None, from) => {
                let from = from.as_deref().unwrap_or(&c.name);
                let path: Vec<&str> = from.split('.').collect();
                let (field, nullable) = resolve(all, &path).ok_or_else(|| {
                    MappingError::new(
                        format!("{key}.from"),
                        format!("no field `{from}` in this kind (it has {})", names(all)),
                    )
                })?;
                if let Type::Record(_) = field.ty {
                    return Err(MappingError::new(
                        format!("{key}.from"),
                        format!(
                            "`{from}` is a nested record: name one of its fields (`{from}.FIELD`)"
                        ),
                    ));
                }
                closed = field.values;
                (
                    Source::Field(path.iter().map(|s| s.to_string()).collect()),
                    field.ty,
                    nullable,
                    field.doc.to_string(),
                )
            }
        };
        let lookup = match &c.lookup {
            None => None,
            Some(name) => {
                let l = Lookup::ALL
                    .iter()
                    .find(|(_, n)| n == name)
                    .map(|(l, _)| *l)
                    .ok_or_else(|| {
                        let known: Vec<&str> = Lookup::ALL.iter().map(|(_, n)| *n).collect();
                        MappingError::new(
                            format!("{key}.lookup"),
                            format!("unknown lookup `{name}` (known: {})", known.join(", ")),
                        )
                    })?;
                if !matches!(ty, Type::Int32 | Type::Int64) {
                    return Err(MappingError::new(
                        format!("{key}.lookup"),
                        format!("looks up by an id, and the source is {ty}"),
                    ));
                }
                ty = l.ty();
                Some(l)
            }
        };
        let pattern = || -> Result<String, MappingError> {
            let p = c
                .pattern
                .clone()
                .unwrap_or_else(|| DEFAULT_PATTERN.to_string());
            check_pattern(&format!("{key}.pattern"), &p)?;
            Ok(p)
        };
        if c.pattern.is_some() && !matches!(c.format.as_deref(), Some("local_time" | "utc_time")) {
            return Err(MappingError::new(
                format!("{key}.pattern"),
                "a pattern needs format = \"local_time\" or \"utc_time\"",
            ));
        }
        if let Some(labels) = &c.labels {
            return Ok(OutField {
                format: labels_of(key, &c, closed, labels)?,
                ty: OutType::Like(Type::String),
                name: c.name,
                source,
                lookup,
                nullable,
                doc,
            });
        }
        let (format, out) = match (c.format.as_deref(), &c.template) {
            (Some(_), Some(_)) => {
                return Err(MappingError::new(
                    format!("{key}.template"),
                    "a template writes text: give it without `format`",
                ))
            }
            (None, Some(t)) => {
                let Some((a, b)) = t.split_once("{}") else {
                    return Err(MappingError::new(
                        format!("{key}.template"),
                        format!("`{t}` has no `{{}}` for the value"),
                    ));
                };
                (
                    Format::Template(a.to_string(), b.to_string()),
                    OutType::Like(Type::String),
                )
            }
            (None, None) => (Format::AsIs, OutType::Like(ty)),
            (Some("text"), None) => (Format::Text, OutType::Like(Type::String)),
            (Some("ean8"), None) => (Format::Ean8, OutType::Like(Type::String)),
            (Some(f @ ("local_time" | "utc_time")), None) => {
                if !matches!(ty, Type::Timestamp(_)) {
                    return Err(MappingError::new(
                        format!("{key}.format"),
                        format!("`{f}` formats a timestamp, and the source is {ty}"),
                    ));
                }
                let p = pattern()?;
                if f == "local_time" {
                    (Format::LocalTime(p.clone()), OutType::LocalTimestamp(p))
                } else {
                    (Format::UtcTime(p.clone()), OutType::LocalTimestamp(p))
                }
            }
            (Some(other), None) => {
                return Err(MappingError::new(
                    format!("{key}.format"),
                    format!("unknown format `{other}` (known: text, ean8, local_time, utc_time)"),
                ))
            }
        };
        if matches!(ty, Type::Timestamp(_))
            && !matches!(format, Format::AsIs)
            && !matches!(format, Format::LocalTime(_) | Format::UtcTime(_))
        {
            return Err(MappingError::new(
                format!("{key}.format"),
                "a timestamp is written with format = \"local_time\" or \"utc_time\"",
            ));
        }
        Ok(OutField {
            name: c.name,
            source,
            lookup,
            format,
            ty: out,
            nullable,
            doc,
        })
    }
}

/// `labels`: only alone, over a closed set, every value labelled.
fn labels_of(
    key: &str,
    c: &FieldConfig,
    closed: &[&str],
    labels: &BTreeMap<String, String>,
) -> Result<Format, MappingError> {
    let key = format!("{key}.labels");
    if c.format.is_some() || c.template.is_some() || c.lookup.is_some() {
        return Err(MappingError::new(
            key,
            "labels rewrite the value itself: give them without `format`, `template` or `lookup`",
        ));
    }
    if closed.is_empty() {
        return Err(MappingError::new(
            key,
            "labels need a source with a closed set of values (such as a status)",
        ));
    }
    if let Some(unknown) = labels.keys().find(|k| !closed.contains(&k.as_str())) {
        return Err(MappingError::new(
            key,
            format!(
                "`{unknown}` is not a value of the source (it takes {})",
                closed.join(", ")
            ),
        ));
    }
    if let Some(missing) = closed.iter().find(|v| !labels.contains_key(**v)) {
        return Err(MappingError::new(
            key,
            format!(
                "no label for `{missing}`: label every value ({})",
                closed.join(", ")
            ),
        ));
    }
    Ok(Format::Labels(labels.clone()))
}

/// A constant's JSON value and type.
pub(super) fn constant(
    key: &str,
    v: &toml::Value,
) -> Result<(serde_json::Value, Type), MappingError> {
    Ok(match v {
        toml::Value::String(s) => (serde_json::Value::from(s.as_str()), Type::String),
        toml::Value::Integer(i) => (serde_json::Value::from(*i), Type::Int64),
        toml::Value::Float(f) => (serde_json::Value::from(*f), Type::Float64),
        toml::Value::Boolean(b) => (serde_json::Value::from(*b), Type::Bool),
        _ => {
            return Err(MappingError::new(
                key,
                "a constant is a string, a number or a boolean",
            ))
        }
    })
}

/// A chrono pattern that formats: unknown specifiers are refused here, not
/// at the first event.
pub(super) fn check_pattern(key: &str, pattern: &str) -> Result<(), MappingError> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(pattern).any(|i| matches!(i, Item::Error)) {
        return Err(MappingError::new(
            key,
            format!("`{pattern}` is not a chrono pattern (such as %Y-%m-%d %H:%M:%S)"),
        ));
    }
    if pattern.is_empty() {
        return Err(MappingError::new(key, "is empty"));
    }
    Ok(())
}
