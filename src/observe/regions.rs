//! Regions around the face used by the ears, hair and hat checks, and a per-frame skin-colour model.
//!
//! All regions are placed in the face's own frame: origin between the eyes, `x` along the eye line
//! toward the image's right (the subject's left), `y` down, lengths in face widths (cheek to cheek,
//! landmarks 234–454). "Right"/"left" are the subject's: the subject's right ear is on the image's left.

use super::{landmarks as lm, Face, Observation};
use crate::frame::Frame;
use crate::imaging::geometry::polygon_pixels;
use crate::imaging::Point;

/// The face's frame: origin, unit vectors (image pixels) and scale (face width in pixels).
#[derive(Clone, Copy, Debug)]
pub struct FaceFrame {
    /// Midpoint between the two eye centres, image pixels.
    pub origin: Point,
    /// Unit vector along the eye line, from the subject's right eye to the left (toward the image's right).
    pub ex: (f32, f32),
    /// Unit vector perpendicular to `ex`, pointing down the face (toward the chin).
    pub ey: (f32, f32),
    /// Cheek-to-cheek face width, pixels (at least 0.001).
    pub scale: f32,
}

impl FaceFrame {
    /// The frame of `face`, from its eye centres and cheek-to-cheek width.
    pub fn of(face: &Face) -> FaceFrame {
        let right = face.point(lm::RIGHT_EYE_OUTER).mid(face.point(lm::RIGHT_EYE_INNER));
        let left = face.point(lm::LEFT_EYE_OUTER).mid(face.point(lm::LEFT_EYE_INNER));
        let d = ((left.x - right.x), (left.y - right.y));
        let n = (d.0 * d.0 + d.1 * d.1).sqrt().max(1e-3);
        let ex = (d.0 / n, d.1 / n);
        FaceFrame { origin: right.mid(left), ex, ey: (-ex.1, ex.0), scale: face.width().max(1e-3) }
    }

    /// `p` moved by `(u, v)` face widths along the frame's axes.
    pub fn offset(&self, p: Point, u: f32, v: f32) -> Point {
        let s = self.scale;
        Point::new(p.x + s * (u * self.ex.0 + v * self.ey.0), p.y + s * (u * self.ex.1 + v * self.ey.1))
    }

    /// Face-frame coordinates (face widths) of an image point.
    pub fn to_face(&self, p: Point) -> (f32, f32) {
        let (dx, dy) = (p.x - self.origin.x, p.y - self.origin.y);
        ((dx * self.ex.0 + dy * self.ex.1) / self.scale, (dx * self.ey.0 + dy * self.ey.1) / self.scale)
    }
}

/// Y, Cb, Cr (BT.601, full range) of an RGB pixel.
#[inline]
pub fn ycbcr(p: [u8; 3]) -> [f32; 3] {
    let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
    [
        0.299 * r + 0.587 * g + 0.114 * b,
        128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b,
        128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b,
    ]
}

/// Skin colour of this face, learned from both cheeks and the nose (never from the forehead, which
/// hair may cover): mean and spread of the chroma (Cb, Cr) and of the luma.
#[derive(Clone, Copy, Debug)]
pub struct SkinModel {
    /// Mean Y, Cb, Cr of the sampled skin pixels (see [`ycbcr`]).
    pub mean: [f32; 3],
    /// Inverse of the 2×2 chroma covariance (with a floor so a flat-coloured face still has a spread).
    inv: [f32; 3],
    /// Standard deviation of the sampled skin pixels' luma (Y, 0..255).
    pub luma_std: f32,
}

/// Where the skin model is learned: the cheeks below each eye (subject's right, left) and the nose
/// from its bridge to its tip. Never the forehead, which hair may cover.
pub const SKIN_SAMPLES: [&[usize]; 3] =
    [&[117, 118, 101, 36, 205, 187, 123], &[346, 347, 330, 266, 425, 411, 352], &[6, 351, 437, 4, 217, 122]];

/// Smallest chroma standard deviation assumed (JPEG noise and lighting make real skin vary this much).
const MIN_CHROMA_STD: f32 = 3.0;

impl SkinModel {
    /// Learns the model from the cheek and nose regions, or `None` when they are too small to sample.
    /// The pipeline learns it once per frame ([`Observation::skin`]); the checks read it from there.
    pub fn learn(frame: &Frame, face: &Face) -> Option<SkinModel> {
        let mut px = Vec::new();
        for r in SKIN_SAMPLES {
            let poly = face.points(r);
            for (x, y) in polygon_pixels(&poly, frame.width(), frame.height(), 1) {
                px.push(ycbcr(frame.pixel(x as i64, y as i64)));
            }
        }
        if px.len() < 12 {
            return None;
        }
        let n = px.len() as f32;
        let mut mean = [0f32; 3];
        for p in &px {
            for c in 0..3 {
                mean[c] += p[c] / n;
            }
        }
        let (mut sbb, mut sbr, mut srr, mut syy) = (0f32, 0f32, 0f32, 0f32);
        for p in &px {
            let (b, r, y) = (p[1] - mean[1], p[2] - mean[2], p[0] - mean[0]);
            sbb += b * b / n;
            sbr += b * r / n;
            srr += r * r / n;
            syy += y * y / n;
        }
        let floor = MIN_CHROMA_STD * MIN_CHROMA_STD;
        let (sbb, srr) = (sbb + floor, srr + floor);
        let det = (sbb * srr - sbr * sbr).max(1e-6);
        Some(SkinModel { mean, inv: [srr / det, -sbr / det, sbb / det], luma_std: syy.sqrt() })
    }

    /// Mahalanobis distance of a pixel's chroma from the skin chroma.
    pub fn chroma_distance(&self, ycc: [f32; 3]) -> f32 {
        let (b, r) = (ycc[1] - self.mean[1], ycc[2] - self.mean[2]);
        (self.inv[0] * b * b + 2.0 * self.inv[1] * b * r + self.inv[2] * r * r).max(0.0).sqrt()
    }

    /// Whether a pixel looks like this face's skin: chroma within `max_chroma` and luma at least
    /// `min_luma_ratio` × the skin's mean luma (hair of skin-like hue is darker).
    pub fn is_skin(&self, ycc: [f32; 3], max_chroma: f32, min_luma_ratio: f32) -> bool {
        self.chroma_distance(ycc) <= max_chroma && ycc[0] >= min_luma_ratio * self.mean[0]
    }
}

/// What was found inside one region.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RegionStats {
    /// Pixels sampled inside the frame.
    pub inside: usize,
    /// Share of the region's sample grid that lies inside the frame.
    pub in_frame: f32,
    /// Share of in-frame pixels the person mask claims (probability ≥ 0.5).
    pub person: f32,
    /// Share of in-frame person pixels that look like skin.
    pub skin: f32,
    /// Mean luma ÷ the skin's mean luma, over person pixels.
    pub rel_luma: f32,
    /// Mean chroma distance from skin, over person pixels.
    pub chroma: f32,
    /// Mean colourfulness √((Cb−128)² + (Cr−128)²), over person pixels.
    pub saturation: f32,
    /// Standard deviation of luma ÷ the skin's mean luma, over person pixels (texture).
    pub luma_spread: f32,
}

/// Samples a polygon on a grid of about 24 points across and measures it.
pub fn measure(
    obs: &Observation,
    skin: &SkinModel,
    poly: &[Point],
    max_chroma: f32,
    min_luma_ratio: f32,
) -> RegionStats {
    let (x0, y0, x1, y1) = crate::imaging::geometry::bounds(poly.iter().copied());
    let extent = (x1 - x0).max(y1 - y0);
    let step = ((extent / 24.0).floor() as usize).max(1);
    let big = 1_000_000u32;
    // count grid points of the polygon over an unbounded canvas, shifted so negative coordinates count
    let shift = Point::new(x0.min(0.0).floor(), y0.min(0.0).floor());
    let shifted: Vec<Point> = poly.iter().map(|p| Point::new(p.x - shift.x, p.y - shift.y)).collect();
    let all = polygon_pixels(&shifted, big, big, step);
    let (w, h) = (obs.frame.width() as i64, obs.frame.height() as i64);
    let mut s = RegionStats::default();
    let (mut person, mut skin_px, mut luma, mut chroma, mut sat, mut luma2) = (0usize, 0usize, 0f32, 0f32, 0f32, 0f32);
    for (x, y) in &all {
        let (x, y) = (*x as i64 + shift.x as i64, *y as i64 + shift.y as i64);
        if x < 0 || y < 0 || x >= w || y >= h {
            continue;
        }
        s.inside += 1;
        let is_person = obs.mask.at(x as f32 + 0.5, y as f32 + 0.5) >= 0.5;
        if !is_person {
            continue;
        }
        person += 1;
        let c = ycbcr(obs.frame.pixel(x, y));
        luma += c[0];
        luma2 += c[0] * c[0];
        sat += ((c[1] - 128.0).powi(2) + (c[2] - 128.0).powi(2)).sqrt();
        chroma += skin.chroma_distance(c);
        if skin.is_skin(c, max_chroma, min_luma_ratio) {
            skin_px += 1;
        }
    }
    s.in_frame = if all.is_empty() { 0.0 } else { s.inside as f32 / all.len() as f32 };
    s.person = if s.inside == 0 { 0.0 } else { person as f32 / s.inside as f32 };
    if person > 0 {
        s.skin = skin_px as f32 / person as f32;
        s.rel_luma = luma / person as f32 / skin.mean[0].max(1.0);
        s.chroma = chroma / person as f32;
        s.saturation = sat / person as f32;
        let m = luma / person as f32;
        s.luma_spread = (luma2 / person as f32 - m * m).max(0.0).sqrt() / skin.mean[0].max(1.0);
    }
    s
}

/// The zone beside the face oval where the subject's ear must be: from `inset` face widths inside the
/// face edge to `outset` outside it, between the temple (landmark 127 / 356) and the jaw below the
/// ear (93 / 323). `right` is the subject's right (image left).
pub fn ear_zone(face: &Face, ff: &FaceFrame, right: bool, inset: f32, outset: f32) -> Vec<Point> {
    let (top, bottom, out) = if right { (127, 93, -1.0) } else { (356, 323, 1.0) };
    let (t, b) = (face.point(top), face.point(bottom));
    vec![
        ff.offset(t, -out * inset, 0.0),
        ff.offset(t, out * outset, 0.0),
        ff.offset(b, out * outset, 0.0),
        ff.offset(b, -out * inset, 0.0),
    ]
}

/// The forehead band just above one brow: from the brow's upper edge up `height` face widths.
/// `right` is the subject's right brow (image left).
pub fn brow_band(face: &Face, ff: &FaceFrame, right: bool, lift: f32, height: f32) -> Vec<Point> {
    // upper brow edge, outer → inner; the brow's outer tail (70 / 300) is left out: temple hair
    // naturally reaches down beside it
    let upper: [usize; 4] = if right { [63, 105, 66, 107] } else { [293, 334, 296, 336] };
    let pts = face.points(&upper);
    let mut poly: Vec<Point> = pts.iter().map(|&p| ff.offset(p, 0.0, -lift)).collect();
    poly.extend(pts.iter().rev().map(|&p| ff.offset(p, 0.0, -lift - height)));
    poly
}

/// The band above the top of the face mesh (landmark 10 and its neighbours on the oval): where a
/// hat or headband sits and where hair (or bare scalp) shows without one.
pub fn crown_band(face: &Face, ff: &FaceFrame, from: f32, to: f32, half_width: f32) -> Vec<Point> {
    let top = face.point(lm::FOREHEAD);
    vec![
        ff.offset(top, -half_width, -from),
        ff.offset(top, half_width, -from),
        ff.offset(top, half_width, -to),
        ff.offset(top, -half_width, -to),
    ]
}
