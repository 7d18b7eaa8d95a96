//! `framing`: the whole head and the shoulders are in the frame, and a crop of the output size
//! (480×640 for 学信网) exists inside the frame that puts the top of the hair, the eyes and the face
//! width where the spec wants them, with the face centred.
//!
//! Measures: top of the head from the person mask (scanning up from the forehead), the eye line and
//! the cheek-to-cheek width from the landmarks. The check searches the crop widths the face-width rule
//! allows for one whose top edge satisfies both the hair and the eye rules.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{r3, without_face, CheckResult, Messages};
use crate::models::PersonMask;
use crate::observe::{landmarks as lm, Face, Observation};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Size of the standardised photo, pixels.
    pub out_width: f32,
    pub out_height: f32,
    /// Top of the hair: distance from the photo's top edge, pixels of the output.
    pub min_hair_top_px: f32,
    pub max_hair_top_px: f32,
    /// Eye line: distance from the photo's top edge, pixels of the output.
    pub min_eye_line_px: f32,
    pub max_eye_line_px: f32,
    /// Cheek-to-cheek face width, pixels of the output.
    pub min_face_width_px: f32,
    pub max_face_width_px: f32,
    /// Smallest face width in the input frame, pixels (less is too far away to check).
    pub min_input_face_width_px: f32,
}

const MESSAGES: Messages = &[
    ("ok", "构图合适", "Framing fine"),
    (
        "head_cut_off",
        "头顶被裁掉了，请把镜头稍微上移或后退",
        "Top of the head is cut off: tilt the camera up or step back",
    ),
    ("too_far", "人离得太远，请靠近一些", "Too far away: move closer"),
    ("too_close", "人离得太近，请后退一些", "Too close: step back"),
    ("off_center", "人不在画面中间，请让对方居中", "Not centred: put the person in the middle of the frame"),
    (
        "no_room_above",
        "头顶上方空间不够，请把镜头稍微上移",
        "Not enough room above the head: move the camera up a little",
    ),
    ("shoulders_cut_off", "肩膀没拍全，请后退一些或把镜头下移", "Shoulders cut off: step back or move the camera down"),
    ("proportions", "头部比例不合适，请调整距离", "Head proportions do not fit the photo: adjust the distance"),
];

/// Person probability above which a mask pixel is the person.
const PERSON: f32 = 0.5;
/// Crop widths tried between the smallest and largest the face-width rule allows.
const STEPS: usize = 64;

/// Top of the head: the highest person pixel above the forehead, over a few columns across it.
/// `None` when the head reaches the top edge (cut off).
fn head_top(mask: &PersonMask, face: &Face) -> Option<f32> {
    let forehead = face.point(lm::FOREHEAD);
    let fw = face.width();
    let step = (fw / 100.0).max(0.5);
    let mut top = forehead.y;
    for k in -2..=2 {
        let x = forehead.x + k as f32 * 0.1 * fw;
        let mut y = forehead.y;
        // walk up while the column is still the person (allow small gaps of one step)
        while y > 0.0 && (mask.at(x, y) > PERSON || mask.at(x, y - step) > PERSON) {
            y -= step;
        }
        if y <= 0.0 {
            return None;
        }
        top = top.min(y);
    }
    Some(top)
}

/// Outcome of the crop search.
enum Fit {
    Ok { crop_width: f32, top: f32 },
    Fails(&'static str),
}

fn fit_crop(p: &Params, img_w: f32, img_h: f32, face_x: f32, face_w: f32, eye_y: f32, hair_y: f32) -> Fit {
    let aspect = p.out_height / p.out_width;
    let w_min = face_w * p.out_width / p.max_face_width_px;
    let w_max = face_w * p.out_width / p.min_face_width_px;
    if w_min > img_w || w_min * aspect > img_h {
        return Fit::Fails("too_close");
    }
    let mut diagnosis = "proportions";
    for i in 0..=STEPS {
        let cw = w_min + (w_max - w_min) * i as f32 / STEPS as f32;
        let ch = cw * aspect;
        if cw > img_w || ch > img_h {
            break;
        }
        let k = ch / p.out_height; // input pixels per output pixel
                                   // the crop's top edge must satisfy both the eye and the hair rules, and stay in the frame
        let lo = (eye_y - p.max_eye_line_px * k).max(hair_y - p.max_hair_top_px * k);
        let hi = (eye_y - p.min_eye_line_px * k).min(hair_y - p.min_hair_top_px * k);
        let left = face_x - cw / 2.0;
        if left < 0.0 || left + cw > img_w {
            diagnosis = "off_center";
            continue;
        }
        if lo > hi {
            diagnosis = "proportions";
            continue;
        }
        let top = lo.max(0.0);
        if top > hi {
            diagnosis = "no_room_above";
            continue;
        }
        if top + ch > img_h {
            diagnosis = "shoulders_cut_off";
            continue;
        }
        return Fit::Ok { crop_width: cw, top };
    }
    Fit::Fails(diagnosis)
}

pub fn check(obs: &Observation, p: &Params) -> CheckResult {
    let threshold = serde_json::to_value(p).unwrap_or_default();
    let Some(face) = &obs.face else { return without_face(obs, threshold, MESSAGES) };
    let Some(mask) = obs.mask else { return CheckResult::unknown("no_person_mask", json!({}), threshold, MESSAGES) };
    let (img_w, img_h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let face_w = face.width();
    let eye = face.eye_mid();
    let face_x = face.point(lm::FACE_RIGHT_EDGE).mid(face.point(lm::FACE_LEFT_EDGE)).x;
    let Some(hair_y) = head_top(mask, face) else {
        return CheckResult::fail("head_cut_off", json!({ "face_width_px": r3(face_w) }), threshold, MESSAGES);
    };
    let mut value = json!({ "face_width_px": r3(face_w), "eye_y_px": r3(eye.y), "head_top_px": r3(hair_y) });
    if face_w < p.min_input_face_width_px {
        return CheckResult::fail("too_far", value, threshold, MESSAGES);
    }
    match fit_crop(p, img_w, img_h, face_x, face_w, eye.y, hair_y) {
        Fit::Ok { crop_width, top } => {
            let k = p.out_width / crop_width;
            value["crop"] = json!({ "x": r3(face_x - crop_width / 2.0), "y": r3(top), "width": r3(crop_width), "height": r3(crop_width * p.out_height / p.out_width) });
            value["in_crop"] = json!({ "hair_top_px": r3((hair_y - top) * k), "eye_line_px": r3((eye.y - top) * k), "face_width_px": r3(face_w * k) });
            CheckResult::pass(value, threshold, MESSAGES)
        }
        Fit::Fails(reason) => CheckResult::fail(reason, value, threshold, MESSAGES),
    }
}
