//! Turning an uploaded image into the variants we keep: sniffed by its first bytes,
//! decoded under limits (a small file may declare a huge canvas), turned upright by its
//! EXIF orientation, scaled to the variant widths and encoded afresh. Encoding afresh is
//! what strips the metadata: the encoders write pixels only, so EXIF (camera, GPS
//! position), XMP, comments and ICC profiles of the upload are not carried over.
//!
//! All of it is CPU work; callers run [`process`] on the blocking pool.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
    imageops::FilterType,
    metadata::Orientation,
};
use sha2::{Digest, Sha256};

use crate::{
    error::{AppError, AppResult},
    files::{DocType, sniff},
};

/// Widths of the variants made of every photo (those narrower than the original; the
/// original's width, capped at the last of these, is always the largest variant).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// Longest side accepted, pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Most memory one decoded image may take (a 48-megapixel phone photo needs 144 MiB).
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 82;

/// One encoded variant.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// The encoded file.
    pub bytes: Vec<u8>,
}

/// An upload, processed.
#[derive(Debug, Clone)]
pub struct Processed {
    /// image/jpeg, image/png or image/webp (the type of the upload, and of the variants).
    pub content_type: &'static str,
    /// Variants, narrowest first.
    pub variants: Vec<Variant>,
    /// Bytes uploaded.
    pub size: u64,
    /// SHA-256 of the upload, lower-case hex.
    pub sha256: String,
}

/// The image type of an upload from its first bytes, or 415 naming what we take.
pub fn image_type(bytes: &[u8]) -> AppResult<DocType> {
    if bytes.is_empty() {
        return Err(AppError::field("file", "the file is empty"));
    }
    match sniff(&bytes[..bytes.len().min(16)], false) {
        Some(t @ (DocType::Jpeg | DocType::Png | DocType::Webp)) => Ok(t),
        _ => Err(AppError::UnsupportedMediaType(
            "this file is not an image we take (judged by its content, not its name): upload a JPEG, PNG or WebP image".into(),
        )),
    }
}

/// Checks, decodes and re-encodes an upload as its variants.
pub fn process(bytes: &[u8]) -> AppResult<Processed> {
    let kind = image_type(bytes)?;
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let image = decode(bytes, kind)?;
    let variants = variants(&image, kind)?;
    Ok(Processed { content_type: kind.mime(), variants, size: bytes.len() as u64, sha256 })
}

fn format_of(kind: DocType) -> ImageFormat {
    match kind {
        DocType::Png => ImageFormat::Png,
        DocType::Webp => ImageFormat::WebP,
        _ => ImageFormat::Jpeg,
    }
}

fn unreadable(e: ImageError) -> AppError {
    match e {
        ImageError::Limits(_) => AppError::field(
            "file",
            format!("the image is too large to process: at most {MAX_SIDE} pixels on a side and about 48 megapixels"),
        ),
        _ => AppError::field("file", "this file is not a readable JPEG/PNG/WebP image"),
    }
}

/// Whether a JPEG's image data runs to its end marker. The JPEG decoder forgives a file
/// cut short (it fills the missing rows with grey); we refuse it instead, as a failed
/// upload. The segments before the first scan are walked by their lengths (an EXIF
/// thumbnail has end markers of its own); after it, an end marker can only be the end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 1 < bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        i += 2;
        match marker {
            // Fill bytes, and markers that stand alone.
            0xFF => i -= 1,
            0x01 | 0xD0..=0xD8 => {}
            0xD9 => return false,
            _ => {
                let Some(len) = bytes.get(i..i + 2).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) else { return false };
                i += len;
                if marker == 0xDA {
                    return bytes.get(i..).is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9]));
                }
            }
        }
    }
    false
}

/// Decodes under limits and applies the EXIF orientation.
fn decode(bytes: &[u8], kind: DocType) -> AppResult<DynamicImage> {
    if kind == DocType::Jpeg && !jpeg_is_complete(bytes) {
        return Err(unreadable(ImageError::IoError(std::io::ErrorKind::UnexpectedEof.into())));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format_of(kind));
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // `into_decoder` checks the sides; the size of the pixel buffer is ours to check.
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(unreadable(ImageError::Limits(image::error::LimitError::from_kind(image::error::LimitErrorKind::InsufficientMemory))));
    }
    // A broken orientation tag is no reason to refuse the photo: it stays as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    if image.width() == 0 || image.height() == 0 {
        return Err(unreadable(ImageError::IoError(std::io::ErrorKind::InvalidData.into())));
    }
    Ok(image)
}

/// The widths made of an image `original` pixels wide, narrowest first.
pub fn variant_widths(original: u32) -> Vec<u32> {
    let top = original.min(WIDTHS[WIDTHS.len() - 1]);
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < top).collect();
    widths.push(top);
    widths
}

/// `image` scaled to `width`, keeping its proportions. Large reductions first take a
/// quick box average down to twice the size, so the filter runs on few pixels.
fn scaled(image: &DynamicImage, width: u32) -> DynamicImage {
    let (w, h) = (u64::from(image.width()), u64::from(image.height()));
    let height = ((h * u64::from(width) + w / 2) / w).max(1) as u32;
    if width == image.width() {
        return image.clone();
    }
    if image.width() > 2 * width {
        let near = image.thumbnail_exact(2 * width, 2 * height);
        return near.resize_exact(width, height, FilterType::CatmullRom);
    }
    image.resize_exact(width, height, FilterType::CatmullRom)
}

/// Scales and encodes every variant: the largest from the decoded image, the smaller
/// ones from the largest.
fn variants(image: &DynamicImage, kind: DocType) -> AppResult<Vec<Variant>> {
    let widths = variant_widths(image.width());
    let top = scaled(image, widths[widths.len() - 1]);
    // Eight bits a channel, alpha only where the type can hold it and the image has it.
    let top = if kind != DocType::Jpeg && top.color().has_alpha() {
        DynamicImage::ImageRgba8(top.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(top.into_rgb8())
    };
    widths
        .iter()
        .map(|&width| {
            let img = if width == top.width() { top.clone() } else { scaled(&top, width) };
            Ok(Variant { width: img.width(), height: img.height(), bytes: encode(&img, kind)? })
        })
        .collect()
}

/// Encodes in the upload's own type.
fn encode(image: &DynamicImage, kind: DocType) -> AppResult<Vec<u8>> {
    let mut out = Vec::new();
    let written = match kind {
        DocType::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
        DocType::Webp => image.write_with_encoder(WebPEncoder::new_lossless(&mut out)),
        _ => image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
    };
    written.map_err(|e| AppError::Internal(anyhow::anyhow!("encoding a photo variant: {e}")))?;
    Ok(out)
}

/// A placeholder photo for the demo, drawn here (no photo is downloaded or bundled):
/// a calm evening sky over two hills, a low sun and a row of buildings, 1600×1067 JPEG.
pub fn demo_image() -> Vec<u8> {
    let (w, h) = (1600u32, 1067u32);
    let horizon = 0.62;
    let (sun_x, sun_y, sun_r) = (1150.0f32, 560.0f32, 90.0f32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = fy / h as f32;
        // Sky: deep blue at the top to a warm haze at the horizon.
        let sky = mix([38.0, 70.0, 128.0], [238.0, 190.0, 150.0], (t / horizon).min(1.0));
        let mut px = sky;
        let d = ((fx - sun_x).powi(2) + (fy - sun_y).powi(2)).sqrt();
        if d < sun_r {
            px = [250.0, 226.0, 170.0];
        } else if d < sun_r * 2.5 {
            px = mix([250.0, 214.0, 160.0], sky, (d - sun_r) / (sun_r * 1.5));
        }
        // Buildings: a row of blocks of different heights standing on the horizon.
        let block = (x / 70) as f32;
        let top = h as f32 * horizon - 40.0 - ((block * 37.0) % 110.0);
        if (210..980).contains(&x) && x % 70 > 8 && fy > top {
            px = mix([70.0, 80.0, 104.0], [92.0, 100.0, 124.0], ((x % 70) as f32) / 70.0);
            let window = (x % 70) % 16 < 7 && (y % 24) < 10 && fy > top + 12.0;
            if window {
                px = [226.0, 205.0, 140.0];
            }
        }
        // Two hills in front, the nearer one darker.
        let far = h as f32 * (horizon + 0.04) - 70.0 * (fx / 260.0).sin();
        let near = h as f32 * (horizon + 0.16) - 55.0 * (fx / 410.0 + 1.3).sin();
        if fy > far {
            px = mix([86.0, 122.0, 96.0], [62.0, 98.0, 74.0], ((fy - far) / 200.0).min(1.0));
        }
        if fy > near {
            px = mix([52.0, 84.0, 60.0], [34.0, 60.0, 44.0], ((fy - near) / 300.0).min(1.0));
        }
        Rgb(px.map(|c| c.clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    // Encoding an in-memory RGB buffer of a fixed size cannot fail; an empty result
    // would be refused as "not an image" by whoever stores it.
    let _ = DynamicImage::ImageRgb8(img).write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY));
    out
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    let t = t.clamp(0.0, 1.0);
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_the_fixed_widths_below_the_original_plus_the_capped_original() {
        assert_eq!(variant_widths(4000), vec![480, 960, 1600]);
        assert_eq!(variant_widths(1600), vec![480, 960, 1600]);
        assert_eq!(variant_widths(1200), vec![480, 960, 1200]);
        assert_eq!(variant_widths(960), vec![480, 960]);
        assert_eq!(variant_widths(300), vec![300]);
    }

    #[test]
    fn the_demo_image_is_a_jpeg_that_processes_into_three_variants() {
        let jpeg = demo_image();
        assert!(jpeg.starts_with(b"\xff\xd8\xff"));
        let p = process(&jpeg).expect("processed");
        assert_eq!(p.content_type, "image/jpeg");
        let sizes: Vec<(u32, u32)> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(480, 320), (960, 640), (1600, 1067)]);
    }

    #[test]
    fn orientation_turns_the_image_upright() {
        // A 40×20 JPEG whose EXIF says "rotate 90°": stored as 20 wide, 40 high.
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::new(40, 20)).write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, 90)).expect("encoded");
        // TIFF header (big-endian), one IFD entry: Orientation (0x0112) SHORT = 6.
        let tiff: &[u8] = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
        let mut app1 = b"\xff\xe1".to_vec();
        app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(tiff);
        jpeg.splice(2..2, app1);
        let p = process(&jpeg).expect("processed");
        assert_eq!((p.variants[0].width, p.variants[0].height), (20, 40));
    }

    #[test]
    fn text_is_not_an_image_and_a_truncated_jpeg_is_unreadable() {
        assert!(matches!(image_type(b"hello, I am a photo"), Err(AppError::UnsupportedMediaType(_))));
        assert!(matches!(image_type(b""), Err(AppError::Validation(_))));
        let jpeg = demo_image();
        assert!(jpeg_is_complete(&jpeg));
        for cut in [jpeg.len() - 1, jpeg.len() / 3, 40, 3] {
            assert!(matches!(process(&jpeg[..cut]), Err(AppError::Validation(_))), "cut at {cut}");
        }
        for kind in [DocType::Png, DocType::Webp] {
            let whole = encode(&DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, y| Rgb([x as u8 * 4, y as u8 * 4, 9]))), kind)
                .expect("encoded");
            assert!(process(&whole).is_ok());
            for cut in [whole.len() - 12, whole.len() / 2, 20] {
                assert!(matches!(process(&whole[..cut]), Err(AppError::Validation(_))), "{kind:?} cut at {cut}");
            }
        }
    }
}
