//! `lighting_even`: no 阴阳脸 — both halves of the face lit alike.
//!
//! Measure: mean luma of two cheek patches (OFIQ's placement: below each eye by half the eye-to-mouth
//! distance; side 0.5 × the inter-eye distance), darker ÷ brighter.
//!
//! A face lit from one side often makes the face mesh doubt it is a face at all; the detector still
//! finds it, so when the mesh is missing the eye and mouth keypoints of the single detection are used.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::{Affine, Point};
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Shape};

/// `lighting_even`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Darker cheek's mean luma ÷ brighter cheek's, at least.
    pub min_cheek_ratio: f32,
    /// Below this mean luma (0..255) on the brighter cheek both are nearly black and not judged.
    pub min_bright_cheek_luma: f32,
}

crate::reasons! {
    /// Why `lighting_even` answered as it did.
    pub enum Reason {
        /// Both cheeks lit alike.
        Ok = "ok" => ("面部光线均匀", "Even light on the face"),
        /// The subject's right cheek is the darker one.
        RightSideDark = "right_side_dark" => (
            "脸部光线不均匀（右脸偏暗），请面向光源",
            "Uneven light: their right cheek is dark — face the light",
        ),
        /// The subject's left cheek is the darker one.
        LeftSideDark = "left_side_dark" => (
            "脸部光线不均匀（左脸偏暗），请面向光源",
            "Uneven light: their left cheek is dark — face the light",
        ),
        /// Both cheeks are nearly black: their ratio means nothing (`exposure` says the face is too dark).
        TooDarkToJudge = "too_dark_to_judge" => (
            "脸部太暗，无法判断光线是否均匀，请到光线充足处拍摄",
            "The face is too dark to judge the light: move to better light",
        ),
    }
}

/// What `lighting_even` measured: mean cheek luma (the subject's sides) and darker ÷ brighter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// The subject's right cheek, 0..255.
    pub right: f64,
    /// The subject's left cheek, 0..255.
    pub left: f64,
    /// Darker ÷ brighter.
    pub ratio: f64,
}

/// `lighting_even`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Side of the square cheek patch ÷ inter-eye distance.
const PATCH: f32 = 0.5;
/// Samples per patch side.
const SAMPLES: usize = 12;

/// Mean luma of a square patch centred at `c`, aligned with the eye line.
fn patch_mean(obs: &Observation, c: Point, side: f32, rotation: f32) -> f32 {
    let map = Affine::from_rotated_rect(c, side, side, rotation, SAMPLES as f32, SAMPLES as f32);
    let mut sum = 0.0;
    for v in 0..SAMPLES {
        for u in 0..SAMPLES {
            let p = map.apply(Point::new(u as f32 + 0.5, v as f32 + 0.5));
            sum += obs.gray.sample(p.x, p.y);
        }
    }
    sum / (SAMPLES * SAMPLES) as f32
}

/// The subject's right eye, left eye and mouth centre: from the mesh, else from the single detection.
pub(crate) fn anchors(obs: &Observation) -> Option<(Point, Point, Point)> {
    if let Some(face) = &obs.face {
        let right_eye = face.point(lm::RIGHT_EYE_OUTER).mid(face.point(lm::RIGHT_EYE_INNER));
        let left_eye = face.point(lm::LEFT_EYE_OUTER).mid(face.point(lm::LEFT_EYE_INNER));
        let mouth = face.point(lm::MOUTH_RIGHT_CORNER).mid(face.point(lm::MOUTH_LEFT_CORNER));
        return Some((right_eye, left_eye, mouth));
    }
    match obs.detections {
        [only] => Some((only.keypoints[0], only.keypoints[1], only.keypoints[3])),
        _ => None,
    }
}

/// The subject's right and left cheek patches: centres, side and rotation (OFIQ's placement).
fn cheek_patches((right_eye, left_eye, mouth): (Point, Point, Point)) -> ([Point; 2], f32, f32) {
    let down = (mouth.y - right_eye.mid(left_eye).y, mouth.x - right_eye.mid(left_eye).x);
    let rotation = (left_eye.y - right_eye.y).atan2(left_eye.x - right_eye.x);
    let side = PATCH * right_eye.dist(left_eye);
    let below = |eye: Point| Point::new(eye.x + 0.5 * down.1, eye.y + 0.5 * down.0);
    ([below(right_eye), below(left_eye)], side, rotation)
}

/// Mean luma of the subject's right and left cheek patches.
pub fn cheek_means(obs: &Observation, anchors: (Point, Point, Point)) -> (f32, f32) {
    let ([right, left], side, rotation) = cheek_patches(anchors);
    (patch_mean(obs, right, side, rotation), patch_mean(obs, left, side, rotation))
}

/// The two cheek patches as shapes (`right_cheek`, `left_cheek`).
fn cheek_region(anchors: (Point, Point, Point)) -> Vec<Shape> {
    let (centres, side, rotation) = cheek_patches(anchors);
    let corners = |c: Point| {
        let map = Affine::from_rotated_rect(c, side, side, rotation, 1.0, 1.0);
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map(|(u, v)| map.apply(Point::new(u, v)))
    };
    vec![Shape::new("right_cheek", corners(centres[0])), Shape::new("left_cheek", corners(centres[1]))]
}

/// Judges whether both cheeks are lit alike (no 阴阳脸).
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(anchors) = anchors(obs) else { return without_face(obs, p) };
    let (right, left) = cheek_means(obs, anchors);
    let ratio = right.min(left) / right.max(left).max(1.0);
    let value = Measure { right: r3(right), left: r3(left), ratio: r3(ratio) };
    let outcome = if right.max(left) < p.min_bright_cheek_luma {
        Outcome::unknown(Reason::TooDarkToJudge, Some(value), p)
    } else if ratio >= p.min_cheek_ratio {
        Outcome::pass(Reason::Ok, value, p)
    } else if right < left {
        Outcome::fail(Reason::RightSideDark, value, p)
    } else {
        Outcome::fail(Reason::LeftSideDark, value, p)
    };
    outcome.with_region(cheek_region(anchors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder, Side};

    fn chsi() -> Params {
        profile().lighting_even
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().dark_side(Side::Left, 0.8), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().dark_side(Side::Right, 0.45), Status::Fail, Why::Own(Reason::RightSideDark)),
            (SceneBuilder::new().dark_side(Side::Left, 0.45), Status::Fail, Why::Own(Reason::LeftSideDark)),
            // without the mesh the single detection's keypoints place the cheeks
            (SceneBuilder::new().presence(0.2), Status::Pass, Why::Own(Reason::Ok)),
            (
                SceneBuilder::new().presence(0.2).dark_side(Side::Right, 0.4),
                Status::Fail,
                Why::Own(Reason::RightSideDark),
            ),
            // a nearly black face: no 阴阳脸 to speak of (exposure says too dark)
            (SceneBuilder::new().brightness(0.01), Status::Unknown, Why::Own(Reason::TooDarkToJudge)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.run(check, &chsi());
            assert_outcome(&r, status, reason);
            assert_eq!(
                r.value.is_some(),
                reason != Why::Common(Common::NoFace) && reason != Why::Common(Common::MultipleFaces)
            );
        }
    }

    #[test]
    fn the_ratio_is_the_darker_over_the_brighter_cheek() {
        for (side, factor) in [(Side::Left, 0.5), (Side::Right, 0.7), (Side::Both, 0.6)] {
            let b = SceneBuilder::new().dark_side(side, factor);
            let m = b.run(check, &chsi()).value.expect("a measure");
            assert!((m.ratio - m.right.min(m.left) / m.right.max(m.left)).abs() < 1e-3, "{b:?}: {m:?}");
            // the cheeks are plain skin, so the ratio is the darkening factor itself (within rounding)
            let want = if side == Side::Both { 1.0 } else { f64::from(factor) };
            assert!((m.ratio - want).abs() < 0.01, "{b:?}: {m:?}");
            match side {
                Side::Left => assert!(m.left < m.right, "{m:?}"),
                Side::Right => assert!(m.right < m.left, "{m:?}"),
                Side::Both => assert!(m.right < 200.0 * 0.61, "{m:?}"),
            }
        }
        let even = SceneBuilder::new().run(check, &chsi()).value.expect("a measure");
        assert_eq!(even.right, even.left);
        assert_eq!(even.ratio, 1.0);
    }

    #[test]
    fn the_limit_flips_at_the_measured_ratio() {
        let b = SceneBuilder::new().dark_side(Side::Left, 0.7);
        let scene = b.build();
        let ratio = check(&scene.observation(), &chsi()).value.expect("a measure").ratio as f32;
        let at = |min| check(&scene.observation(), &Params { min_cheek_ratio: min, ..chsi() }).reason;
        assert_eq!(at(ratio - 2e-3), Why::Own(Reason::Ok));
        assert_eq!(at(ratio + 2e-3), Why::Own(Reason::LeftSideDark));
    }
}
