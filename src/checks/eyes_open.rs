//! `eyes_open`: both eyes open. Measure (OFIQ): eyelid gap (159–145, 386–374) ÷ the distance from the
//! eyes' midpoint to the chin, per eye.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Shape};

/// `eyes_open`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Smallest eyelid gap ÷ eye-to-chin distance for an eye to count as open.
    pub min_open_ratio: f32,
}

crate::reasons! {
    /// Why `eyes_open` answered as it did.
    pub enum Reason {
        /// Both eyes open.
        Ok = "ok" => ("双眼睁开", "Eyes open"),
        /// Both eyes closed.
        EyesClosed = "eyes_closed" => ("请让对方睁开双眼", "Eyes closed: ask them to open their eyes"),
        /// The subject's right eye closed.
        RightEyeClosed = "right_eye_closed" => ("右眼闭上了，请让对方睁开双眼", "Right eye closed: ask them to open both eyes"),
        /// The subject's left eye closed.
        LeftEyeClosed = "left_eye_closed" => ("左眼闭上了，请让对方睁开双眼", "Left eye closed: ask them to open both eyes"),
    }
}

/// What `eyes_open` measured: eyelid gap ÷ eye-to-chin distance, per eye (the subject's sides).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// The subject's right eye.
    pub right: f64,
    /// The subject's left eye.
    pub left: f64,
}

/// `eyes_open`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Judges whether both eyes are open.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let norm = face.eye_chin().max(1e-3);
    let right = face.point(lm::RIGHT_EYE_UPPER).dist(face.point(lm::RIGHT_EYE_LOWER)) / norm;
    let left = face.point(lm::LEFT_EYE_UPPER).dist(face.point(lm::LEFT_EYE_LOWER)) / norm;
    let value = Measure { right: r3(right), left: r3(left) };
    let region =
        vec![Shape::new("right_eye", face.points(&lm::RIGHT_EYE)), Shape::new("left_eye", face.points(&lm::LEFT_EYE))];
    let outcome = match (right >= p.min_open_ratio, left >= p.min_open_ratio) {
        (true, true) => Outcome::pass(Reason::Ok, value, p),
        (false, false) => Outcome::fail(Reason::EyesClosed, value, p),
        (false, true) => Outcome::fail(Reason::RightEyeClosed, value, p),
        (true, false) => Outcome::fail(Reason::LeftEyeClosed, value, p),
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder, Side};

    fn chsi() -> Params {
        profile().eyes_open
    }

    #[test]
    fn every_reason() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().eyes_closed(Side::Both), Status::Fail, Why::Own(Reason::EyesClosed)),
            (SceneBuilder::new().eyes_closed(Side::Right), Status::Fail, Why::Own(Reason::RightEyeClosed)),
            (SceneBuilder::new().eyes_closed(Side::Left), Status::Fail, Why::Own(Reason::LeftEyeClosed)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.clone().run(check, &chsi());
            assert_outcome(&r, status, reason);
            assert_eq!(r.value.is_some(), status != Status::Unknown, "{b:?}");
        }
    }

    /// Each side is the lid gap (159–145, 386–374) over the eyes'-midpoint-to-chin distance; a closed
    /// eye's lids coincide.
    #[test]
    fn the_measure_is_the_lid_gap_over_eye_to_chin_per_side() {
        let scene = SceneBuilder::new().eyes_closed(Side::Left).build();
        let m = check(&scene.observation(), &chsi()).value.expect("a measure");
        let eye_chin = scene.observation().face.expect("a face").eye_chin();
        let gap = |up, low| f64::from(scene.point(up).dist(scene.point(low)) / eye_chin);
        assert!((m.right - gap(lm::RIGHT_EYE_UPPER, lm::RIGHT_EYE_LOWER)).abs() < 1e-3, "{m:?}");
        assert!(m.right > 0.03, "{m:?}");
        assert_eq!(m.left, 0.0);
        // the open eyes of the default face are mirror images
        let m = SceneBuilder::new().run(check, &chsi()).value.expect("a measure");
        assert!((m.right - m.left).abs() < 2e-3, "{m:?}");
    }

    #[test]
    fn the_limit_flips_at_the_measured_opening() {
        let b = SceneBuilder::new().eyes_closed(Side::Right);
        let open = b.clone().run(check, &chsi()).value.expect("a measure").left as f32;
        let at = |min| b.clone().run(check, &Params { min_open_ratio: min }).reason;
        assert_eq!(at(open - 2e-3), Why::Own(Reason::RightEyeClosed));
        assert_eq!(at(open + 2e-3), Why::Own(Reason::EyesClosed));
        // `>=`: at a limit of 0 even the closed eye counts as open
        assert_eq!(at(0.0), Why::Own(Reason::Ok));
    }
}
