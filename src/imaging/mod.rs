//! Plain-Rust image maths on slices: affine sampling into model tensors, grey images, polygons.

pub mod color;
pub mod geometry;
pub mod gray;

pub use geometry::{Affine, Point};
pub use gray::GrayImage;

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
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let rgb = frame.rgb();
    for v in 0..out_h {
        for u in 0..out_w {
            let p = map.apply(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            // pixel centres are at +0.5
            let fx = p.x - 0.5;
            let fy = p.y - 0.5;
            let x0 = fx.floor();
            let y0 = fy.floor();
            let (ax, ay) = (fx - x0, fy - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let mut acc = [0f32; 3];
            for (dy, wy) in [(0, 1.0 - ay), (1, ay)] {
                for (dx, wx) in [(0, 1.0 - ax), (1, ax)] {
                    let weight = wx * wy;
                    if weight == 0.0 {
                        continue;
                    }
                    let (x, y) = (x0 + dx, y0 + dy);
                    let inside = x >= 0 && y >= 0 && x < w && y < h;
                    if !inside && border == Border::Zero {
                        continue;
                    }
                    let xi = x.clamp(0, w - 1) as usize;
                    let yi = y.clamp(0, h - 1) as usize;
                    let i = (yi * w as usize + xi) * 3;
                    acc[0] += weight * rgb[i] as f32;
                    acc[1] += weight * rgb[i + 1] as f32;
                    acc[2] += weight * rgb[i + 2] as f32;
                }
            }
            let o = (v * out_w + u) * 3;
            for c in 0..3 {
                out[o + c] = lo + acc[c] * scale;
            }
        }
    }
}

/// Rec. 601 luma of one RGB pixel, 0..255.
#[inline]
pub fn luma(p: [u8; 3]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Samples a `size`×`size` grey patch of `frame` through `map` (output pixel → image), replicating edges.
pub fn warp_gray(frame: &Frame, map: &Affine, out_w: usize, out_h: usize) -> GrayImage {
    let mut rgb = vec![0f32; out_w * out_h * 3];
    warp_to_tensor(frame, map, out_w, out_h, Border::Replicate, (0.0, 255.0), &mut rgb);
    let data = rgb.chunks_exact(3).map(|p| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]).collect();
    GrayImage::new(out_w, out_h, data)
}

/// The whole frame as grey values.
pub fn frame_gray(frame: &Frame) -> GrayImage {
    let data = frame.rgb().chunks_exact(3).map(|p| luma([p[0], p[1], p[2]])).collect();
    GrayImage::new(frame.width() as usize, frame.height() as usize, data)
}
