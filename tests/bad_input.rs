//! Bad input gets a typed error with a stable code — never a panic, never a hang.

// Native only: the wasm build (tests/wasm.rs) has no embedded models, files or processes.
#![cfg(all(not(target_arch = "wasm32"), feature = "embed-models"))]

mod common;

use common::*;
use photo_check::{Error, LiveStream, ModelBytes, Models};

fn code(r: Result<photo_check::Report, Error>) -> &'static str {
    r.expect_err("should be an error").code()
}

/// A PNG with a valid signature, IHDR claiming `w`×`h` and a tiny IDAT (correct CRCs): what a
/// decompression bomb looks like before its data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // an empty zlib stream as the image data, then the end chunk
    for chunk in [ihdr, b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01".to_vec(), b"IEND".to_vec()] {
        png.extend_from_slice(&(chunk.len() as u32 - 4).to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    png
}

#[test]
fn corrupt_and_truncated_files() {
    let c = checker();
    assert_eq!(code(c.check_image(&[])), "decode");
    assert_eq!(code(c.check_image(b"definitely not an image")), "decode");
    // a JPEG start-of-image marker followed by garbage
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    assert_eq!(code(c.check_image(&jpeg)), "decode");
    // the real sample cut in half
    let png = sample_bytes();
    assert_eq!(code(c.check_image(&png[..png.len() / 2])), "decode");
    assert_eq!(code(c.check_image(&png[..40])), "decode");
    // a GIF is not accepted
    assert_eq!(code(c.check_image(b"GIF89a\x01\x00\x01\x00\x00\x00\x00")), "decode");
}

#[test]
fn huge_header_is_refused_before_decoding() {
    // `too_large` can only come from the header: decoding 3.6 gigapixels would not get that far
    let err = checker().check_image(&png_header(60_000, 60_000)).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert_eq!(checker().check_image(&png_header(0, 10)).unwrap_err().code(), "decode");
    assert_eq!(checker().check_image(&png_header(1, 5000)).unwrap_err().code(), "bad_dimensions");
}

#[test]
fn bad_frame_buffers() {
    let c = checker();
    let mut stream = LiveStream::new();
    assert_eq!(code(stream.check_rgba(c, &[], 0, 0)), "bad_dimensions");
    assert_eq!(code(stream.check_rgba(c, &[0; 400], 0, 100)), "bad_dimensions");
    assert_eq!(code(stream.check_rgba(c, &[0; 4 * 300], 1, 300)), "bad_dimensions");
    assert_eq!(code(stream.check_rgba(c, &[0; 64 * 64 * 4 - 1], 64, 64)), "buffer_length");
    assert_eq!(code(stream.check_rgba(c, &[0; 64 * 64 * 4 + 4], 64, 64)), "buffer_length");
    assert_eq!(code(stream.check_rgba(c, &[0; 64 * 64 * 3], 64, 64)), "buffer_length");
    assert_eq!(code(stream.check_rgba(c, &[0; 16], u32::MAX, u32::MAX)), "too_large");
    // the checker still works after errors
    assert!(stream.check_rgba(c, &vec![128; 64 * 64 * 4], 64, 64).is_ok());
}

#[test]
fn corrupt_model_bytes() {
    let good = photo_check::models::EMBEDDED;
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 256) as u8).collect();
    let truncated = &good.face_landmark[..good.face_landmark.len() / 3];
    for bytes in [
        ModelBytes { face_detection: &[], ..good },
        ModelBytes { face_landmark: &garbage, ..good },
        ModelBytes { face_landmark: truncated, ..good },
        // a real model in the wrong slot: right format, wrong shapes
        ModelBytes { selfie_segmentation: good.face_detection, ..good },
        ModelBytes { face_detection: good.face_landmark, ..good },
    ] {
        let err = Models::from_bytes(bytes).err().expect("bad model bytes are refused");
        assert_eq!(err.code(), "model_load", "{err}");
    }
}

#[test]
fn exif_orientation_is_applied() {
    // the sample stored rotated 90° clockwise, with EXIF orientation 8 (rotate 270° to display)
    let upright = sample();
    let (w, h) = (upright.width(), upright.height());
    let img = image::RgbImage::from_raw(w, h, upright.to_rgb()).unwrap();
    let stored = image::imageops::rotate90(&img);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92).encode_image(&stored).unwrap();
    // APP1 "Exif" with a big-endian TIFF header and one IFD entry: 0x0112 Orientation = 8
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0".to_vec();
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    app1.append(&mut exif);
    let with_exif: Vec<u8> = jpeg[..2].iter().chain(&app1).chain(&jpeg[2..]).copied().collect();
    let c = checker();
    let r = c.check_image(&with_exif).unwrap();
    assert_eq!((r.image.width, r.image.height), (w, h), "EXIF rotation undone");
    assert!(r.checks.head_pose.value.as_ref().unwrap().roll.abs() < 5.0);
    let plain = c.check_image(&jpeg).unwrap();
    assert!(plain.checks.head_pose.value.as_ref().is_none_or(|pose| pose.roll.abs() > 45.0));
}
