//! Parsing a download's JSON with a bound on what it may cost in memory. A few hundred MB of
//! `[0,0,0,…]` or `{"a":0},{"a":0},…` compress to almost nothing in a zip but would become
//! gigabytes as a `serde_json::Value`, so values are counted while they are built and the
//! parse stops at [`MAX_JSON_UNITS`]: a number, string, boolean or null counts 2, a list 1, an
//! object 5 and each of its fields 3 more (objects cost several times more memory than
//! numbers). That bounds one file's parsed form to a few hundred MB; real downloads stay far
//! below it (a liked song is ~25 units, a playlist entry ~55: the bound is ~240,000 liked songs
//! or ~110,000 playlist entries in one file).

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Most units (see above) one file's JSON may hold.
pub const MAX_JSON_UNITS: usize = 6_000_000;
/// Extra units for an object, and for each of its fields.
const OBJECT_UNITS: usize = 4;
const FIELD_UNITS: usize = 3;

/// Why a parse failed.
pub enum ParseError {
    /// Not JSON: serde_json's error, with line and column.
    Syntax(serde_json::Error),
    /// More than [`MAX_JSON_UNITS`] units.
    TooManyValues,
}

/// Parses `bytes` (without a BOM) as one JSON value of at most [`MAX_JSON_UNITS`] units.
pub fn parse(bytes: &[u8]) -> Result<Value, ParseError> {
    let left = Cell::new(MAX_JSON_UNITS);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = Counted { left: &left }
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    result.map_err(|e| {
        if left.get() == 0 {
            ParseError::TooManyValues
        } else {
            ParseError::Syntax(e)
        }
    })
}

/// Builds a `Value` like serde_json does, counting every value against `left`.
#[derive(Clone, Copy)]
struct Counted<'c> {
    left: &'c Cell<usize>,
}

impl Counted<'_> {
    /// A scalar: its 32-byte slot in a list grows in steps, so it is charged double.
    fn count<E: de::Error>(&self) -> Result<(), E> {
        self.charge(2)
    }

    fn charge<E: de::Error>(&self, units: usize) -> Result<(), E> {
        match self.left.get().checked_sub(units) {
            Some(n) => {
                self.left.set(n);
                Ok(())
            }
            None => {
                self.left.set(0);
                Err(E::custom("too many JSON values"))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Counted<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.count()?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.count()?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.count()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.count()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(1)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(1 + OBJECT_UNITS)?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.charge(FIELD_UNITS)?;
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// `bytes` without a leading UTF-8 byte order mark.
pub(super) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_serde_json_and_stops_at_the_bound() {
        let text = br#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": "\u00e9"}"#;
        let ours = parse(text).ok().unwrap();
        assert_eq!(ours, serde_json::from_slice::<Value>(text).unwrap());

        let mut many = b"[".to_vec();
        for _ in 0..MAX_JSON_UNITS / 2 {
            many.extend_from_slice(b"0,");
        }
        many.extend_from_slice(b"0]");
        assert!(matches!(parse(&many), Err(ParseError::TooManyValues)));
        // Objects cost more: 5 for the object, 3 + 2 per field.
        let objects = format!("[{}{{}}]", "{\"a\":0},".repeat(MAX_JSON_UNITS / 10 + 1));
        assert!(matches!(
            parse(objects.as_bytes()),
            Err(ParseError::TooManyValues)
        ));
        assert!(matches!(parse(b"[1, 2"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"[1] x"), Err(ParseError::Syntax(_))));
    }
}
