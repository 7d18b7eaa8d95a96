//! `exposure`: the face neither too dark nor blown out. Measured over the face oval: mean luma and the
//! shares of clipped-white and crushed-black pixels.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::imaging::geometry::polygon_pixels;
use crate::observe::{landmarks as lm, Observation};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Mean face luma (0..255) range.
    pub min_mean_luma: f32,
    pub max_mean_luma: f32,
    /// Largest share of face pixels at luma ≥ 250 (blown highlights).
    pub max_clipped_share: f32,
}

const MESSAGES: Messages = &[
    ("ok", "曝光正常", "Exposure fine"),
    ("too_dark", "脸部太暗，请到光线充足处拍摄", "Face too dark: move to better light"),
    ("too_bright", "脸部太亮，请避开强光", "Face too bright: avoid strong light"),
    ("highlights_clipped", "脸部有过曝反光，请避开强光直射", "Blown highlights on the face: avoid direct strong light"),
];

/// Luma at or above which a pixel counts as clipped.
const CLIPPED: f32 = 250.0;

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "min_mean_luma": p.min_mean_luma, "max_mean_luma": p.max_mean_luma, "max_clipped_share": p.max_clipped_share });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    let oval = face.points(&lm::FACE_OVAL);
    let step = ((face.width() / 48.0) as usize).max(1);
    let pixels = polygon_pixels(&oval, obs.frame.width(), obs.frame.height(), step);
    if pixels.is_empty() {
        return CheckResult::unknown("face_too_small", json!({}), threshold, MESSAGES);
    }
    let lumas: Vec<f32> = pixels.iter().map(|&(x, y)| obs.gray.get(x, y)).collect();
    let mean = lumas.iter().sum::<f32>() / lumas.len() as f32;
    let clipped = lumas.iter().filter(|&&l| l >= CLIPPED).count() as f32 / lumas.len() as f32;
    let value = json!({ "mean_luma": r3(mean), "clipped_share": r3(clipped) });
    if mean < p.min_mean_luma {
        CheckResult::fail("too_dark", value, threshold, MESSAGES)
    } else if mean > p.max_mean_luma {
        CheckResult::fail("too_bright", value, threshold, MESSAGES)
    } else if clipped > p.max_clipped_share {
        CheckResult::fail("highlights_clipped", value, threshold, MESSAGES)
    } else {
        CheckResult::pass(value, threshold, MESSAGES)
    }
}
