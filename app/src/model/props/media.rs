//! Embedded content: video, map and the Pro plan's custom HTML. Each renders in an iframe, so
//! the URLs those iframes load are built here from checked parts, never taken as typed.

use serde::{Deserialize, Serialize};

use super::check_url;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoEmbedProps {
    pub heading: String,
    /// A YouTube (`youtube.com/watch?v=…`, `youtu.be/…`) or Vimeo (`vimeo.com/<digits>`) link.
    pub url: String,
    pub caption: String,
}

/// A video the embed player can show, parsed from the link a person pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoSource {
    YouTube(String),
    Vimeo(String),
}

impl VideoSource {
    /// Parses the watch-page links people copy from YouTube and Vimeo. Anything else,
    /// including look-alike hosts (`youtube.com.evil.test`), is `None`.
    pub fn parse(url: &str) -> Option<Self> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &url[8..]
        } else if lower.starts_with("http://") {
            &url[7..]
        } else {
            url
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path_query) = rest
            .find(['/', '?'])
            .map_or((rest, ""), |i| rest.split_at(i));
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        match authority.to_ascii_lowercase().as_str() {
            "youtube.com" | "www.youtube.com" | "m.youtube.com" if path == "/watch" => query
                .split('&')
                .find_map(|kv| kv.strip_prefix("v="))
                .filter(|id| is_youtube_id(id))
                .map(|id| Self::YouTube(id.to_string())),
            "youtu.be" => path
                .strip_prefix('/')
                .filter(|id| is_youtube_id(id))
                .map(|id| Self::YouTube(id.to_string())),
            "vimeo.com" | "www.vimeo.com" => {
                let id = path.strip_prefix('/')?.trim_end_matches('/');
                let ok = (1..=12).contains(&id.len()) && id.chars().all(|c| c.is_ascii_digit());
                ok.then(|| Self::Vimeo(id.to_string()))
            }
            _ => None,
        }
    }

    /// The player address for the iframe. YouTube's no-cookie host sets no tracking cookies
    /// until the visitor presses play.
    pub fn embed_url(&self) -> String {
        match self {
            Self::YouTube(id) => format!("https://www.youtube-nocookie.com/embed/{id}"),
            Self::Vimeo(id) => format!("https://player.vimeo.com/video/{id}"),
        }
    }
}

/// YouTube video ids are 11 characters of the URL-safe base64 alphabet.
fn is_youtube_id(id: &str) -> bool {
    id.len() == 11
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MapProps {
    pub heading: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    /// OpenStreetMap zoom level, 1 (world) to 19 (building).
    pub zoom: u8,
}

impl MapProps {
    /// The OpenStreetMap embed for the point, framing roughly what the zoom level shows in a
    /// 2:1 box about three map tiles wide.
    pub fn embed_url(&self) -> String {
        let (lat, lng) = (
            self.latitude.clamp(-85.0, 85.0),
            self.longitude.clamp(-180.0, 180.0),
        );
        // One 256 px tile spans 360 / 2^zoom degrees of longitude.
        let half_width = 360.0 / f64::from(1u32 << self.zoom.clamp(1, 19)) * 1.5;
        // Degrees of latitude shrink towards the poles on the map; cos(lat) keeps the box 2:1.
        let half_height = half_width * lat.to_radians().cos() / 2.0;
        let west = (lng - half_width).max(-180.0);
        let east = (lng + half_width).min(180.0);
        let south = (lat - half_height).max(-85.0);
        let north = (lat + half_height).min(85.0);
        format!(
            "https://www.openstreetmap.org/export/embed.html?bbox={west:.5}%2C{south:.5}%2C{east:.5}%2C{north:.5}\
             &layer=mapnik&marker={:.5}%2C{:.5}",
            self.latitude, self.longitude
        )
    }

    /// The same point on openstreetmap.org, for the "Open in OpenStreetMap" link.
    pub fn link_url(&self) -> String {
        let (lat, lng) = (self.latitude, self.longitude);
        format!(
            "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lng:.5}#map={}/{lat:.5}/{lng:.5}",
            self.zoom
        )
    }
}

/// Raw HTML from the tenant (Pro plan only). It is only ever rendered as the `srcdoc` of a
/// sandboxed iframe, never into the page itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomHtmlProps {
    pub html: String,
    /// Height of the frame in CSS pixels; a sandboxed frame cannot size itself to its content.
    pub height: u32,
}

pub const CUSTOM_HTML_MAX: usize = 20_000;

impl VideoEmbedProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("url", &self.url)?;
        if !self.url.trim().is_empty() && VideoSource::parse(&self.url).is_none() {
            return Err(AppError::invalid(
                "url",
                "Paste a YouTube link (youtube.com/watch?v=… or youtu.be/…) or a Vimeo link (vimeo.com/…).",
            ));
        }
        Ok(())
    }
}

impl MapProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        if !(-90.0..=90.0).contains(&self.latitude) {
            return Err(AppError::invalid(
                "latitude",
                "Latitude must be between -90 and 90.",
            ));
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            return Err(AppError::invalid(
                "longitude",
                "Longitude must be between -180 and 180.",
            ));
        }
        if !(1..=19).contains(&self.zoom) {
            return Err(AppError::invalid(
                "zoom",
                "Zoom must be between 1 (whole world) and 19 (street).",
            ));
        }
        Ok(())
    }
}

impl CustomHtmlProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        if !(50..=2000).contains(&self.height) {
            return Err(AppError::invalid(
                "height",
                "Make the frame 50 to 2000 pixels tall.",
            ));
        }
        Ok(())
    }
}
