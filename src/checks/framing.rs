//! `framing`: the whole head and the shoulders are in the frame, and a crop of the output size
//! (480×640 for 学信网) exists inside the frame that puts the top of the hair, the eyes and the face
//! width where the spec wants them, with the face centred.
//!
//! Measures: top of the head from the person mask (scanning up from the forehead), the eye line and
//! the cheek-to-cheek width from the landmarks. The check searches the crop widths the face-width rule
//! allows for one whose top edge satisfies both the hair and the eye rules.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::Point;
use crate::report::{r3, CheckResult, Shape};

use crate::models::PersonMask;
use crate::observe::{landmarks as lm, Face, Observation};

/// `framing`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Width of the standardised photo, pixels.
    pub out_width: f32,
    /// Height of the standardised photo, pixels.
    pub out_height: f32,
    /// Top of the hair: smallest distance from the photo's top edge, pixels of the output.
    pub min_hair_top_px: f32,
    /// Top of the hair: largest distance from the photo's top edge, pixels of the output.
    pub max_hair_top_px: f32,
    /// Eye line: smallest distance from the photo's top edge, pixels of the output.
    pub min_eye_line_px: f32,
    /// Eye line: largest distance from the photo's top edge, pixels of the output.
    pub max_eye_line_px: f32,
    /// Smallest cheek-to-cheek face width, pixels of the output.
    pub min_face_width_px: f32,
    /// Largest cheek-to-cheek face width, pixels of the output.
    pub max_face_width_px: f32,
    /// Smallest face width in the input frame, pixels (less is too far away to check).
    pub min_input_face_width_px: f32,
}

crate::reasons! {
    /// Why `framing` answered as it did.
    pub enum Reason {
        /// A 480×640 crop meeting every rule fits in the frame.
        Ok = "ok" => ("构图合适", "Framing fine"),
        /// The head reaches the top edge.
        HeadCutOff = "head_cut_off" => (
            "头顶被裁掉了，请把镜头稍微上移或后退",
            "Top of the head is cut off: tilt the camera up or step back",
        ),
        /// The face is too small in the frame.
        TooFar = "too_far" => ("人离得太远，请靠近一些", "Too far away: move closer"),
        /// Even the tightest crop is larger than the frame.
        TooClose = "too_close" => ("人离得太近，请后退一些", "Too close: step back"),
        /// A crop centred on the face leaves the frame sideways.
        OffCenter = "off_center" => ("人不在画面中间，请让对方居中", "Not centred: put the person in the middle of the frame"),
        /// Not enough room above the head.
        NoRoomAbove = "no_room_above" => (
            "头顶上方空间不够，请把镜头稍微上移",
            "Not enough room above the head: move the camera up a little",
        ),
        /// The crop would reach below the frame.
        ShouldersCutOff = "shoulders_cut_off" => (
            "肩膀没拍全，请后退一些或把镜头下移",
            "Shoulders cut off: step back or move the camera down",
        ),
        /// The eye line and hair top rules cannot both be met.
        Proportions = "proportions" => ("头部比例不合适，请调整距离", "Head proportions do not fit the photo: adjust the distance"),
    }
}

/// What `framing` measured, in input pixels unless named `in_crop`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Cheek-to-cheek face width.
    pub face_width_px: f64,
    /// Eye line height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eye_y_px: Option<f64>,
    /// Top of the head (hair) from the person mask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_top_px: Option<f64>,
    /// The crop found, when one fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop: Option<Crop>,
    /// The geometry inside that crop, in output pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_crop: Option<InCrop>,
}

/// A crop rectangle in input pixels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Crop {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The standardised photo's geometry, in output pixels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InCrop {
    /// Top of the hair below the top edge.
    pub hair_top_px: f64,
    /// Eye line below the top edge.
    pub eye_line_px: f64,
    /// Face width.
    pub face_width_px: f64,
}

/// `framing`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

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
    Fails(Reason),
}

fn fit_crop(p: &Params, img_w: f32, img_h: f32, face_x: f32, face_w: f32, eye_y: f32, hair_y: f32) -> Fit {
    let aspect = p.out_height / p.out_width;
    let w_min = face_w * p.out_width / p.max_face_width_px;
    let w_max = face_w * p.out_width / p.min_face_width_px;
    if w_min > img_w || w_min * aspect > img_h {
        return Fit::Fails(Reason::TooClose);
    }
    let mut diagnosis = Reason::Proportions;
    for i in 0..=STEPS {
        let cw = w_min + (w_max - w_min) * i as f32 / STEPS as f32;
        let ch = cw * aspect;
        if cw > img_w || ch > img_h {
            break;
        }
        // input pixels per output pixel; the crop's top edge must satisfy both the eye and the hair rules
        // and stay in the frame
        let k = ch / p.out_height;
        let lo = (eye_y - p.max_eye_line_px * k).max(hair_y - p.max_hair_top_px * k);
        let hi = (eye_y - p.min_eye_line_px * k).min(hair_y - p.min_hair_top_px * k);
        let left = face_x - cw / 2.0;
        if left < 0.0 || left + cw > img_w {
            diagnosis = Reason::OffCenter;
            continue;
        }
        if lo > hi {
            diagnosis = Reason::Proportions;
            continue;
        }
        let top = lo.max(0.0);
        if top > hi {
            diagnosis = Reason::NoRoomAbove;
            continue;
        }
        if top + ch > img_h {
            diagnosis = Reason::ShouldersCutOff;
            continue;
        }
        return Fit::Ok { crop_width: cw, top };
    }
    Fit::Fails(diagnosis)
}

/// Searches for a crop of the standardised photo's geometry inside the frame.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let (img_w, img_h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let face_w = face.width();
    let eye = face.eye_mid();
    let face_x = face.point(lm::FACE_RIGHT_EDGE).mid(face.point(lm::FACE_LEFT_EDGE)).x;
    let mut value = Measure { face_width_px: r3(face_w), eye_y_px: None, head_top_px: None, crop: None, in_crop: None };
    let Some(hair_y) = head_top(obs.mask, face) else {
        return Outcome::fail(Reason::HeadCutOff, value, p);
    };
    value.eye_y_px = Some(r3(eye.y));
    value.head_top_px = Some(r3(hair_y));
    if face_w < p.min_input_face_width_px {
        return Outcome::fail(Reason::TooFar, value, p);
    }
    match fit_crop(p, img_w, img_h, face_x, face_w, eye.y, hair_y) {
        Fit::Ok { crop_width, top } => {
            let k = p.out_width / crop_width;
            let height = crop_width * p.out_height / p.out_width;
            let x = face_x - crop_width / 2.0;
            value.crop = Some(Crop { x: r3(x), y: r3(top), width: r3(crop_width), height: r3(height) });
            let corners = [(x, top), (x + crop_width, top), (x + crop_width, top + height), (x, top + height)];
            let region = vec![Shape::new("crop", corners.map(|(x, y)| Point::new(x, y)))];
            value.in_crop = Some(InCrop {
                hair_top_px: r3((hair_y - top) * k),
                eye_line_px: r3((eye.y - top) * k),
                face_width_px: r3(face_w * k),
            });
            Outcome::pass(Reason::Ok, value, p).with_region(region)
        }
        Fit::Fails(reason) => Outcome::fail(reason, value, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder};

    fn chsi() -> Params {
        profile().framing
    }

    #[track_caller]
    #[test]
    fn every_reason_from_a_scene() {
        let cases = [
            (SceneBuilder::new(), Status::Pass, Why::Own(Reason::Ok)),
            (SceneBuilder::new().face_center(240.0, 40.0), Status::Fail, Why::Own(Reason::HeadCutOff)),
            (SceneBuilder::new().face_width(80.0), Status::Fail, Why::Own(Reason::TooFar)),
            (SceneBuilder::new().face_center(85.0, 256.0), Status::Fail, Why::Own(Reason::OffCenter)),
            (SceneBuilder::new().face_center(240.0, 110.0), Status::Fail, Why::Own(Reason::NoRoomAbove)),
            (SceneBuilder::new().face_center(240.0, 520.0), Status::Fail, Why::Own(Reason::ShouldersCutOff)),
            (SceneBuilder::new().no_face(), Status::Unknown, Why::Common(Common::NoFace)),
            (SceneBuilder::new().extra_face(), Status::Unknown, Why::Common(Common::MultipleFaces)),
        ];
        for (b, status, reason) in cases {
            let r = b.run(check, &chsi());
            assert_outcome(&r, status, reason);
            assert_eq!(r.value.is_some(), r.status != Status::Unknown, "{b:?}");
        }
    }

    #[test]
    fn too_close_and_proportions_from_the_parameters() {
        // the tightest crop (face at `max_face_width_px`) is wider than the 480 px frame
        let p = Params { min_face_width_px: 50.0, max_face_width_px: 100.0, ..chsi() };
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Fail, Why::Own(Reason::TooClose));
        // eyes 400–450 px down but hair top ≤ 110 px: the head would need to be taller than any crop allows
        let p = Params { min_eye_line_px: 400.0, max_eye_line_px: 450.0, ..chsi() };
        assert_outcome(&SceneBuilder::new().run(check, &p), Status::Fail, Why::Own(Reason::Proportions));
    }

    #[test]
    fn too_far_flips_at_the_input_face_width() {
        let w = SceneBuilder::new().run(check, &chsi()).value.expect("a measure").face_width_px as f32;
        assert!((w - 120.0).abs() < 0.01, "{w}");
        let at = |min| SceneBuilder::new().run(check, &Params { min_input_face_width_px: min, ..chsi() }).reason;
        assert_eq!(at(w - 2e-3), Why::Own(Reason::Ok));
        assert_eq!(at(w + 2e-3), Why::Own(Reason::TooFar));
    }

    #[test]
    fn too_close_flips_at_the_largest_face_width() {
        // the tightest crop is face_w × 480 / max_face_width_px wide: wider than the frame below max = face_w;
        // just above, the whole 480×640 frame is the only crop, and with the eyes 205 px down it fits
        let b = SceneBuilder::new().face_center(240.0, 205.0);
        let w = b.run(check, &chsi()).value.expect("a measure").face_width_px as f32;
        let at = |max| b.run(check, &Params { min_face_width_px: 60.0, max_face_width_px: max, ..chsi() }).reason;
        assert_eq!(at(w - 2e-3), Why::Own(Reason::TooClose));
        assert_eq!(at(w + 2e-3), Why::Own(Reason::Ok));
    }

    #[test]
    fn measure_and_crop_meet_the_rules() {
        let p = chsi();
        let r = SceneBuilder::new().run(check, &p);
        let m = r.value.expect("a measure");
        assert!((m.face_width_px - 120.0).abs() < 0.01, "{m:?}");
        let eye = m.eye_y_px.expect("eye line");
        assert!((eye - 256.0).abs() < 0.01, "{m:?}");
        // the hair cap's top is 0.84 face widths above the eyes
        let top = m.head_top_px.expect("head top");
        assert!((eye - top - 0.84 * 120.0).abs() < 3.0, "{m:?}");
        let crop = m.crop.expect("a crop");
        let c = m.in_crop.expect("in-crop geometry");
        assert!((crop.height - crop.width * 640.0 / 480.0).abs() < 2e-3, "{crop:?}");
        assert!(crop.x >= 0.0 && crop.y >= 0.0 && crop.x + crop.width <= 480.0 && crop.y + crop.height <= 640.0);
        // the crop is centred on the face
        assert!((crop.x + crop.width / 2.0 - 240.0).abs() < 0.01, "{crop:?}");
        let k = 480.0 / crop.width;
        assert!((c.face_width_px - m.face_width_px * k).abs() < 2e-3, "{c:?}");
        assert!((c.eye_line_px - (eye - crop.y) * k).abs() < 2e-3, "{c:?}");
        assert!((c.hair_top_px - (top - crop.y) * k).abs() < 2e-3, "{c:?}");
        let within = |x: f64, lo: f32, hi: f32| x >= f64::from(lo) - 1e-3 && x <= f64::from(hi) + 1e-3;
        assert!(within(c.face_width_px, p.min_face_width_px, p.max_face_width_px), "{c:?}");
        assert!(within(c.eye_line_px, p.min_eye_line_px, p.max_eye_line_px), "{c:?}");
        assert!(within(c.hair_top_px, p.min_hair_top_px, p.max_hair_top_px), "{c:?}");
    }

    #[test]
    fn failures_measure_what_they_reached() {
        let cut = SceneBuilder::new().face_center(240.0, 40.0).run(check, &chsi()).value.expect("a measure");
        assert!((cut.face_width_px - 120.0).abs() < 0.01, "{cut:?}");
        assert_eq!((cut.eye_y_px, cut.head_top_px, cut.crop, cut.in_crop), (None, None, None, None));
        let far = SceneBuilder::new().face_width(80.0).run(check, &chsi()).value.expect("a measure");
        assert!((far.face_width_px - 80.0).abs() < 0.01, "{far:?}");
        assert!(far.eye_y_px.is_some() && far.head_top_px.is_some(), "{far:?}");
        assert!(far.crop.is_none() && far.in_crop.is_none(), "{far:?}");
    }

    /// A person mask reaching the top edge above the forehead is a cut-off head, whatever the frame shows.
    #[test]
    fn mask_up_to_the_top_edge_is_head_cut_off() {
        let mut scene = SceneBuilder::new().build();
        let fx = scene.point(lm::FOREHEAD).x as usize;
        let w = scene.mask.mask.width;
        for y in 0..300 {
            for x in fx - 20..fx + 20 {
                scene.mask.mask.data[y * w + x] = 1.0;
            }
        }
        assert_eq!(check(&scene.observation(), &chsi()).reason, Why::Own(Reason::HeadCutOff));
    }
}
