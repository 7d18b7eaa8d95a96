//! Synthetic cases for `ears_visible`, `hair_clear` and `no_hat`, painted on the real sample photo
//! (astronaut.png: short hair over both ears, brows and forehead clear, no hat). Each edit must flip
//! the check it targets, with the right reason, and leave the other two as they were.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

use std::path::PathBuf;

use photo_check::{CheckId, Checker, Frame, Models, Profile, Report, Status};

fn sample() -> Frame {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/sample/astronaut.png");
    let img = image::open(&path)
        .unwrap_or_else(|e| {
            panic!("sample photo missing ({}: {e}): run `bash scripts/fetch-sample.sh` first", path.display())
        })
        .to_rgb8();
    let (w, h) = img.dimensions();
    Frame::from_rgb(img.into_raw(), w, h).unwrap()
}

fn run(checker: &Checker, frame: &Frame) -> Report {
    checker.check_still(frame).unwrap()
}

/// Landmark `i` of the report's face (image pixels).
fn lm(report: &Report, i: usize) -> (f32, f32) {
    let p = report.face.as_ref().expect("a face").landmarks.as_ref().expect("landmarks")[i];
    (p[0], p[1])
}

/// Paints the axis-aligned box [x0, x1) × [y0, y1) with `colour(x, y)`.
fn paint(frame: &mut Frame, (x0, y0, x1, y1): (f32, f32, f32, f32), colour: impl Fn(usize, usize) -> [u8; 3]) {
    let w = frame.width() as usize;
    let h = frame.height() as usize;
    for y in (y0.max(0.0) as usize)..(y1.min(h as f32) as usize) {
        for x in (x0.max(0.0) as usize)..(x1.min(w as f32) as usize) {
            frame.set_pixel(x, y, colour(x, y));
        }
    }
}

/// Dark brown hair: fine strands (a per-column stripe pattern with a little per-pixel noise).
fn hair(x: usize, y: usize) -> [u8; 3] {
    let strand = ((x * 7 + y / 3) % 5) as u8 * 6;
    let noise = ((x * 31 + y * 17) % 7) as u8;
    [55 + strand + noise, 38 + strand / 2 + noise, 25 + noise]
}

/// Mean colour of the box (used to paint skin taken from the cheek).
fn mean_colour(frame: &Frame, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> [u8; 3] {
    let (mut s, mut n) = ([0u64; 3], 0u64);
    for y in y0 as i64..y1 as i64 {
        for x in x0 as i64..x1 as i64 {
            let p = frame.pixel(x, y);
            for c in 0..3 {
                s[c] += p[c] as u64;
            }
            n += 1;
        }
    }
    [(s[0] / n) as u8, (s[1] / n) as u8, (s[2] / n) as u8]
}

fn status(r: &Report, id: CheckId) -> (Status, String) {
    let c = r.check(id);
    (c.status(), c.reason().to_string())
}

struct Setup {
    checker: Checker,
    frame: Frame,
    base: Report,
    /// Face width (landmarks 234–454) in pixels.
    w: f32,
}

fn setup() -> Setup {
    let frame = sample();
    let mut checker = Checker::new(Models::embedded().unwrap(), Profile::chsi());
    checker.include_landmarks = true;
    let base = run(&checker, &frame);
    let (a, b) = (lm(&base, 234), lm(&base, 454));
    let w = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    Setup { checker, frame, base, w }
}

/// The ear box beside the face edge: subject's right = image left (landmarks 127/93), left = 356/323.
fn ear_box(s: &Setup, right: bool) -> (f32, f32, f32, f32) {
    let (top, bottom) = if right { (lm(&s.base, 127), lm(&s.base, 93)) } else { (lm(&s.base, 356), lm(&s.base, 323)) };
    let (y0, y1) = (top.1 - 0.05 * s.w, bottom.1 + 0.05 * s.w);
    if right {
        (top.0 - 0.24 * s.w, y0, top.0 + 0.03 * s.w, y1)
    } else {
        (top.0 - 0.03 * s.w, y0, top.0 + 0.24 * s.w, y1)
    }
}

fn cheek_skin(s: &Setup) -> [u8; 3] {
    let c = lm(&s.base, 205);
    mean_colour(&s.frame, (c.0 - 4.0, c.1 - 4.0, c.0 + 4.0, c.1 + 4.0))
}

#[test]
fn the_sample_as_it_is() {
    let s = setup();
    // Looking at the photo: her short hair covers both ears; brows and forehead are clear; no hat. With the
    // thresholds fitted on the train portraits her right ear zone (24 % skin in an 85 % person zone) counts
    // as visible: a miss (README "Accuracy" lists the ears' recall); the left one is still found covered.
    assert_eq!(status(&s.base, CheckId::EarsVisible), (Status::Fail, "left_ear_covered".into()));
    assert_eq!(status(&s.base, CheckId::HairClear), (Status::Pass, "ok".into()));
    assert_eq!(status(&s.base, CheckId::NoHat), (Status::Pass, "ok".into()));
    let v = &s.base.check(CheckId::EarsVisible).value_json();
    assert!(v["left"].is_object() && v["right"].is_object(), "ears value has left and right: {v}");
}

#[test]
fn hair_over_the_brows_fails_hair_clear_only() {
    let s = setup();
    let mut frame = s.frame.clone();
    // a fringe from above the brows down over them, between the brows' outer ends
    let (r, l) = (lm(&s.base, 70), lm(&s.base, 300));
    let brow_y = lm(&s.base, 105).1.min(lm(&s.base, 334).1);
    let top = lm(&s.base, 10).1 + 0.03 * s.w; // stays below the no_hat band (landmark 10 and up)
    paint(&mut frame, (r.0 - 0.02 * s.w, top, l.0 + 0.02 * s.w, brow_y + 0.04 * s.w), hair);
    let after = run(&s.checker, &frame);
    assert_eq!(status(&after, CheckId::HairClear), (Status::Fail, "hair_over_brows".into()));
    assert_eq!(status(&after, CheckId::EarsVisible), status(&s.base, CheckId::EarsVisible));
    assert_eq!(status(&after, CheckId::NoHat), status(&s.base, CheckId::NoHat));
}

#[test]
fn ears_are_judged_per_side() {
    let s = setup();
    let skin = cheek_skin(&s);
    let skin_at = move |x: usize, y: usize| {
        let n = ((x * 13 + y * 7) % 5) as u8;
        [skin[0].saturating_sub(n), skin[1].saturating_sub(n), skin[2].saturating_sub(n)]
    };
    // both ears uncovered (skin-coloured ear zones) → pass
    let mut both = s.frame.clone();
    paint(&mut both, ear_box(&s, true), skin_at);
    paint(&mut both, ear_box(&s, false), skin_at);
    let visible = run(&s.checker, &both);
    assert_eq!(
        status(&visible, CheckId::EarsVisible),
        (Status::Pass, "ok".into()),
        "{}",
        visible.check(CheckId::EarsVisible).value_json()
    );

    // then hair over the subject's left ear (image right) only → left_ear_covered
    let mut left = both.clone();
    paint(&mut left, ear_box(&s, false), hair);
    let after = run(&s.checker, &left);
    assert_eq!(
        status(&after, CheckId::EarsVisible),
        (Status::Fail, "left_ear_covered".into()),
        "{}",
        after.check(CheckId::EarsVisible).value_json()
    );
    assert_eq!(after.check(CheckId::EarsVisible).value_json()["right"]["state"], "visible");

    // and over the subject's right ear (image left) only → right_ear_covered
    let mut right = both.clone();
    paint(&mut right, ear_box(&s, true), hair);
    let after = run(&s.checker, &right);
    assert_eq!(
        status(&after, CheckId::EarsVisible),
        (Status::Fail, "right_ear_covered".into()),
        "{}",
        after.check(CheckId::EarsVisible).value_json()
    );
    assert_eq!(after.check(CheckId::EarsVisible).value_json()["left"]["state"], "visible");

    // the ear edits leave the other two checks alone
    for r in [&visible, &after] {
        assert_eq!(status(r, CheckId::HairClear), status(&s.base, CheckId::HairClear));
        assert_eq!(status(r, CheckId::NoHat), status(&s.base, CheckId::NoHat));
    }
}

#[test]
fn a_cap_fails_no_hat_only() {
    let s = setup();
    let mut frame = s.frame.clone();
    let top = lm(&s.base, 10);
    // a navy cap from above the crown down to just below landmark 10 (the upper forehead)
    let cap = |x: usize, y: usize| {
        let n = ((x * 5 + y * 3) % 4) as u8;
        [28 + n, 38 + n, 92 + n]
    };
    paint(&mut frame, (top.0 - 0.6 * s.w, top.1 - 0.7 * s.w, top.0 + 0.6 * s.w, top.1 + 0.02 * s.w), cap);
    let after = run(&s.checker, &frame);
    assert_eq!(
        status(&after, CheckId::NoHat),
        (Status::Fail, "hat".into()),
        "{}",
        after.check(CheckId::NoHat).value_json()
    );
    assert_eq!(status(&after, CheckId::HairClear), status(&s.base, CheckId::HairClear));
    assert_eq!(status(&after, CheckId::EarsVisible), status(&s.base, CheckId::EarsVisible));
}

#[test]
fn a_turned_head_is_not_reported_as_hair() {
    // ears_visible must never say "covered" for an ear that a large yaw hides: simulated through the
    // profile (a yaw limit below the sample's own |yaw| marks the far ear hidden_by_pose)
    let frame = sample();
    let mut profile = Profile::chsi();
    profile.ears_visible.max_yaw_deg = 0.0;
    let checker = Checker::new(Models::embedded().unwrap(), profile);
    let r = checker.check_still(&frame).unwrap();
    let v = r.check(CheckId::EarsVisible).value_json();
    let states = [v["right"]["state"].as_str().unwrap(), v["left"]["state"].as_str().unwrap()];
    assert!(states.contains(&"hidden_by_pose"), "{v}");
}
