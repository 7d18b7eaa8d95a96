//! What each check costs on one frame, without the models: `cargo run --release --example check_cost --
//! IMAGE [WIDTH HEIGHT] [ROUNDS]` (default 640×480, 200 rounds). The image is resized to the frame size,
//! the pipeline observes it once, then every check runs `ROUNDS` times on that observation; the table gives
//! the median microseconds per call — first what the pipeline makes once per frame for the checks (the
//! skin model six checks share; the whole grey frame, for comparison: the checks read luma per pixel),
//! then the checks in report order — and their sum, and what one frame pays: a fresh observation and every
//! check. Timings are noisy on a shared machine: compare the rows of one run with each other.

use std::hint::black_box;
use std::time::Instant;

use image::imageops::FilterType;
use photo_check::checks::{
    background_plain, body_tilt, clothing_contrast, ears_visible, exposure, eyes_open, face_count, framing,
    glasses_clear, hair_clear, head_pose, lighting_even, mouth_closed, no_hat, no_jewelry, shadow_free, sharpness,
};
use photo_check::observe::regions::SkinModel;
use photo_check::observe::Observation;
use photo_check::pipeline::run_checks;
use photo_check::{Checker, Frame, Models, Profile};

/// Median microseconds per call of `f` over `rounds` batches of ten calls.
fn median_us<T>(rounds: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut t: Vec<f64> = (0..rounds.max(1))
        .map(|_| {
            let s = Instant::now();
            for _ in 0..10 {
                black_box(f());
            }
            s.elapsed().as_secs_f64() * 1e5
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: check_cost IMAGE [WIDTH HEIGHT] [ROUNDS]")?;
    let (w, h) = match (args.get(1), args.get(2)) {
        (Some(w), Some(h)) => (w.parse()?, h.parse()?),
        _ => (640, 480),
    };
    let rounds = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(200);
    let img = image::open(path)?.resize_to_fill(w, h, FilterType::Triangle).to_rgb8();
    let frame = Frame::from_rgb(img.into_raw(), w, h)?;
    let p = Profile::chsi();
    let seen = Checker::new(Models::embedded()?, p.clone()).inspect_still(&frame)?;
    let obs: Observation = seen.observation(&frame);
    if obs.face.is_none() {
        return Err("no face in the frame: pick a portrait".into());
    }
    let face = obs.face.as_ref().ok_or("no face")?;
    let rows: Vec<(&str, f64)> = vec![
        // the whole frame's grey values (not made per frame: `Luma` converts the pixels the checks read)
        ("whole grey frame", median_us(rounds, || photo_check::imaging::frame_gray(&frame))),
        // learned once per frame when the observation is built, shared by six checks
        ("skin model", median_us(rounds, || SkinModel::learn(&frame, face))),
        ("face_count", median_us(rounds, || face_count::check(&obs, &p.face_count))),
        ("framing", median_us(rounds, || framing::check(&obs, &p.framing))),
        ("head_pose", median_us(rounds, || head_pose::check(&obs, &p.head_pose))),
        ("body_tilt", median_us(rounds, || body_tilt::check(&obs, &p.body_tilt))),
        ("ears_visible", median_us(rounds, || ears_visible::check(&obs, &p.ears_visible))),
        ("hair_clear", median_us(rounds, || hair_clear::check(&obs, &p.hair_clear))),
        ("no_hat", median_us(rounds, || no_hat::check(&obs, &p.no_hat))),
        ("mouth_closed", median_us(rounds, || mouth_closed::check(&obs, &p.mouth_closed))),
        ("eyes_open", median_us(rounds, || eyes_open::check(&obs, &p.eyes_open))),
        ("lighting_even", median_us(rounds, || lighting_even::check(&obs, &p.lighting_even))),
        ("exposure", median_us(rounds, || exposure::check(&obs, &p.exposure))),
        ("sharpness", median_us(rounds, || sharpness::check(&obs, &p.sharpness))),
        ("background_plain", median_us(rounds, || background_plain::check(&obs, &p.background_plain))),
        ("glasses_clear", median_us(rounds, || glasses_clear::check(&obs, &p.glasses_clear))),
        ("no_jewelry", median_us(rounds, || no_jewelry::check(&obs, &p.no_jewelry))),
        ("clothing_contrast", median_us(rounds, || clothing_contrast::check(&obs, &p.clothing_contrast))),
        ("shadow_free", median_us(rounds, || shadow_free::check(&obs, &p.shadow_free))),
    ];
    println!("{w}×{h}, {rounds} rounds of 10 calls, median µs per call");
    for (name, us) in &rows {
        println!("  {name:<18} {us:>8.1}");
    }
    let checks = rows.iter().filter(|r| r.0 != "whole grey frame");
    println!("  {:<18} {:>8.1}", "sum (not the grey)", checks.map(|r| r.1).sum::<f64>());
    // what a frame pays: a fresh observation (its luma converted as the checks read it, its skin
    // model learned) and every check
    let fresh = median_us(rounds, || run_checks(&seen.observation(&frame), &p));
    println!("  {:<18} {:>8.1}", "fresh observation + every check", fresh);
    Ok(())
}
