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
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        self.sample_taps(Tap::new(x, self.width), Tap::new(y, self.height))
    }

    /// The bilinear sample where two taps point (`Tap::new(x, width)`, `Tap::new(y, height)`): what
    /// [`GrayImage::sample`] returns, for callers that sample one row or column many times.
    #[inline]
    pub fn sample_taps(&self, tx: Tap, ty: Tap) -> f32 {
        let at = |x: usize, y: usize| self.data[y * self.width + x];
        bilinear4([at(tx.i0, ty.i0), at(tx.i1, ty.i0), at(tx.i0, ty.i1), at(tx.i1, ty.i1)], tx.a, ty.a)
    }

    /// Horizontal then vertical box blur of radius `r` (window 2r+1), edges replicated. Each output is the
    /// window's values summed from its first to its last, then divided by the window's length.
    pub fn box_blur(&self, rx: usize, ry: usize) -> GrayImage {
        let (w, h) = (self.width, self.height);
        if w == 0 || h == 0 {
            return self.clone();
        }
        let mut tmp = vec![0f32; w * h];
        for (src, dst) in self.data.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
            for k in 0..=2 * rx {
                add_shifted(dst, src, k as isize - rx as isize);
            }
            let n = (2 * rx + 1) as f32;
            dst.iter_mut().for_each(|v| *v /= n);
        }
        let mut out = vec![0f32; w * h];
        for (y, dst) in out.chunks_exact_mut(w).enumerate() {
            for k in 0..=2 * ry {
                let yy = (y + k).saturating_sub(ry).min(h - 1);
                dst.iter_mut().zip(&tmp[yy * w..][..w]).for_each(|(d, s)| *d += s);
            }
            let n = (2 * ry + 1) as f32;
            dst.iter_mut().for_each(|v| *v /= n);
        }
        GrayImage::new(w, h, out)
    }
}

/// `dst[x] += src[x + shift]`, the index clamped to the row (edges replicated); written as three runs so
/// the middle one vectorises.
fn add_shifted(dst: &mut [f32], src: &[f32], shift: isize) {
    let w = dst.len() as isize;
    // x + shift < 0 for x < left; x + shift > w - 1 for x ≥ right
    let left = (-shift).clamp(0, w) as usize;
    let right = (w - shift).clamp(left as isize, w) as usize;
    let (first, last) = (src[0], src[src.len() - 1]);
    dst[..left].iter_mut().for_each(|d| *d += first);
    if left < right {
        let from = (left as isize + shift) as usize;
        dst[left..right].iter_mut().zip(&src[from..]).for_each(|(d, s)| *d += s);
    }
    dst[right..].iter_mut().for_each(|d| *d += last);
}

/// The bilinear mix of four values (top left, top right, bottom left, bottom right) with the right and
/// bottom weights `ax`, `ay`: each row mixed first, then the rows.
#[inline]
pub(crate) fn bilinear4([p00, p01, p10, p11]: [f32; 4], ax: f32, ay: f32) -> f32 {
    let upper = p00 * (1.0 - ax) + p01 * ax;
    let lower = p10 * (1.0 - ax) + p11 * ax;
    upper * (1.0 - ay) + lower * ay
}

/// Where a bilinear sample reads along one axis of `len` pixels: the two pixel indices and the second's
/// weight (pixel centres at +0.5, clamped to the edge pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tap {
    pub(crate) i0: usize,
    pub(crate) i1: usize,
    pub(crate) a: f32,
}

impl Tap {
    /// The tap for coordinate `v` along an axis of `len ≥ 1` pixels.
    #[inline]
    pub fn new(v: f32, len: usize) -> Tap {
        let f = (v - 0.5).clamp(0.0, (len - 1) as f32);
        let i0 = f.floor() as usize;
        Tap { i0, i1: (i0 + 1).min(len - 1), a: f - i0 as f32 }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Lcg;

    /// The straightforward forms the code above must match bit for bit: one bilinear sample, and a
    /// box blur summing each window with clamped indices.
    fn sample_ref(img: &GrayImage, x: f32, y: f32) -> f32 {
        let fx = (x - 0.5).clamp(0.0, (img.width - 1) as f32);
        let fy = (y - 0.5).clamp(0.0, (img.height - 1) as f32);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let top = img.get(x0, y0) * (1.0 - ax) + img.get(x1, y0) * ax;
        let bottom = img.get(x0, y1) * (1.0 - ax) + img.get(x1, y1) * ax;
        top * (1.0 - ay) + bottom * ay
    }

    fn box_blur_ref(img: &GrayImage, rx: usize, ry: usize) -> GrayImage {
        let (w, h) = (img.width, img.height);
        let mut tmp = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for k in 0..=2 * rx {
                    s += img.get((x + k).saturating_sub(rx).min(w - 1), y);
                }
                tmp[y * w + x] = s / (2 * rx + 1) as f32;
            }
        }
        let mut out = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for k in 0..=2 * ry {
                    s += tmp[(y + k).saturating_sub(ry).min(h - 1) * w + x];
                }
                out[y * w + x] = s / (2 * ry + 1) as f32;
            }
        }
        GrayImage::new(w, h, out)
    }

    fn noise(w: usize, h: usize, rng: &mut Lcg) -> GrayImage {
        GrayImage::new(w, h, (0..w * h).map(|_| 127.5 + 127.5 * rng.next()).collect())
    }

    #[test]
    fn box_blur_matches_the_plain_window_sum_bit_for_bit() {
        let mut rng = Lcg(7);
        for (w, h) in [(1, 1), (2, 3), (5, 4), (9, 9), (16, 11), (37, 20)] {
            let img = noise(w, h, &mut rng);
            for (rx, ry) in [(0, 0), (0, 4), (4, 0), (1, 2), (4, 4), (12, 3)] {
                let (fast, slow) = (img.box_blur(rx, ry), box_blur_ref(&img, rx, ry));
                let same = fast.data.iter().zip(&slow.data).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{w}×{h}, radius ({rx}, {ry})");
            }
        }
        assert_eq!(GrayImage::new(0, 3, Vec::new()).box_blur(2, 2).data.len(), 0);
    }

    #[test]
    fn sample_matches_the_plain_bilinear_bit_for_bit() {
        let mut rng = Lcg(11);
        let img = noise(13, 7, &mut rng);
        for _ in 0..2000 {
            let (x, y) = (rng.next() * 10.0 + 6.5, rng.next() * 6.0 + 3.5);
            assert_eq!(img.sample(x, y).to_bits(), sample_ref(&img, x, y).to_bits(), "at ({x}, {y})");
        }
    }
}
