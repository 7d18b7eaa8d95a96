//! The committed models are the ones the recipe produced: their SHA-256s match models/SHA256SUMS,
//! and every ONNX file in models/ is listed there.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

use sha2::{Digest, Sha256};

#[test]
fn committed_models_match_their_checksums() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("models/SHA256SUMS");
    let mut listed = Vec::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line.split_once(char::is_whitespace).expect("sha256sum format");
        let name = name.trim().trim_start_matches('*');
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, hash, "{name} differs from the recipe's output");
        listed.push(name.to_string());
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".onnx") {
            assert!(listed.contains(&name), "{name} is not in SHA256SUMS");
        }
    }
    assert_eq!(listed.len(), 3);
}
