//! Removing personal metadata (EXIF with its GPS position, XMP, comments) from the image formats
//! that are stored as uploaded rather than re-encoded: WebP, GIF and AVIF. Each function walks
//! the container's own structure and answers `None` when the structure is malformed, so the
//! caller refuses the file instead of storing something it could not clean.

/// The WebP container without its `EXIF` and `XMP ` chunks (and their flags in `VP8X`).
pub fn strip_webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut i = 12;
    while i + 8 <= bytes.len() {
        let fourcc = &bytes[i..i + 4];
        let len = u32::from_le_bytes(bytes[i + 4..i + 8].try_into().ok()?) as usize;
        let end = i.checked_add(8)?.checked_add(len)?;
        let padded = end + (len & 1);
        if end > bytes.len() {
            return None;
        }
        if fourcc != b"EXIF" && fourcc != b"XMP " {
            let start = out.len();
            out.extend_from_slice(&bytes[i..end]);
            if len & 1 == 1 {
                out.push(0);
            }
            if fourcc == b"VP8X" && len >= 1 {
                // Flags byte: bit 3 EXIF, bit 2 XMP.
                out[start + 8] &= !(0x08 | 0x04);
            }
        }
        i = padded;
    }
    let riff_len = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&riff_len.to_le_bytes());
    Some(out)
}

/// Application extensions a GIF needs to play as intended (looping); every other application
/// extension (XMP is one) and every comment is dropped. ICC colour profiles are kept: they are
/// about colour, not about the person.
const GIF_KEPT_APPS: [&[u8]; 3] = [b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];

/// The GIF without comment extensions and without application extensions other than looping
/// and colour (XMP travels in one). Frames, palettes and timing are copied unchanged.
pub fn strip_gif(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 13 || !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) {
        return None;
    }
    let table_len = |packed: u8| {
        if packed & 0x80 != 0 {
            3usize << ((packed & 0x07) + 1)
        } else {
            0
        }
    };
    // Sub-blocks from `at` up to and including the zero terminator; answers the end.
    let sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = *bytes.get(at)? as usize;
            at += 1 + n;
            if n == 0 {
                return (at <= bytes.len()).then_some(at);
            }
        }
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 13 + table_len(bytes[10]);
    if i > bytes.len() {
        return None;
    }
    out.extend_from_slice(&bytes[..i]);
    loop {
        match *bytes.get(i)? {
            0x3B => {
                out.push(0x3B);
                return Some(out);
            }
            0x2C => {
                let descriptor = bytes.get(i..i + 10)?;
                // The descriptor, its local palette, and the LZW minimum code size.
                let data = i + 10 + table_len(descriptor[9]) + 1;
                let end = sub_blocks(data)?;
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            0x21 => {
                let label = *bytes.get(i + 1)?;
                let end = sub_blocks(i + 2)?;
                let keep = match label {
                    0xFE => false,
                    0xFF => {
                        let first = bytes.get(i + 2..i + 3 + 11)?;
                        first[0] == 11 && GIF_KEPT_APPS.contains(&&first[1..])
                    }
                    _ => true,
                };
                if keep {
                    out.extend_from_slice(&bytes[i..end]);
                }
                i = end;
            }
            _ => return None,
        }
    }
}

/// One ISO base media file format box: its type, where its payload starts and where it ends.
struct IsoBox {
    kind: [u8; 4],
    body: usize,
    end: usize,
}

/// The boxes laid one after another in `bytes[start..end]`.
fn iso_boxes(bytes: &[u8], start: usize, end: usize) -> Option<Vec<IsoBox>> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let head = bytes.get(i..i + 8)?;
        let size32 = u32::from_be_bytes(head[..4].try_into().ok()?) as usize;
        let kind: [u8; 4] = head[4..8].try_into().ok()?;
        let (body, size) = match size32 {
            0 => (i + 8, end - i),
            1 => {
                let large = u64::from_be_bytes(bytes.get(i + 8..i + 16)?.try_into().ok()?);
                (i + 16, usize::try_from(large).ok()?)
            }
            n => (i + 8, n),
        };
        let box_end = i.checked_add(size)?;
        if box_end > end || body > box_end {
            return None;
        }
        out.push(IsoBox {
            kind,
            body,
            end: box_end,
        });
        i = box_end;
    }
    Some(out)
}

/// A big-endian unsigned number of `size` bytes (0, 2, 4 or 8) at `*at`, moving `*at` on.
fn read_be(bytes: &[u8], at: &mut usize, size: usize) -> Option<u64> {
    let field = bytes.get(*at..*at + size)?;
    *at += size;
    Some(field.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
}

/// Blanks, in place, the payload of every EXIF item and every XMP item (`mime` item of type
/// `application/rdf+xml`) of an AVIF (HEIF) file. The layout and every offset stay as they are,
/// so the picture is untouched; the items remain, filled with zeros. Answers how many items
/// were blanked, or `None` when the boxes cannot be read or an item's data cannot be located.
pub fn blank_avif_metadata(bytes: &mut [u8]) -> Option<usize> {
    let top = iso_boxes(bytes, 0, bytes.len())?;
    let Some(meta) = top.iter().find(|b| &b.kind == b"meta") else {
        return Some(0);
    };
    // `meta` is a full box: version and flags come first.
    let children = iso_boxes(bytes, meta.body + 4, meta.end)?;
    let mut secret_items = Vec::new();
    if let Some(iinf) = children.iter().find(|b| &b.kind == b"iinf") {
        let version = *bytes.get(iinf.body)?;
        let first = iinf.body + 4 + if version == 0 { 2 } else { 4 };
        for infe in iso_boxes(bytes, first, iinf.end)? {
            let v = *bytes.get(infe.body)?;
            if &infe.kind != b"infe" || v < 2 {
                continue;
            }
            let mut at = infe.body + 4;
            let id = read_be(bytes, &mut at, if v == 2 { 2 } else { 4 })?;
            at += 2; // protection index
            let item_type = bytes.get(at..at + 4)?;
            let secret = match item_type {
                b"Exif" => true,
                b"mime" => {
                    let rest = bytes.get(at + 4..infe.end)?;
                    // item_name, then content_type, each ends with a NUL.
                    let mut strings = rest.split(|b| *b == 0);
                    let _name = strings.next();
                    strings
                        .next()
                        .is_some_and(|t| t.eq_ignore_ascii_case(b"application/rdf+xml"))
                }
                _ => false,
            };
            if secret {
                secret_items.push(id);
            }
        }
    }
    if secret_items.is_empty() {
        return Some(0);
    }
    let iloc = children.iter().find(|b| &b.kind == b"iloc")?;
    let idat = children.iter().find(|b| &b.kind == b"idat").map(|b| b.body);
    let version = *bytes.get(iloc.body)?;
    let mut at = iloc.body + 4;
    let sizes = read_be(bytes, &mut at, 1)? as usize;
    let (offset_size, length_size) = (sizes >> 4, sizes & 0x0f);
    let sizes = read_be(bytes, &mut at, 1)? as usize;
    let base_offset_size = sizes >> 4;
    let index_size = if version == 1 || version == 2 {
        sizes & 0x0f
    } else {
        0
    };
    let count = read_be(bytes, &mut at, if version < 2 { 2 } else { 4 })?;
    let mut ranges = Vec::new();
    for _ in 0..count {
        let id = read_be(bytes, &mut at, if version < 2 { 2 } else { 4 })?;
        let method = if version == 1 || version == 2 {
            read_be(bytes, &mut at, 2)? & 0x0f
        } else {
            0
        };
        at += 2; // data reference index
        let base = read_be(bytes, &mut at, base_offset_size)?;
        let extents = read_be(bytes, &mut at, 2)?;
        for _ in 0..extents {
            at += index_size;
            let offset = read_be(bytes, &mut at, offset_size)?;
            let length = read_be(bytes, &mut at, length_size)?;
            if !secret_items.contains(&id) {
                continue;
            }
            let origin = match method {
                0 => 0,
                1 => idat? as u64,
                _ => return None,
            };
            if length == 0 {
                return None;
            }
            let start = usize::try_from(origin.checked_add(base)?.checked_add(offset)?).ok()?;
            let end = start.checked_add(usize::try_from(length).ok()?)?;
            ranges.push(start..end);
        }
        if at > iloc.end {
            return None;
        }
    }
    for r in &ranges {
        bytes.get_mut(r.clone())?.fill(0);
    }
    Some(secret_items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webp_metadata_chunks_are_dropped() {
        let mut f = b"RIFF\0\0\0\0WEBP".to_vec();
        f.extend_from_slice(b"VP8X\x0a\0\0\0\x0c\0\0\0\0\0\0\0\0\0");
        f.extend_from_slice(b"EXIF\x03\0\0\0GPS\0");
        f.extend_from_slice(b"VP8L\x02\0\0\0ab");
        let out = strip_webp(&f).expect("valid");
        assert!(!out.windows(4).any(|w| w == b"EXIF"));
        assert_eq!(out[20] & 0x0c, 0);
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().expect("4")) as usize,
            out.len() - 8
        );
        assert!(out.ends_with(b"VP8L\x02\0\0\0ab"));
    }

    /// A 1×1 GIF89a with a comment, an XMP application extension and a looping extension.
    fn gif_with_metadata() -> Vec<u8> {
        let mut g = b"GIF89a\x01\0\x01\0\x80\0\0".to_vec();
        g.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // global palette, 2 colours
        g.extend_from_slice(b"\x21\xFE\x0bGPS 51.5,-0\0"); // comment
        g.extend_from_slice(b"\x21\xFF\x0bXMP DataXMP\x08<x:GPS/>\0");
        g.extend_from_slice(b"\x21\xFF\x0bNETSCAPE2.0\x03\x01\0\0\0");
        g.extend_from_slice(b"\x21\xF9\x04\0\0\0\0\0"); // graphic control
        g.extend_from_slice(b"\x2C\0\0\0\0\x01\0\x01\0\0"); // image descriptor
        g.extend_from_slice(b"\x02\x02\x44\x01\0"); // LZW data
        g.push(0x3B);
        g
    }

    #[test]
    fn gif_comments_and_xmp_are_dropped_and_the_frames_kept() {
        let g = gif_with_metadata();
        let out = strip_gif(&g).expect("valid");
        assert!(!out.windows(3).any(|w| w == b"GPS"), "metadata survived");
        assert!(out.windows(11).any(|w| w == b"NETSCAPE2.0"), "looping lost");
        assert!(out.ends_with(b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3B"));
        let decoded = image::load_from_memory_with_format(&out, image::ImageFormat::Gif)
            .expect("still a GIF");
        assert_eq!((decoded.width(), decoded.height()), (1, 1));
        // Cut short: refused rather than half-cleaned.
        assert!(strip_gif(&g[..g.len() - 8]).is_none());
        assert!(strip_gif(b"GIF89a\x01\0\x01\0\0\0\0\x99").is_none());
    }

    fn iso(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(body.len() + 8)
            .expect("small")
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn infe(id: u16, kind: &[u8; 4], extra: &[u8]) -> Vec<u8> {
        let mut b = vec![2, 0, 0, 0];
        b.extend_from_slice(&id.to_be_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(kind);
        b.extend_from_slice(extra);
        iso(b"infe", &b)
    }

    /// An AVIF-shaped file: item 1 is the picture (in `mdat`), item 2 EXIF (in `mdat`), item 3
    /// XMP (in `idat`, construction method 1).
    fn avif_with_metadata() -> (Vec<u8>, std::ops::Range<usize>) {
        let ftyp = iso(b"ftyp", b"avif\0\0\0\0avifmif1");
        let mut iinf = vec![0, 0, 0, 0, 0, 3];
        iinf.extend(infe(1, b"av01", b"\0"));
        iinf.extend(infe(2, b"Exif", b"\0"));
        iinf.extend(infe(3, b"mime", b"\0application/rdf+xml\0"));
        let iinf = iso(b"iinf", &iinf);
        let idat = iso(b"idat", b"<x:GPS>51.5</x:GPS>");
        let picture = b"AV1-PICTURE-DATA";
        let exif = b"\0\0\0\0MM\0*GPS-SECRET";
        // iloc is built twice: its size decides where mdat starts.
        let build = |mdat_at: u32| {
            let mut l = vec![1, 0, 0, 0, 0x44, 0x00, 0, 3];
            for (id, method, offset, len) in [
                (1u16, 0u16, mdat_at + 8, picture.len()),
                (2, 0, mdat_at + 8 + picture.len() as u32, exif.len()),
                (3, 1, 0, 19),
            ] {
                l.extend_from_slice(&id.to_be_bytes());
                l.extend_from_slice(&method.to_be_bytes());
                l.extend_from_slice(&[0, 0, 0, 1]);
                l.extend_from_slice(&offset.to_be_bytes());
                l.extend_from_slice(&(len as u32).to_be_bytes());
            }
            let mut meta = vec![0, 0, 0, 0];
            meta.extend(iso(
                b"hdlr",
                b"\0\0\0\0\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0",
            ));
            meta.extend(iinf.clone());
            meta.extend(iso(b"iloc", &l));
            meta.extend(idat.clone());
            iso(b"meta", &meta)
        };
        let meta_len = build(0).len();
        let mdat_at = u32::try_from(ftyp.len() + meta_len).expect("small");
        let mut file = ftyp;
        file.extend(build(mdat_at));
        let mut mdat = picture.to_vec();
        mdat.extend_from_slice(exif);
        file.extend(iso(b"mdat", &mdat));
        let at = mdat_at as usize + 8;
        (file, at..at + picture.len())
    }

    #[test]
    fn avif_exif_and_xmp_items_are_blanked_in_place() {
        let (mut f, picture) = avif_with_metadata();
        let len = f.len();
        assert!(f.windows(3).any(|w| w == b"GPS"));
        assert_eq!(blank_avif_metadata(&mut f), Some(2));
        assert_eq!(f.len(), len);
        assert!(!f.windows(3).any(|w| w == b"GPS"), "metadata survived");
        assert_eq!(&f[picture], b"AV1-PICTURE-DATA");
        // No metadata box at all: nothing changes.
        let mut bare = iso(b"ftyp", b"avif\0\0\0\0avif");
        bare.extend(iso(b"mdat", b"GPS"));
        let copy = bare.clone();
        assert_eq!(blank_avif_metadata(&mut bare), Some(0));
        assert_eq!(bare, copy);
        // A box that runs past the end is refused.
        let (mut h, _) = avif_with_metadata();
        h.truncate(h.len() - 4);
        assert!(blank_avif_metadata(&mut h).is_none());
    }
}
