//! `hair_clear`: no hair over the eyebrows, eyes or face.
//!
//! Measure: the forehead just above each eyebrow (two stacked bands from the brow's upper edge upward,
//! the clearer one counts) must look like this face's skin (per-frame model from the cheeks and nose, see `observe::regions`). Fringes and
//! strands that reach the brows or eyes cover that band with hair, which is darker or of another hue.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::lighting_even::{anchors, cheek_means};
use super::{r3, without_face, CheckResult, Messages};
use crate::observe::regions::{brow_band, measure, FaceFrame, SkinModel};
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Face width (cheek to cheek) in input pixels below which the band is too small to judge.
    pub min_face_width_px: f32,
    /// Gap between the brow's upper edge and the band, in face widths (skips the brow hairs).
    pub band_lift: f32,
    /// Height of the band above each brow, in face widths.
    pub band_height: f32,
    /// Skin: largest chroma (Cb, Cr) Mahalanobis distance from the face's skin colour.
    pub max_chroma: f32,
    /// Skin: least luma ÷ the face's mean skin luma.
    pub min_luma_ratio: f32,
    /// Least share of a band that must look like skin for a clear brow.
    pub min_skin_share: f32,
}

const MESSAGES: Messages = &[
    ("ok", "头发未遮挡眉眼", "Hair clear of the eyebrows and eyes"),
    (
        "hair_over_brows",
        "头发遮挡了眉毛，请让对方把刘海拨开，露出眉毛和眼睛",
        "Hair covers the eyebrows: ask them to move the fringe off the brows and eyes",
    ),
    (
        "hair_over_right_brow",
        "头发遮挡了右侧眉毛，请让对方把右侧头发拨开",
        "Hair covers their right eyebrow: ask them to move it aside",
    ),
    (
        "hair_over_left_brow",
        "头发遮挡了左侧眉毛，请让对方把左侧头发拨开",
        "Hair covers their left eyebrow: ask them to move it aside",
    ),
    ("no_skin_model", "无法取得肤色，无法判断头发", "Could not sample the skin colour to judge the hair"),
];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "min_skin_share": p.min_skin_share, "min_face_width_px": p.min_face_width_px });
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
    // two stacked bands per brow, the clearer one counts: the mesh's brow edge is sometimes a little
    // low (the lower band then sits on the brow hairs), and a fringe that reaches the brows covers both
    // the luma bound follows the same side's cheek: light from one side darkens that side's forehead too
    let Some(anchors) = anchors(obs) else { return without_face(obs, threshold, MESSAGES) };
    let (right_cheek, left_cheek) = cheek_means(obs, anchors);
    let band = |right: bool| {
        let side = if right { right_cheek } else { left_cheek };
        let min_luma = p.min_luma_ratio * (side / skin.mean[0].max(1.0)).min(1.0);
        let lower =
            measure(obs, &skin, &brow_band(face, &ff, right, p.band_lift, p.band_height), p.max_chroma, min_luma);
        let upper = measure(
            obs,
            &skin,
            &brow_band(face, &ff, right, p.band_lift + p.band_height, p.band_height),
            p.max_chroma,
            min_luma,
        );
        if upper.skin > lower.skin {
            upper
        } else {
            lower
        }
    };
    let (rs, ls) = (band(true), band(false));
    let value = json!({
        "right": { "skin": r3(rs.skin), "rel_luma": r3(rs.rel_luma), "chroma": r3(rs.chroma) },
        "left": { "skin": r3(ls.skin), "rel_luma": r3(ls.rel_luma), "chroma": r3(ls.chroma) },
    });
    match (rs.skin >= p.min_skin_share, ls.skin >= p.min_skin_share) {
        (true, true) => CheckResult::pass(value, threshold, MESSAGES),
        (false, false) => CheckResult::fail("hair_over_brows", value, threshold, MESSAGES),
        (false, true) => CheckResult::fail("hair_over_right_brow", value, threshold, MESSAGES),
        (true, false) => CheckResult::fail("hair_over_left_brow", value, threshold, MESSAGES),
    }
}
