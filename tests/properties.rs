//! Property tests: arbitrary frame sizes and mutated image bytes never panic, and the same input gives
//! the same answer twice (the same report, timings aside, or the same error). Case counts are bounded
//! so the suite stays fast; the fuzz targets (fuzz/) explore the same entries far longer.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use common::*;
use photo_check::{Error, LiveStream, Report};
use proptest::prelude::*;

/// The report as JSON with the timings zeroed (NaN-safe: serde_json writes non-finite numbers as null).
fn comparable(r: &Result<Report, Error>) -> String {
    match r {
        Ok(report) => {
            let mut report = report.clone();
            report.timing_ms = Default::default();
            serde_json::to_string(&report).expect("reports serialise")
        }
        Err(e) => format!("error {}: {e}", e.code()),
    }
}

/// Frame sides: mostly small (a full pipeline run each), sometimes degenerate or huge.
fn side() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..300,
        1 => Just(0u32),
        1 => 14u32..18,
        1 => prop_oneof![Just(u32::MAX), Just(65_536u32), Just(1u32 << 31), 7000u32..100_000],
    ]
}

/// Buffer length relative to w×h×4: exact, a little off, RGB-sized, or arbitrary (bounded to 4 MB).
fn length(w: u32, h: u32) -> impl Strategy<Value = usize> {
    let exact = (w as u64 * h as u64).saturating_mul(4);
    let capped = |n: u64| n.min(4 << 20) as usize;
    prop_oneof![
        3 => Just(capped(exact)),
        1 => (-8i64..=8).prop_map(move |d| capped((exact as i64 + d).max(0) as u64)),
        1 => Just(capped((w as u64 * h as u64).saturating_mul(3))),
        1 => 0usize..(4 << 20),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rgba_triples_never_panic_and_repeat((w, h, len, fill) in triples()) {
        let buf: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(fill)).collect();
        let c = checker();
        let first = LiveStream::new().check_rgba(c, &buf, w, h);
        let second = LiveStream::new().check_rgba(c, &buf, w, h);
        prop_assert_eq!(comparable(&first), comparable(&second));
        if let Err(e) = &first {
            prop_assert!(["bad_dimensions", "buffer_length", "too_large"].contains(&e.code()), "{}", e);
        }
        if first.is_ok() {
            prop_assert_eq!(len as u64, (w as u64 * h as u64).saturating_mul(4));
        }
    }
}

/// A mutation of an encoded image.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Truncate { keep: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Overwrite { at: usize, bytes: Vec<u8> },
}

/// One to five mutations.
fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..6)
}

/// Width, height, a buffer length around w × h × 4, and a fill byte.
fn triples() -> impl Strategy<Value = (u32, u32, usize, u8)> {
    (side(), side()).prop_flat_map(|(w, h)| (Just(w), Just(h), length(w, h), any::<u8>()))
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let bytes = |max| proptest::collection::vec(any::<u8>(), 1..max);
    prop_oneof![
        3 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        1 => any::<usize>().prop_map(|keep| Mutation::Truncate { keep }),
        1 => (any::<usize>(), bytes(64)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<usize>(), bytes(16)).prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = bytes.len().max(1);
        match m {
            Mutation::Flip { at, bit } => {
                if !bytes.is_empty() {
                    bytes[at % n] ^= 1 << bit;
                }
            }
            Mutation::Truncate { keep } => bytes.truncate(keep % n),
            Mutation::Insert { at, bytes: ins } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, ins.iter().copied());
            }
            Mutation::Overwrite { at, bytes: over } => {
                let at = at % n;
                for (i, b) in over.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
        }
    }
    bytes
}

/// The sample as a small PNG and a small JPEG (mutating 200 kB keeps each case cheap) — PNG
/// mutations mostly hit chunk CRCs; JPEG mutations mostly decode to damaged pictures.
fn seeds() -> &'static [Vec<u8>; 2] {
    static SEEDS: std::sync::OnceLock<[Vec<u8>; 2]> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let img =
            image::load_from_memory(&sample_bytes()).unwrap().resize(256, 256, image::imageops::FilterType::Triangle);
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&img.to_rgb8()).unwrap();
        [png, jpeg]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_images_never_panic_and_repeat(which in 0usize..2, mutations in mutations()) {
        let bytes = apply(seeds()[which].clone(), &mutations);
        let c = checker();
        let first = c.check_image(&bytes);
        let second = c.check_image(&bytes);
        prop_assert_eq!(comparable(&first), comparable(&second));
        if let Err(e) = &first {
            prop_assert!(["decode", "too_large", "bad_dimensions"].contains(&e.code()), "{}", e);
        }
    }
}
