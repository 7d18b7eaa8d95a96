//! Writes the fuzz seed corpus (fuzz/corpus/<target>/seed-*) from the sample portrait. Ignored in the
//! normal run; regenerate with `cargo test --test fuzz_seeds -- --ignored`.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use std::path::Path;

use common::*;
use image::{DynamicImage, ImageEncoder};

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_bytes(), img.width(), img.height(), img.color().into())
        .unwrap();
    out
}

fn jpeg(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&img.to_rgb8()).unwrap();
    out
}

/// EXIF APP1 with the orientation tag, inserted after SOI.
fn with_exif(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0".to_vec();
    exif[25] = orientation;
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    app1.append(&mut exif);
    jpeg[..2].iter().chain(&app1).chain(&jpeg[2..]).copied().collect()
}

fn encoder_jpeg(img: &DynamicImage, color: jpeg_encoder::ColorType, progressive: bool) -> Vec<u8> {
    let rgb = img.to_rgb8();
    let data: Vec<u8> = match color {
        jpeg_encoder::ColorType::Cmyk | jpeg_encoder::ColorType::CmykAsYcck => {
            rgb.pixels().flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0]).collect()
        }
        jpeg_encoder::ColorType::Luma => img.to_luma8().into_raw(),
        _ => rgb.as_raw().clone(),
    };
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
    enc.set_progressive(progressive);
    enc.encode(&data, img.width() as u16, img.height() as u16, color).unwrap();
    out
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

#[test]
#[ignore = "writes fuzz/corpus; run by hand"]
fn write_fuzz_seeds() {
    let full = image::load_from_memory(&sample_bytes()).unwrap();
    let small = |s: u32| full.resize_exact(s, s, image::imageops::FilterType::Triangle);
    let (s32, s48, s160) = (small(32), small(48), small(160));
    let mut images: Vec<(&str, Vec<u8>)> = vec![
        ("rgb8.png", png(&s32)),
        ("grey8.png", png(&DynamicImage::ImageLuma8(s32.to_luma8()))),
        ("greyalpha8.png", png(&DynamicImage::ImageLumaA8(s32.to_luma_alpha8()))),
        ("rgba8.png", png(&DynamicImage::ImageRgba8(s32.to_rgba8()))),
        ("rgb16.png", png(&DynamicImage::ImageRgb16(s32.to_rgb16()))),
        ("grey16.png", png(&DynamicImage::ImageLuma16(s32.to_luma16()))),
        ("q90.jpg", jpeg(&s48, 90)),
        ("q30.jpg", jpeg(&s32, 30)),
        ("exif6.jpg", with_exif(&jpeg(&s32, 80), 6)),
        ("exif5.jpg", with_exif(&jpeg(&s32, 80), 5)),
        ("cmyk.jpg", encoder_jpeg(&s32, jpeg_encoder::ColorType::Cmyk, false)),
        ("ycck.jpg", encoder_jpeg(&s32, jpeg_encoder::ColorType::CmykAsYcck, false)),
        ("grey.jpg", encoder_jpeg(&s32, jpeg_encoder::ColorType::Luma, false)),
        ("progressive.jpg", encoder_jpeg(&s48, jpeg_encoder::ColorType::Rgb, true)),
    ];
    for (name, bytes) in &images {
        write("decode", name, bytes);
        write("check_image", name, bytes);
    }
    // a face big enough to be found, so check_image runs the whole pipeline
    images.push(("face160.jpg", jpeg(&s160, 85)));
    write("check_image", "face160.jpg", &images.last().unwrap().1);
    for s in [16u32, 40, 128] {
        let img = small(s).to_rgba8();
        let mut bytes = (s as u16).to_le_bytes().to_vec();
        bytes.extend_from_slice(&(s as u16).to_le_bytes());
        bytes.push(0); // mode: the buffer as is
        bytes.extend_from_slice(img.as_raw());
        write("check_rgba", &format!("{s}x{s}.rgba"), &bytes);
    }
    // an odd size with the buffer tiled from a few bytes (mode 1)
    write("check_rgba", "481x641-tiled.rgba", &[0xE1, 0x01, 0x81, 0x02, 1, 90, 120, 150, 255, 30, 60, 90, 255]);
    for (name, text) in photo_check::profile::BUILTIN {
        write("profile", &format!("{name}.toml"), text.as_bytes());
    }
    write("model_bytes", "face_detection_short_range.onnx", photo_check::models::EMBEDDED.face_detection);
}
