//! The command-line shell: JSON lines, exit codes, eval output.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_photo-check"))
}

fn sample() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/sample/astronaut.png");
    assert!(p.exists(), "sample photo missing: run `bash scripts/fetch-sample.sh`");
    p.display().to_string()
}

#[test]
fn check_json_lines_and_exit_codes() {
    let out = bin().args(["check", "--json", &sample()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the sample fails (she smiles)");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["file"], sample());
    assert_eq!(v["verdict"], "fail");
    assert_eq!(v["checks"]["face_count"]["status"], "pass");
    assert_eq!(v["checks"]["mouth_closed"]["status"], "fail");
    for field in ["status", "reason", "value", "threshold", "message_zh", "message_en"] {
        assert!(v["checks"]["head_pose"].get(field).is_some(), "{field}");
    }
    assert!(v["checks"]["head_pose"]["value"]["yaw"].is_number());
    assert!(v["image"]["width"] == 512 && v["timing_ms"]["total"].is_number());
    assert!(v["face"]["box"].is_array());
}

#[test]
fn errors_exit_2_and_are_reported_per_file() {
    let dir = std::env::temp_dir().join(format!("photo-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.jpg");
    std::fs::write(&bad, b"\xFF\xD8\xFF\xE0 not really").unwrap();
    let out = bin().args(["check", "--json", &sample(), bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["error"]["code"], "decode");
    let out = bin().args(["check", "--profile", "nope", &sample()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("profile"));
}

#[test]
fn table_output_and_icao_profile() {
    let out = bin().args(["check", "--profile", "icao", &sample()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("profile icao"), "{text}");
    assert!(text.contains("ears_visible      not_required"), "{text}");
}

#[test]
fn eval_prints_confusion_and_pose_error() {
    let dir = std::env::temp_dir().join(format!("photo-check-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(sample(), dir.join("a.png")).unwrap();
    std::fs::write(
        dir.join("labels.csv"),
        "file,mouth_closed,face_count,yaw_deg,pitch_deg,roll_deg,bangs\na.png,fail,pass,0,0,0,no\n",
    )
    .unwrap();
    let out = bin().args(["eval", "--labels", dir.join("labels.csv").to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = text.lines().filter(|l| l.starts_with("mouth_closed"));
    let counts: Vec<&str> = rows.next().expect("mouth_closed counts").split_whitespace().collect();
    assert_eq!(counts[1..], ["0", "1", "0", "0", "0", "1", "0", "0"], "n pass, n fail, pass→…, fail→…: {text}");
    let rates = rows.next().expect("mouth_closed rates");
    assert!(rates.contains("1.000 [0.207, 1.000]") && rates.ends_with("fail only"), "{rates}");
    assert!(text.contains("frontal-ish"), "{text}");
}

#[test]
fn standardize_writes_the_chsi_jpeg() {
    let dir = std::env::temp_dir().join(format!("photo-check-std-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("std.jpg");
    let out =
        bin().args(["standardize", &sample(), "-o"]).arg(&out_file).args(["--background", "grey"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8(out.stdout).unwrap();
    // her head touches the top edge: no crop fits, so the photo is centred on her face
    assert!(said.contains("480×640 JPEG") && said.contains("centred on the face (framing: no_room_above)"), "{said}");
    let bytes = std::fs::read(&out_file).unwrap();
    assert!(bytes.len() <= 40_000, "{} bytes", bytes.len());
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (480, 640));
    let corner = img.get_pixel(470, 10).0;
    assert!(corner.iter().all(|&c| c.abs_diff(240) <= 6), "{corner:?}: the light grey background");
    let bad =
        bin().args(["standardize", &sample(), "-o"]).arg(&out_file).args(["--background", "pink"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_argument"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn batch_walks_folders_and_lists_keeps_input_order_and_summarises() {
    let dir = std::env::temp_dir().join(format!("photo-check-batch-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let png = std::fs::read(sample()).unwrap();
    // a WebP named .jpg (decided by content), a PNG, a HEIC header and a text file inside the folder
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    let mut webp = Vec::new();
    img.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp)).unwrap();
    std::fs::write(dir.join("c.jpg"), &webp).unwrap();
    std::fs::write(dir.join("a.png"), &png).unwrap();
    std::fs::write(dir.join("b/d.jpeg"), b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a photo").unwrap();
    std::fs::write(dir.join("list.txt"), "a.png\n").unwrap();
    let out =
        bin().args(["check", "--json", "--jobs", "3", "--list"]).arg(dir.join("list.txt")).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "the HEIC file is an error");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let files: Vec<String> =
        lines.iter().map(|v| v["file"].as_str().unwrap().replace(&dir.display().to_string(), "")).collect();
    // the command line's paths first (the folder, walked in name order), then the list's
    assert_eq!(files, ["/a.png", "/b/d.jpeg", "/c.jpg", "/a.png"]);
    assert_eq!(lines[1]["error"]["code"], "decode");
    assert!(lines[1]["error"]["message"].as_str().unwrap().contains("HEIC"));
    // the WebP gives the PNG's verdicts (lossless: the same pixels)
    for id in ["face_count", "mouth_closed", "ears_visible", "framing"] {
        assert_eq!(lines[2]["checks"][id]["status"], lines[0]["checks"][id]["status"], "{id}");
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    let summary = stderr.lines().find_map(|l| l.strip_prefix("summary: ")).expect("a summary line");
    let s: serde_json::Value = serde_json::from_str(summary).unwrap();
    assert_eq!(
        (s["files"].as_u64(), s["verdicts"]["fail"].as_u64(), s["errors"]["decode"].as_u64()),
        (Some(4), Some(3), Some(1))
    );
    assert_eq!(s["reasons"]["mouth_closed/mouth_open"].as_u64(), Some(3));
    std::fs::remove_dir_all(&dir).ok();
}
