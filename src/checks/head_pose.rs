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
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_yaw_deg: f32,
    pub max_pitch_deg: f32,
    pub max_roll_deg: f32,
    /// Added to the fitted pitch: the canonical face's neutral pitch relative to a level head.
    pub pitch_offset_deg: f32,
}

const MESSAGES: Messages = &[
    ("ok", "头部端正", "Head straight"),
    (
        "yaw_right",
        "脸向右偏了，请让对方向左转回，正对镜头",
        "Face turned to their right: have them turn back to face the camera",
    ),
    (
        "yaw_left",
        "脸向左偏了，请让对方向右转回，正对镜头",
        "Face turned to their left: have them turn back to face the camera",
    ),
    ("pitch_up", "下巴抬高了，请让对方稍微低头", "Chin up: have them lower their chin a little"),
    ("pitch_down", "低头了，请让对方稍微抬头", "Head down: have them raise their chin a little"),
    ("roll_right", "头向右歪了，请让对方把头摆正", "Head tilted to their right: have them hold it upright"),
    ("roll_left", "头向左歪了，请让对方把头摆正", "Head tilted to their left: have them hold it upright"),
    ("pose_unavailable", "无法计算头部姿态", "Could not measure the head pose"),
];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "max_yaw_deg": p.max_yaw_deg, "max_pitch_deg": p.max_pitch_deg, "max_roll_deg": p.max_roll_deg, "pitch_offset_deg": p.pitch_offset_deg });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    let Some(pose) = face.pose else {
        return CheckResult::unknown("pose_unavailable", json!({}), threshold, MESSAGES);
    };
    let pitch = pose.pitch_deg + p.pitch_offset_deg;
    let value = json!({ "yaw": r3(pose.yaw_deg), "pitch": r3(pitch), "roll": r3(pose.roll_deg) });
    // The axis furthest beyond its limit names the failure.
    let axes = [
        (pose.yaw_deg / p.max_yaw_deg, "yaw_right", "yaw_left"),
        (pitch / p.max_pitch_deg, "pitch_up", "pitch_down"),
        (pose.roll_deg / p.max_roll_deg, "roll_left", "roll_right"),
    ];
    let worst = axes.iter().max_by(|a, b| a.0.abs().total_cmp(&b.0.abs())).expect("three axes");
    if worst.0.abs() <= 1.0 {
        CheckResult::pass(value, threshold, MESSAGES)
    } else {
        CheckResult::fail(if worst.0 > 0.0 { worst.1 } else { worst.2 }, value, threshold, MESSAGES)
    }
}
