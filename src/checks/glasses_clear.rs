//! `glasses_clear`: no glasses, or glasses whose frames stay off the eyes and whose lenses neither glare
//! nor are tinted. Glasses themselves are allowed.
//!
//! Measures, all from a few hundred grey or colour samples placed with the face mesh (face widths in the
//! face's own frame, see `observe::regions`):
//! - **presence**: a frame's bridge is a horizontal line across the nose between the inner eye corners
//!   (133 / 362), and its lower rims are horizontal lines below the lower lids (145 / 374). Each is the
//!   largest luma step (÷ the face's skin luma) along short vertical profiles, the median over five
//!   profiles (a line crosses all of them; a wrinkle or a mole does not). The rims count the weaker eye.
//! - **glare**: share of the lens zone around each eye (outside the eye opening, whose sclera is white)
//!   that is near-white and brighter than the skin; the worse eye counts.
//! - **tint**: the lens zone's mean luma and the eye opening's mean luma, each ÷ the skin's: behind a dark
//!   lens both are dark (without one the sclera is about as bright as the cheeks).
//!
//! Tint and frames over the eyes must hold for both eyes (the brighter or clearer eye counts); glare on
//! either lens fails.
//! - **frames over the eyes**: rows across each eye opening between the lids; without a frame every row
//!   meets bright sclera beside the iris, a rim across the eye darkens one row from end to end. The
//!   measure is the darkest row's brightest sample ÷ the opening's brightest (so shade does not count).
//!
//! Glare, tint and frames are judged only when glasses are found: a face without glasses always passes
//! (`ok`), so the sub-measures cannot nag a student who wears none. Glare, tint and frames over the eyes
//! have no labelled photos; their limits were set on synthetic scenes (see README "Accuracy").

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::point_in_polygon;
use crate::imaging::Point;
use crate::observe::landmarks as lm;
use crate::observe::regions::FaceFrame;
use crate::observe::{Face, Observation};
use crate::report::{r3, CheckResult, Common, Shape};

/// `glasses_clear`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which a frame is too thin to see.
    pub min_face_width_px: f32,
    /// The bridge profiles lie within this many face widths either side of the nose's midline …
    pub bridge_half_width: f32,
    /// … from this far above the inner eye corners …
    pub bridge_above: f32,
    /// … to this far below them, in face widths.
    pub bridge_below: f32,
    /// The rim profiles start this far below the lower lid (past its lashes) …
    pub rim_from: f32,
    /// … and end this far below it, in face widths.
    pub rim_to: f32,
    /// Glasses: the bridge's luma step ÷ skin luma at least this …
    pub min_bridge_edge: f32,
    /// … and the weaker eye's lower-rim step ÷ skin luma at least this.
    pub min_rim_edge: f32,
    /// The lens zone reaches this far beyond the eye corners, in face widths …
    pub lens_margin: f32,
    /// … this far above the upper lid …
    pub lens_above: f32,
    /// … and this far below the lower lid.
    pub lens_below: f32,
    /// Glare: a lens sample at least this bright (luma 0–255) …
    pub glare_min_luma: f32,
    /// … and at least this many times the skin's luma …
    pub glare_min_rel_luma: f32,
    /// … in more than this share of one lens zone is glare.
    pub max_glare_share: f32,
    /// Tinted: the lens zone's mean luma ÷ skin luma at most this …
    pub max_tint_lens_luma: f32,
    /// … and the eye opening's mean luma ÷ skin luma at most this.
    pub max_tint_eye_luma: f32,
    /// Frames over the eyes are judged only when both eye openings are at least this many pixels high.
    pub min_eye_opening_px: f32,
    /// A frame crosses the eyes when in both eyes a row across the opening stays dark: its brightest sample
    /// ÷ the opening's brightest at most this.
    pub max_frame_luma: f32,
}

crate::reasons! {
    /// Why `glasses_clear` answered as it did.
    pub enum Reason {
        /// No glasses.
        Ok = "ok" => ("未戴眼镜", "No glasses"),
        /// Glasses, with clear lenses and the frames off the eyes.
        GlassesOk = "glasses_ok" => ("眼镜无反光、镜框未遮挡眼睛", "Glasses fine: no glare, frames clear of the eyes"),
        /// A reflection on a lens.
        GlareOnGlasses = "glare_on_glasses" => (
            "眼镜反光，请让对方微微低头或调整眼镜角度，或避开正面光源",
            "Glare on the glasses: ask them to tilt the glasses or their head slightly, or move the light",
        ),
        /// A frame crosses an eye.
        FramesOverEyes = "frames_over_eyes" => (
            "镜框遮挡眼睛，请让对方扶正眼镜，或摘下眼镜",
            "The frames cover the eyes: ask them to straighten the glasses or take them off",
        ),
        /// Dark or tinted lenses.
        TintedGlasses = "tinted_glasses" => (
            "镜片有颜色，请让对方摘下有色眼镜或墨镜",
            "Tinted lenses: ask them to take off the sunglasses or tinted glasses",
        ),
        /// Glasses were found but the eye openings are too small to tell whether a frame crosses them.
        EyesNotMeasurable = "eyes_not_measurable" => (
            "看不清眼镜后的眼睛，请让对方睁大眼睛或靠近一些",
            "Cannot see the eyes behind the glasses: ask them to open their eyes, or move closer",
        ),
        /// The eye region lies partly outside the frame.
        EyesOutsideFrame = "eyes_outside_frame" => (
            "眼睛不在画面内，请让对方整个头部入镜",
            "The eyes are outside the picture: get the whole head in the frame",
        ),
        /// Too few face pixels to learn the skin colour.
        NoSkinModel = "no_skin_model" => ("无法取得肤色，无法判断眼镜", "Could not sample the skin colour to judge glasses"),
    }
}

/// What `glasses_clear` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width (only when the face was too small to judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_width_px: Option<f64>,
    /// The bridge's luma step ÷ skin luma (median of five profiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<f64>,
    /// The weaker eye's lower-rim luma step ÷ skin luma.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rims: Option<f64>,
    /// Whether glasses were found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glasses: Option<bool>,
    /// The worse lens zone's share of glare samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glare: Option<f64>,
    /// The brighter lens zone's mean luma ÷ skin luma.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lens_luma: Option<f64>,
    /// The brighter eye opening's mean luma ÷ skin luma.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eye_luma: Option<f64>,
    /// The clearer eye's frame measure: its darkest row's brightest sample ÷ the opening's brightest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_luma: Option<f64>,
    /// The smaller eye opening, pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eye_opening_px: Option<f64>,
}

impl Measure {
    fn empty() -> Measure {
        Measure {
            face_width_px: None,
            bridge: None,
            rims: None,
            glasses: None,
            glare: None,
            lens_luma: None,
            eye_luma: None,
            frame_luma: None,
            eye_opening_px: None,
        }
    }
}

/// `glasses_clear`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Most samples along one profile (a profile is sampled about every pixel, up to this many).
const MAX_PROFILE_SAMPLES: usize = 40;
/// The five profile positions across a bridge or a rim, as shares of its width.
const PROFILE_SPOTS: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// The lens zone is sampled on a grid of this many points across and down.
const LENS_GRID: (usize, usize) = (12, 10);
/// Rows across the eye opening, as shares of the way from the upper lid to the lower (clear of the lashes).
const FRAME_ROWS: [f32; 5] = [0.3, 0.4, 0.5, 0.6, 0.7];
/// Upper → lower lid pairs across each whole eye (outer corner → inner), for the eye opening's luma.
const ALL_LIDS: [[(usize, usize); 7]; 2] = [
    [(246, 7), (161, 163), (160, 144), (159, 145), (158, 153), (157, 154), (173, 155)],
    [(466, 249), (388, 390), (387, 373), (386, 374), (385, 380), (384, 381), (398, 382)],
];

/// One eye's landmarks: (outer corner, inner corner, upper lid, lower lid, contour).
fn eye(right: bool) -> (usize, usize, usize, usize, &'static [usize]) {
    if right {
        (lm::RIGHT_EYE_OUTER, lm::RIGHT_EYE_INNER, lm::RIGHT_EYE_UPPER, lm::RIGHT_EYE_LOWER, &lm::RIGHT_EYE)
    } else {
        (lm::LEFT_EYE_OUTER, lm::LEFT_EYE_INNER, lm::LEFT_EYE_UPPER, lm::LEFT_EYE_LOWER, &lm::LEFT_EYE)
    }
}

/// Samples the grey image; `None` outside the frame.
struct Sampler<'a> {
    obs: &'a Observation<'a>,
    w: f32,
    h: f32,
}

impl Sampler<'_> {
    fn inside(&self, p: Point) -> bool {
        p.x >= 0.0 && p.y >= 0.0 && p.x < self.w && p.y < self.h
    }

    fn luma(&self, p: Point) -> Option<f32> {
        self.inside(p).then(|| self.obs.gray.sample(p.x, p.y))
    }

    /// The largest luma step between neighbouring samples (about a pixel apart) from `a` to `b`; each
    /// sample is the mean of three points a pixel apart across the profile (`across`, a unit vector).
    fn largest_step(&self, a: Point, b: Point, across: (f32, f32)) -> Option<f32> {
        let n = (a.dist(b).ceil() as usize + 1).clamp(3, MAX_PROFILE_SAMPLES);
        let mut prev: Option<f32> = None;
        let mut best = 0f32;
        for i in 0..n {
            let c = a.lerp(b, i as f32 / (n - 1) as f32);
            let mut sum = 0.0;
            for k in [-1.0f32, 0.0, 1.0] {
                sum += self.luma(Point::new(c.x + k * across.0, c.y + k * across.1))?;
            }
            let v = sum / 3.0;
            if let Some(p) = prev {
                best = best.max((v - p).abs());
            }
            prev = Some(v);
        }
        Some(best)
    }
}

/// The median of five values.
fn median5(mut v: [f32; 5]) -> f32 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[2]
}

/// The bridge's step: five vertical profiles across the nose between the inner eye corners.
fn bridge_edge(s: &Sampler, face: &Face, ff: &FaceFrame, p: &Params) -> Option<f32> {
    let base = face.point(lm::RIGHT_EYE_INNER).mid(face.point(lm::LEFT_EYE_INNER));
    let mut steps = [0f32; 5];
    for (k, t) in PROFILE_SPOTS.iter().enumerate() {
        let u = p.bridge_half_width * (2.0 * t - 1.0);
        let (a, b) = (ff.offset(base, u, -p.bridge_above), ff.offset(base, u, p.bridge_below));
        steps[k] = s.largest_step(a, b, ff.ex)?;
    }
    Some(median5(steps))
}

/// One eye's lower-rim step: five vertical profiles below the lower lid, between the eye's corners.
fn rim_edge(s: &Sampler, face: &Face, ff: &FaceFrame, right: bool, p: &Params) -> Option<f32> {
    let (outer, inner, _, lower, _) = eye(right);
    let (o, i) = (face.point(outer), face.point(inner));
    // the lower lid's distance below the corners' line, face widths
    let drop = ff.to_face(face.point(lower)).1 - ff.to_face(o.mid(i)).1;
    let mut steps = [0f32; 5];
    for (k, t) in PROFILE_SPOTS.iter().enumerate() {
        let c = i.lerp(o, 0.15 + 0.7 * t);
        let (a, b) = (ff.offset(c, 0.0, drop + p.rim_from), ff.offset(c, 0.0, drop + p.rim_to));
        steps[k] = s.largest_step(a, b, ff.ex)?;
    }
    Some(median5(steps))
}

/// A lens zone's bounds in the face's frame (face widths): the eye's box widened by the profile's margins.
fn lens_bounds(face: &Face, ff: &FaceFrame, right: bool, p: &Params) -> (f32, f32, f32, f32) {
    let (outer, inner, upper, lower, _) = eye(right);
    let coords = [outer, inner, upper, lower].map(|i| ff.to_face(face.point(i)));
    let (u0, u1) = (coords[0].0.min(coords[1].0) - p.lens_margin, coords[0].0.max(coords[1].0) + p.lens_margin);
    (u0, u1, coords[2].1 - p.lens_above, coords[3].1 + p.lens_below)
}

/// The two lens zones as shapes (`right_lens`, `left_lens`), when there is a face.
fn lens_region(obs: &Observation, p: &Params) -> Vec<Shape> {
    let Some(face) = &obs.face else { return vec![] };
    let ff = FaceFrame::of(face);
    let lens = |right| {
        let (u0, u1, v0, v1) = lens_bounds(face, &ff, right, p);
        [(u0, v0), (u1, v0), (u1, v1), (u0, v1)].map(|(u, v)| ff.offset(ff.origin, u, v))
    };
    vec![Shape::new("right_lens", lens(true)), Shape::new("left_lens", lens(false))]
}

/// One lens zone: (glare share, mean luma ÷ skin), outside the eye opening; `None` when part of it lies
/// outside the frame.
fn lens_zone(s: &Sampler, face: &Face, ff: &FaceFrame, right: bool, skin_luma: f32, p: &Params) -> Option<(f32, f32)> {
    let (u0, u1, v0, v1) = lens_bounds(face, ff, right, p);
    let opening = face.points(eye(right).4);
    let (mut n, mut glare, mut luma) = (0usize, 0usize, 0f32);
    for j in 0..LENS_GRID.1 {
        for i in 0..LENS_GRID.0 {
            let u = u0 + (u1 - u0) * (i as f32 + 0.5) / LENS_GRID.0 as f32;
            let v = v0 + (v1 - v0) * (j as f32 + 0.5) / LENS_GRID.1 as f32;
            let q = ff.offset(ff.origin, u, v);
            if !s.inside(q) {
                return None;
            }
            if point_in_polygon(q, &opening) {
                continue;
            }
            let y = s.obs.gray.sample(q.x, q.y);
            n += 1;
            luma += y;
            if y >= p.glare_min_luma && y >= p.glare_min_rel_luma * skin_luma {
                glare += 1;
            }
        }
    }
    (n > 0).then(|| (glare as f32 / n as f32, luma / n as f32 / skin_luma))
}

/// One eye's opening: (mean luma ÷ skin along the middle of its lid-to-lid segments, the frame measure, the
/// opening's height in pixels at landmarks 159/145 or 386/374).
///
/// The frame measure samples rows across the opening at fixed shares of the way from the upper lid to the
/// lower, through the five middle lid pairs (the pairs beside the corners are only lashes). Without a frame
/// every row meets bright sclera beside the iris; a rim across the eye darkens one row from end to end.
/// The measure is the darkest row's brightest sample ÷ the opening's brightest sample.
fn eye_opening(s: &Sampler, face: &Face, right: bool, skin_luma: f32) -> Option<(f32, f32, f32)> {
    let side = if right { 0 } else { 1 };
    let (_, _, upper, lower, _) = eye(right);
    let lids = ALL_LIDS[side];
    let mut rows = [0f32; FRAME_ROWS.len()];
    let (mut sum, mut brightest) = (0f32, 1f32);
    for (k, (up, low)) in lids.iter().enumerate() {
        let (a, b) = (face.point(*up), face.point(*low));
        for (row, t) in rows.iter_mut().zip(FRAME_ROWS) {
            let y = s.luma(a.lerp(b, t))?;
            sum += y;
            brightest = brightest.max(y);
            if k > 0 && k + 1 < lids.len() {
                *row = row.max(y);
            }
        }
    }
    let darkest_row = rows.iter().fold(f32::MAX, |m, &r| m.min(r));
    let n = (lids.len() * FRAME_ROWS.len()) as f32;
    Some((sum / n / skin_luma, darkest_row / brightest, face.point(upper).dist(face.point(lower))))
}

/// Judges whether glasses, if any, leave the eyes clear.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    judge(obs, p).with_region(lens_region(obs, p))
}

fn judge(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    if face.width() < p.min_face_width_px {
        let value = Measure { face_width_px: Some(r3(face.width())), ..Measure::empty() };
        return Outcome::unknown_common(Common::FaceTooSmall, Some(value), p);
    }
    let Some(skin) = obs.skin else { return Outcome::unknown(Reason::NoSkinModel, None, p) };
    let skin_luma = skin.mean[0].max(1.0);
    let ff = FaceFrame::of(face);
    let s = Sampler { obs, w: obs.frame.width() as f32, h: obs.frame.height() as f32 };
    let edges = (|| {
        let bridge = bridge_edge(&s, face, &ff, p)? / skin_luma;
        let rims = rim_edge(&s, face, &ff, true, p)?.min(rim_edge(&s, face, &ff, false, p)?) / skin_luma;
        Some((bridge, rims))
    })();
    let Some((bridge, rims)) = edges else {
        return Outcome::unknown(Reason::EyesOutsideFrame, Some(Measure::empty()), p);
    };
    let glasses = bridge >= p.min_bridge_edge && rims >= p.min_rim_edge;
    let mut value =
        Measure { bridge: Some(r3(bridge)), rims: Some(r3(rims)), glasses: Some(glasses), ..Measure::empty() };
    let lenses = (|| {
        let (rl, ll) = (lens_zone(&s, face, &ff, true, skin_luma, p)?, lens_zone(&s, face, &ff, false, skin_luma, p)?);
        let (re, le) = (eye_opening(&s, face, true, skin_luma)?, eye_opening(&s, face, false, skin_luma)?);
        Some((rl.0.max(ll.0), rl.1.max(ll.1), re.0.max(le.0), re.1.max(le.1), re.2.min(le.2)))
    })();
    let Some((glare, lens_luma, eye_luma, frame, opening)) = lenses else {
        return Outcome::unknown(Reason::EyesOutsideFrame, Some(value), p);
    };
    value.glare = Some(r3(glare));
    value.lens_luma = Some(r3(lens_luma));
    value.eye_luma = Some(r3(eye_luma));
    value.frame_luma = Some(r3(frame));
    value.eye_opening_px = Some(r3(opening));
    if !glasses {
        return Outcome::pass(Reason::Ok, value, p);
    }
    if lens_luma <= p.max_tint_lens_luma && eye_luma <= p.max_tint_eye_luma {
        return Outcome::fail(Reason::TintedGlasses, value, p);
    }
    if glare > p.max_glare_share {
        return Outcome::fail(Reason::GlareOnGlasses, value, p);
    }
    if opening < p.min_eye_opening_px {
        return Outcome::unknown(Reason::EyesNotMeasurable, Some(value), p);
    }
    if frame <= p.max_frame_luma {
        return Outcome::fail(Reason::FramesOverEyes, value, p);
    }
    Outcome::pass(Reason::GlassesOk, value, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, Glasses, SceneBuilder};

    fn params() -> Params {
        profile().glasses_clear
    }

    #[test]
    fn no_glasses_and_clear_glasses_pass() {
        let p = params();
        let bare = SceneBuilder::new().run(check, &p);
        assert_outcome(&bare, Status::Pass, Reason::Ok);
        assert_eq!(bare.value.unwrap().glasses, Some(false));
        let clear = SceneBuilder::new().glasses(Glasses::Clear).run(check, &p);
        assert_outcome(&clear, Status::Pass, Reason::GlassesOk);
        let m = clear.value.unwrap();
        assert!(m.bridge.unwrap() >= p.min_bridge_edge as f64 && m.rims.unwrap() >= p.min_rim_edge as f64, "{m:?}");
    }

    #[test]
    fn glare_tint_and_frames_over_the_eyes_fail() {
        let p = params();
        let glare = SceneBuilder::new().glasses(Glasses::Glare).run(check, &p);
        assert_outcome(&glare, Status::Fail, Reason::GlareOnGlasses);
        let tinted = SceneBuilder::new().glasses(Glasses::Tinted).run(check, &p);
        assert_outcome(&tinted, Status::Fail, Reason::TintedGlasses);
        let over = SceneBuilder::new().glasses(Glasses::OverEyes).run(check, &p);
        assert_outcome(&over, Status::Fail, Reason::FramesOverEyes);
    }

    #[test]
    fn the_sub_measures_never_fail_a_face_without_glasses() {
        // the same measures far past their limits, but no frame found: the check passes
        let p = Params { max_glare_share: 0.0, max_tint_lens_luma: 10.0, max_tint_eye_luma: 10.0, ..params() };
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
        let p = Params { max_frame_luma: 10.0, ..params() };
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Pass, Reason::Ok);
    }

    #[test]
    fn the_presence_limits_decide_at_their_edge() {
        let mut p = params();
        let m = SceneBuilder::new().glasses(Glasses::Clear).run(check, &p).value.unwrap();
        p.min_bridge_edge = m.bridge.unwrap() as f32 + 0.002;
        assert_outcome(&SceneBuilder::new().glasses(Glasses::Clear).run(check, &p), Status::Pass, Reason::Ok);
        let mut p = params();
        p.min_rim_edge = m.rims.unwrap() as f32 + 0.002;
        assert_outcome(&SceneBuilder::new().glasses(Glasses::Clear).run(check, &p), Status::Pass, Reason::Ok);
    }

    #[test]
    fn narrow_eyes_behind_glasses_are_not_judged() {
        let p = Params { min_eye_opening_px: 100.0, ..params() };
        let r = SceneBuilder::new().glasses(Glasses::Clear).run(check, &p);
        assert_outcome(&r, Status::Unknown, Reason::EyesNotMeasurable);
        // glare and tint are still told
        let r = SceneBuilder::new().glasses(Glasses::Tinted).run(check, &p);
        assert_outcome(&r, Status::Fail, Reason::TintedGlasses);
    }

    #[test]
    fn without_one_face_big_enough_and_in_the_frame_it_cannot_decide() {
        let p = params();
        let small = SceneBuilder::new().face_width(20.0).run(check, &p);
        assert_eq!((small.status, small.reason), (Status::Unknown, Why::Common(Common::FaceTooSmall)));
        let none = SceneBuilder::new().no_face().run(check, &p);
        assert_eq!((none.status, none.reason), (Status::Unknown, Why::Common(Common::NoFace)));
        let two = SceneBuilder::new().extra_face().run(check, &p);
        assert_eq!((two.status, two.reason), (Status::Unknown, Why::Common(Common::MultipleFaces)));
        // the eyes at the frame's top edge
        let cut = SceneBuilder::new().face_center(240.0, 4.0).run(check, &p);
        assert_outcome(&cut, Status::Unknown, Reason::EyesOutsideFrame);
        let far = SceneBuilder::new().face_center(700.0, 256.0).run(check, &Params { min_face_width_px: 0.0, ..p });
        assert_outcome(&far, Status::Unknown, Reason::NoSkinModel);
    }
}
