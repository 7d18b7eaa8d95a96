//! `face_count`: exactly one face in the picture.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, CheckResult, Messages};
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Detector score (0..1) above which a face counts.
    pub min_detection_score: f32,
    /// Face-mesh presence (0..1) needed to accept the detected face as a face.
    pub min_presence: f32,
}

const MESSAGES: Messages = &[("ok", "检测到一张人脸", "One face found")];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let count = obs.detections.len();
    let threshold = json!({ "count": 1, "min_detection_score": p.min_detection_score, "min_presence": p.min_presence });
    let scores: Vec<f64> = obs.detections.iter().map(|d| r3(d.score)).collect();
    match (count, &obs.face) {
        (1, Some(face)) => CheckResult::pass(
            json!({ "count": 1, "scores": scores, "presence": r3(face.mesh.presence) }),
            threshold,
            MESSAGES,
        ),
        (0, _) => CheckResult::fail("no_face", json!({ "count": 0, "scores": scores }), threshold, MESSAGES),
        // the detector saw a face but the face mesh says it is not one
        (1, None) => CheckResult::fail(
            "no_face",
            json!({ "count": 0, "scores": scores, "presence": obs.presence.map(r3) }),
            threshold,
            MESSAGES,
        ),
        _ => CheckResult::fail("multiple_faces", json!({ "count": count, "scores": scores }), threshold, MESSAGES),
    }
}
