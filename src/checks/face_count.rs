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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{profile, SceneBuilder};

    #[test]
    fn counts_faces_with_their_scores_and_presence() {
        let p = profile().face_count;
        let m = |count, scores: &[f64], presence| Measure { count, scores: scores.to_vec(), presence };
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok), m(1, &[0.9], Some(0.99))),
            (SceneBuilder::new().no_face(), Status::Fail, Why::Common(Common::NoFace), m(0, &[], None)),
            // the mesh rejects the only detection: no face, but its score and the presence are kept
            (SceneBuilder::new().presence(0.2), Status::Fail, Why::Common(Common::NoFace), m(0, &[0.9], Some(0.2))),
            (
                SceneBuilder::new().extra_face(),
                Status::Fail,
                Why::Common(Common::MultipleFaces),
                m(2, &[0.9, 0.8], None),
            ),
            (
                SceneBuilder::new().extra_face().extra_face(),
                Status::Fail,
                Why::Common(Common::MultipleFaces),
                m(3, &[0.9, 0.8, 0.8], None),
            ),
        ];
        for (b, status, reason, value) in cases {
            let r = b.clone().run(check, &p);
            assert_eq!((r.status, r.reason, r.value), (status, reason, Some(value)), "{b:?}");
            assert_eq!(r.threshold.as_ref(), Some(&p));
            assert_eq!((r.message_zh, r.message_en), reason.messages());
        }
    }

    /// The scores are rounded to 3 decimals in the measure.
    #[test]
    fn scores_are_rounded() {
        let mut scene = SceneBuilder::new().build();
        scene.detections[0].score = 0.876_54;
        let r = check(&scene.observation(), &profile().face_count);
        assert_eq!(r.value.expect("a measure").scores, vec![0.877]);
    }

    /// Both parameters are applied by the pipeline (detector score, mesh presence) before the check:
    /// the check itself only counts what it is given, so no parameter value flips its decision.
    #[test]
    fn parameters_are_echoed_but_do_not_change_the_count() {
        for (score, presence) in [(0.0, 0.0), (0.95, 0.995), (1.0, 1.0)] {
            let p = Params { min_detection_score: score, min_presence: presence };
            let r = SceneBuilder::new().run(check, &p);
            assert_eq!((r.status, r.reason), (Status::Pass, Why::Own(Reason::Ok)), "{p:?}");
            assert_eq!(r.threshold, Some(p.clone()));
            let r = SceneBuilder::new().extra_face().run(check, &p);
            assert_eq!(r.reason, Why::Common(Common::MultipleFaces), "{p:?}");
        }
    }
}
