//! `ears_visible`: both ears visible (long hair behind, sideburns tied back).
//!
//! Measure, per ear: a zone beside the face oval (landmarks 127–93 for the subject's right ear, 356–323
//! for the left), reaching from a little inside the face edge to a share of the face width outside it.
//! A per-frame skin-colour model (cheeks and nose, see `observe::regions`) tells skin from hair; the
//! person mask tells head from background. A visible ear puts skin into its zone and leaves background
//! around its rim; hair over it fills the zone with person pixels that are mostly not skin. A zone the
//! person mask fills completely (hair past the ear) needs much more skin to count as a visible ear.
//! The ear turned away from the camera is not judged (`ears_hidden_by_pose`), and neither is a zone
//! that lies outside the frame.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{r3, without_face, CheckResult, Messages};
use crate::observe::regions::{ear_zone, measure, FaceFrame, RegionStats, SkinModel};
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the ears are too small to judge.
    pub min_face_width_px: f32,
    /// Above this |yaw| the ear turned away from the camera is hidden by the head itself.
    pub max_yaw_deg: f32,
    /// How far the ear zone reaches inside the face edge, in face widths.
    pub zone_inset: f32,
    /// How far the ear zone reaches outside the face edge, in face widths.
    pub zone_outset: f32,
    /// Least share of the zone that must lie inside the frame to judge it.
    pub min_in_frame: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma (hair of skin-like hue is darker).
    pub min_luma_ratio: f32,
    /// Least share of the zone's person pixels that look like skin for a visible ear.
    pub min_skin_share: f32,
    /// A zone at least this full of person pixels has no background beside the ear: the head outline
    /// (hair) reaches past where the ear would stick out.
    pub full_person_share: f32,
    /// In such a full zone, the least skin share for a visible ear (hair there is often skin-toned).
    pub min_skin_share_full: f32,
}

const MESSAGES: Messages = &[
    ("ok", "双耳露出", "Both ears visible"),
    (
        "right_ear_covered",
        "右耳被头发遮挡，请让对方把右侧头发拢到耳后",
        "Their right ear is covered: ask them to tuck the hair on their right behind the ear",
    ),
    (
        "left_ear_covered",
        "左耳被头发遮挡，请让对方把左侧头发拢到耳后",
        "Their left ear is covered: ask them to tuck the hair on their left behind the ear",
    ),
    (
        "ears_covered",
        "双耳被头发遮挡，请让对方把头发拢到耳后",
        "Both ears are covered: ask them to tuck their hair behind the ears",
    ),
    (
        "ears_hidden_by_pose",
        "头部侧转，看不到一侧耳朵，请让对方正对镜头",
        "Head turned: one ear is out of sight — have them face the camera",
    ),
    (
        "ear_zone_outside_frame",
        "耳朵不在画面内，请让对方整个头部入镜",
        "An ear is outside the picture: get the whole head in the frame",
    ),
    ("no_skin_model", "无法取得肤色，无法判断耳朵", "Could not sample the skin colour to judge the ears"),
];

/// One ear's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ear {
    Visible,
    Covered,
    HiddenByPose,
    OutsideFrame,
}

fn ear_value(ear: Ear, s: &RegionStats) -> Value {
    let state = match ear {
        Ear::Visible => "visible",
        Ear::Covered => "covered",
        Ear::HiddenByPose => "hidden_by_pose",
        Ear::OutsideFrame => "outside_frame",
    };
    json!({ "state": state, "skin": r3(s.skin), "person": r3(s.person), "in_frame": r3(s.in_frame) })
}

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "min_skin_share": p.min_skin_share, "full_person_share": p.full_person_share, "min_skin_share_full": p.min_skin_share_full, "max_yaw_deg": p.max_yaw_deg, "min_face_width_px": p.min_face_width_px });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    if face.width() < p.min_face_width_px {
        return CheckResult::unknown(
            "face_too_small",
            json!({ "face_width_px": r3(face.width()) }),
            threshold,
            MESSAGES,
        );
    }
    if obs.mask.is_none() {
        return CheckResult::unknown("no_person_mask", json!({}), threshold, MESSAGES);
    }
    let Some(skin) = SkinModel::learn(obs, face) else {
        return CheckResult::unknown("no_skin_model", json!({}), threshold, MESSAGES);
    };
    let ff = FaceFrame::of(face);
    let yaw = face.pose.map(|q| q.yaw_deg).unwrap_or(0.0);
    // yaw > 0: the face turns to the subject's right, so the right ear goes behind the head
    let judge = |right: bool| {
        let stats = measure(
            obs,
            &skin,
            &ear_zone(face, &ff, right, p.zone_inset, p.zone_outset),
            p.max_chroma,
            p.min_luma_ratio,
        );
        let hidden = if right { yaw > p.max_yaw_deg } else { -yaw > p.max_yaw_deg };
        let ear = if hidden {
            Ear::HiddenByPose
        } else if stats.in_frame < p.min_in_frame {
            Ear::OutsideFrame
        } else if stats.skin >= p.min_skin_share
            && (stats.person < p.full_person_share || stats.skin >= p.min_skin_share_full)
        {
            Ear::Visible
        } else {
            Ear::Covered
        };
        (ear, stats)
    };
    let (right, rs) = judge(true);
    let (left, ls) = judge(false);
    let value = json!({ "right": ear_value(right, &rs), "left": ear_value(left, &ls), "yaw": r3(yaw) });
    let reason = match (right, left) {
        (Ear::Visible, Ear::Visible) => return CheckResult::pass(value, threshold, MESSAGES),
        // a covered ear is a failure even when the other one cannot be judged
        (Ear::Covered, Ear::Covered) => return CheckResult::fail("ears_covered", value, threshold, MESSAGES),
        (Ear::Covered, _) => return CheckResult::fail("right_ear_covered", value, threshold, MESSAGES),
        (_, Ear::Covered) => return CheckResult::fail("left_ear_covered", value, threshold, MESSAGES),
        (Ear::HiddenByPose, _) | (_, Ear::HiddenByPose) => "ears_hidden_by_pose",
        _ => "ear_zone_outside_frame",
    };
    CheckResult::unknown(reason, value, threshold, MESSAGES)
}
