//! A float grey image and the few filters the measures need.

/// Single-channel f32 image, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct GrayImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width × height` values, row-major (pixel (x, y) at `y * width + x`).
    pub data: Vec<f32>,
}

impl GrayImage {
    /// Wraps `data`. Panics unless it holds exactly `width × height` values.
    pub fn new(width: usize, height: usize, data: Vec<f32>) -> GrayImage {
        assert_eq!(data.len(), width * height, "grey image buffer must be width × height");
        GrayImage { width, height, data }
    }

    /// The value at integer pixel (x, y). Panics when the index is outside `data`.
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear sample at continuous pixel coordinates (pixel centres at +0.5), clamped.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        bilinear(self.width, self.height, |x, y| self.get(x, y), x, y)
    }

    /// Horizontal then vertical box blur of radius `r` (window 2r+1), edges replicated.
    pub fn box_blur(&self, rx: usize, ry: usize) -> GrayImage {
        let (w, h) = (self.width, self.height);
        let mut tmp = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for k in 0..=2 * rx {
                    let xx = (x + k).saturating_sub(rx).min(w - 1);
                    s += self.get(xx, y);
                }
                tmp[y * w + x] = s / (2 * rx + 1) as f32;
            }
        }
        let mut out = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for k in 0..=2 * ry {
                    let yy = (y + k).saturating_sub(ry).min(h - 1);
                    s += tmp[yy * w + x];
                }
                out[y * w + x] = s / (2 * ry + 1) as f32;
            }
        }
        GrayImage::new(w, h, out)
    }
}

/// Mean and standard deviation of the values.
pub fn mean_std(values: impl IntoIterator<Item = f32>) -> (f32, f32) {
    let (mut n, mut s, mut s2) = (0f64, 0f64, 0f64);
    for v in values {
        n += 1.0;
        s += v as f64;
        s2 += (v as f64) * (v as f64);
    }
    if n == 0.0 {
        return (f32::NAN, f32::NAN);
    }
    let mean = s / n;
    ((mean) as f32, ((s2 / n - mean * mean).max(0.0)).sqrt() as f32)
}

/// Bilinear sample of a `width × height` image read through `get`, at continuous pixel coordinates (pixel
/// centres at +0.5), clamped to the image.
#[inline]
fn bilinear(width: usize, height: usize, get: impl Fn(usize, usize) -> f32, x: f32, y: f32) -> f32 {
    let fx = (x - 0.5).clamp(0.0, (width - 1) as f32);
    let fy = (y - 0.5).clamp(0.0, (height - 1) as f32);
    let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
    let top = get(x0, y0) * (1.0 - ax) + get(x1, y0) * ax;
    let bottom = get(x0, y1) * (1.0 - ax) + get(x1, y1) * ax;
    top * (1.0 - ay) + bottom * ay
}

/// A frame's luma (Rec. 601, 0..255), computed where it is read: the checks read a few thousand grey values
/// of a frame, so converting all of it (307,200 pixels at 640×480, 921,600 at 1280×720) on every frame was
/// most of the work. Each value is exactly [`super::luma`] of the pixel, as [`super::frame_gray`] stores it.
#[derive(Clone, Copy, Debug)]
pub struct Luma<'a> {
    rgb: &'a [u8],
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
}

impl<'a> Luma<'a> {
    /// The luma of `frame`.
    pub fn of(frame: &'a crate::frame::Frame) -> Luma<'a> {
        Luma { rgb: frame.rgb(), width: frame.width() as usize, height: frame.height() as usize }
    }

    /// The value at integer pixel (x, y). Panics outside the frame.
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> f32 {
        let i = (y * self.width + x) * 3;
        super::luma([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// Bilinear sample at continuous pixel coordinates (pixel centres at +0.5), clamped: the same values as
    /// [`GrayImage::sample`] on [`super::frame_gray`] of the frame.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        bilinear(self.width, self.height, |x, y| self.get(x, y), x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Frame;
    use crate::imaging::frame_gray;

    #[test]
    fn luma_reads_what_the_grey_image_stores() {
        let (w, h) = (37u32, 23u32);
        let mut x = 12345u32;
        let rgb: Vec<u8> = (0..w * h * 3)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        let frame = Frame::from_rgb(rgb, w, h).unwrap();
        let (gray, luma) = (frame_gray(&frame), Luma::of(&frame));
        assert_eq!((luma.width, luma.height), (gray.width, gray.height));
        for y in 0..h as usize {
            for x in 0..w as usize {
                assert_eq!(luma.get(x, y).to_bits(), gray.get(x, y).to_bits());
            }
        }
        for k in 0..500 {
            let (sx, sy) = (k as f32 * 0.173 % 40.0 - 1.5, k as f32 * 0.311 % 26.0 - 1.5);
            assert_eq!(luma.sample(sx, sy).to_bits(), gray.sample(sx, sy).to_bits(), "({sx}, {sy})");
        }
    }
}
