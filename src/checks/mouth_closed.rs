//! `mouth_closed`: lips naturally closed, no teeth showing.
//!
//! Two measures: the largest inner-lip gap ÷ eye-to-chin distance (OFIQ's raw value), and the share of
//! the mouth (outer lip contour) covered by the opening between the inner lips — teeth in a smile open
//! that area even when the lip landmarks stay close.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::polygon_area;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult};

/// `mouth_closed`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest inner-lip gap ÷ eye-to-chin distance for a closed mouth.
    pub max_lip_gap_ratio: f32,
    /// Largest area inside the inner lips ÷ area inside the outer lips for a closed mouth.
    pub max_opening_share: f32,
}

crate::reasons! {
    /// Why `mouth_closed` answered as it did.
    pub enum Reason {
        /// Lips closed.
        Ok = "ok" => ("嘴巴自然闭合", "Mouth closed"),
        /// The lips are apart.
        MouthOpen = "mouth_open" => ("请让对方闭上嘴巴，不要露齿", "Mouth open: ask them to close their lips"),
        /// The lips are close but the opening between them (teeth) is large.
        TeethShowing = "teeth_showing" => (
            "露齿了，请让对方自然闭嘴，不要露齿微笑",
            "Teeth showing: ask them to close their lips naturally",
        ),
    }
}

/// What `mouth_closed` measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Largest inner-lip gap ÷ eye-to-chin distance.
    pub lip_gap_ratio: f64,
    /// Area inside the inner lips ÷ area inside the outer lips.
    pub opening_share: f64,
}

/// `mouth_closed`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Upper/lower inner-lip landmark pairs across the mouth.
const GAP_PAIRS: [(usize, usize); 7] =
    [(82, 87), (81, 178), (80, 88), (lm::UPPER_LIP_INNER, lm::LOWER_LIP_INNER), (312, 317), (311, 402), (310, 318)];

/// Judges whether the mouth is closed.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let norm = face.eye_chin().max(1e-3);
    let gap = GAP_PAIRS.iter().map(|&(a, b)| face.point(a).dist(face.point(b))).fold(0.0, f32::max) / norm;
    let inner = polygon_area(&face.points(&lm::LIPS_INNER));
    let outer = polygon_area(&face.points(&lm::LIPS_OUTER)).max(1e-3);
    let opening = inner / outer;
    let value = Measure { lip_gap_ratio: r3(gap), opening_share: r3(opening) };
    if gap > p.max_lip_gap_ratio {
        Outcome::fail(Reason::MouthOpen, value, p)
    } else if opening > p.max_opening_share {
        Outcome::fail(Reason::TeethShowing, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    }
}
