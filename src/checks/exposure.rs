//! `exposure`: the face neither too dark nor blown out. Measured over the face oval: mean luma and the
//! shares of clipped-white and crushed-black pixels.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::geometry::polygon_pixels;
use crate::observe::{landmarks as lm, Observation};
use crate::report::{r3, CheckResult, Common};

/// `exposure`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Least mean face luma (0..255).
    pub min_mean_luma: f32,
    /// Largest mean face luma (0..255).
    pub max_mean_luma: f32,
    /// Largest share of face pixels at luma ≥ 250 (blown highlights).
    pub max_clipped_share: f32,
}

crate::reasons! {
    /// Why `exposure` answered as it did.
    pub enum Reason {
        /// Exposure within limits.
        Ok = "ok" => ("曝光正常", "Exposure fine"),
        /// Mean face luma below the minimum.
        TooDark = "too_dark" => ("脸部太暗，请到光线充足处拍摄", "Face too dark: move to better light"),
        /// Mean face luma above the maximum.
        TooBright = "too_bright" => ("脸部太亮，请避开强光", "Face too bright: avoid strong light"),
        /// Too many blown-out face pixels.
        HighlightsClipped = "highlights_clipped" => (
            "脸部有过曝反光，请避开强光直射",
            "Blown highlights on the face: avoid direct strong light",
        ),
    }
}

/// What `exposure` measured over the face oval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Mean luma, 0..255.
    pub mean_luma: f64,
    /// Share of pixels at luma ≥ 250.
    pub clipped_share: f64,
}

/// `exposure`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Luma at or above which a pixel counts as clipped.
const CLIPPED: f32 = 250.0;

/// Judges the face's exposure.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let oval = face.points(&lm::FACE_OVAL);
    let step = ((face.width() / 48.0) as usize).max(1);
    let pixels = polygon_pixels(&oval, obs.frame.width(), obs.frame.height(), step);
    if pixels.is_empty() {
        return Outcome::unknown_common(Common::FaceTooSmall, None, p);
    }
    let lumas: Vec<f32> = pixels.iter().map(|&(x, y)| obs.gray.get(x, y)).collect();
    let mean = lumas.iter().sum::<f32>() / lumas.len() as f32;
    let clipped = lumas.iter().filter(|&&l| l >= CLIPPED).count() as f32 / lumas.len() as f32;
    let value = Measure { mean_luma: r3(mean), clipped_share: r3(clipped) };
    if mean < p.min_mean_luma {
        Outcome::fail(Reason::TooDark, value, p)
    } else if mean > p.max_mean_luma {
        Outcome::fail(Reason::TooBright, value, p)
    } else if clipped > p.max_clipped_share {
        Outcome::fail(Reason::HighlightsClipped, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    }
}
