//! Writes models/<stem>.nnef.tar from models/<stem>.onnx (the archives the browser loads; see models/README.md).
//!
//!     cargo run --example to_nnef              # rewrites the three archives
//!     cargo run --example to_nnef -- --check   # fails if a committed archive differs from a fresh conversion
use std::path::Path;

use photo_check::models::{to_nnef, ModelBytes, MODEL_STEMS};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let onnx = MODEL_STEMS.map(|stem| std::fs::read(dir.join(format!("{stem}.onnx"))));
    let [fd, fl, ss] = onnx;
    let (fd, fl, ss) = (fd?, fl?, ss?);
    let nnef = to_nnef(ModelBytes { face_detection: &fd, face_landmark: &fl, selfie_segmentation: &ss })?;
    let mut stale = 0;
    for (stem, bytes) in MODEL_STEMS.iter().zip(&nnef) {
        let path = dir.join(format!("{stem}.nnef.tar"));
        if check {
            if std::fs::read(&path).ok().as_ref() != Some(bytes) {
                eprintln!("{}: differs from a fresh conversion", path.display());
                stale += 1;
            }
        } else {
            std::fs::write(&path, bytes)?;
            println!("{}: {} B", path.display(), bytes.len());
        }
    }
    if stale > 0 {
        return Err(format!("{stale} NNEF archive(s) out of date: cargo run --example to_nnef").into());
    }
    Ok(())
}
