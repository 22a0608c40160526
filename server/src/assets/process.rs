//! What an upload is, by its content: the magic bytes decide the type (never the name), images
//! are measured from their header before anything is decoded (a decompression bomb is refused
//! unread), then decoded once and written back without their EXIF/GPS metadata.

use std::io::{BufReader, BufWriter};
use std::path::Path;

use app::error::AppError;
use app::model::AssetKind;

/// Most pixels an image may have (50 megapixels: a 12-MP phone photo fits four times over).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side of an image.
pub const MAX_SIDE: u64 = 20_000;
/// Bytes read before deciding what a file is.
pub const SNIFF_LEN: usize = 64;

/// The file types the library accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Avif,
    Gif,
    Pdf,
    Mp4,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Avif => "avif",
            Self::Gif => "gif",
            Self::Pdf => "pdf",
            Self::Mp4 => "mp4",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Avif => "image/avif",
            Self::Gif => "image/gif",
            Self::Pdf => "application/pdf",
            Self::Mp4 => "video/mp4",
        }
    }

    /// How people call it in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "a JPEG image",
            Self::Png => "a PNG image",
            Self::Webp => "a WebP image",
            Self::Avif => "an AVIF image",
            Self::Gif => "a GIF image",
            Self::Pdf => "a PDF document",
            Self::Mp4 => "an MP4 video",
        }
    }

    pub fn kind(self) -> AssetKind {
        match self {
            Self::Pdf => AssetKind::Raw,
            Self::Mp4 => AssetKind::Video,
            _ => AssetKind::Image,
        }
    }

    pub fn is_image(self) -> bool {
        self.kind() == AssetKind::Image
    }

    /// The type a file name claims by its extension, if it names one we know.
    fn from_name(name: &str) -> Option<Result<Self, ()>> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Ok(Self::Jpeg),
            "png" => Ok(Self::Png),
            "webp" => Ok(Self::Webp),
            "avif" => Ok(Self::Avif),
            "gif" => Ok(Self::Gif),
            "pdf" => Ok(Self::Pdf),
            "mp4" | "m4v" => Ok(Self::Mp4),
            _ => Err(()),
        })
    }
}

const SUPPORTED: &str = "Upload JPEG, PNG, WebP, AVIF or GIF images, PDF documents or MP4 videos.";

fn refuse(message: impl Into<String>) -> AppError {
    AppError::invalid("file", message)
}

/// Decides the type from the first bytes, and refuses a file whose name claims another type
/// (a PNG called `report.pdf` is not accepted as a PDF; a script called `photo.jpg` is not an
/// image at all).
pub fn sniff(head: &[u8], file_name: &str) -> Result<Format, AppError> {
    let found =
        match head {
            [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Format::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Format::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::Webp),
            [b'%', b'P', b'D', b'F', b'-', ..] => Some(Format::Pdf),
            [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 => {
                match &brand[..4] {
                b"avif" | b"avis" => Some(Format::Avif),
                b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1"
                | b"M4V " | b"dash" | b"MSNV" => Some(Format::Mp4),
                b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => {
                    return Err(refuse(
                        "HEIC photos are not supported. Export the photo as JPEG (most phones can) and upload that.",
                    ))
                }
                b"qt  " => {
                    return Err(refuse(
                        "QuickTime (.mov) videos are not supported. Export the video as MP4 and upload that.",
                    ))
                }
                _ => None,
            }
            }
            _ => None,
        };
    let Some(found) = found else {
        if looks_like_svg(head) {
            return Err(refuse(
                "SVG files are not accepted: they can carry scripts. Export the graphic as PNG and upload that.",
            ));
        }
        let claimed = Format::from_name(file_name).and_then(Result::ok);
        return Err(refuse(match claimed {
            Some(c) => format!(
                "\"{}\" is named like {} but its content is not. {SUPPORTED}",
                short(file_name),
                c.label()
            ),
            None => format!(
                "\"{}\" is not a supported file type. {SUPPORTED}",
                short(file_name)
            ),
        }));
    };
    match Format::from_name(file_name) {
        Some(Ok(claimed)) if claimed != found => Err(refuse(format!(
            "\"{}\" is named like {} but its content is {}. Rename it to .{} or upload the real file.",
            short(file_name),
            claimed.label(),
            found.label(),
            found.ext()
        ))),
        Some(Err(())) if file_name.to_ascii_lowercase().ends_with(".svg") => Err(refuse(
            "SVG files are not accepted: they can carry scripts. Export the graphic as PNG and upload that.",
        )),
        _ => Ok(found),
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<svg")
        || (t.starts_with("<?xml") && text.contains("<svg"))
        || text.contains("<svg")
}

/// A file name for messages: at most 60 characters, no control characters.
fn short(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() > 60 {
        format!("{}…", clean.chars().take(59).collect::<String>())
    } else {
        clean
    }
}

/// What processing an image produced.
pub struct Processed {
    pub width: u32,
    pub height: u32,
}

/// Reads an image's size from its header and refuses pixel bombs, then (JPEG, PNG, WebP)
/// decodes it once and writes `out` without metadata (orientation applied for JPEG and PNG).
/// GIF and AVIF are measured from their header and kept as uploaded, less their metadata
/// (`assets::metadata`). Blocking: run it on a
/// blocking thread.
pub fn process_image(format: Format, input: &Path, out: &Path) -> Result<Processed, AppError> {
    let size = imagesize::size(input).map_err(|_| {
        refuse(format!(
            "This file looks like {} but it is damaged or cut short.",
            format.label()
        ))
    })?;
    let (w, h) = (size.width as u64, size.height as u64);
    if w == 0 || h == 0 {
        return Err(refuse("This image has no pixels."));
    }
    if w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS {
        return Err(refuse(format!(
            "This image is {w}×{h} pixels; images may have at most {} megapixels and {MAX_SIDE} pixels per side. Resize it and try again.",
            MAX_PIXELS / 1_000_000
        )));
    }
    let damaged = || {
        refuse(format!(
            "This file looks like {} but could not be read: it is damaged or cut short.",
            format.label()
        ))
    };
    match format {
        Format::Jpeg | Format::Png => {
            use image::ImageDecoder;
            let mut reader = image::ImageReader::new(BufReader::new(
                std::fs::File::open(input).map_err(|_| AppError::Internal)?,
            ));
            reader.set_format(if format == Format::Jpeg {
                image::ImageFormat::Jpeg
            } else {
                image::ImageFormat::Png
            });
            reader.limits(decode_limits());
            let mut decoder = reader.into_decoder().map_err(|_| damaged())?;
            let orientation = decoder
                .orientation()
                .unwrap_or(image::metadata::Orientation::NoTransforms);
            let mut img = image::DynamicImage::from_decoder(decoder).map_err(|_| damaged())?;
            img.apply_orientation(orientation);
            let file = std::fs::File::create(out).map_err(|_| AppError::Internal)?;
            let mut w = BufWriter::new(file);
            let encoded = if format == Format::Jpeg {
                let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
                rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                    &mut w, 90,
                ))
            } else {
                img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut w))
            };
            encoded.map_err(|e| {
                tracing::error!(error = %e, "re-encoding an upload failed");
                AppError::Internal
            })?;
            std::io::Write::flush(&mut w).map_err(|_| AppError::Internal)?;
            Ok(Processed {
                width: img.width(),
                height: img.height(),
            })
        }
        Format::Webp => {
            let bytes = std::fs::read(input).map_err(|_| AppError::Internal)?;
            let mut reader = image::ImageReader::with_format(
                std::io::Cursor::new(&bytes),
                image::ImageFormat::WebP,
            );
            reader.limits(decode_limits());
            let img = reader.decode().map_err(|_| damaged())?;
            let clean = super::metadata::strip_webp(&bytes).ok_or_else(damaged)?;
            std::fs::write(out, clean).map_err(|_| AppError::Internal)?;
            Ok(Processed {
                width: img.width(),
                height: img.height(),
            })
        }
        Format::Gif | Format::Avif => {
            let mut bytes = std::fs::read(input).map_err(|_| AppError::Internal)?;
            let clean = if format == Format::Gif {
                super::metadata::strip_gif(&bytes)
            } else {
                super::metadata::blank_avif_metadata(&mut bytes).map(|_| bytes)
            };
            std::fs::write(out, clean.ok_or_else(damaged)?).map_err(|_| AppError::Internal)?;
            Ok(Processed {
                width: w as u32,
                height: h as u32,
            })
        }
        Format::Pdf | Format::Mp4 => Err(AppError::Internal),
    }
}

/// A second guard behind the header check: the decoder itself refuses to allocate more.
pub fn decode_limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE as u32);
    l.max_image_height = Some(MAX_SIDE as u32);
    l.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    l
}

/// The responsive variants of a stored original: `(width, webp bytes)` for each width in
/// `VARIANT_WIDTHS` narrower than the image. Blocking.
pub fn variants(format: Format, original: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, String> {
    use fast_image_resize as fr;
    let image_format = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        _ => return Ok(Vec::new()),
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(original), image_format);
    reader.limits(decode_limits());
    let img = reader.decode().map_err(|e| format!("decode: {e}"))?;
    let has_alpha = img.color().has_alpha();
    let (src_w, src_h) = (img.width(), img.height());
    let (pixels, pixel_type) = if has_alpha {
        (img.into_rgba8().into_raw(), fr::PixelType::U8x4)
    } else {
        (img.into_rgb8().into_raw(), fr::PixelType::U8x3)
    };
    let src = fr::images::Image::from_vec_u8(src_w, src_h, pixels, pixel_type)
        .map_err(|e| format!("source buffer: {e}"))?;
    let mut resizer = fr::Resizer::new();
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    let mut out = Vec::new();
    for width in app::model::VARIANT_WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < src_w)
    {
        let height = ((u64::from(src_h) * u64::from(width) + u64::from(src_w) / 2)
            / u64::from(src_w))
        .max(1) as u32;
        let mut dst = fr::images::Image::new(width, height, pixel_type);
        resizer
            .resize(&src, &mut dst, &options)
            .map_err(|e| format!("resize: {e}"))?;
        let encoder = if has_alpha {
            webp::Encoder::from_rgba(dst.buffer(), width, height)
        } else {
            webp::Encoder::from_rgb(dst.buffer(), width, height)
        };
        out.push((width, encoder.encode(80.0).to_vec()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_and_a_mismatched_name_is_refused() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(sniff(&png, "a.png").ok(), Some(Format::Png));
        assert_eq!(sniff(&png, "noext").ok(), Some(Format::Png));
        let err = sniff(&png, "report.pdf").expect_err("png named pdf");
        assert!(
            err.to_string()
                .contains("named like a PDF document but its content is a PNG image"),
            "{err}"
        );
        let err = sniff(b"#!/bin/sh\nrm -rf /\n", "photo.jpg").expect_err("script");
        assert!(
            err.to_string()
                .contains("named like a JPEG image but its content is not"),
            "{err}"
        );
        let err = sniff(b"<?xml version=\"1.0\"?><svg xmlns=", "logo.png").expect_err("svg");
        assert!(err.to_string().contains("SVG"), "{err}");
        assert_eq!(sniff(b"%PDF-1.7\n", "a.pdf").ok(), Some(Format::Pdf));
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0", "v.mp4").ok(),
            Some(Format::Mp4)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypavif\0\0", "p.avif").ok(),
            Some(Format::Avif)
        );
    }
}
