//! The JSON the browser and the server exchange, decoded in the browser through one path.
//!
//! Leptos' stock codecs deserialize server-function replies with `serde_json::from_slice` and
//! hydration data with `serde_json::from_str`, and the builder turns edited props back into
//! typed structs with `serde_json::from_value`. Each of those is a separate copy of every wire
//! type's deserializer in the WASM bundle. In the browser this module parses any JSON text into
//! a `serde_json::Value` once (one parser, not generic) and then reads the typed value from it
//! with `model::value_reader`, so every wire type has exactly one deserializer there: the one
//! the props already need.
//! Serializing works the same way in reverse. The bytes on the wire are ordinary JSON, so the
//! server, the tests and the benchmarks that speak JSON to the API are unaffected; the server
//! keeps the direct (faster) path.
//!
//! Use `WireJson` as a server function's `input`/`output` and `wire_resource` for resources.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Serializes `value` as JSON text.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    #[cfg(feature = "ssr")]
    {
        serde_json::to_string(value)
    }
    #[cfg(not(feature = "ssr"))]
    {
        serde_json::to_value(value).map(|v| v.to_string())
    }
}

/// Reads a `T` from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &[u8]) -> Result<T, serde_json::Error> {
    #[cfg(feature = "ssr")]
    {
        serde_json::from_slice(text)
    }
    #[cfg(not(feature = "ssr"))]
    {
        serde_json::from_slice::<serde_json::Value>(text)
            .and_then(crate::model::value_reader::from_value)
    }
}

/// The server-function encoding: a JSON body, `application/json`, like Leptos' `Json`.
pub struct WireJsonEncoding;

/// Use as `#[server(input = WireJson, output = WireJson)]`.
pub type WireJson = Post<WireJsonEncoding>;

impl ContentType for WireJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for WireJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for WireJsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        to_json(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for WireJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        #[cfg(feature = "ssr")]
        require_json_content_type()?;
        from_json(&bytes)
    }
}

/// On the server this decoder reads request bodies only, and a JSON server function takes
/// nothing but `Content-Type: application/json`: a form-encoded or `text/plain` body is what a
/// foreign page can send without a CORS preflight. The request's headers are in the reactive
/// context `leptos_axum` runs the function in; outside a request (unit tests) nothing is checked.
#[cfg(feature = "ssr")]
fn require_json_content_type() -> Result<(), serde_json::Error> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(());
    };
    let json = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(serde::de::Error::custom(
            "this function takes Content-Type: application/json",
        ))
    }
}

/// A `T` kept as parsed JSON, read into its type only when asked (`read`). The builder's
/// opening download hydrates from its page data as a `Raw` and leaves reading the blocks to the
/// editor's chunk, so the typed deserializers of every block kind stay out of the opening
/// (end2end/bench/BENCHMARKS.md, "Bundle size"). On the wire it is exactly `T`'s JSON.
pub struct Raw<T> {
    value: serde_json::Value,
    of: std::marker::PhantomData<fn() -> T>,
}

impl<T> Raw<T> {
    /// A string field of the top-level object ("" when absent).
    pub fn text(&self, key: &str) -> &str {
        self.value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }
}

impl<T: Serialize> Raw<T> {
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        Ok(Self {
            value: serde_json::to_value(value)?,
            of: std::marker::PhantomData,
        })
    }
}

impl<T: DeserializeOwned> Raw<T> {
    /// The typed value.
    pub fn read(self) -> Result<T, serde_json::Error> {
        #[cfg(feature = "ssr")]
        {
            serde_json::from_value(self.value)
        }
        #[cfg(not(feature = "ssr"))]
        {
            crate::model::value_reader::from_value(self.value)
        }
    }
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            of: std::marker::PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Raw<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> Serialize for Raw<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<'de, T> serde::Deserialize<'de> for Raw<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self {
            value: serde_json::Value::deserialize(d)?,
            of: std::marker::PhantomData,
        })
    }
}

/// The hydration codec of `wire_resource`: what the server wrote into the page is read back
/// through the same path.
pub struct WireCodec;

impl<T: Serialize> Encoder<T> for WireCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        to_json(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for WireCodec {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, Self::Error> {
        from_json(text.as_bytes())
    }
}

/// `Resource::new` with `WireCodec`: loads on the server during rendering, hydrates in the browser.
#[track_caller]
pub fn wire_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, WireCodec>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Sample {
        name: String,
        items: Vec<u32>,
        #[serde(default)]
        note: Option<String>,
    }

    #[test]
    fn round_trips_through_both_codecs() {
        let s = Sample {
            name: "Hé \"quoted\"".into(),
            items: vec![1, 2, 3],
            note: None,
        };
        let text = to_json(&s).expect("serializes");
        assert_eq!(from_json::<Sample>(text.as_bytes()).expect("parses"), s);
        let bytes = <WireJsonEncoding as Encodes<Sample>>::encode(&s).expect("encodes");
        assert_eq!(
            <WireJsonEncoding as Decodes<Sample>>::decode(bytes).expect("decodes"),
            s
        );
        let encoded = <WireCodec as Encoder<Sample>>::encode(&s).expect("encodes");
        assert_eq!(
            <WireCodec as Decoder<Sample>>::decode(&encoded).expect("decodes"),
            s
        );
    }

    #[test]
    fn refuses_wrong_types_and_broken_json() {
        let err = from_json::<Sample>(br#"{"name": 5, "items": []}"#)
            .expect_err("a number is not a name");
        assert!(err.to_string().contains("invalid type"), "{err}");
        assert!(from_json::<Sample>(b"{not json").is_err());
    }
}
