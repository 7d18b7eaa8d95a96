//! `background_plain`: the background (outside the person mask) plain and uniform.
//!
//! Measured on a grid over the frame, on points the person mask calls background with a margin: the
//! spread (standard deviation) of luma, and the share of points on an edge (luma step over one grid
//! cell larger than `EDGE_STEP`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, CheckResult, Messages};
use crate::imaging::gray::mean_std;
use crate::observe::Observation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest standard deviation of background luma (0..255).
    pub max_luma_std: f32,
    /// Largest share of background points on an edge (texture, objects, patterns).
    pub max_edge_share: f32,
    /// Below this share of the frame as background, the check cannot decide.
    pub min_background_share: f32,
}

const MESSAGES: Messages = &[
    ("ok", "背景纯净", "Plain background"),
    ("background_busy", "背景杂乱，请站到纯色墙面前拍摄", "Busy background: stand in front of a plain wall"),
    (
        "background_uneven",
        "背景明暗不均，请站到均匀照明的纯色墙面前",
        "Uneven background: use an evenly lit plain wall",
    ),
    ("little_background", "背景露出太少，无法判断，请稍微后退", "Too little background to judge: step back a little"),
];

/// Grid points along the long side.
const GRID: f32 = 160.0;
/// Person probability below which a point is background.
const BACKGROUND_PROB: f32 = 0.1;
/// A background point also needs background this far away (share of the long side) in each direction.
const MARGIN: f32 = 0.03;
/// Luma difference between neighbouring grid points that counts as an edge.
const EDGE_STEP: f32 = 12.0;

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = json!({ "max_luma_std": p.max_luma_std, "max_edge_share": p.max_edge_share, "min_background_share": p.min_background_share });
    let Some(mask) = obs.mask else { return CheckResult::unknown("no_person_mask", json!({}), threshold, MESSAGES) };
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let step = (w.max(h) / GRID).max(1.0);
    let margin = MARGIN * w.max(h);
    let is_background = |x: f32, y: f32| {
        [(0.0, 0.0), (margin, 0.0), (-margin, 0.0), (0.0, margin), (0.0, -margin)]
            .iter()
            .all(|(dx, dy)| mask.at((x + dx).clamp(0.0, w - 1.0), (y + dy).clamp(0.0, h - 1.0)) < BACKGROUND_PROB)
    };
    let (mut total, mut lumas, mut edges) = (0usize, Vec::new(), 0usize);
    let mut y = step / 2.0;
    while y + step < h {
        let mut x = step / 2.0;
        while x + step < w {
            total += 1;
            if is_background(x, y) {
                let l = obs.gray.sample(x, y);
                let dx = (obs.gray.sample(x + step, y) - l).abs();
                let dy = (obs.gray.sample(x, y + step) - l).abs();
                if dx.max(dy) > EDGE_STEP {
                    edges += 1;
                }
                lumas.push(l);
            }
            x += step;
        }
        y += step;
    }
    let share = lumas.len() as f32 / total.max(1) as f32;
    if share < p.min_background_share || lumas.is_empty() {
        return CheckResult::unknown(
            "little_background",
            json!({ "background_share": r3(share) }),
            threshold,
            MESSAGES,
        );
    }
    let (mean, std) = mean_std(lumas.iter().copied());
    let edge_share = edges as f32 / lumas.len() as f32;
    let value = json!({ "background_share": r3(share), "mean_luma": r3(mean), "luma_std": r3(std), "edge_share": r3(edge_share) });
    if edge_share > p.max_edge_share {
        CheckResult::fail("background_busy", value, threshold, MESSAGES)
    } else if std > p.max_luma_std {
        CheckResult::fail("background_uneven", value, threshold, MESSAGES)
    } else {
        CheckResult::pass(value, threshold, MESSAGES)
    }
}
