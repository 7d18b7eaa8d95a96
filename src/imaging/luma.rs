//! The frame's luma where the checks read it, computed per pixel read.
//!
//! The checks read the grey frame at a few thousand points (a background grid, the face oval, bands
//! beside the face), so converting the whole frame up front was most of their cost on a large camera
//! frame (a 1280×720 frame is 2.7 MB of RGB in, 3.7 MB of floats out); converting the rows they touch
//! still cost 0.35 ms per 1280×720 frame in wasm. Each read now computes its pixels' luma from the RGB
//! bytes through a per-byte product table: the same values as [`frame_gray`](super::frame_gray)'s, bit
//! for bit.

use super::gray::{bilinear4, Tap};
use super::GrayImage;
use crate::frame::Frame;

/// Luma 0..255 of a frame (computed per pixel read) or of a grey image given whole.
#[derive(Clone, Debug)]
pub struct Luma<'a> {
    width: usize,
    height: usize,
    source: Source<'a>,
}

#[derive(Clone, Debug)]
enum Source<'a> {
    /// Grey values given whole (tests; images already grey).
    Image(&'a GrayImage),
    /// The frame's RGB, each pixel converted when read.
    Frame { frame: &'a Frame, products: Box<Products> },
}

/// [`super::luma`]'s three products for every byte value.
pub(crate) type Products = [[f32; 256]; 3];

/// The products, so a pixel's luma is three look-ups and `luma`'s two additions in its order.
pub(crate) fn products() -> Box<Products> {
    let table = |k: f32| -> [f32; 256] { std::array::from_fn(|v| k * v as f32) };
    Box::new([table(0.299), table(0.587), table(0.114)])
}

/// Luma of the pixel whose bytes (R, G, B, …) `px` starts with.
#[inline]
fn luma_of(px: &[u8], [r, g, b]: &Products) -> f32 {
    r[px[0] as usize] + g[px[1] as usize] + b[px[2] as usize]
}

/// Luma of one row of a frame's bytes ([`Frame::BYTES_PER_PIXEL`] per pixel) into `out`.
pub(crate) fn luma_row(row: &[u8], products: &Products, out: &mut [f32]) {
    for (o, p) in out.iter_mut().zip(row.chunks_exact(Frame::BYTES_PER_PIXEL)) {
        *o = luma_of(p, products);
    }
}

impl<'a> Luma<'a> {
    /// The luma of `frame`, each pixel converted as it is read.
    pub fn of_frame(frame: &'a Frame) -> Luma<'a> {
        let (width, height) = (frame.width() as usize, frame.height() as usize);
        Luma { width, height, source: Source::Frame { frame, products: products() } }
    }

    /// Grey values already computed (or painted, in tests).
    pub fn of_image(image: &'a GrayImage) -> Luma<'a> {
        Luma { width: image.width, height: image.height, source: Source::Image(image) }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The value at integer pixel (x, y). Panics outside the image.
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> f32 {
        match &self.source {
            Source::Image(image) => image.get(x, y),
            Source::Frame { frame, products } => {
                assert!(x < self.width, "column {x} outside a frame {} wide", self.width);
                luma_of(&frame.bytes()[(y * self.width + x) * Frame::BYTES_PER_PIXEL..], products)
            }
        }
    }

    /// Bilinear sample at continuous pixel coordinates (pixel centres at +0.5), clamped: the same value as
    /// [`GrayImage::sample`] on the whole grey frame.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        self.sample_taps(Tap::new(x, self.width), Tap::new(y, self.height))
    }

    /// The bilinear sample where two taps point (see [`GrayImage::sample_taps`]).
    pub fn sample_taps(&self, tx: Tap, ty: Tap) -> f32 {
        match &self.source {
            Source::Image(image) => image.sample_taps(tx, ty),
            Source::Frame { frame, products } => {
                // the four pixels straight from the bytes (taps made for this frame's size lie inside it)
                debug_assert!(tx.i1 < self.width && ty.i1 < self.height, "taps outside the frame");
                let (bytes, stride) = (frame.bytes(), self.width * Frame::BYTES_PER_PIXEL);
                let (top, bottom) = (ty.i0 * stride, ty.i1 * stride);
                let (left, right) = (tx.i0 * Frame::BYTES_PER_PIXEL, tx.i1 * Frame::BYTES_PER_PIXEL);
                let p =
                    [top + left, top + right, bottom + left, bottom + right].map(|i| luma_of(&bytes[i..], products));
                bilinear4(p, tx.a, ty.a)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::frame_gray;
    use crate::testkit::{noise_frame, Lcg};

    #[test]
    fn pixels_read_on_demand_are_the_whole_grey_frame_bit_for_bit() {
        let mut rng = Lcg(31);
        let frame = noise_frame(41, 27, &mut rng);
        let whole = frame_gray(&frame);
        let (lazy, given) = (Luma::of_frame(&frame), Luma::of_image(&whole));
        assert_eq!((lazy.width(), lazy.height()), (41, 27));
        for _ in 0..3000 {
            let (x, y) = (rng.next() * 25.0 + 20.5, rng.next() * 17.0 + 13.5);
            let want = whole.sample(x, y).to_bits();
            assert_eq!((lazy.sample(x, y).to_bits(), given.sample(x, y).to_bits()), (want, want), "({x}, {y})");
        }
        for y in 0..27 {
            for x in 0..41 {
                assert_eq!(lazy.get(x, y).to_bits(), whole.get(x, y).to_bits());
            }
        }
    }
}
