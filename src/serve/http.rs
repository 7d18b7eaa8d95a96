//! The receiver's HTTP side (axum): `POST /upload`, the reviewer's `GET /uploads…`, errors as
//! `{ "error": { "code", "message" } }`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::store::{is_id, new_id, sha256_hex, Image, ImageType, NewUpload, Put, Store, Summary};
use super::{Config, PageReport, RateLimit, MAX_KEY_CHARS, MAX_REPORT_BYTES};
use crate::error::Error;
use crate::pipeline::Checker;

/// What every request shares: the checker (models loaded once), the store, the check slots, the buckets.
#[derive(Clone)]
pub(crate) struct App(Arc<Inner>);

struct Inner {
    checker: Arc<Checker>,
    store: Arc<dyn Store>,
    slots: Semaphore,
    in_flight: Semaphore,
    config: Config,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl App {
    pub(crate) fn new(config: Config, checker: Arc<Checker>, store: Arc<dyn Store>) -> App {
        let slots = Semaphore::new(config.check_slots.max(1));
        let in_flight = Semaphore::new(config.max_in_flight.max(1));
        App(Arc::new(Inner { checker, store, slots, in_flight, config, buckets: Mutex::new(HashMap::new()) }))
    }
}

pub(crate) fn router(app: App) -> Router {
    let limit = usize::try_from(app.0.config.max_body_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route("/upload", post(upload).layer(DefaultBodyLimit::max(limit)))
        .route("/uploads", get(list))
        .route("/uploads/{id}", get(one))
        .route("/uploads/{id}/photo", get(photo))
        .route("/uploads/{id}/standardized", get(standardized))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint") })
        .with_state(app)
}

/// An error answer: an HTTP status and `{ "error": { "code", "message" } }`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    fn internal(e: impl std::fmt::Display) -> ApiError {
        eprintln!("photo-check serve: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the upload could not be stored")
    }

    /// A library error on the received photo: over the limits 413, undecodable 422.
    fn from_check(e: Error) -> ApiError {
        let status = match &e {
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Decode(_) | Error::BadDimensions { .. } | Error::BufferLength { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => return ApiError::internal(e),
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": { "code": self.code, "message": self.message } }));
        let mut response = (self.status, body).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Takes a token from `ip`'s bucket, or says in how many seconds one will be there.
fn take_token(buckets: &Mutex<HashMap<IpAddr, (f64, Instant)>>, rate: RateLimit, ip: IpAddr) -> Result<(), u64> {
    let mut map = buckets.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    if map.len() > 100_000 {
        // forget the addresses whose bucket is full again (they lose nothing)
        map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate.per_second < rate.burst);
    }
    let (tokens, at) = map.entry(ip).or_insert((rate.burst, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate.per_second).min(rate.burst);
    *at = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - *tokens) / rate.per_second).ceil().max(1.0) as u64)
    }
}

/// The parts of the page's multipart form.
#[derive(Default)]
struct Form {
    photo: Option<Vec<u8>>,
    report: Option<Vec<u8>>,
    standardized: Option<Vec<u8>>,
    upload_key: Option<String>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.body_text())
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", e.body_text())
        }
    };
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let slot = match name.as_str() {
            "photo" => &mut form.photo,
            "report" => &mut form.report,
            "standardized" => &mut form.standardized,
            "upload_key" => {
                form.upload_key = Some(field.text().await.map_err(bad)?);
                continue;
            }
            _ => {
                field.bytes().await.map_err(bad)?; // unknown parts are read and dropped
                continue;
            }
        };
        if slot.is_some() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", format!("two `{name}` parts")));
        }
        let bytes = field.bytes().await.map_err(bad)?;
        if name == "report" && bytes.len() > MAX_REPORT_BYTES {
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "report.json over 1 MiB"));
        }
        *slot = Some(bytes.to_vec());
    }
    Ok(form)
}

/// Whether the file ends as a whole file does: a JPEG has an end-of-image marker after its first scan, a
/// PNG an `IEND` chunk. The decoders fill a cut-off file's missing pixels with grey instead of failing, and
/// the server must not store half a photo as if the client had sent it.
fn complete(bytes: &[u8], kind: ImageType) -> bool {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    match kind {
        // entropy-coded data stuffs every 0xFF with 0x00, so FF D9 after the scan start is the real end
        ImageType::Jpeg => find(bytes, &[0xFF, 0xDA]).is_some_and(|sos| find(&bytes[sos..], &[0xFF, 0xD9]).is_some()),
        ImageType::Png => find(bytes, b"IEND").is_some(),
    }
}

fn sniff(bytes: &[u8], part: &str) -> Result<ImageType, ApiError> {
    ImageType::sniff(bytes).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("{part} is not a JPEG or PNG"),
        )
    })
}

/// The idempotency key: the `upload_key` form field, else the `Idempotency-Key` header, else the
/// `upload_key` of the page's `report.json` (where the page puts it).
fn upload_key(form: &Form, headers: &HeaderMap, page: &PageReport) -> Result<Option<String>, ApiError> {
    let header = headers.get("idempotency-key").map(|v| v.to_str().map(str::to_string));
    let key = match (&form.upload_key, header) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(Ok(k))) => Some(k),
        (None, Some(Err(_))) => return Err(bad_key()),
        (None, None) => page.upload_key.clone(),
    };
    match key {
        Some(k) if k.is_empty() || k.chars().count() > MAX_KEY_CHARS || k.chars().any(char::is_control) => {
            Err(bad_key())
        }
        key => Ok(key),
    }
}

fn bad_key() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_upload_key", "upload_key: 1 to 128 printable characters")
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)
}

/// The answer to an upload, new or repeated: `{ id, verdict, mismatch }` (the server's verdict). A key
/// already used for another photo is a conflict, not a repeat.
fn answer(stored: Summary, photo_sha256: &str) -> Result<Response, ApiError> {
    if stored.photo_sha256 != photo_sha256 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "upload_key_reused",
            "this upload_key was already used for another photo",
        ));
    }
    Ok(Json(json!({ "id": stored.id, "verdict": stored.verdict, "mismatch": stored.mismatch })).into_response())
}

async fn upload(
    State(App(app)): State<App>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    if let Some(rate) = app.config.rate {
        take_token(&app.buckets, rate, client.ip()).map_err(|seconds| ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many uploads from this address")
        })?;
    }
    let Ok(_in_flight) = app.in_flight.try_acquire() else {
        return Err(ApiError {
            retry_after: Some(1),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "too many uploads at once; retry shortly")
        });
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.config.max_body_bytes) {
        let message = format!("the body is over {} bytes", app.config.max_body_bytes);
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message));
    }
    let form = read_form(multipart).await?;
    let Some(photo) = form.photo.as_deref() else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "missing_photo", "no `photo` part"));
    };
    let photo_type = sniff(photo, "photo")?;
    if !complete(photo, photo_type) {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "truncated", "the photo is cut off"));
    }
    let standardized_type = match form.standardized.as_deref() {
        Some(bytes) => Some(sniff(bytes, "standardized")?),
        None => None,
    };
    let page = PageReport::parse(form.report.as_deref().unwrap_or_default());
    let key = upload_key(&form, &headers, &page)?;
    let photo_sha256 = sha256_hex(photo);

    // a retry of an upload already stored: the stored answer, without checking again
    if let Some(key) = key.clone() {
        let store = app.store.clone();
        if let Some(stored) = blocking(move || store.find_key(&key)).await?.map_err(ApiError::internal)? {
            return answer(stored, &photo_sha256);
        }
    }

    // the check: CPU-bound, at most `check_slots` at once, off the async workers
    let report = {
        let _slot = app.slots.acquire().await.map_err(ApiError::internal)?;
        let checker = app.checker.clone();
        let bytes = photo.to_vec();
        blocking(move || checker.check_image(&bytes)).await?.map_err(ApiError::from_check)?
    };
    let mismatch = page.mismatch(&report);
    let server_report = serde_json::to_string(&report).expect("reports serialise");
    let page_report = String::from_utf8_lossy(form.report.as_deref().unwrap_or_default()).into_owned();
    let verdict = report.verdict.as_str();
    let store = app.store.clone();
    let put = blocking(move || {
        let id = new_id();
        store.put(&NewUpload {
            id: &id,
            upload_key: key.as_deref(),
            photo: form.photo.as_deref().unwrap_or_default(),
            photo_type,
            standardized: form.standardized.as_deref().zip(standardized_type),
            page_report: &page_report,
            server_report: &server_report,
            verdict,
            page_verdict: page.verdict.as_deref(),
            mismatch: &mismatch,
        })
    })
    .await?
    .map_err(ApiError::internal)?;
    match put {
        Put::Stored(stored) | Put::Existing(stored) => answer(stored, &photo_sha256),
    }
}

/// Checks `Authorization: Bearer <token>` against the configured token in constant time (both are hashed
/// first, so neither the content nor the length leaks through timing).
fn authorize(app: &Inner, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = app.config.token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "reviewer_disabled",
            "no reviewer token is configured (PHOTO_CHECK_TOKEN)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(token.as_bytes()));
    let differ = a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if differ != 0 || given.is_empty() {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required"));
    }
    Ok(())
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such upload")
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    mismatch: bool,
    limit: Option<usize>,
}

async fn list(
    State(App(app)): State<App>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let store = app.store.clone();
    let limit = q.limit.unwrap_or(1000).min(10_000);
    let uploads = blocking(move || store.list(q.mismatch, limit)).await?.map_err(ApiError::internal)?;
    Ok(Json(json!({ "uploads": uploads })).into_response())
}

async fn one(State(App(app)): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    if !is_id(&id) {
        return Err(not_found());
    }
    let store = app.store.clone();
    let record = blocking(move || store.get(&id)).await?.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    let as_json = |text: &str| serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.into()));
    let id = &record.summary.id;
    let mut body = serde_json::to_value(&record.summary).expect("summaries serialise");
    body["photo"] = json!({
        "type": record.photo_type.mime(), "bytes": record.summary.photo_bytes,
        "sha256": record.summary.photo_sha256, "url": format!("/uploads/{id}/photo"),
    });
    body["standardized"] = match record.standardized_type {
        Some(t) => json!({ "type": t.mime(), "url": format!("/uploads/{id}/standardized") }),
        None => Value::Null,
    };
    body["page_report"] = as_json(&record.page_report);
    body["server_report"] = as_json(&record.server_report);
    Ok(Json(body).into_response())
}

async fn image(app: &Inner, headers: &HeaderMap, id: String, which: Image) -> Result<Response, ApiError> {
    authorize(app, headers)?;
    if !is_id(&id) {
        return Err(not_found());
    }
    let store = app.store.clone();
    let (kind, bytes) =
        blocking(move || store.image(&id, which)).await?.map_err(ApiError::internal)?.ok_or_else(not_found)?;
    let headers = [
        (header::CONTENT_TYPE, kind.mime()),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((headers, bytes).into_response())
}

async fn photo(State(App(app)): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    image(&app, &headers, id, Image::Photo).await
}

async fn standardized(
    State(App(app)): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    image(&app, &headers, id, Image::Standardized).await
}
