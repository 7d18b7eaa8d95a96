//! Limits before work, and odd-but-valid phone photos checked rather than refused.
//!
//! Every input here is built from the sample portrait: grey, grey+alpha, RGBA and 16-bit PNGs, a CMYK
//! JPEG, a JPEG stored in each of the 8 EXIF orientations, a 12 MP photo; and headers that lie about
//! their size (60000×60000), which must be refused from the header, in milliseconds.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use common::*;
use image::metadata::Orientation;
use image::{DynamicImage, ImageEncoder, RgbImage};
use photo_check::frame::Limits;
use photo_check::profile::MAX_PROFILE_BYTES;
use photo_check::{CheckId, ModelBytes, Models, Profile, Report, Status};

fn sample_image() -> DynamicImage {
    image::load_from_memory(&sample_bytes()).expect("sample decodes")
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_bytes(), img.width(), img.height(), img.color().into())
        .expect("PNG encodes");
    out
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).expect("JPEG encodes");
    out
}

/// Inserts an APP1 "Exif" segment holding only the orientation tag right after the JPEG's SOI marker.
fn with_exif_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0".to_vec();
    exif[25] = orientation; // the big-endian SHORT value (bytes 24–25), left-justified in the 4-byte field
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    app1.append(&mut exif);
    jpeg[..2].iter().chain(&app1).chain(&jpeg[2..]).copied().collect()
}

/// Rewrites the frame size in the JPEG's SOF0 (baseline) header.
fn patch_sof0(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let at = out.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG has SOF0");
    // FFC0, length (2), precision (1), height (2), width (2)
    out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    out
}

fn assert_one_face(what: &str, r: &Report) {
    assert_eq!(r.check(CheckId::FaceCount).status(), Status::Pass, "{what}: face_count {:?}", r.checks.face_count);
    assert!(r.face.is_some(), "{what}: no face summary");
}

/// Mean absolute difference per channel between two RGB buffers of the same size.
fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).abs()).sum::<f64>() / a.len() as f64
}

#[test]
fn jpeg_header_claiming_60000_squared_is_refused_in_milliseconds() {
    let small = jpeg(&sample_image().resize(64, 64, image::imageops::FilterType::Triangle).into_rgb8(), 90);
    let lying = patch_sof0(&small, 60_000, 60_000);
    // `too_large` comes from the header (the file holds 64×64 pixels of data): nothing was decoded
    let err = photo_check::decode::decode(&lying, &Limits::default()).err().expect("refused");
    assert_eq!(err.code(), "too_large", "{err}");
    // through the checker too
    assert_eq!(checker().check_image(&lying).unwrap_err().code(), "too_large");
    // one pixel over the 48 MP default is refused the same way; a lower profile limit is honoured
    assert_eq!(
        photo_check::decode::decode(&patch_sof0(&small, 8001, 6000), &Limits::default()).err().unwrap().code(),
        "too_large"
    );
    let tight = Limits { max_pixels: 1000, ..Limits::default() };
    assert_eq!(photo_check::decode::decode(&small, &tight).err().unwrap().code(), "too_large");
    let few_bytes = Limits { max_bytes: 100, ..Limits::default() };
    assert_eq!(photo_check::decode::decode(&small, &few_bytes).err().unwrap().code(), "too_large");
}

#[test]
fn profile_text_is_bounded() {
    let huge = format!("{}\n{}", photo_check::profile::BUILTIN[0].1, "# padding\n".repeat(1_000_000));
    let err = Profile::from_toml(&huge).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    // just under the limit still parses
    let pad = MAX_PROFILE_BYTES - photo_check::profile::BUILTIN[0].1.len() - 1;
    let fits = format!("{}\n{}", photo_check::profile::BUILTIN[0].1, "#".repeat(pad));
    assert_eq!(fits.len(), MAX_PROFILE_BYTES);
    assert_eq!(Profile::from_toml(&fits).unwrap().name, "chsi");
    // deep nesting is a parse error, not a stack overflow
    let deep = format!("x = {}{}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(Profile::from_toml(&deep[..MAX_PROFILE_BYTES.min(deep.len())]).is_err());
}

#[test]
fn model_bytes_are_bounded_before_parsing() {
    let huge = vec![0u8; photo_check::models::MAX_MODEL_BYTES + 1];
    let err = Models::from_bytes(ModelBytes { face_landmark: &huge, ..photo_check::models::EMBEDDED })
        .err()
        .expect("refused");
    assert_eq!(err.code(), "too_large", "{err}");
}

#[test]
fn png_colour_types_are_checked() {
    let img = sample_image();
    for (what, variant) in [
        ("grey", DynamicImage::ImageLuma8(img.to_luma8())),
        ("grey+alpha", DynamicImage::ImageLumaA8(img.to_luma_alpha8())),
        ("RGBA", DynamicImage::ImageRgba8(img.to_rgba8())),
        ("16-bit RGB", DynamicImage::ImageRgb16(img.to_rgb16())),
        ("16-bit grey", DynamicImage::ImageLuma16(img.to_luma16())),
        ("16-bit RGBA", DynamicImage::ImageRgba16(img.to_rgba16())),
    ] {
        let r = checker().check_image(&png(&variant)).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!((r.image.width, r.image.height), (512, 512), "{what}");
        assert_one_face(what, &r);
    }
}

#[test]
fn cmyk_jpeg_is_checked() {
    // the image crate cannot write CMYK; jpeg-encoder writes an Adobe CMYK JPEG
    let rgb = sample_image().into_rgb8();
    let (w, h) = rgb.dimensions();
    let cmyk: Vec<u8> = rgb.pixels().flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0]).collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 92)
        .encode(&cmyk, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let decoded = photo_check::decode::decode(&bytes, &Limits::default()).expect("CMYK JPEG decodes");
    let diff = mean_abs_diff(&decoded.frame.to_rgb(), rgb.as_raw());
    assert!(diff < 8.0, "CMYK colours converted back to RGB (mean difference {diff:.1})");
    let r = checker().check_image(&bytes).unwrap();
    assert_one_face("CMYK JPEG", &r);
}

#[test]
fn all_eight_exif_orientations_are_undone() {
    let upright = sample_image();
    let base = checker().check_image(&jpeg(&upright.to_rgb8(), 92)).unwrap();
    assert_one_face("upright", &base);
    for exif in 1..=8u8 {
        let o = Orientation::from_exif(exif).unwrap();
        // what the camera stored: the inverse of what the tag says to apply (6 and 8 are each
        // other's inverse; the other six undo themselves)
        let inverse = Orientation::from_exif(match exif {
            6 => 8,
            8 => 6,
            n => n,
        })
        .unwrap();
        let mut stored = upright.clone();
        stored.apply_orientation(inverse);
        let bytes = with_exif_orientation(&jpeg(&stored.to_rgb8(), 92), exif);
        let decoded = photo_check::decode::decode(&bytes, &Limits::default()).unwrap();
        let diff = mean_abs_diff(&decoded.frame.to_rgb(), upright.to_rgb8().as_raw());
        assert!(diff < 6.0, "orientation {exif} ({o:?}) not undone: mean difference {diff:.1}");
        let r = checker().check_image(&bytes).unwrap();
        assert_one_face(&format!("EXIF orientation {exif}"), &r);
        let roll = r.checks.head_pose.value.as_ref().unwrap().roll;
        // mirrored orientations flip the roll's sign; all of them stay near upright
        assert!(roll.abs() < 10.0, "orientation {exif}: roll {roll}");
    }
}

#[test]
fn twelve_megapixel_photo_is_downscaled_and_checked() {
    // the sample at 3000×3000 on a 4000×3000 (4:3, 12 MP) canvas, as a phone would store it
    let face = sample_image().resize_exact(3000, 3000, image::imageops::FilterType::Triangle).into_rgb8();
    let mut canvas = RgbImage::from_pixel(4000, 3000, image::Rgb([200, 205, 210]));
    image::imageops::replace(&mut canvas, &face, 500, 0);
    let bytes = jpeg(&canvas, 85);
    let r = checker().check_image(&bytes).unwrap();
    assert_eq!(r.image.original, Some([4000, 3000]));
    assert_eq!((r.image.width, r.image.height), (2048, 1536), "downscaled to the 2048 working side");
    assert_one_face("12 MP", &r);
}

#[test]
fn cli_refuses_oversized_files_before_reading_them() {
    let dir = std::env::temp_dir().join(format!("photo-check-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run =
        |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_photo-check")).args(args).output().unwrap();
    // a profile file over 64 KiB
    let big_profile = dir.join("big.toml");
    std::fs::write(&big_profile, "#".repeat(MAX_PROFILE_BYTES + 1)).unwrap();
    let out = run(&["check", "--profile", big_profile.to_str().unwrap(), &sample_path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[too_large]"), "{}", String::from_utf8_lossy(&out.stderr));
    // an image over the profile's limits.max_bytes
    let tight = dir.join("tight.toml");
    let text = photo_check::profile::BUILTIN[0].1.replace("max_bytes = 40_000_000", "max_bytes = 1000");
    assert!(text.contains("max_bytes = 1000"));
    std::fs::write(&tight, text).unwrap();
    let out = run(&["check", "--json", "--profile", tight.to_str().unwrap(), &sample_path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["error"]["code"], "too_large", "{line}");
    std::fs::remove_dir_all(&dir).ok();
}
