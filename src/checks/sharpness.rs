//! `sharpness`: the face is not blurred.
//!
//! Measure: Crété-Roffet's no-reference blur metric ("The Blur Effect", 2007) on the face, resampled
//! with the eye line level to at most `SIDE` pixels: blur the patch again with a 9-tap box filter and
//! see how much of its neighbour-to-neighbour variation survives. 0 = sharp, 1 = fully blurred.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::{warp_gray, Affine, GrayImage, Point};
use crate::observe::Observation;
use crate::report::{r3, CheckResult, Common, Shape};

/// `sharpness`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest blur metric (0..1) accepted.
    pub max_blur: f32,
    /// Faces narrower than this (pixels) are too small to judge.
    pub min_face_width_px: f32,
}

crate::reasons! {
    /// Why `sharpness` answered as it did.
    pub enum Reason {
        /// The face is sharp.
        Ok = "ok" => ("照片清晰", "Sharp"),
        /// The face is blurred beyond `max_blur`.
        Blurred = "blurred" => ("照片模糊，请拿稳手机并对焦到脸部", "Blurred: hold the phone steady and focus on the face"),
    }
}

/// What `sharpness` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Crété-Roffet blur of the face patch, 0 (sharp) … 1 (blurred); absent when the face was too small.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blur: Option<f64>,
    /// Cheek-to-cheek face width, pixels.
    pub face_width_px: f64,
}

/// `sharpness`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// The face patch is sampled at most this many pixels wide (no upsampling below it).
const SIDE: f32 = 160.0;

/// `d.max(0.0)`, NaN to 0 as there, written as a comparison: `f32::max` compiles to a call to libm's
/// `fmaxf` on wasm (whose `f32.max` treats NaN differently), two per pixel here.
#[inline]
fn positive(d: f32) -> f32 {
    if d > 0.0 {
        d
    } else {
        0.0
    }
}

/// Crété-Roffet blur metric of a grey image, 0 (sharp) .. 1 (blurred).
pub fn blur_metric(img: &GrayImage) -> f32 {
    let blur_v = img.box_blur(0, 4);
    let blur_h = img.box_blur(4, 0);
    let w = img.width;
    let (mut sf_v, mut sv_v, mut sf_h, mut sv_h) = (0f64, 0f64, 0f64, 0f64);
    fn rows(g: &GrayImage) -> Vec<&[f32]> {
        g.data.chunks_exact(g.width.max(1)).collect()
    }
    let (img_rows, v_rows, h_rows) = (rows(img), rows(&blur_v), rows(&blur_h));
    for y in 1..img_rows.len() {
        let (row, up) = (img_rows[y], img_rows[y - 1]);
        let (bv, bv_up, bh) = (v_rows[y], v_rows[y - 1], h_rows[y]);
        for x in 1..w {
            let df_v = (row[x] - up[x]).abs();
            let db_v = (bv[x] - bv_up[x]).abs();
            let df_h = (row[x] - row[x - 1]).abs();
            let db_h = (bh[x] - bh[x - 1]).abs();
            sf_v += df_v as f64;
            sv_v += positive(df_v - db_v) as f64;
            sf_h += df_h as f64;
            sv_h += positive(df_h - db_h) as f64;
        }
    }
    let b_v = if sf_v > 0.0 { (sf_v - sv_v) / sf_v } else { 1.0 };
    let b_h = if sf_h > 0.0 { (sf_h - sv_h) / sf_h } else { 1.0 };
    b_v.max(b_h) as f32
}

/// Judges the face's sharpness.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let width = face.width();
    let face_width_px = r3(width);
    if width < p.min_face_width_px {
        return Outcome::unknown_common(Common::FaceTooSmall, Some(Measure { blur: None, face_width_px }), p);
    }
    // the central face: eyes to mouth, cheek to cheek, level
    let roi = face.mesh.roi;
    let side_px = roi.size / 1.5 * 0.8;
    let n = side_px.min(SIDE).round().max(16.0) as usize;
    let map = Affine::from_rotated_rect(roi.center, side_px, side_px, roi.rotation, n as f32, n as f32);
    let blur = blur_metric(&warp_gray(obs.frame, &map, n, n));
    let value = Measure { blur: Some(r3(blur)), face_width_px };
    let n = n as f32;
    let corners = [(0.0, 0.0), (n, 0.0), (n, n), (0.0, n)].map(|(u, v)| map.apply(Point::new(u, v)));
    let region = vec![Shape::new("face_patch", corners)];
    let outcome =
        if blur <= p.max_blur { Outcome::pass(Reason::Ok, value, p) } else { Outcome::fail(Reason::Blurred, value, p) };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder};

    fn chsi() -> Params {
        profile().sharpness
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().blur(4.0), Status::Fail, Why::Own(Reason::Blurred)),
            (SceneBuilder::new().face_width(40.0), Status::Unknown, Why::Common(Common::FaceTooSmall)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.run(check, &chsi());
            assert_outcome(&r, status, reason);
        }
    }

    #[test]
    fn blur_grows_with_the_gaussian_sigma() {
        let mut last = -1.0;
        for sigma in [0.0, 1.0, 2.0, 4.0] {
            let m = SceneBuilder::new().blur(sigma).run(check, &chsi()).value.expect("a measure");
            let blur = m.blur.expect("a blur value");
            assert!(blur > last && blur <= 1.0, "sigma {sigma}: {m:?}");
            assert!((m.face_width_px - 120.0).abs() < 0.01, "{m:?}");
            last = blur;
        }
        // too small: the width, no blur
        let small = SceneBuilder::new().face_width(40.0).run(check, &chsi()).value.expect("a measure");
        assert_eq!(small.blur, None);
        assert!((small.face_width_px - 40.0).abs() < 0.01, "{small:?}");
    }

    #[test]
    fn blur_metric_of_flat_and_edged_images() {
        // no variation at all reads as fully blurred; a hard-edged checkerboard is mostly sharp
        assert_eq!(blur_metric(&GrayImage::new(32, 32, vec![128.0; 32 * 32])), 1.0);
        let board: Vec<f32> =
            (0..32 * 32).map(|i| if (i % 32 / 4 + i / 32 / 4) % 2 == 0 { 0.0 } else { 255.0 }).collect();
        let b = blur_metric(&GrayImage::new(32, 32, board));
        assert!(b < 0.3, "{b}");
    }

    #[test]
    fn the_limits_flip_at_the_measured_values() {
        let scene = SceneBuilder::new().blur(1.5).build();
        let obs = scene.observation();
        let blur = check(&obs, &chsi()).value.and_then(|m| m.blur).expect("a blur value") as f32;
        let width = obs.face.as_ref().expect("a face").width();
        let at = |p: Params| check(&obs, &p).reason;
        assert_eq!(at(Params { max_blur: blur + 2e-3, ..chsi() }), Why::Own(Reason::Ok));
        assert_eq!(at(Params { max_blur: blur - 2e-3, ..chsi() }), Why::Own(Reason::Blurred));
        // blurred beyond chsi's 0.45, and judged so down to the width limit
        assert!(blur > chsi().max_blur, "{blur}");
        assert_eq!(at(Params { min_face_width_px: width - 2e-3, ..chsi() }), Why::Own(Reason::Blurred));
        assert_eq!(at(Params { min_face_width_px: width + 2e-3, ..chsi() }), Why::Common(Common::FaceTooSmall));
    }

    #[test]
    fn blur_metric_matches_the_per_pixel_form_bit_for_bit() {
        // the metric as first written, every value read through `get`
        fn reference(img: &GrayImage) -> f32 {
            let (blur_v, blur_h) = (img.box_blur(0, 4), img.box_blur(4, 0));
            let (mut sf_v, mut sv_v, mut sf_h, mut sv_h) = (0f64, 0f64, 0f64, 0f64);
            for y in 1..img.height {
                for x in 1..img.width {
                    let df_v = (img.get(x, y) - img.get(x, y - 1)).abs();
                    let db_v = (blur_v.get(x, y) - blur_v.get(x, y - 1)).abs();
                    let df_h = (img.get(x, y) - img.get(x - 1, y)).abs();
                    let db_h = (blur_h.get(x, y) - blur_h.get(x - 1, y)).abs();
                    sf_v += df_v as f64;
                    sv_v += (df_v - db_v).max(0.0) as f64;
                    sf_h += df_h as f64;
                    sv_h += (df_h - db_h).max(0.0) as f64;
                }
            }
            let b_v = if sf_v > 0.0 { (sf_v - sv_v) / sf_v } else { 1.0 };
            let b_h = if sf_h > 0.0 { (sf_h - sv_h) / sf_h } else { 1.0 };
            b_v.max(b_h) as f32
        }
        let mut rng = crate::testkit::Lcg(23);
        for (w, h) in [(1, 1), (16, 16), (40, 23), (160, 160)] {
            let img = GrayImage::new(w, h, (0..w * h).map(|_| 127.5 + 127.5 * rng.next()).collect());
            assert_eq!(blur_metric(&img).to_bits(), reference(&img).to_bits(), "{w}×{h}");
        }
    }
}
