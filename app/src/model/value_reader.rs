//! Reads typed values out of a parsed `serde_json::Value`: the one deserializer every wire type
//! goes through in the browser (see `api::wire`) and that block props are parsed with.
//!
//! It behaves like `serde_json::from_value` for everything SitePilot stores and sends, with one
//! deliberate difference: a struct must be a JSON object. serde_json also accepts a struct
//! written as an array of its fields, which nobody sends us; refusing it means the derived
//! array-reading code of every struct (`visit_seq`) is never used, and the compiler leaves it
//! out of the WASM bundle.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Map, Value};

/// Reads a `T` from `value`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(Reader(value))
}

struct Reader(Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn read_seq<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Seq(items.into_iter());
    let out = visitor.visit_seq(&mut seq)?;
    match seq.0.len() {
        0 => Ok(out),
        _ => Err(Error::invalid_length(len, &"fewer elements in the array")),
    }
}

fn read_map<'de, V: Visitor<'de>>(map: Map<String, Value>, visitor: V) -> Result<V::Value, Error> {
    visitor.visit_map(Fields {
        iter: map.into_iter(),
        value: None,
    })
}

impl<'de> de::Deserializer<'de> for Reader {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => Err(Error::custom("number out of range")),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => read_seq(items, visitor),
            Value::Object(map) => read_map(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Reader(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => Err(Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => read_seq(items, visitor),
            other => Err(Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => read_map(map, visitor),
            other => Err(Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    /// Objects only: see the module documentation.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// `"variant"` for a unit variant, `{"variant": …}` for the others (serde's default,
    /// externally tagged form).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(Variant {
                name: variant,
                value: None,
            }),
            Value::Object(map) => {
                let mut entries = map.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((name, value)), None) => visitor.visit_enum(Variant {
                        name,
                        value: Some(value),
                    }),
                    _ => Err(Error::invalid_value(
                        Unexpected::Map,
                        &"an object with exactly one key",
                    )),
                }
            }
            other => Err(Error::invalid_type(
                unexpected(&other),
                &"a string or an object with one key",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        drop(self);
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf identifier
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Reader(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Reader(value)),
            None => Err(Error::custom("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Variant {
    name: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = VariantValue;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantValue), Error> {
        let name = seed.deserialize(self.name.into_deserializer())?;
        Ok((name, VariantValue(self.value)))
    }
}

struct VariantValue(Option<Value>);

impl<'de> VariantAccess<'de> for VariantValue {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(Error::invalid_type(unexpected(&other), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.0 {
            Some(value) => seed.deserialize(Reader(value)),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"a newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Array(items)) => read_seq(items, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(&other), &"a tuple variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"a tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Object(map)) => read_map(map, visitor),
            Some(other) => Err(Error::invalid_type(unexpected(&other), &"a struct variant")),
            None => Err(Error::invalid_type(
                Unexpected::UnitVariant,
                &"a struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Plain,
        Fancy,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Dot,
        Circle(f64),
        Pair(u8, u8),
        Rect { w: u32, h: u32 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wrapper(String);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Everything {
        id: Uuid,
        name: String,
        small: u8,
        signed: i64,
        ratio: f64,
        whole_ratio: f64,
        on: bool,
        maybe: Option<String>,
        absent: Option<u32>,
        #[serde(default)]
        defaulted: Vec<u32>,
        list: Vec<Mode>,
        pair: (u16, String),
        shapes: Vec<Shape>,
        wrapped: Wrapper,
        nested: std::collections::BTreeMap<String, Value>,
        #[serde(rename = "type")]
        kind: Mode,
    }

    fn sample() -> Everything {
        Everything {
            id: Uuid::from_u128(0x5170_0000_0000_4000_8000_0000_0000_0001),
            name: "Hé \"q\"".into(),
            small: 255,
            signed: -40,
            ratio: 0.25,
            whole_ratio: 3.0,
            on: true,
            maybe: Some("yes".into()),
            absent: None,
            defaulted: vec![],
            list: vec![Mode::Plain, Mode::Fancy],
            pair: (7, "seven".into()),
            shapes: vec![
                Shape::Dot,
                Shape::Circle(1.5),
                Shape::Pair(1, 2),
                Shape::Rect { w: 3, h: 4 },
            ],
            wrapped: Wrapper("w".into()),
            nested: [("k".to_string(), json!({"a": [1, null, "x"]}))]
                .into_iter()
                .collect(),
            kind: Mode::Fancy,
        }
    }

    /// Everything serde_json's own `from_value` reads, this reads the same way.
    #[test]
    fn agrees_with_serde_json_on_every_shape() {
        let value = serde_json::to_value(sample()).expect("to value");
        let ours: Everything = from_value(value.clone()).expect("ours");
        let theirs: Everything = serde_json::from_value(value).expect("theirs");
        assert_eq!(ours, theirs);
        assert_eq!(ours, sample());
    }

    #[test]
    fn integers_read_as_floats_and_defaults_fill_in() {
        let mut value = serde_json::to_value(sample()).expect("to value");
        value["whole_ratio"] = json!(3);
        value.as_object_mut().expect("object").remove("defaulted");
        value.as_object_mut().expect("object").remove("absent");
        assert_eq!(from_value::<Everything>(value).expect("reads"), sample());
    }

    #[test]
    fn wrong_input_is_refused_with_serde_json_style_messages() {
        let good = serde_json::to_value(sample()).expect("to value");
        let with = |key: &str, v: Value| {
            let mut bad = good.clone();
            bad[key] = v;
            from_value::<Everything>(bad)
                .expect_err("refused")
                .to_string()
        };
        assert!(
            with("small", json!(256)).contains("invalid value"),
            "{}",
            with("small", json!(256))
        );
        assert!(with("small", json!(-1)).contains("invalid value"));
        assert!(with("name", json!(5)).contains("invalid type"));
        assert!(with("on", json!("true")).contains("invalid type"));
        assert!(with("list", json!(["plain", "loud"])).contains("unknown variant `loud`"));
        assert!(with("pair", json!([1])).contains("invalid length"));
        assert!(with("pair", json!([1, "a", 3])).contains("invalid length"));
        assert!(with("shapes", json!([{"Rect": {"w": 1}}])).contains("missing field `h`"));
        assert!(with("shapes", json!([{"Dot": null, "Circle": 1.0}])).contains("exactly one key"));
        assert!(with("id", json!("nope")).contains("UUID"));
        let mut missing = good.clone();
        missing.as_object_mut().expect("object").remove("name");
        assert!(from_value::<Everything>(missing)
            .expect_err("refused")
            .to_string()
            .contains("missing field `name`"));
    }

    /// The one difference from serde_json: a struct written as an array is refused.
    #[test]
    fn a_struct_must_be_an_object() {
        let as_array = json!([Uuid::new_v4(), "n"]);
        let err = from_value::<Everything>(as_array)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("invalid type: sequence"), "{err}");
    }
}
