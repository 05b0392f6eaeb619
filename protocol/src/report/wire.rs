//! Reading a [`Cell`] from the wire without building the wire form first.
//!
//! A cell used to be read as a `WireCell` (`dims` a map of `String` to `String`) and then
//! converted, allocating every dimension name twice and every map twice. This reads the same
//! JSON straight into the cell: dimension names are borrowed from the input where they can be and
//! looked up at once. It accepts exactly what `WireCell` accepted (a map, or the sequence form
//! serde derives for every struct) and fails with the same messages at the same places: the
//! checks that came after `WireCell` was read (an unknown dimension, then value against
//! suppressed) still come after the cell's closing brace, in the same order, and the unknown
//! dimension named is the least by name, as the sorted map named it. The test below reads
//! inputs both ways and compares.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{Cell, CellKey, CellValue};
use crate::registry::Dim;

/// The fields of a cell, as `WireCell` named them (serde quotes them in errors).
const FIELDS: &[&str] = &["metric", "dims", "value", "suppressed"];
/// What `WireCell`'s derived visitor expected.
const EXPECTING: &str = "struct WireCell";

enum Field {
    Metric,
    Dims,
    Value,
    Suppressed,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
                match v {
                    0 => Ok(Field::Metric),
                    1 => Ok(Field::Dims),
                    2 => Ok(Field::Value),
                    3 => Ok(Field::Suppressed),
                    _ => Err(E::invalid_value(
                        de::Unexpected::Unsigned(v),
                        &"field index 0 <= i < 4",
                    )),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                match v {
                    "metric" => Ok(Field::Metric),
                    "dims" => Ok(Field::Dims),
                    "value" => Ok(Field::Value),
                    "suppressed" => Ok(Field::Suppressed),
                    _ => Err(E::unknown_field(v, FIELDS)),
                }
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Field, E> {
                match v {
                    b"metric" => Ok(Field::Metric),
                    b"dims" => Ok(Field::Dims),
                    b"value" => Ok(Field::Value),
                    b"suppressed" => Ok(Field::Suppressed),
                    _ => Err(E::unknown_field(&String::from_utf8_lossy(v), FIELDS)),
                }
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

/// A dimension name, borrowed from the input when it has no escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Name<'de>, E> {
                std::str::from_utf8(v)
                    .map(|s| Name(Cow::Owned(s.to_owned())))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        d.deserialize_string(NameVisitor)
    }
}

/// A cell's dimensions: the known ones, and the least unknown name (the one a sorted map of
/// names would have met first), reported once the whole cell has been read.
#[derive(Default)]
struct Dims {
    known: BTreeMap<Dim, String>,
    unknown: Option<String>,
}

struct DimsSeed;

impl<'de> DeserializeSeed<'de> for DimsSeed {
    type Value = Dims;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Dims, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DimsSeed {
    type Value = Dims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dims, A::Error> {
        let mut dims = Dims::default();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            let value: String = map.next_value()?;
            match Dim::from_key(&name) {
                // A repeated name keeps its last value, as a map does.
                Some(dim) => {
                    dims.known.insert(dim, value);
                }
                None => {
                    if dims.unknown.as_deref().is_none_or(|u| *name < *u) {
                        dims.unknown = Some(name.into_owned());
                    }
                }
            }
        }
        Ok(dims)
    }
}

/// A cell as read, before the checks that follow reading.
struct Read {
    metric: String,
    dims: Dims,
    value: Option<u64>,
    suppressed: bool,
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Read;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        let Some(metric) = seq.next_element::<String>()? else {
            return Err(de::Error::invalid_length(
                0,
                &"struct WireCell with 4 elements",
            ));
        };
        let dims = seq.next_element_seed(DimsSeed)?.unwrap_or_default();
        let value = seq.next_element::<Option<u64>>()?.unwrap_or_default();
        let suppressed = seq.next_element::<bool>()?.unwrap_or_default();
        Ok(Read {
            metric,
            dims,
            value,
            suppressed,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let mut metric: Option<String> = None;
        let mut dims: Option<Dims> = None;
        let mut value: Option<Option<u64>> = None;
        let mut suppressed: Option<bool> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Metric => {
                    if metric.is_some() {
                        return Err(de::Error::duplicate_field("metric"));
                    }
                    metric = Some(map.next_value()?);
                }
                Field::Dims => {
                    if dims.is_some() {
                        return Err(de::Error::duplicate_field("dims"));
                    }
                    dims = Some(map.next_value_seed(DimsSeed)?);
                }
                Field::Value => {
                    if value.is_some() {
                        return Err(de::Error::duplicate_field("value"));
                    }
                    value = Some(map.next_value()?);
                }
                Field::Suppressed => {
                    if suppressed.is_some() {
                        return Err(de::Error::duplicate_field("suppressed"));
                    }
                    suppressed = Some(map.next_value()?);
                }
            }
        }
        let Some(metric) = metric else {
            return Err(de::Error::missing_field("metric"));
        };
        Ok(Read {
            metric,
            dims: dims.unwrap_or_default(),
            value: value.unwrap_or_default(),
            suppressed: suppressed.unwrap_or_default(),
        })
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let w = d.deserialize_struct("WireCell", FIELDS, CellVisitor)?;
        if let Some(k) = w.dims.unknown {
            return Err(D::Error::custom(format!("unknown dimension {k:?}")));
        }
        let value = match (w.value, w.suppressed) {
            (Some(v), false) => CellValue::Count(v),
            (None, true) => CellValue::Suppressed,
            _ => {
                return Err(D::Error::custom(
                    "a cell has exactly one of value or suppressed",
                ));
            }
        };
        Ok(Cell {
            key: CellKey {
                metric: w.metric,
                dims: w.dims.known,
            },
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::WireCell;
    use proptest::prelude::*;

    /// The reader this module replaces, kept to compare against.
    struct OldCell(Cell);

    impl<'de> Deserialize<'de> for OldCell {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            use serde::de::Error as _;
            let w = WireCell::deserialize(d)?;
            let mut dims = BTreeMap::new();
            for (k, v) in w.dims {
                let dim = Dim::from_key(&k)
                    .ok_or_else(|| D::Error::custom(format!("unknown dimension {k:?}")))?;
                dims.insert(dim, v);
            }
            let value = match (w.value, w.suppressed) {
                (Some(v), false) => CellValue::Count(v),
                (None, true) => CellValue::Suppressed,
                _ => {
                    return Err(D::Error::custom(
                        "a cell has exactly one of value or suppressed",
                    ));
                }
            };
            Ok(OldCell(Cell {
                key: CellKey {
                    metric: w.metric,
                    dims,
                },
                value,
            }))
        }
    }

    /// Both readers on the same text, inside a list (as in a report) so that error positions
    /// are compared too, and through `serde_json::Value` (owned strings).
    fn same(text: &str) {
        let list = format!("[{text}, {text}]");
        let new = serde_json::from_str::<Vec<Cell>>(&list).map_err(|e| e.to_string());
        let old = serde_json::from_str::<Vec<OldCell>>(&list)
            .map(|v| v.into_iter().map(|c| c.0).collect::<Vec<_>>())
            .map_err(|e| e.to_string());
        assert_eq!(new, old, "{text}");
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let new = serde_json::from_value::<Cell>(value.clone()).map_err(|e| e.to_string());
            let old = serde_json::from_value::<OldCell>(value)
                .map(|c| c.0)
                .map_err(|e| e.to_string());
            assert_eq!(new, old, "{text}");
        }
    }

    #[test]
    fn reads_as_the_wire_form_did() {
        for text in [
            r#"{"metric":"members","dims":{"sector":"62"},"value":7}"#,
            r#"{"metric":"members","dims":{},"suppressed":true}"#,
            r#"{"metric":"members","value":0}"#,
            r#"{"dims":{"sector":"62"},"metric":"members","value":7,"suppressed":false}"#,
            r#"{"metric":"members","dims":{"state":"GA","sector":"62"},"value":7}"#,
            r#"{"metric":"members","dims":{"sector":"62","sector":"61"},"value":7}"#,
            r#"{"metric":"members","dims":{"sect\u006fr":"62"},"value":7}"#,
            r#"{"metric":"members","dims":{"zeta":"1","colour":"x","sector":"62"},"value":1}"#,
            r#"{"metric":"members","dims":{"colour":"x"},"value":1,"suppressed":true}"#,
            r#"{"metric":"members","dims":{"colour":"x"},"bogus":1}"#,
            r#"{"metric":"members","dims":{"colour":"x"},"value":-1}"#,
            r#"{"metric":"members","value":-1}"#,
            r#"{"metric":"members","value":1.5}"#,
            r#"{"metric":"members","value":null,"suppressed":true}"#,
            r#"{"metric":"members","value":1,"suppressed":true}"#,
            r#"{"metric":"members","value":1,"suppressed":null}"#,
            r#"{"metric":"members"}"#,
            r#"{"value":1}"#,
            r#"{}"#,
            r#"{"metric":"members","metric":"pods","value":1}"#,
            r#"{"metric":"members","dims":{},"dims":{},"value":1}"#,
            r#"{"metric":"members","value":1,"value":2}"#,
            r#"{"metric":"members","suppressed":true,"suppressed":true}"#,
            r#"{"metric":1,"value":1}"#,
            r#"{"metric":"members","dims":null,"value":1}"#,
            r#"{"metric":"members","dims":[],"value":1}"#,
            r#"{"metric":"members","dims":{"sector":62},"value":1}"#,
            r#"{"metric":"members","dims":{"sector":null},"value":1}"#,
            r#"{"Metric":"members","value":1}"#,
            r#"["members",{"sector":"62"},7,false]"#,
            r#"["members",{"sector":"62"},7]"#,
            r#"["members",{},null,true]"#,
            r#"["members"]"#,
            r#"["members",{"colour":"x"},1]"#,
            r#"["members",{},1,false,1]"#,
            r#"[]"#,
            r#"[1]"#,
            r#"null"#,
            r#"7"#,
            r#""members""#,
            r#"{"metric":"members","value":18446744073709551616}"#,
            r#"{"metric":"members","dims":{"sector":"62"},"value":7"#,
            r#"{"metric":"members","dims":{"sector":"62""#,
        ] {
            same(text);
        }
    }

    const PARTS: &[&str] = &[
        r#""metric":"members""#,
        r#""metric":"pods""#,
        r#""dims":{"sector":"62"}"#,
        r#""dims":{"colour":"x","sector":"62"}"#,
        r#""dims":{"b":"1","a":"2"}"#,
        r#""dims":{}"#,
        r#""value":3"#,
        r#""value":null"#,
        r#""value":-3"#,
        r#""suppressed":true"#,
        r#""suppressed":false"#,
        r#""other":1"#,
    ];

    proptest! {
        #[test]
        fn any_mix_of_fields_reads_as_before(parts in proptest::collection::vec(0..PARTS.len(), 0..6)) {
            let body: Vec<&str> = parts.iter().filter_map(|&i| PARTS.get(i).copied()).collect();
            same(&format!("{{{}}}", body.join(",")));
        }
    }
}
