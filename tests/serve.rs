//! The upload receiver (`photo_check::serve`) over real HTTP on 127.0.0.1: the page's multipart upload,
//! the server's own check and the comparison, refusals that store nothing, idempotent retries, 200
//! concurrent uploads, a restart, and the reviewer's token. The client is plain HTTP/1.1 over TcpStream.
#![cfg(feature = "serve")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use photo_check::serve::{Config, RateLimit, Server};
use photo_check::{CheckId, Checker, Models, Profile};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const TOKEN: &str = "test-token-0123456789";

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("HTTP {} body is not JSON ({e}): {}", self.status, self.text()))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {}", self.text())).into()
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body`, reads the whole answer
/// (`Connection: close`). Write errors are ignored: a server may answer and close before reading a body
/// it refuses.
fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let _ = s.write_all(format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes());
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // a reset after the answer arrived (the server closed with our body unread): keep what came
            Err(e) if !out.is_empty() => {
                let _ = e;
                break;
            }
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    let mut body = out[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
    out
}

fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Reply {
    let auth = token.map(|t| format!("\r\nAuthorization: Bearer {t}")).unwrap_or_default();
    raw(addr, &format!("GET {path} HTTP/1.1{auth}"), b"")
}

/// One multipart part: name, filename, content type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, &'a str, &'a [u8]);

fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----photo-check-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, filename, kind, data) in parts {
        let file = filename.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\nContent-Type: {kind}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_parts(addr: SocketAddr, parts: &[Part<'_>]) -> Reply {
    let (kind, body) = multipart(parts);
    raw(addr, &format!("POST /upload HTTP/1.1\r\nContent-Type: {kind}\r\nContent-Length: {}", body.len()), &body)
}

/// Uploads as the page does: `photo` (photo.jpg) and `report` (report.json holding the report and key).
fn post(addr: SocketAddr, photo: &[u8], meta: &Value) -> Reply {
    let meta = serde_json::to_vec(meta).unwrap();
    post_parts(
        addr,
        &[
            ("photo", Some("photo.jpg"), "image/jpeg", photo),
            ("report", Some("report.json"), "application/json", &meta),
        ],
    )
}

fn meta(report: &Value, key: &str) -> Value {
    json!({ "report": report, "source": "camera", "capture": { "trigger": "auto" }, "carried_over": [],
            "upload_key": key, "page": { "lang": "zh", "profile": "chsi" } })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("photo-check-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn start(dir: &Path, tweak: impl FnOnce(&mut Config)) -> Server {
    let checker = Checker::new(Models::embedded().unwrap(), Profile::chsi());
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.to_path_buf(), &checker.profile().limits);
    config.token = Some(TOKEN.into());
    config.rate = None;
    tweak(&mut config);
    Server::start(config, checker).unwrap()
}

fn jpeg(img: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).unwrap();
    out
}

/// The sample portrait as the page would upload it: a JPEG at quality 92 (app.js's `toBlob`).
fn sample_jpeg() -> Vec<u8> {
    let img = image::load_from_memory(&common::sample_bytes()).unwrap().into_rgb8();
    jpeg(&img, 92)
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Rows the reviewer can list and files in `photos/` (temporary files included).
fn stored(addr: SocketAddr, dir: &Path) -> (usize, usize) {
    let list = get(addr, "/uploads?limit=10000", Some(TOKEN));
    assert_eq!(list.status, 200, "{}", list.text());
    let files = std::fs::read_dir(dir.join("photos")).map(|d| d.count()).unwrap_or(0);
    (list.json()["uploads"].as_array().unwrap().len(), files)
}

#[test]
fn the_server_checks_again_and_a_forged_report_mismatches() {
    let dir = temp_dir("forged");
    let server = start(&dir, |_| {});
    let addr = server.addr();
    let photo = sample_jpeg();
    let honest = serde_json::to_value(common::checker().check_image(&photo).unwrap()).unwrap();
    eprintln!("the sample as a quality-92 JPEG: {} bytes", photo.len());
    assert_eq!(honest["verdict"], "fail", "she smiles and her ears are covered");

    // the page's own report on this photo: the server agrees
    let r = post(addr, &photo, &meta(&honest, "honest-key"));
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    assert_eq!(a["verdict"], "fail");
    assert_eq!(a["mismatch"], json!([]), "{a}");
    let honest_id = a["id"].as_str().unwrap().to_string();
    assert!(honest_id.len() == 32 && honest_id.bytes().all(|b| b.is_ascii_hexdigit()));

    // a forged report: verdict pass, the mouth passed
    let mut forged = honest.clone();
    forged["verdict"] = json!("pass");
    forged["checks"]["mouth_closed"]["status"] = json!("pass");
    let r = post(addr, &photo, &meta(&forged, "forged-key"));
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    assert_eq!(a["verdict"], "fail", "the answer carries the server's verdict");
    assert_eq!(a["mismatch"], json!(["mouth_closed", "verdict"]));
    let forged_id = a["id"].as_str().unwrap().to_string();

    // what the reviewer sees
    let r = get(addr, &format!("/uploads/{forged_id}"), Some(TOKEN));
    assert_eq!(r.status, 200, "{}", r.text());
    let rec = r.json();
    assert_eq!(rec["verdict"], "fail");
    assert_eq!(rec["server_report"]["verdict"], "fail");
    assert_eq!(rec["server_report"]["checks"]["mouth_closed"]["status"], "fail");
    assert_eq!(rec["page_verdict"], "pass");
    assert_eq!(rec["page_report"]["report"]["verdict"], "pass");
    assert_eq!(rec["page_report"]["upload_key"], "forged-key");
    assert_eq!(rec["photo"]["sha256"], sha256(&photo));
    let img = get(addr, &format!("/uploads/{forged_id}/photo"), Some(TOKEN));
    assert_eq!((img.status, img.header("content-type")), (200, Some("image/jpeg")));
    assert_eq!(img.body, photo);
    let list = get(addr, "/uploads?mismatch=true", Some(TOKEN)).json();
    let ids: Vec<&str> = list["uploads"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![forged_id.as_str()]);

    // an unreadable report is stored and differs everywhere; the same for a missing one
    let r = post_parts(
        addr,
        &[
            ("photo", Some("photo.jpg"), "image/jpeg", &photo),
            ("report", Some("report.json"), "application/json", b"{"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let mut everything: Vec<String> = CheckId::ALL.iter().map(|id| id.as_str().to_string()).collect();
    everything.push("verdict".into());
    assert_eq!(r.json()["mismatch"], json!(everything));
    let r = post_parts(addr, &[("photo", Some("photo.jpg"), "image/jpeg", &photo)]);
    assert_eq!((r.status, r.json()["mismatch"].as_array().unwrap().len()), (200, CheckId::ALL.len() + 1));

    // a page that could not check (no wasm SIMD) claims nothing: nothing mismatches, the server's verdict
    // stands and the reviewer sees that the page did not check
    let unchecked = json!({ "verdict": "unchecked", "reason": "no_wasm_simd", "profile": "chsi", "checks": {} });
    let r = post(addr, &photo, &meta(&unchecked, "unchecked-key"));
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    assert_eq!((a["verdict"].clone(), a["mismatch"].clone()), (json!("fail"), json!([])), "{a}");
    let rec = get(addr, &format!("/uploads/{}", a["id"].as_str().unwrap()), Some(TOKEN)).json();
    assert_eq!(
        (rec["page_verdict"].clone(), rec["server_report"]["verdict"].clone()),
        (json!("unchecked"), json!("fail"))
    );
    assert_eq!(stored(addr, &dir), (5, 5));
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG whose header says `w`×`h` grey pixels (900 MB decoded for 30000×30000) but whose data holds one
/// row of zeros in a stored deflate block: a few kilobytes that would make a naive decoder allocate it all.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
    let row = vec![0u8; (w as usize + 1).min(65535)];
    let mut zlib = vec![0x78, 0x01, 0x01]; // zlib header, a final stored block
    zlib.extend_from_slice(&(row.len() as u16).to_le_bytes());
    zlib.extend_from_slice(&(!(row.len() as u16)).to_le_bytes());
    zlib.extend_from_slice(&row);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &row {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn refused_bodies_get_their_status_and_store_nothing() {
    let dir = temp_dir("refused");
    let limit = 2_000_000u64;
    let server = start(&dir, |c| c.max_body_bytes = limit);
    let addr = server.addr();
    let photo = sample_jpeg();
    let report = meta(&json!({ "verdict": "pass", "checks": {} }), "k");

    // over the body limit, declared: refused from the header
    let r = raw(
        addr,
        &format!(
            "POST /upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}",
            limit + 1
        ),
        b"--x\r\n",
    );
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"));
    // over the limit without a length (chunked): refused once the limit is read
    let big = vec![0xFFu8; limit as usize + 100_000];
    let (kind, body) = multipart(&[("photo", Some("photo.jpg"), "image/jpeg", &big)]);
    let mut chunked = Vec::new();
    for piece in body.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let r =
        raw(addr, &format!("POST /upload HTTP/1.1\r\nContent-Type: {kind}\r\nTransfer-Encoding: chunked"), &chunked);
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"));

    // not an image (whatever the declared type says)
    let r = post(addr, b"GIF89a\x01\x00\x01\x00 definitely not a JPEG", &report);
    assert_eq!((r.status, r.error_code().as_str()), (415, "unsupported_media_type"));
    let r = post(addr, b"<html>hello</html>", &report);
    assert_eq!(r.status, 415);
    // cut off half-way (the decoder alone would fill the rest with grey), and a broken header
    let r = post(addr, &photo[..photo.len() / 2], &report);
    assert_eq!((r.status, r.error_code().as_str()), (422, "truncated"));
    let mut broken = photo[..200].to_vec();
    broken.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
    let r = post(addr, &broken, &report);
    assert!(r.status == 400 || r.status == 422, "{} {}", r.status, r.text());
    // a decompression bomb: 30000×30000 declared in a few kilobytes, refused from the header
    let bomb = png_bomb(30_000, 30_000);
    assert!(bomb.len() < 40_000);
    let t = Instant::now();
    let r = post(addr, &bomb, &report);
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"), "{}", r.text());
    assert!(r.text().contains("pixel count"), "{}", r.text());
    eprintln!("bomb refused in {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    // no photo part, two photo parts, a bad key
    let r = post_parts(addr, &[("report", Some("report.json"), "application/json", b"{}")]);
    assert_eq!((r.status, r.error_code().as_str()), (400, "missing_photo"));
    let r = post_parts(addr, &[("photo", None, "image/jpeg", &photo), ("photo", None, "image/jpeg", &photo)]);
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_multipart"));
    let r = post(addr, &photo, &meta(&json!({}), &"x".repeat(129)));
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_upload_key"));
    let r = raw(addr, "POST /upload HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2", b"hi");
    assert!(r.status == 400 || r.status == 415, "{}", r.status);

    assert_eq!(stored(addr, &dir), (0, 0), "nothing refused is stored");
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_retry_with_the_same_key_is_stored_once() {
    let dir = temp_dir("retry");
    let server = start(&dir, |_| {});
    let addr = server.addr();
    let photo = sample_jpeg();
    let report = meta(&json!({ "verdict": "fail", "checks": {} }), "same-key");
    // two at once (the race the unique index settles), then a retry after both were answered
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| post(addr, &photo, &report));
        let b = s.spawn(|| post(addr, &photo, &report));
        (a.join().unwrap(), b.join().unwrap())
    });
    let c = post(addr, &photo, &report);
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(a.json()["id"], b.json()["id"]);
    assert_eq!(a.json(), c.json());
    // the key as a form field or header works the same; a key reused for another photo is a conflict
    let other = jpeg(&image::RgbImage::from_pixel(64, 64, image::Rgb([90, 120, 200])), 90);
    let r = post(addr, &other, &report);
    assert_eq!((r.status, r.error_code().as_str()), (409, "upload_key_reused"));
    let (kind, body) = multipart(&[("photo", None, "image/jpeg", &other), ("upload_key", None, "text/plain", b"k2")]);
    let head = format!("POST /upload HTTP/1.1\r\nContent-Type: {kind}\r\nContent-Length: {}", body.len());
    let first = raw(addr, &head, &body);
    assert_eq!(first.status, 200, "{}", first.text());
    let (kind, body) = multipart(&[("photo", None, "image/jpeg", &other)]);
    let head = format!(
        "POST /upload HTTP/1.1\r\nContent-Type: {kind}\r\nIdempotency-Key: k2\r\nContent-Length: {}",
        body.len()
    );
    assert_eq!(raw(addr, &head, &body).json()["id"], first.json()["id"]);
    assert_eq!(stored(addr, &dir), (2, 2));
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_hundred_concurrent_uploads_are_stored_exactly_once() {
    const N: usize = 200;
    const CLIENTS: usize = 16;
    let dir = temp_dir("concurrent");
    let server = start(&dir, |_| {});
    let addr = server.addr();
    // distinct small photos (noise, 96×96 JPEGs): the check still runs every network on each
    let photos: Vec<Vec<u8>> = (0..N)
        .map(|i| {
            let mut state = (i as u32).wrapping_mul(2_654_435_761) | 1;
            let img = image::RgbImage::from_fn(96, 96, |_, _| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                image::Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
            });
            jpeg(&img, 85)
        })
        .collect();
    let next = AtomicUsize::new(0);
    let answers = Mutex::new(vec![String::new(); N]);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CLIENTS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= N {
                    break;
                }
                let r = post(addr, &photos[i], &meta(&json!({ "verdict": "unknown", "checks": {} }), &format!("c{i}")));
                assert_eq!(r.status, 200, "upload {i}: {}", r.text());
                answers.lock().unwrap()[i] = r.json()["id"].as_str().unwrap().to_string();
            });
        }
    });
    let elapsed = t.elapsed().as_secs_f64();
    eprintln!("{N} uploads, {CLIENTS} clients: {elapsed:.1} s ({:.1} uploads/s)", N as f64 / elapsed);
    let ids = answers.into_inner().unwrap();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), N);
    assert_eq!(stored(addr, &dir), (N, N));
    for (i, id) in ids.iter().enumerate() {
        let on_disk = std::fs::read(dir.join(format!("photos/{id}.jpg"))).unwrap();
        assert_eq!(sha256(&on_disk), sha256(&photos[i]), "upload {i}");
    }
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_restart_keeps_everything_acknowledged() {
    let dir = temp_dir("restart");
    let photo = sample_jpeg();
    let server = start(&dir, |_| {});
    let mut sent = Vec::new();
    for i in 0..3 {
        let bytes = if i == 0 {
            photo.clone()
        } else {
            jpeg(&image::RgbImage::from_pixel(80, 80, image::Rgb([i * 40, 90, 90])), 90)
        };
        let r = post(server.addr(), &bytes, &meta(&json!({ "verdict": "fail", "checks": {} }), &format!("r{i}")));
        assert_eq!(r.status, 200, "{}", r.text());
        sent.push((r.json()["id"].as_str().unwrap().to_string(), bytes));
    }
    // an upload in flight when the server stops is finished, stored and answered first
    let addr = server.addr();
    let late = std::thread::spawn({
        let photo = photo.clone();
        move || post(addr, &photo, &meta(&json!({}), "late"))
    });
    std::thread::sleep(Duration::from_millis(150));
    server.stop();
    let late = late.join().unwrap();
    assert_eq!(late.status, 200, "{}", late.text());
    sent.push((late.json()["id"].as_str().unwrap().to_string(), photo.clone()));
    let server = start(&dir, |_| {});
    for (id, bytes) in &sent {
        let r = get(server.addr(), &format!("/uploads/{id}"), Some(TOKEN));
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(get(server.addr(), &format!("/uploads/{id}/photo"), Some(TOKEN)).body, *bytes);
    }
    // a retry after the restart is still recognised
    let r = post(server.addr(), &sent[0].1, &meta(&json!({ "verdict": "fail", "checks": {} }), "r0"));
    assert_eq!(r.json()["id"], json!(sent[0].0));
    assert_eq!(stored(server.addr(), &dir), (sent.len(), sent.len()));
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reviewer_endpoints_need_the_token_and_uploads_are_rate_limited() {
    let dir = temp_dir("token");
    let server = start(&dir, |c| c.rate = Some(RateLimit { per_second: 0.01, burst: 2.0 }));
    let addr = server.addr();
    let photo = jpeg(&image::RgbImage::from_pixel(64, 64, image::Rgb([200, 200, 200])), 90);
    let r = post(addr, &photo, &meta(&json!({}), "t1"));
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    for path in ["/uploads".to_string(), format!("/uploads/{id}"), format!("/uploads/{id}/photo")] {
        let r = get(addr, &path, None);
        assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer")), "{path}");
        assert_eq!(get(addr, &path, Some("wrong-token")).status, 401, "{path}");
        assert_eq!(get(addr, &path, Some(&TOKEN[..TOKEN.len() - 1])).status, 401, "{path}");
        assert_eq!(get(addr, &path, Some(TOKEN)).status, 200, "{path}");
    }
    // ids are server-made: anything else is not found, never a path
    for path in ["/uploads/..%2F..%2Fuploads.sqlite", "/uploads/0123/photo", &format!("/uploads/{}", id.to_uppercase())]
    {
        assert_eq!(get(addr, path, Some(TOKEN)).status, 404, "{path}");
    }
    assert_eq!(get(addr, "/uploads.sqlite", None).status, 404);
    // the bucket held 2: the third upload in a row waits
    assert_eq!(post(addr, &photo, &meta(&json!({}), "t2")).status, 200);
    let r = post(addr, &photo, &meta(&json!({}), "t3"));
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    server.stop();

    // without a configured token nothing is readable
    let server = start(&dir, |c| c.token = None);
    let r = get(server.addr(), &format!("/uploads/{id}"), Some(TOKEN));
    assert_eq!((r.status, r.error_code().as_str()), (503, "reviewer_disabled"));
    assert_eq!(get(server.addr(), "/uploads", None).status, 503);
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn uploads_over_the_in_flight_cap_are_turned_away() {
    let dir = temp_dir("busy");
    let server = start(&dir, |c| c.max_in_flight = 1);
    let addr = server.addr();
    let photo = jpeg(&image::RgbImage::from_pixel(64, 64, image::Rgb([120, 120, 120])), 90);
    let (kind, body) = multipart(&[("photo", Some("photo.jpg"), "image/jpeg", &photo)]);
    // a slow client: headers and half the body sent, the rest later; its upload holds the one place
    let mut slow = TcpStream::connect(addr).unwrap();
    let length = body.len();
    let head = format!("POST /upload HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {kind}\r\n");
    let head = format!("{head}Content-Length: {length}\r\n\r\n");
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let r = post_parts(addr, &[("photo", Some("photo.jpg"), "image/jpeg", &photo)]);
    assert_eq!((r.status, r.error_code().as_str(), r.header("retry-after")), (503, "busy", Some("1")));
    slow.write_all(&body[body.len() / 2..]).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(post_parts(addr, &[("photo", Some("photo.jpg"), "image/jpeg", &photo)]).status, 200);
    server.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
