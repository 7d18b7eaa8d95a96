//! Native soak: N camera frames (default 10,000) through one `Checker::check_rgba`, as a phone's preview
//! would send them — the sample face jittered (shifted, brighter, darker), no face (noise), two faces
//! (the sample twice side by side), and bad buffers (wrong lengths, zero and degenerate sizes, huge
//! sizes) interleaved. Prints resident memory (VmRSS, and the peak VmHWM) at 1k/5k/10k frames and the
//! frame rate. Not part of the test suite.
//!
//! ```text
//! bash scripts/fetch-sample.sh && cargo run --example soak -- 10000
//! ```

use std::time::Instant;

use photo_check::{Checker, LiveStream, Models, Profile};

/// `VmRSS` and `VmHWM` from /proc/self/status, in MiB (None off Linux).
fn memory_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// The sample shifted by (dx, dy) (edges replicated) with brightness scaled by `gain`, as RGBA.
fn jittered(rgb: &[u8], w: u32, h: u32, dx: i64, dy: i64, gain: f32) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h as i64 {
        let sy = (y - dy).clamp(0, h as i64 - 1);
        for x in 0..w as i64 {
            let sx = (x - dx).clamp(0, w as i64 - 1);
            let i = ((sy * w as i64 + sx) * 3) as usize;
            for c in 0..3 {
                out.push((rgb[i + c] as f32 * gain).min(255.0) as u8);
            }
            out.push(255);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Face,
    NoFace,
    TwoFaces,
    BadBuffer,
}

fn main() {
    let frames: usize = std::env::args().nth(1).map(|s| s.parse().expect("frame count")).unwrap_or(10_000);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/sample/astronaut.png");
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `bash scripts/fetch-sample.sh`)", path.display()));
    let sample = image::load_from_memory(&bytes).expect("sample decodes").into_rgb8();
    let (w, h) = sample.dimensions();
    let rgb = sample.into_raw();
    // two faces: the sample twice side by side
    let mut two = Vec::with_capacity((2 * w * h * 4) as usize);
    for y in 0..h as usize {
        for _ in 0..2 {
            for px in rgb[y * w as usize * 3..(y + 1) * w as usize * 3].chunks_exact(3) {
                two.extend_from_slice(&[px[0], px[1], px[2], 255]);
            }
        }
    }

    let start_mem = memory_mib();
    let checker = Checker::new(Models::embedded().expect("embedded models load"), Profile::chsi());
    let mut stream = LiveStream::new();
    let loaded_mem = memory_mib();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut counts = std::collections::BTreeMap::<(Kind, &str), usize>::new();
    let mut checked_time = 0.0f64;
    let mut checked = 0usize;
    let marks = [1_000, 5_000, 10_000];
    println!("frames: {frames}; memory before models {start_mem:?} MiB, after {loaded_mem:?} MiB (VmRSS, VmHWM)");
    println!("| frames | VmRSS MiB | VmHWM MiB | frames/s (pipeline frames, so far) |");
    println!("|---:|---:|---:|---:|");
    let start = Instant::now();
    for i in 1..=frames {
        // 10-frame cycle: 6 faces, 1 no face, 1 two faces, 2 bad buffers
        let (kind, result) = match i % 10 {
            0 | 1 | 2 | 4 | 5 | 7 => {
                let buf = jittered(
                    &rgb,
                    w,
                    h,
                    rng.range(-24, 24),
                    rng.range(-24, 24),
                    0.75 + rng.range(0, 50) as f32 / 100.0,
                );
                let t = Instant::now();
                let r = stream.check_rgba(&checker, &buf, w, h);
                checked_time += t.elapsed().as_secs_f64();
                checked += 1;
                (Kind::Face, r)
            }
            3 => {
                let (nw, nh) = (320 + rng.range(0, 64) as u32, 240 + rng.range(0, 64) as u32);
                let buf: Vec<u8> = (0..nw * nh * 4).map(|_| rng.next() as u8).collect();
                let t = Instant::now();
                let r = stream.check_rgba(&checker, &buf, nw, nh);
                checked_time += t.elapsed().as_secs_f64();
                checked += 1;
                (Kind::NoFace, r)
            }
            6 => {
                let t = Instant::now();
                let r = stream.check_rgba(&checker, &two, 2 * w, h);
                checked_time += t.elapsed().as_secs_f64();
                checked += 1;
                (Kind::TwoFaces, r)
            }
            _ => {
                let n = w as usize * h as usize * 4;
                let r = match rng.next() % 6 {
                    0 => stream.check_rgba(&checker, &rgb, w, h), // RGB bytes given as RGBA: too short
                    1 => stream.check_rgba(&checker, &[], 0, 0),
                    2 => stream.check_rgba(&checker, &vec![0; 4 * 480], 1, 480),
                    3 => stream.check_rgba(&checker, &vec![7; n + 4], w, h),
                    4 => stream.check_rgba(&checker, &[0; 64], 60_000, 60_000),
                    _ => stream.check_rgba(&checker, &vec![0; n - 1], w, h),
                };
                (Kind::BadBuffer, r)
            }
        };
        let outcome = match &result {
            Ok(r) => match r.verdict {
                photo_check::Status::Pass => "pass",
                photo_check::Status::Fail => "fail",
                _ => "unknown",
            },
            Err(e) => e.code(),
        };
        *counts.entry((kind, outcome)).or_default() += 1;
        if kind == Kind::BadBuffer {
            assert!(result.is_err(), "frame {i}: a bad buffer was accepted");
        }
        if marks.contains(&i) || i == frames {
            let (rss, hwm) = memory_mib().unwrap_or((f64::NAN, f64::NAN));
            println!("| {i} | {rss:.1} | {hwm:.1} | {:.1} |", checked as f64 / checked_time);
        }
    }
    let total = start.elapsed().as_secs_f64();
    println!();
    println!(
        "{frames} frames in {total:.1} s: {:.1} frames/s overall, \
         {checked} pipeline frames at {:.1} frames/s ({:.1} ms each)",
        frames as f64 / total,
        checked as f64 / checked_time,
        1000.0 * checked_time / checked as f64
    );
    println!("outcomes (kind, verdict or error code → count):");
    for ((kind, outcome), n) in &counts {
        println!("  {kind:?} {outcome}: {n}");
    }
}
