//! `mouth_closed`: lips naturally closed, no teeth showing.
//!
//! Two measures: the largest inner-lip gap ÷ eye-to-chin distance (OFIQ's raw value), and the share of
//! the mouth (outer lip contour) covered by the opening between the inner lips — teeth in a smile open
//! that area even when the lip landmarks stay close.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::imaging::geometry::polygon_area;
use crate::observe::{landmarks as lm, Observation};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest inner-lip gap ÷ eye-to-chin distance for a closed mouth.
    pub max_lip_gap_ratio: f32,
    /// Largest area inside the inner lips ÷ area inside the outer lips for a closed mouth.
    pub max_opening_share: f32,
}

const MESSAGES: Messages = &[
    ("ok", "嘴巴自然闭合", "Mouth closed"),
    ("mouth_open", "请让对方闭上嘴巴，不要露齿", "Mouth open: ask them to close their lips"),
    (
        "teeth_showing",
        "露齿了，请让对方自然闭嘴，不要露齿微笑",
        "Teeth showing: ask them to close their lips naturally",
    ),
];

/// Upper/lower inner-lip landmark pairs across the mouth.
const GAP_PAIRS: [(usize, usize); 7] =
    [(82, 87), (81, 178), (80, 88), (lm::UPPER_LIP_INNER, lm::LOWER_LIP_INNER), (312, 317), (311, 402), (310, 318)];

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "max_lip_gap_ratio": p.max_lip_gap_ratio, "max_opening_share": p.max_opening_share });
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    let norm = face.eye_chin().max(1e-3);
    let gap = GAP_PAIRS.iter().map(|&(a, b)| face.point(a).dist(face.point(b))).fold(0.0, f32::max) / norm;
    let inner = polygon_area(&face.points(&lm::LIPS_INNER));
    let outer = polygon_area(&face.points(&lm::LIPS_OUTER)).max(1e-3);
    let opening = inner / outer;
    let value = json!({ "lip_gap_ratio": r3(gap), "opening_share": r3(opening) });
    if gap > p.max_lip_gap_ratio {
        CheckResult::fail("mouth_open", value, threshold, MESSAGES)
    } else if opening > p.max_opening_share {
        CheckResult::fail("teeth_showing", value, threshold, MESSAGES)
    } else {
        CheckResult::pass(value, threshold, MESSAGES)
    }
}
