//! `no_hat`: no hat, cap, headband, hood or other head covering.
//!
//! Measure: the band just above the top of the face mesh (landmark 10, the upper forehead), where a
//! hat's band or brim sits. Without a head covering it is mostly forehead skin; a hat, cap or headband
//! covers it with fabric. Fringes that cover the upper forehead look the same to this measure (they are
//! `hair_clear`'s business when they reach the brows). Comparing the crown's colour with the temples'
//! (as a hair reference) was measured and did not separate hats on CelebA, so it is not used.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::observe::regions::{crown_band, measure, FaceFrame, SkinModel};
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the crown is too small to judge.
    pub min_face_width_px: f32,
    /// Where the crown band starts above landmark 10, in face widths.
    pub crown_from: f32,
    /// Where the crown band ends above landmark 10, in face widths.
    pub crown_to: f32,
    /// Half the crown band's width, in face widths.
    pub crown_half_width: f32,
    /// Least share of the crown band inside the frame to judge it.
    pub min_in_frame: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma.
    pub min_luma_ratio: f32,
    /// Least share of the crown band's person pixels that look like skin without a head covering.
    pub min_crown_skin: f32,
}

const MESSAGES: Messages = &[
    ("ok", "未戴帽子", "No head covering"),
    ("hat", "请让对方摘下帽子或头饰", "Head covering: ask them to take off the hat or headwear"),
    (
        "crown_outside_frame",
        "头顶不在画面内，请让对方整个头部入镜",
        "The top of the head is outside the picture: get the whole head in the frame",
    ),
    ("no_skin_model", "无法取得肤色，无法判断帽子", "Could not sample the skin colour to judge a head covering"),
];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "min_crown_skin": p.min_crown_skin, "min_face_width_px": p.min_face_width_px });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    if face.width() < p.min_face_width_px {
        return CheckResult::unknown(
            "face_too_small",
            json!({ "face_width_px": r3(face.width()) }),
            threshold,
            MESSAGES,
        );
    }
    let Some(skin) = SkinModel::learn(obs, face) else {
        return CheckResult::unknown("no_skin_model", json!({}), threshold, MESSAGES);
    };
    let ff = FaceFrame::of(face);
    let s = measure(
        obs,
        &skin,
        &crown_band(face, &ff, p.crown_from, p.crown_to, p.crown_half_width),
        p.max_chroma,
        p.min_luma_ratio,
    );
    let value = json!({ "skin": r3(s.skin), "person": r3(s.person), "in_frame": r3(s.in_frame), "rel_luma": r3(s.rel_luma), "chroma": r3(s.chroma), "saturation": r3(s.saturation), "spread": r3(s.luma_spread) });
    if s.in_frame < p.min_in_frame {
        return CheckResult::unknown("crown_outside_frame", value, threshold, MESSAGES);
    }
    if s.skin < p.min_crown_skin {
        CheckResult::fail("hat", value, threshold, MESSAGES)
    } else {
        CheckResult::pass(value, threshold, MESSAGES)
    }
}
