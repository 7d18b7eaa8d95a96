//! Times loading the three models (parse + optimise + one dry run, as `PhotoChecker.create` does) from the
//! committed ONNX files and from the NNEF archives, then each network's time per run (`Models::profile`),
//! natively: `cargo run --example load_time` (dependencies at opt-level 3 in the dev profile).
//! `cargo run --release --example load_time -- --repeat N` instead loads the NNEF archives N times in a row and
//! counts the loads that fail (README "Browsers": a trap while loading in WebKit, never natively).
use std::time::Instant;

use photo_check::models::{ModelBytes, Models, MODEL_STEMS};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, n] = &args[..] {
        if flag != "--repeat" {
            return Err(format!("unknown argument {flag} (only --repeat N)").into());
        }
        let n: usize = n.parse()?;
        let [fd, fl, ss] = MODEL_STEMS.map(|stem| std::fs::read(dir.join(format!("{stem}.nnef.tar"))).unwrap());
        let bytes = ModelBytes { face_detection: &fd, face_landmark: &fl, selfie_segmentation: &ss };
        let failed = (0..n).filter_map(|i| Models::from_bytes(bytes).err().map(|e| println!("load {i}: {e}"))).count();
        println!("{failed} of {n} loads failed");
        return Ok(());
    }
    for ext in ["onnx", "nnef.tar"] {
        let [fd, fl, ss] = MODEL_STEMS.map(|stem| std::fs::read(dir.join(format!("{stem}.{ext}"))).unwrap());
        let bytes = ModelBytes { face_detection: &fd, face_landmark: &fl, selfie_segmentation: &ss };
        let mut ms = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            Models::from_bytes(bytes)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!("{ext}: Models::from_bytes median {:.0} ms (min {:.0}, max {:.0}, 5 runs)", ms[2], ms[0], ms[4]);
        for net in Models::from_bytes(bytes)?.profile(30)? {
            println!("  {}: {:.2} ms per run (mean of 30)", net.model, net.total_ms);
        }
    }
    Ok(())
}
