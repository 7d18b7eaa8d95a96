//! JPEG/PNG bytes (natively also WebP) → Frame: the format decided by content (phones and chat apps save
//! WebP or PNG under `.jpg`), sizes checked from the header before decoding, EXIF orientation applied, large
//! photos downscaled to the working size. HEIC/HEIF (iPhone's default) is recognised and refused with how
//! to convert it: no pure-Rust decoder exists for it.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::{catch_panic, Error, Result};
use crate::frame::Limits;
use crate::frame::{check_pixel_count, Frame};

/// A decoded photo and the size it had before downscaling.
pub struct Decoded {
    /// The decoded, upright (EXIF-oriented) photo, downscaled to at most `max_working_side`.
    pub frame: Frame,
    /// `[width, height]` in pixels after orientation, before downscaling.
    pub original: [u32; 2],
}

/// `ftyp` brands of HEIC/HEIF files (ISO BMFF: the brand sits at bytes 8..12, after the box size and `ftyp`).
const HEIF_BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"hevc", b"heim", b"mif1", b"msf1"];

/// Whether the bytes are a HEIC/HEIF file.
fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && HEIF_BRANDS.iter().any(|b| &bytes[8..12] == *b)
}

/// Decodes a JPEG or PNG (natively also WebP), honouring EXIF orientation and the limits.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Error::TooLarge { what: "file bytes", actual: bytes.len() as u64, limit: limits.max_bytes });
    }
    if bytes.is_empty() {
        return Err(Error::Decode("empty input".into()));
    }
    if is_heif(bytes) {
        return Err(Error::Decode(
            "HEIC/HEIF photos are not supported: convert to JPEG first (iPhone: Settings → Camera → Formats → \
             Most Compatible; or `heif-convert photo.heic photo.jpg` from libheif)"
                .into(),
        ));
    }
    let reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| Error::Decode(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg) | Some(image::ImageFormat::Png) => {}
        // the browser build leaves WebP to the browser (the page decodes album photos with createImageBitmap)
        Some(image::ImageFormat::WebP) if cfg!(not(target_arch = "wasm32")) => {}
        Some(other) => return Err(Error::Decode(format!("unsupported format {other:?} (JPEG, PNG or WebP)"))),
        None => return Err(Error::Decode("not a JPEG, PNG or WebP".into())),
    }
    // On wasm32 the png crate refuses an IHDR whose decoded size overflows `usize` ("Memory limit
    // exceeded") while the decoder is built, before its size can be asked: read the size first so that
    // 60000×60000 is `too_large` in the browser as natively (tests/e2e/agreement.test.mjs).
    if reader.format() == Some(image::ImageFormat::Png) {
        if let Some((w, h)) = png_header_size(bytes) {
            check_pixel_count(w, h, limits.max_pixels)?;
        }
    }
    if reader.format() == Some(image::ImageFormat::Jpeg) {
        check_jpeg_sampling(bytes)?;
    }
    // zune-jpeg 0.5.15 (image's JPEG decoder) panics in its AVX2 IDCT on some corrupt JPEGs
    // (tests/regressions/decode_small/) where its scalar IDCT, the wasm build's, returns an error.
    let (mut img, orientation) = catch_panic(
        || decode_pixels(reader, limits),
        |panic| Error::Decode(format!("the image decoder failed on this file ({panic})")),
    )?;
    img.apply_orientation(orientation);
    let original = [img.width(), img.height()];
    let side = limits.max_working_side;
    if img.width() > side || img.height() > side {
        img = img.resize(side, side, image::imageops::FilterType::Triangle);
    }
    let rgb = img.into_rgb8();
    let (w, h) = rgb.dimensions();
    Ok(Decoded { frame: Frame::from_rgb(rgb.into_raw(), w, h)?, original })
}

/// The decoder's part: size checks from the header, then the pixels and the EXIF orientation.
fn decode_pixels(reader: ImageReader<Cursor<&[u8]>>, limits: &Limits) -> Result<(DynamicImage, Orientation)> {
    let mut decoder = reader.into_decoder().map_err(|e| Error::Decode(e.to_string()))?;
    let (w, h) = decoder.dimensions();
    check_pixel_count(w, h, limits.max_pixels)?;
    let pixels = w as u64 * h as u64;
    if w < crate::frame::MIN_SIDE || h < crate::frame::MIN_SIDE {
        return Err(Error::BadDimensions { width: w, height: h, why: "a side is shorter than 16 pixels" });
    }
    let mut decoder_limits = image::Limits::default();
    // decoded size with 16-bit RGBA headroom, plus the decoder's own buffers
    decoder_limits.max_alloc = Some(pixels.saturating_mul(8).saturating_add(64 << 20));
    decoder.set_limits(decoder_limits).map_err(|e| Error::Decode(e.to_string()))?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(|e| Error::Decode(e.to_string()))?;
    Ok((img, orientation))
}

/// Refuses a JPEG whose first component is not the most finely sampled one. Cameras and editors always
/// put the finest sampling on the first component (Y, or C of CMYK: 4:2:0 is Y 2×2 with Cb, Cr 1×1), and
/// zune-jpeg 0.5.15 sizes its buffers from it: a later component sampled finer (found by fuzzing: a
/// 4-component JPEG with the last one 2×2 and the others 1×1) makes its IDCT write past a buffer, which
/// panics — in the wasm build, where a panic cannot be caught, that aborted the module. Reads the frame
/// header (SOFn) only; a JPEG without one is left to the decoder's own error.
/// (Checked on the 13,679 JPEGs of the fuzz corpus: none of those it lets through panics natively.)
fn check_jpeg_sampling(bytes: &[u8]) -> Result<()> {
    let mut at = 2; // after SOI
    while let (Some(&byte), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) {
        // Like the decoder, skip anything between segments that is not a marker (garbage, fill bytes,
        // markers without a length).
        if byte != 0xFF || matches!(marker, 0xFF | 0x00 | 0x01 | 0xD0..=0xD8) {
            at += 1;
            continue;
        }
        let len = u16::from_be_bytes([*bytes.get(at + 2).unwrap_or(&0), *bytes.get(at + 3).unwrap_or(&0)]) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let count = *bytes.get(at + 9).unwrap_or(&0) as usize;
            let factors: Vec<(u8, u8)> =
                (0..count).filter_map(|k| bytes.get(at + 11 + 3 * k).map(|f| (f >> 4, f & 0x0F))).collect();
            if let Some(&(h0, v0)) = factors.first() {
                if let Some((k, &(h, v))) = factors.iter().enumerate().find(|(_, &(h, v))| h > h0 || v > v0) {
                    return Err(Error::Decode(format!(
                        "unsupported JPEG sampling: component {k} is sampled {h}×{v}, \
                         finer than the first component ({h0}×{v0})"
                    )));
                }
            }
            return Ok(());
        }
        if marker == 0xDA || len < 2 {
            return Ok(()); // scan data before any frame header, or a broken segment: the decoder decides
        }
        at += 2 + len;
    }
    Ok(())
}

/// Width and height from a PNG's IHDR, which must be the first chunk (signature 8 bytes, chunk length 4,
/// "IHDR" 4, then width and height big-endian); `None` when the bytes are too short or not laid out so
/// (the decoder then reports the problem).
fn png_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    Some((be(16)?, be(20)?))
}
