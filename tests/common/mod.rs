//! Shared helpers for the integration tests: the sample portrait, one checker, variants.
#![allow(dead_code)]

use std::sync::OnceLock;

use photo_check::{CheckId, Checker, Frame, Models, Profile, Report, Status};

/// The public-domain sample portrait (scikit-image's astronaut.png), fetched by scripts/fetch-sample.sh.
pub fn sample_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/sample/astronaut.png")
}

pub fn sample_bytes() -> Vec<u8> {
    std::fs::read(sample_path()).unwrap_or_else(|e| {
        panic!("sample photo missing ({e}): run `bash scripts/fetch-sample.sh` first (the README's test command does)")
    })
}

pub fn sample() -> Frame {
    let img = image::load_from_memory(&sample_bytes()).expect("sample decodes").into_rgb8();
    let (w, h) = img.dimensions();
    Frame::from_rgb(img.into_raw(), w, h).expect("sample is a valid frame")
}

/// One `chsi` checker (models load once) shared by the tests of a binary: checking stills needs only
/// `&Checker`, so tests run in parallel without a lock.
pub fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| checker_with(Profile::chsi()))
}

/// A checker of its own with another profile (loads the models again).
pub fn checker_with(profile: Profile) -> Checker {
    Checker::new(Models::embedded().expect("embedded models load"), profile)
}

/// Checks a still frame with the shared checker.
pub fn check(frame: &Frame) -> Report {
    checker().check_still(frame).expect("frame checks")
}

pub fn status(r: &Report, id: CheckId) -> Status {
    r.check(id).status()
}

pub fn reason(r: &Report, id: CheckId) -> &'static str {
    r.check(id).reason()
}

pub fn value(r: &Report, id: CheckId, key: &str) -> f64 {
    let value = r.check(id).value_json();
    value[key].as_f64().unwrap_or_else(|| panic!("{} has no numeric {key}: {value}", id.as_str()))
}

/// Checks whose status differs between two reports.
pub fn changed(a: &Report, b: &Report) -> Vec<CheckId> {
    CheckId::ALL.into_iter().filter(|&id| a.check(id).status() != b.check(id).status()).collect()
}

/// Asserts that `target` changed to `Fail` with `reason`, and that nothing outside `allowed` changed.
pub fn assert_flips(base: &Report, variant: &Report, target: CheckId, reason_prefix: &str, allowed: &[CheckId]) {
    let r = variant.check(target);
    assert_eq!(r.status(), Status::Fail, "{} should fail: {}", target.as_str(), r.value_json());
    let why = r.reason();
    assert!(why.starts_with(reason_prefix), "{} failed for {why} (want {reason_prefix}…)", target.as_str());
    for id in changed(base, variant) {
        assert!(
            id == target || allowed.contains(&id),
            "{} changed from {:?} to {:?} ({}) but should not have",
            id.as_str(),
            base.check(id).status(),
            variant.check(id).status(),
            variant.check(id).reason()
        );
    }
}

/// Rotates the frame by `deg` clockwise on screen about `(cx, cy)`, edges replicated.
pub fn rotate(frame: &Frame, deg: f32, cx: f32, cy: f32) -> Frame {
    let (w, h) = (frame.width(), frame.height());
    let (s, c) = deg.to_radians().sin_cos();
    let mut out = vec![0u8; (w * h * 3) as usize];
    for y in 0..h {
        for x in 0..w {
            // inverse map: output pixel → source pixel
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let sx = c * dx + s * dy + cx;
            let sy = -s * dx + c * dy + cy;
            let p = frame.pixel(sx.floor() as i64, sy.floor() as i64);
            let i = ((y * w + x) * 3) as usize;
            out[i..i + 3].copy_from_slice(&p);
        }
    }
    Frame::from_rgb(out, w, h).unwrap()
}

/// Box blur of radius `r`, applied `passes` times (≈ Gaussian).
pub fn blur(frame: &Frame, r: i64, passes: usize) -> Frame {
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let mut cur = frame.clone();
    for _ in 0..passes {
        let mut out = vec![0u8; (w * h * 3) as usize];
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0u32; 3];
                let mut n = 0;
                for dy in -r..=r {
                    for dx in -r..=r {
                        let p = cur.pixel(x + dx, y + dy);
                        for c in 0..3 {
                            acc[c] += p[c] as u32;
                        }
                        n += 1;
                    }
                }
                let i = ((y * w + x) * 3) as usize;
                for c in 0..3 {
                    out[i + c] = (acc[c] / n) as u8;
                }
            }
        }
        cur = Frame::from_rgb(out, w as u32, h as u32).unwrap();
    }
    cur
}

/// Multiplies the pixels left of `x_split` by `factor`.
pub fn darken_left(frame: &Frame, x_split: u32, factor: f32) -> Frame {
    let mut f = frame.clone();
    let w = f.width();
    for (i, px) in f.bytes_mut().chunks_exact_mut(Frame::BYTES_PER_PIXEL).enumerate() {
        if (i as u32 % w) < x_split {
            for c in &mut px[..3] {
                *c = (*c as f32 * factor) as u8;
            }
        }
    }
    f
}

/// The rows from `top` down.
pub fn crop_top(frame: &Frame, top: u32) -> Frame {
    let w = frame.width() as usize;
    let rgb = frame.to_rgb()[top as usize * w * 3..].to_vec();
    Frame::from_rgb(rgb, frame.width(), frame.height() - top).unwrap()
}

/// Copies the `size`×`size` square at (sx, sy) to (dx, dy).
pub fn paste(frame: &Frame, (sx, sy): (u32, u32), size: u32, (dx, dy): (u32, u32)) -> Frame {
    let mut f = frame.clone();
    for y in 0..size {
        for x in 0..size {
            let p = frame.pixel((sx + x) as i64, (sy + y) as i64);
            f.set_pixel((dx + x) as usize, (dy + y) as usize, p);
        }
    }
    f
}

/// Deterministic noise (xorshift), no face in it.
pub fn noise(w: u32, h: u32, seed: u64) -> Frame {
    let mut s = seed | 1;
    let rgb = (0..w * h * 3)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect();
    Frame::from_rgb(rgb, w, h).unwrap()
}
