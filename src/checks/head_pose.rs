//! `head_pose`: face straight to the camera. Yaw, pitch and roll come from fitting MediaPipe's
//! canonical 3-D face to the landmarks (`observe::pose`).
//!
//! Signs (the subject's left/right): yaw > 0 = face turned to the subject's right (toward the image's
//! left); pitch > 0 = chin up; roll > 0 = head tilted toward the subject's left shoulder (the face
//! turns clockwise on screen). These are the signs of the AFLW2000-3D labels.
//!
//! The canonical face sits slightly chin-down relative to AFLW2000's "level": `pitch_offset_deg` (from
//! the profile, declared in README) is added to the fitted pitch before it is reported and compared.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::observe::Observation;
use crate::report::{r3, CheckResult};

/// `head_pose`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest |yaw|, degrees.
    pub max_yaw_deg: f32,
    /// Largest |pitch|, degrees (after the offset).
    pub max_pitch_deg: f32,
    /// Largest |roll|, degrees.
    pub max_roll_deg: f32,
    /// Added to the fitted pitch: the canonical face's neutral pitch relative to a level head.
    pub pitch_offset_deg: f32,
}

crate::reasons! {
    /// Why `head_pose` answered as it did.
    pub enum Reason {
        /// Within every limit.
        Ok = "ok" => ("头部端正", "Head straight"),
        /// Face turned to the subject's right.
        YawRight = "yaw_right" => (
            "脸向右偏了，请让对方向左转回，正对镜头",
            "Face turned to their right: have them turn back to face the camera",
        ),
        /// Face turned to the subject's left.
        YawLeft = "yaw_left" => (
            "脸向左偏了，请让对方向右转回，正对镜头",
            "Face turned to their left: have them turn back to face the camera",
        ),
        /// Chin up.
        PitchUp = "pitch_up" => ("下巴抬高了，请让对方稍微低头", "Chin up: have them lower their chin a little"),
        /// Head down.
        PitchDown = "pitch_down" => ("低头了，请让对方稍微抬头", "Head down: have them raise their chin a little"),
        /// Head tilted toward the subject's right shoulder.
        RollRight = "roll_right" => ("头向右歪了，请让对方把头摆正", "Head tilted to their right: have them hold it upright"),
        /// Head tilted toward the subject's left shoulder.
        RollLeft = "roll_left" => ("头向左歪了，请让对方把头摆正", "Head tilted to their left: have them hold it upright"),
        /// The pose fit failed (degenerate landmarks).
        PoseUnavailable = "pose_unavailable" => ("无法计算头部姿态", "Could not measure the head pose"),
    }
}

/// What `head_pose` measured, in degrees (signs in the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Turn left/right; > 0 = toward the subject's right.
    pub yaw: f64,
    /// Nod; > 0 = chin up (with `pitch_offset_deg` added).
    pub pitch: f64,
    /// Tilt; > 0 = toward the subject's left shoulder.
    pub roll: f64,
}

/// `head_pose`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Judges the head pose: the axis furthest beyond its limit names the failure.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let Some(pose) = face.pose else {
        return Outcome::unknown(Reason::PoseUnavailable, None, p);
    };
    let pitch = pose.pitch_deg + p.pitch_offset_deg;
    let value = Measure { yaw: r3(pose.yaw_deg), pitch: r3(pitch), roll: r3(pose.roll_deg) };
    let axes = [
        (pose.yaw_deg / p.max_yaw_deg, Reason::YawRight, Reason::YawLeft),
        (pitch / p.max_pitch_deg, Reason::PitchUp, Reason::PitchDown),
        (pose.roll_deg / p.max_roll_deg, Reason::RollLeft, Reason::RollRight),
    ];
    let worst = axes.iter().max_by(|a, b| a.0.abs().total_cmp(&b.0.abs())).expect("three axes");
    if worst.0.abs() <= 1.0 {
        Outcome::pass(Reason::Ok, value, p)
    } else {
        Outcome::fail(if worst.0 > 0.0 { worst.1 } else { worst.2 }, value, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::pose::estimate_head_pose;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{profile, SceneBuilder};

    fn chsi() -> Params {
        profile().head_pose
    }

    fn posed(yaw: f32, pitch: f32, roll: f32) -> SceneBuilder {
        SceneBuilder::new().yaw(yaw).pitch(pitch).roll(roll)
    }

    #[test]
    fn each_axis_and_sign_names_its_reason() {
        // chsi: |yaw| ≤ 10, |pitch + 3.5| ≤ 12, |roll| ≤ 8; the axis furthest beyond its limit wins
        let cases = [
            ((0.0, 0.0, 0.0), Status::Pass, Reason::Ok),
            ((6.0, -5.0, 4.0), Status::Pass, Reason::Ok),
            ((20.0, 0.0, 0.0), Status::Fail, Reason::YawRight),
            ((-20.0, 0.0, 0.0), Status::Fail, Reason::YawLeft),
            ((0.0, 15.0, 0.0), Status::Fail, Reason::PitchUp),
            ((0.0, -20.0, 0.0), Status::Fail, Reason::PitchDown),
            ((0.0, 0.0, 15.0), Status::Fail, Reason::RollLeft),
            ((0.0, 0.0, -15.0), Status::Fail, Reason::RollRight),
            // yaw 12/10 = 1.2 against roll 15/8 ≈ 1.9: roll wins
            ((12.0, 0.0, 15.0), Status::Fail, Reason::RollLeft),
            // yaw 25/10 = 2.5 against roll -12/8 = 1.5: yaw wins
            ((25.0, 0.0, -12.0), Status::Fail, Reason::YawRight),
        ];
        for ((yaw, pitch, roll), status, reason) in cases {
            let r = posed(yaw, pitch, roll).run(check, &chsi());
            assert_eq!((r.status, r.reason), (status, Why::Own(reason)), "({yaw}, {pitch}, {roll}): {r:?}");
            assert_eq!((r.message_zh, r.message_en), Why::Own(reason).messages());
        }
    }

    #[test]
    fn without_a_face_or_a_pose_it_is_unknown() {
        let no_face = SceneBuilder::new().no_face().run(check, &chsi());
        assert_eq!((no_face.status, no_face.reason), (Status::Unknown, Why::Common(Common::NoFace)));
        let two = SceneBuilder::new().extra_face().run(check, &chsi());
        assert_eq!((two.status, two.reason), (Status::Unknown, Why::Common(Common::MultipleFaces)));
        assert_eq!((no_face.value, two.value), (None, None));
        // degenerate landmarks: the pose fit refuses them, as the pipeline would
        let mut scene = SceneBuilder::new().build();
        let mesh = scene.mesh.as_mut().expect("a mesh");
        mesh.points[1] = [f32::NAN; 3];
        scene.pose = estimate_head_pose(&mesh.points);
        assert!(scene.pose.is_none());
        let r = check(&scene.observation(), &chsi());
        assert_eq!((r.status, r.reason, r.value), (Status::Unknown, Why::Own(Reason::PoseUnavailable), None));
    }

    #[test]
    fn the_measure_is_the_fitted_pose_with_the_pitch_offset() {
        let scene = posed(7.0, -6.0, 3.0).build();
        let pose = scene.pose.expect("a pose");
        for offset in [0.0, 3.5, -2.0] {
            let r = check(&scene.observation(), &Params { pitch_offset_deg: offset, ..chsi() });
            let m = r.value.expect("a measure");
            let close = |a: f64, b: f32| (a - f64::from(b)).abs() < 1e-3;
            assert!(close(m.yaw, pose.yaw_deg) && close(m.roll, pose.roll_deg), "{m:?} {pose:?}");
            assert!(close(m.pitch, pose.pitch_deg + offset), "{m:?} {pose:?} offset {offset}");
            // and the fit recovers the scene's angles
            assert!((m.yaw - 7.0).abs() < 1.0 && (m.roll - 3.0).abs() < 1.0, "{m:?}");
            assert!((m.pitch - (-6.0 + f64::from(offset))).abs() < 1.0, "{m:?}");
        }
    }

    /// The chsi parameters with one limit set.
    type WithLimit = fn(f32) -> Params;

    /// Each limit flips the decision exactly at the measured angle (values are rounded to 3 decimals).
    #[test]
    fn each_limit_flips_at_the_measured_angle() {
        let scene = posed(6.0, -5.0, 4.0).build();
        let m = check(&scene.observation(), &chsi()).value.expect("a measure");
        let at = |p: Params| check(&scene.observation(), &p).reason;
        let (yaw, pitch, roll) = (m.yaw.abs() as f32, m.pitch.abs() as f32, m.roll.abs() as f32);
        let cases: [(WithLimit, f32, Reason); 3] = [
            (|v| Params { max_yaw_deg: v, ..chsi() }, yaw, Reason::YawRight),
            (|v| Params { max_pitch_deg: v, ..chsi() }, pitch, Reason::PitchDown),
            (|v| Params { max_roll_deg: v, ..chsi() }, roll, Reason::RollLeft),
        ];
        for (with, v, fail) in cases {
            assert_eq!(at(with(v + 2e-3)), Why::Own(Reason::Ok), "{fail:?} at {v}");
            assert_eq!(at(with(v - 2e-3)), Why::Own(fail), "{fail:?} at {v}");
        }
    }
}
