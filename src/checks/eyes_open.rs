//! `eyes_open`: both eyes open. Measure (OFIQ): eyelid gap (159–145, 386–374) ÷ the distance from the
//! eyes' midpoint to the chin, per eye.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::observe::{landmarks as lm, Observation};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Smallest eyelid gap ÷ eye-to-chin distance for an eye to count as open.
    pub min_open_ratio: f32,
}

const MESSAGES: Messages = &[
    ("ok", "双眼睁开", "Eyes open"),
    ("eyes_closed", "请让对方睁开双眼", "Eyes closed: ask them to open their eyes"),
    ("right_eye_closed", "右眼闭上了，请让对方睁开双眼", "Right eye closed: ask them to open both eyes"),
    ("left_eye_closed", "左眼闭上了，请让对方睁开双眼", "Left eye closed: ask them to open both eyes"),
];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "min_open_ratio": p.min_open_ratio });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    let norm = face.eye_chin().max(1e-3);
    let right = face.point(lm::RIGHT_EYE_UPPER).dist(face.point(lm::RIGHT_EYE_LOWER)) / norm;
    let left = face.point(lm::LEFT_EYE_UPPER).dist(face.point(lm::LEFT_EYE_LOWER)) / norm;
    let value = json!({ "right": r3(right), "left": r3(left) });
    match (right >= p.min_open_ratio, left >= p.min_open_ratio) {
        (true, true) => CheckResult::pass(value, threshold, MESSAGES),
        (false, false) => CheckResult::fail("eyes_closed", value, threshold, MESSAGES),
        (false, true) => CheckResult::fail("right_eye_closed", value, threshold, MESSAGES),
        (true, false) => CheckResult::fail("left_eye_closed", value, threshold, MESSAGES),
    }
}
