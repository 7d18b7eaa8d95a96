//! A validated RGB frame: the only pixel type the pipeline sees.
//!
//! Pixels are stored as four bytes, RGB and one unused (a camera frame's alpha as given, 255 for photos):
//! a camera frame arrives as canvas RGBA and is kept as it is, without a pass over the whole frame to drop
//! alpha — the pipeline then reads only the pixels it samples (0.4–0.6 ms per 1280×720 frame in wasm).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default limit on frame pixels (a 48 MP photo). Larger inputs are refused before any allocation.
pub const DEFAULT_MAX_PIXELS: u64 = 48_000_000;
/// Frames smaller than this on either side cannot hold a checkable face.
pub const MIN_SIDE: u32 = 16;

/// An 8-bit RGB image, row-major, [`Frame::BYTES_PER_PIXEL`] bytes per pixel (R, G, B, unused), no
/// padding between rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

fn check_dims(width: u32, height: u32, max_pixels: u64) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::BadDimensions { width, height, why: "zero size" });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(Error::BadDimensions { width, height, why: "a side is shorter than 16 pixels" });
    }
    check_pixel_count(width, height, max_pixels)
}

/// Refuses a size above `max_pixels` (`too_large`): for frames, and for image headers before decoding.
pub(crate) fn check_pixel_count(width: u32, height: u32, max_pixels: u64) -> Result<()> {
    let pixels = width as u64 * height as u64;
    if pixels > max_pixels {
        return Err(Error::TooLarge { what: "pixel count", actual: pixels, limit: max_pixels });
    }
    Ok(())
}

fn check_len(width: u32, height: u32, channels: u32, actual: usize) -> Result<()> {
    let expected = width as u64 * height as u64 * channels as u64;
    if actual as u64 != expected {
        return Err(Error::BufferLength { width, height, channels, expected, actual: actual as u64 });
    }
    Ok(())
}

impl Frame {
    /// Builds a frame from tightly packed RGBA bytes (canvas `ImageData` layout). Alpha is ignored.
    pub fn from_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Frame> {
        Self::from_rgba_limited(rgba, width, height, DEFAULT_MAX_PIXELS)
    }

    /// Like [`Frame::from_rgba`] with an explicit pixel limit.
    pub fn from_rgba_limited(rgba: &[u8], width: u32, height: u32, max_pixels: u64) -> Result<Frame> {
        check_dims(width, height, max_pixels)?;
        check_len(width, height, 4, rgba.len())?;
        Ok(Frame { width, height, bytes: rgba.to_vec() })
    }

    /// Like [`Frame::from_rgba_limited`], taking the buffer instead of copying it: a caller that checks one
    /// frame after another hands the same buffer back and forth ([`Frame::into_bytes`]). On an error the
    /// buffer comes back with it.
    pub fn from_rgba_vec(
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        max_pixels: u64,
    ) -> std::result::Result<Frame, (Error, Vec<u8>)> {
        match check_dims(width, height, max_pixels).and_then(|_| check_len(width, height, 4, rgba.len())) {
            Ok(()) => Ok(Frame { width, height, bytes: rgba }),
            Err(e) => Err((e, rgba)),
        }
    }

    /// The pixel buffer ([`Frame::bytes`]), for reuse.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Builds a frame from tightly packed RGB bytes.
    pub fn from_rgb(rgb: Vec<u8>, width: u32, height: u32) -> Result<Frame> {
        check_dims(width, height, DEFAULT_MAX_PIXELS)?;
        check_len(width, height, 3, rgb.len())?;
        let bytes = rgb.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
        Ok(Frame { width, height, bytes })
    }

    /// Bytes per pixel in [`Frame::bytes`]: R, G, B and one unused.
    pub const BYTES_PER_PIXEL: usize = 4;

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// The pixels, row-major, [`Frame::BYTES_PER_PIXEL`] bytes each (R, G, B, unused).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Mutable pixels (used by tests that paint variants).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
    /// The pixels as packed RGB, three bytes each (a copy).
    pub fn to_rgb(&self) -> Vec<u8> {
        self.bytes.chunks_exact(Self::BYTES_PER_PIXEL).flat_map(|p| [p[0], p[1], p[2]]).collect()
    }

    /// Sets the pixel at (x, y) (tests and debug tools paint with it). Panics outside the frame.
    pub fn set_pixel(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        assert!(x < self.width as usize, "column {x} outside a frame {} wide", self.width);
        let i = (y * self.width as usize + x) * Self::BYTES_PER_PIXEL;
        self.bytes[i..i + 3].copy_from_slice(&rgb);
    }

    /// The pixel at (x, y), clamped to the frame.
    #[inline]
    pub fn pixel(&self, x: i64, y: i64) -> [u8; 3] {
        let x = x.clamp(0, self.width as i64 - 1) as usize;
        let y = y.clamp(0, self.height as i64 - 1) as usize;
        let i = (y * self.width as usize + x) * Self::BYTES_PER_PIXEL;
        [self.bytes[i], self.bytes[i + 1], self.bytes[i + 2]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_lengths_and_sizes() {
        assert_eq!(Frame::from_rgba(&[0; 16], 0, 4).unwrap_err().code(), "bad_dimensions");
        assert_eq!(Frame::from_rgba(&[0; 64], 1, 16).unwrap_err().code(), "bad_dimensions");
        // longer than w×h×4 is an error too (image::RgbaImage::from_raw would accept it)
        assert_eq!(Frame::from_rgba(&[0; 32 * 32 * 4 + 4], 32, 32).unwrap_err().code(), "buffer_length");
        assert_eq!(Frame::from_rgba(&[0; 10], 32, 32).unwrap_err().code(), "buffer_length");
        let huge = Frame::from_rgba(&[], 100_000, 100_000).unwrap_err();
        assert_eq!(huge.code(), "too_large");
        let ok = Frame::from_rgba(&[7; 17 * 19 * 4], 17, 19).unwrap();
        assert_eq!((ok.width(), ok.height(), ok.bytes().len()), (17, 19, 17 * 19 * 4));
    }

    #[test]
    fn rgba_and_rgb_give_the_same_pixels() {
        let rgba: Vec<u8> = (0..17 * 19 * 4).map(|i| (i * 37 % 251) as u8).collect();
        let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        let (a, b) = (Frame::from_rgba(&rgba, 17, 19).unwrap(), Frame::from_rgb(rgb.clone(), 17, 19).unwrap());
        assert_eq!((a.to_rgb(), b.to_rgb()), (rgb.clone(), rgb));
        for (x, y) in [(0, 0), (16, 0), (3, 7), (16, 18), (-5, 40)] {
            assert_eq!(a.pixel(x, y), b.pixel(x, y));
        }
        assert_eq!(a.pixel(3, 7), [rgba[(7 * 17 + 3) * 4], rgba[(7 * 17 + 3) * 4 + 1], rgba[(7 * 17 + 3) * 4 + 2]]);
    }
}

/// Limits on untrusted input, checked before anything is allocated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest accepted frame or decoded image, in pixels. Default: 48 000 000 (a 48 MP phone photo).
    pub max_pixels: u64,
    /// Largest accepted encoded file, in bytes. Default: 40 000 000.
    pub max_bytes: u64,
    /// Decoded photos are downscaled so that their long side is at most this. Default: 2048.
    pub max_working_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_pixels: DEFAULT_MAX_PIXELS, max_bytes: 40_000_000, max_working_side: 2048 }
    }
}
