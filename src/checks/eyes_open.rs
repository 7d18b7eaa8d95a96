//! `eyes_open`: both eyes open. Measure (OFIQ): eyelid gap (159–145, 386–374) ÷ the distance from the
//! eyes' midpoint to the chin, per eye.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult};

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
    match (right >= p.min_open_ratio, left >= p.min_open_ratio) {
        (true, true) => Outcome::pass(Reason::Ok, value, p),
        (false, false) => Outcome::fail(Reason::EyesClosed, value, p),
        (false, true) => Outcome::fail(Reason::RightEyeClosed, value, p),
        (true, false) => Outcome::fail(Reason::LeftEyeClosed, value, p),
    }
}
