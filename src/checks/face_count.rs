//! `face_count`: exactly one face in the picture.

use serde::{Deserialize, Serialize};

use crate::observe::Observation;
use crate::report::{r3, CheckResult, Common, Reason as Why, Status};

/// `face_count`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Detector score (0..1) above which a face counts.
    pub min_detection_score: f32,
    /// Face-mesh presence (0..1) needed to accept the detected face as a face.
    pub min_presence: f32,
}

crate::reasons! {
    /// Why `face_count` answered as it did.
    pub enum Reason {
        /// Exactly one face.
        Ok = "ok" => ("检测到一张人脸", "One face found"),
    }
}

/// What `face_count` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Faces found (a detection the face mesh rejects does not count).
    pub count: usize,
    /// Every detection's score, best first.
    pub scores: Vec<f64>,
    /// The face mesh's presence score, when it ran on a single detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence: Option<f64>,
}

/// `face_count`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Counts the faces: fails with the common `no_face` or `multiple_faces`.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let count = obs.detections.len();
    let scores: Vec<f64> = obs.detections.iter().map(|d| r3(d.score)).collect();
    let fail = |reason, value| Outcome::new(Status::Fail, Why::Common(reason), Some(value), p);
    match (count, &obs.face) {
        (1, Some(face)) => {
            Outcome::pass(Reason::Ok, Measure { count: 1, scores, presence: Some(r3(face.mesh.presence)) }, p)
        }
        (0, _) => fail(Common::NoFace, Measure { count: 0, scores, presence: None }),
        // the detector saw a face but the face mesh says it is not one
        (1, None) => fail(Common::NoFace, Measure { count: 0, scores, presence: obs.presence.map(r3) }),
        _ => fail(Common::MultipleFaces, Measure { count, scores, presence: None }),
    }
}
