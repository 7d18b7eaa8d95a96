//! `body_tilt`: shoulders level and the body not turned.
//!
//! From the person mask: the top of each shoulder is the first person row below the chin in columns
//! `SHOULDER_OFFSETS` face widths either side of the chin (where the shoulders' tips usually are, clear
//! of the neck and collars). Tilt = the median angle of the lines joining each pair.
//! Turn = how unequal the person's width is on either side of the chin line at shoulder height; a shoulder
//! line sloped beyond the limit is named a turn (`body_turned`) unless the body is seen square.

use serde::{Deserialize, Serialize};

use super::without_face;
use crate::imaging::Point;
use crate::report::{r3, CheckResult, Shape};

use crate::models::PersonMask;
use crate::observe::{landmarks as lm, Observation};

/// `body_tilt`'s profile parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest angle of the shoulder line, in degrees.
    pub max_shoulder_tilt_deg: f32,
    /// Largest |right − left| ÷ (right + left) of the body's width either side of the chin.
    pub max_width_asymmetry: f32,
}

crate::reasons! {
    /// Why `body_tilt` answered as it did.
    pub enum Reason {
        /// Shoulders level and the body square to the camera.
        Ok = "ok" => ("身体端正", "Body straight"),
        /// The subject's right shoulder is lower.
        ShouldersTiltedRight = "shoulders_tilted_right" => (
            "肩膀不平（右肩低），请让对方坐正、双肩放平",
            "Shoulders not level (right one lower): sit straight, shoulders level",
        ),
        /// The subject's left shoulder is lower.
        ShouldersTiltedLeft = "shoulders_tilted_left" => (
            "肩膀不平（左肩低），请让对方坐正、双肩放平",
            "Shoulders not level (left one lower): sit straight, shoulders level",
        ),
        /// The body is turned: unequal width either side of the chin.
        BodyTurned = "body_turned" => (
            "身体侧转了，请让对方身体正对镜头",
            "Body turned: have them square their shoulders to the camera",
        ),
        /// The shoulders are not in the frame.
        ShouldersNotVisible = "shoulders_not_visible" => (
            "看不到双肩，请把双肩拍进画面",
            "Shoulders not visible: include both shoulders in the picture",
        ),
    }
}

/// What `body_tilt` measured from the person mask.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measure {
    /// Angle of the shoulder line, degrees; > 0 = the subject's left shoulder lower.
    pub shoulder_tilt_deg: f64,
    /// |right − left| ÷ (right + left) of the body's width either side of the chin; `null` when the body
    /// runs off the frame.
    pub width_asymmetry: Option<f64>,
}

/// `body_tilt`'s typed result.
pub type Outcome = CheckResult<Measure, Reason, Params>;

/// Shoulder columns sit this many face widths from the chin, either side.
const SHOULDER_OFFSETS: [f32; 3] = [1.3, 1.5, 1.7];
/// Body width is compared up to this many face widths either side of the chin.
const WIDTH_CAP: f32 = 2.0;
/// Person probability above which a mask pixel is the person.
const PERSON: f32 = 0.5;

/// First row at or below `from_y` where column `x` is the person.
fn top_of_person(mask: &PersonMask, x: f32, from_y: f32, to_y: f32, step: f32) -> Option<f32> {
    let mut y = from_y;
    while y < to_y {
        if mask.at(x, y) > PERSON {
            return Some(y);
        }
        y += step;
    }
    None
}

/// Person width from `x` outward along row `y` (direction `dir`), up to `cap`; `None` when the
/// person runs off the frame before `cap`.
fn run_length(mask: &PersonMask, x: f32, y: f32, dir: f32, width: f32, cap: f32) -> Option<f32> {
    let mut d = 0.0;
    while d < cap {
        let xx = x + d * dir;
        if xx < 0.0 || xx >= width {
            return None;
        }
        if mask.at(xx, y) <= PERSON {
            break;
        }
        d += 1.0;
    }
    Some(d)
}

/// Judges the shoulder line and the body's turn.
pub fn check(obs: &Observation, p: &Params) -> Outcome {
    let Some(face) = &obs.face else { return without_face(obs, p) };
    let mask = obs.mask;
    let (w, h) = (obs.frame.width() as f32, obs.frame.height() as f32);
    let chin = face.point(lm::CHIN);
    let fw = face.width();
    let step = (fw / 64.0).max(0.5);
    // (tilt, lower shoulder top, the two tops) per offset whose two columns are in the frame and reach the person
    let mut pairs: Vec<(f32, f32, [Point; 2])> = SHOULDER_OFFSETS
        .iter()
        .filter_map(|k| {
            let (xr, xl) = (chin.x - k * fw, chin.x + k * fw);
            if xr < 0.0 || xl >= w {
                return None;
            }
            let (yr, yl) = (top_of_person(mask, xr, chin.y, h, step)?, top_of_person(mask, xl, chin.y, h, step)?);
            // y down: a positive angle means the subject's left shoulder (image right) is lower
            Some(((yl - yr).atan2(xl - xr).to_degrees(), yr.max(yl), [Point::new(xr, yr), Point::new(xl, yl)]))
        })
        .collect();
    if pairs.is_empty() {
        return Outcome::unknown(Reason::ShouldersNotVisible, None, p);
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (tilt, lower, tops) = pairs[pairs.len() / 2];
    let region = vec![Shape::new("shoulder_line", tops)];
    let row = (lower + 0.25 * fw).min(h - 1.0);
    let cap = WIDTH_CAP * fw;
    let widths = run_length(mask, chin.x, row, -1.0, w, cap).zip(run_length(mask, chin.x, row, 1.0, w, cap));
    let asymmetry = widths.map(|(right, left)| (right - left).abs() / (right + left).max(1.0));
    let value = Measure { shoulder_tilt_deg: r3(tilt), width_asymmetry: asymmetry.map(r3) };
    let outcome = if tilt.abs() > p.max_shoulder_tilt_deg {
        // A sloped shoulder line is a tilt only when the body is seen square (both widths measured and
        // alike); on the labelled portraits a slope without that is nearly always a body turned
        // three-quarters, the far shoulder drawn higher and nearer.
        let reason = match asymmetry {
            Some(a) if a <= p.max_width_asymmetry && tilt > 0.0 => Reason::ShouldersTiltedLeft,
            Some(a) if a <= p.max_width_asymmetry => Reason::ShouldersTiltedRight,
            _ => Reason::BodyTurned,
        };
        Outcome::fail(reason, value, p)
    } else if asymmetry.is_none() {
        // the body runs off the frame, so its width either side says nothing about turning
        Outcome::unknown(Reason::ShouldersNotVisible, Some(value), p)
    } else if asymmetry > Some(p.max_width_asymmetry) {
        Outcome::fail(Reason::BodyTurned, value, p)
    } else {
        Outcome::pass(Reason::Ok, value, p)
    };
    outcome.with_region(region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Common, Reason as Why, Status};
    use crate::testkit::{assert_outcome, profile, SceneBuilder};

    fn params() -> Params {
        profile().body_tilt
    }

    #[test]
    fn level_square_shoulders_pass_and_a_sloped_square_body_is_tilted() {
        let p = params();
        let level = SceneBuilder::new().run(check, &p);
        assert_outcome(&level, Status::Pass, Reason::Ok);
        assert!(level.value.unwrap().shoulder_tilt_deg.abs() < 1.0);
        // > 0 lowers the subject's left shoulder (image right); the body is seen square, so it is a tilt
        assert_outcome(
            &SceneBuilder::new().shoulder_tilt(20.0).run(check, &p),
            Status::Fail,
            Reason::ShouldersTiltedLeft,
        );
        assert_outcome(
            &SceneBuilder::new().shoulder_tilt(-20.0).run(check, &p),
            Status::Fail,
            Reason::ShouldersTiltedRight,
        );
    }

    #[test]
    fn the_tilt_limit_decides_at_its_edge() {
        let mut p = params();
        let tilt = SceneBuilder::new().shoulder_tilt(10.0).run(check, &p).value.unwrap().shoulder_tilt_deg as f32;
        assert!(tilt > 5.0, "{tilt}");
        p.max_shoulder_tilt_deg = tilt + 0.01;
        assert_outcome(&SceneBuilder::new().shoulder_tilt(10.0).run(check, &p), Status::Pass, Reason::Ok);
        p.max_shoulder_tilt_deg = tilt - 0.01;
        assert_outcome(
            &SceneBuilder::new().shoulder_tilt(10.0).run(check, &p),
            Status::Fail,
            Reason::ShouldersTiltedLeft,
        );
    }

    #[test]
    fn a_slope_without_a_square_body_or_unequal_widths_is_a_turned_body() {
        let mut p = params();
        // unequal widths beyond the limit: turned, level or sloped
        let asym = SceneBuilder::new().body_turn(0.2).run(check, &p).value.unwrap().width_asymmetry.unwrap() as f32;
        assert!(asym > 0.0, "{asym}");
        p.max_width_asymmetry = asym - 0.01;
        assert_outcome(&SceneBuilder::new().body_turn(0.2).run(check, &p), Status::Fail, Reason::BodyTurned);
        // a slope beyond the limit while the widths cannot be measured (the body runs off the frame): turned
        let wide = SceneBuilder::new().face_width(135.0).shoulder_tilt(20.0);
        let r = wide.run(check, &params());
        assert_eq!(r.value.as_ref().unwrap().width_asymmetry, None, "{:?}", r.value);
        assert_outcome(&r, Status::Fail, Reason::BodyTurned);
        p.max_width_asymmetry = asym + 0.01;
        assert_outcome(&SceneBuilder::new().body_turn(0.2).run(check, &p), Status::Pass, Reason::Ok);
    }

    #[test]
    fn shoulders_out_of_reach_cannot_be_judged() {
        let p = params();
        // a big face in a narrow frame: the shoulder columns 1.3–1.7 face widths out lie outside
        let r = SceneBuilder::new().frame_size(300, 640).face_width(120.0).run(check, &p);
        assert_outcome(&r, Status::Unknown, Reason::ShouldersNotVisible);
        let none = SceneBuilder::new().no_face().run(check, &p);
        assert_eq!((none.status, none.reason), (Status::Unknown, Why::Common(Common::NoFace)));
    }
}
