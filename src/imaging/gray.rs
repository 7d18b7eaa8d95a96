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
        let fx = (x - 0.5).clamp(0.0, (self.width - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (self.height - 1) as f32);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let top = self.get(x0, y0) * (1.0 - ax) + self.get(x1, y0) * ax;
        let bottom = self.get(x0, y1) * (1.0 - ax) + self.get(x1, y1) * ax;
        top * (1.0 - ay) + bottom * ay
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
