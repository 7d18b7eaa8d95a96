//! JPEG/PNG bytes → Frame: sizes checked from the header before decoding, EXIF orientation applied,
//! large photos downscaled to the working size.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::{catch_panic, Error, Result};
use crate::frame::Frame;
use crate::profile::Limits;

/// A decoded photo and the size it had before downscaling.
pub struct Decoded {
    pub frame: Frame,
    pub original: [u32; 2],
}

/// Decodes a JPEG or PNG, honouring EXIF orientation and the limits.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Error::TooLarge { what: "file bytes", actual: bytes.len() as u64, limit: limits.max_bytes });
    }
    if bytes.is_empty() {
        return Err(Error::Decode("empty input".into()));
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| Error::Decode(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg) | Some(image::ImageFormat::Png) => {}
        Some(other) => return Err(Error::Decode(format!("unsupported format {other:?} (JPEG or PNG only)"))),
        None => return Err(Error::Decode("not a JPEG or PNG".into())),
    }
    // On wasm32 the png crate refuses an IHDR whose decoded size overflows `usize` ("Memory limit
    // exceeded") while the decoder is built, before its size can be asked: read the size first so that
    // 60000×60000 is `too_large` in the browser as natively (tests/e2e/agreement.test.mjs).
    if reader.format() == Some(image::ImageFormat::Png) {
        if let Some((w, h)) = png_header_size(bytes) {
            let pixels = w as u64 * h as u64;
            if pixels > limits.max_pixels {
                return Err(Error::TooLarge { what: "pixel count", actual: pixels, limit: limits.max_pixels });
            }
        }
    }
    // zune-jpeg 0.5.15 (image's JPEG decoder) panics in its AVX2 IDCT on some corrupt JPEGs
    // (tests/regressions/decode_small/) where its scalar IDCT, the wasm build's, returns an error.
    let (mut img, orientation) = catch_panic(|| decode_pixels(reader, limits))
        .unwrap_or_else(|panic| Err(Error::Decode(format!("the image decoder failed on this file ({panic})"))))?;
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
    let pixels = w as u64 * h as u64;
    if pixels > limits.max_pixels {
        return Err(Error::TooLarge { what: "pixel count", actual: pixels, limit: limits.max_pixels });
    }
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
