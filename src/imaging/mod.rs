//! Plain-Rust image maths on slices: affine sampling into model tensors, grey images, polygons.

pub mod color;
pub mod geometry;
pub mod gray;
pub mod luma;

pub use geometry::{Affine, Point};
pub use gray::GrayImage;
pub use luma::Luma;

use crate::frame::Frame;

/// What to read outside the frame when sampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Border {
    /// Black (MediaPipe's BORDER_ZERO, used for the detector's letterbox).
    Zero,
    /// The nearest edge pixel (BORDER_REPLICATE, used for face crops).
    Replicate,
}

/// Fills `out` (NHWC, `out_w`×`out_h`×3) by sampling `frame` bilinearly at `map(u + 0.5, v + 0.5)`,
/// scaling bytes 0..255 linearly onto `lo..hi`.
pub fn warp_to_tensor(
    frame: &Frame,
    map: &Affine,
    out_w: usize,
    out_h: usize,
    border: Border,
    (lo, hi): (f32, f32),
    out: &mut [f32],
) {
    debug_assert_eq!(out.len(), out_w * out_h * 3);
    let scale = (hi - lo) / 255.0;
    warp_into(frame, map, (out_w, out_h), border, out, |acc| acc.map(|v| lo + v * scale));
}

/// Samples `frame` bilinearly at `map(u + 0.5, v + 0.5)` for each output pixel (u, v) of `out_w`×`out_h`
/// and writes `value` of its RGB sample (bytes 0..255, unscaled) as that pixel's `C` values in `out`.
#[inline(always)]
fn warp_into<const C: usize>(
    frame: &Frame,
    map: &Affine,
    (out_w, out_h): (usize, usize),
    border: Border,
    out: &mut [f32],
    value: impl Fn([f32; 3]) -> [f32; C],
) {
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let (px, bytes) = (Frame::BYTES_PER_PIXEL, frame.bytes());
    let stride = w as usize * px;
    for (v, row) in out.chunks_exact_mut(out_w * C).take(out_h).enumerate() {
        for (u, o) in row.chunks_exact_mut(C).enumerate() {
            let p = map.apply(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            // pixel centres are at +0.5
            let fx = p.x - 0.5;
            let fy = p.y - 0.5;
            let x0 = fx.floor();
            let y0 = fy.floor();
            let (ax, ay) = (fx - x0, fy - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let acc = if x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1 {
                // all four neighbours inside: the sum `border_sample` makes, without its tests (its
                // skipped zero weights add +0.0, which changes nothing)
                let i = y0 as usize * stride + x0 as usize * px;
                let (top, bottom) = (&bytes[i..i + 2 * px], &bytes[i + stride..i + stride + 2 * px]);
                let weights = [(1.0 - ax) * (1.0 - ay), ax * (1.0 - ay), (1.0 - ax) * ay, ax * ay];
                inside_sample(top, bottom, weights)
            } else {
                border_sample(bytes, (w, h), (x0, y0), (ax, ay), border)
            };
            o.copy_from_slice(&value(acc));
        }
    }
}

/// One bilinear RGB sample from two neighbouring pixels of a row (`top`, [`Frame::BYTES_PER_PIXEL`] bytes
/// each) and the two below them (`bottom`): per channel `w0·tl + w1·tr + w2·bl + w3·br`, summed left to right.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn inside_sample(top: &[u8], bottom: &[u8], weights: [f32; 4]) -> [f32; 3] {
    let px = Frame::BYTES_PER_PIXEL;
    [0, 1, 2].map(|c| {
        weights[0] * top[c] as f32
            + weights[1] * top[c + px] as f32
            + weights[2] * bottom[c] as f32
            + weights[3] * bottom[c + px] as f32
    })
}

/// [`inside_sample`] with the channels in wasm SIMD lanes: each of the four pixels' bytes widened to four
/// floats, the same products and sums per lane (the fourth lane, the unused byte, is dropped).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn inside_sample(top: &[u8], bottom: &[u8], weights: [f32; 4]) -> [f32; 3] {
    use core::arch::wasm32::*;
    // two pixels of four bytes each, as two vectors of four floats
    let pixels = |two: &[u8]| {
        let two: &[u8; 8] = two.try_into().expect("two pixels");
        let v = u16x8_extend_low_u8x16(u64x2(u64::from_le_bytes(*two), 0));
        (f32x4_convert_u32x4(u32x4_extend_low_u16x8(v)), f32x4_convert_u32x4(u32x4_extend_high_u16x8(v)))
    };
    let ((tl, tr), (bl, br)) = (pixels(top), pixels(bottom));
    let [w0, w1, w2, w3] = weights.map(|w| f32x4_splat(w));
    let sum =
        f32x4_add(f32x4_add(f32x4_add(f32x4_mul(w0, tl), f32x4_mul(w1, tr)), f32x4_mul(w2, bl)), f32x4_mul(w3, br));
    [f32x4_extract_lane::<0>(sum), f32x4_extract_lane::<1>(sum), f32x4_extract_lane::<2>(sum)]
}

/// One bilinear RGB sample whose neighbours may lie outside the frame: outside ones replicate the edge or
/// count as black (`border`). `(x0, y0)` is the top-left neighbour, `(ax, ay)` the weights of the others.
fn border_sample(
    bytes: &[u8],
    (w, h): (i64, i64),
    (x0, y0): (i64, i64),
    (ax, ay): (f32, f32),
    border: Border,
) -> [f32; 3] {
    let mut acc = [0f32; 3];
    for (dy, wy) in [(0, 1.0 - ay), (1, ay)] {
        for (dx, wx) in [(0, 1.0 - ax), (1, ax)] {
            let weight = wx * wy;
            if weight == 0.0 {
                continue;
            }
            let (x, y) = (x0.saturating_add(dx), y0.saturating_add(dy));
            let inside = x >= 0 && y >= 0 && x < w && y < h;
            if !inside && border == Border::Zero {
                continue;
            }
            let xi = x.clamp(0, w - 1) as usize;
            let yi = y.clamp(0, h - 1) as usize;
            let i = (yi * w as usize + xi) * Frame::BYTES_PER_PIXEL;
            acc[0] += weight * bytes[i] as f32;
            acc[1] += weight * bytes[i + 1] as f32;
            acc[2] += weight * bytes[i + 2] as f32;
        }
    }
    acc
}

/// Rec. 601 luma of one RGB pixel, 0..255.
#[inline]
pub fn luma(p: [u8; 3]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Samples an `out_w`×`out_h` grey patch of `frame` through `map` (output pixel → image), replicating edges.
/// Each grey value is [`luma`]'s sum of the bilinear RGB sample (no RGB patch in between).
pub fn warp_gray(frame: &Frame, map: &Affine, out_w: usize, out_h: usize) -> GrayImage {
    let mut data = vec![0f32; out_w * out_h];
    warp_into(frame, map, (out_w, out_h), Border::Replicate, &mut data, |p| {
        [0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]]
    });
    GrayImage::new(out_w, out_h, data)
}

/// The whole frame as grey values.
pub fn frame_gray(frame: &Frame) -> GrayImage {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let mut data = vec![0f32; w * h];
    let products = luma::products();
    for (row, out) in frame.bytes().chunks_exact(w * Frame::BYTES_PER_PIXEL).zip(data.chunks_exact_mut(w)) {
        luma::luma_row(row, &products, out);
    }
    GrayImage::new(w, h, data)
}

/// The warp as first written — every neighbour through the border rules — which [`warp_to_tensor`] must
/// match bit for bit: the reference of its tests, natively and in the browser build (tests/wasm.rs), where
/// its neighbours are summed in wasm SIMD lanes. Not for use: it is slower.
#[doc(hidden)]
pub fn warp_reference(frame: &Frame, map: &Affine, size: usize, border: Border, (lo, hi): (f32, f32)) -> Vec<f32> {
    let scale = (hi - lo) / 255.0;
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let mut out = vec![0f32; size * size * 3];
    for v in 0..size {
        for u in 0..size {
            let p = map.apply(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            let (fx, fy) = (p.x - 0.5, p.y - 0.5);
            let (x0, y0) = (fx.floor(), fy.floor());
            let (ax, ay) = (fx - x0, fy - y0);
            let mut acc = [0f32; 3];
            for (dy, wy) in [(0, 1.0 - ay), (1, ay)] {
                for (dx, wx) in [(0, 1.0 - ax), (1, ax)] {
                    let weight = wx * wy;
                    let (x, y) = (x0 as i64 + dx, y0 as i64 + dy);
                    let inside = x >= 0 && y >= 0 && x < w && y < h;
                    if weight == 0.0 || (!inside && border == Border::Zero) {
                        continue;
                    }
                    let px = frame.pixel(x.clamp(0, w - 1), y.clamp(0, h - 1));
                    for c in 0..3 {
                        acc[c] += weight * px[c] as f32;
                    }
                }
            }
            for c in 0..3 {
                out[(v * size + u) * 3 + c] = lo + acc[c] * scale;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{noise_frame, Lcg};

    #[test]
    fn warp_matches_the_per_neighbour_form_bit_for_bit() {
        let mut rng = Lcg(29);
        let frame = noise_frame(37, 23, &mut rng);
        for round in 0..40 {
            // crops inside, across the edges and wholly outside, rotated, shrunk and enlarged
            let centre = Point::new(18.0 + 30.0 * rng.next(), 11.0 + 20.0 * rng.next());
            let side = 4.0 + 30.0 * (rng.next() + 1.0);
            let map = Affine::from_rotated_rect(centre, side, side, 3.2 * rng.next(), 16.0, 16.0);
            let border = if round % 2 == 0 { Border::Zero } else { Border::Replicate };
            let range = if round % 3 == 0 { (-1.0, 1.0) } else { (0.0, 1.0) };
            let mut out = vec![0f32; 16 * 16 * 3];
            warp_to_tensor(&frame, &map, 16, 16, border, range, &mut out);
            let expected = warp_reference(&frame, &map, 16, border, range);
            let same = out.iter().zip(&expected).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "round {round}: centre {centre:?}, side {side}, {border:?}");
        }
    }

    #[test]
    fn warp_gray_is_the_luma_of_the_rgb_warp_bit_for_bit() {
        let mut rng = Lcg(31);
        let frame = noise_frame(41, 29, &mut rng);
        for round in 0..20 {
            let centre = Point::new(20.0 + 30.0 * rng.next(), 14.0 + 20.0 * rng.next());
            let side = 4.0 + 30.0 * (rng.next() + 1.0);
            let map = Affine::from_rotated_rect(centre, side, side, 3.2 * rng.next(), 12.0, 9.0);
            let mut rgb = vec![0f32; 12 * 9 * 3];
            warp_to_tensor(&frame, &map, 12, 9, Border::Replicate, (0.0, 255.0), &mut rgb);
            let gray = warp_gray(&frame, &map, 12, 9);
            assert_eq!((gray.width, gray.height, gray.data.len()), (12, 9, 12 * 9));
            for (p, v) in rgb.chunks_exact(3).zip(&gray.data) {
                let expected = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                assert_eq!(v.to_bits(), expected.to_bits(), "round {round}");
            }
        }
    }

    #[test]
    fn frame_gray_is_luma_of_every_pixel_bit_for_bit() {
        // every value of each channel, the others varied alongside
        let bytes: Vec<u8> =
            (0..64 * 16).flat_map(|i| [i % 256, (i * 7 + 3) % 256, (i * 13 + 5) % 256]).map(|v| v as u8).collect();
        let frame = Frame::from_rgb(bytes.clone(), 64, 16).expect("a frame");
        let gray = frame_gray(&frame);
        for (p, v) in bytes.chunks_exact(3).zip(&gray.data) {
            assert_eq!(v.to_bits(), luma([p[0], p[1], p[2]]).to_bits(), "{p:?}");
        }
    }
}
