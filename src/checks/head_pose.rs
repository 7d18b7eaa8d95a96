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
