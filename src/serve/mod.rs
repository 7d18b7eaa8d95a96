//! The upload receiver behind `photo-check serve`: takes the page's upload, checks the photo again with the
//! same engine, compares with the page's report, stores both (feature `serve`, native only).
//!
//! The page's report is never trusted: a report made in a browser can be edited. The answer's `verdict` is
//! the server's, and `mismatch` lists where the page said otherwise.
//!
//! ```no_run
//! use photo_check::serve::{Config, Server};
//! use photo_check::{Checker, Models, Profile};
//! let checker = Checker::new(Models::embedded()?, Profile::chsi());
//! let config = Config::new("127.0.0.1:8081".parse().unwrap(), "uploads".into(), &checker.profile().limits);
//! let server = Server::start(config, checker).unwrap();
//! println!("listening on http://{}", server.addr());
//! server.stop();
//! # Ok::<(), photo_check::Error>(())
//! ```

mod http;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::Value;

use crate::frame::Limits;
use crate::pipeline::Checker;
use crate::report::{CheckId, Report};
pub use store::{Image, ImageType, NewUpload, Put, Record, SqliteStore, Store, StoreError, Summary};

/// Largest `report.json` part accepted (the page's is a few kilobytes).
pub const MAX_REPORT_BYTES: usize = 1 << 20;
/// Longest accepted `upload_key` (the page sends a 36-character UUID).
pub const MAX_KEY_CHARS: usize = 128;

/// A token bucket per client address: `burst` uploads at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Uploads per second a client may keep up.
    pub per_second: f64,
    /// Uploads a client may make at once after being idle.
    pub burst: f64,
}

/// How the receiver runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (port 0: any free port, see [`Server::addr`]).
    pub addr: SocketAddr,
    /// Folder of the embedded store (`uploads.sqlite`, `photos/`); created when missing.
    pub data: PathBuf,
    /// The reviewer's bearer token; `None`: the reviewer endpoints answer 503 (nothing is readable).
    pub token: Option<String>,
    /// Largest request body; larger uploads get 413.
    pub max_body_bytes: u64,
    /// Per-client-address limit on `POST /upload`; `None`: no limit.
    pub rate: Option<RateLimit>,
    /// Photos checked at once (the rest wait); default: the number of cores.
    pub check_slots: usize,
    /// Uploads handled at once, bodies included; more get 503 with `Retry-After` (bounds the memory that
    /// bodies waiting for a check slot hold). Default 32.
    pub max_in_flight: usize,
}

impl Config {
    /// Defaults: no token, a body limit of the profile's `max_bytes` plus 1 MiB (report and standardized
    /// image), 30 uploads a minute per address with bursts of 10, one check slot per core, 32 uploads in
    /// flight.
    pub fn new(addr: SocketAddr, data: PathBuf, limits: &Limits) -> Config {
        Config {
            addr,
            data,
            token: None,
            max_body_bytes: limits.max_bytes.saturating_add(1 << 20),
            rate: Some(RateLimit { per_second: 0.5, burst: 10.0 }),
            check_slots: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            max_in_flight: 32,
        }
    }
}

/// The page's report as the receiver reads it: its verdict and each check's status, from either the
/// page's `report.json` (`{ report: {...}, upload_key, ... }`) or a bare report (`{ verdict, checks }`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageReport {
    /// The report's `verdict`, when it is a string.
    pub verdict: Option<String>,
    /// `checks.<id>.status` for every check id the report has, as strings.
    pub statuses: Vec<(String, String)>,
    /// The `upload_key` of the page's `report.json`.
    pub upload_key: Option<String>,
    /// Whether the part was JSON holding a report (`verdict` and a `checks` object).
    pub readable: bool,
}

impl PageReport {
    /// Reads the `report.json` part; anything unreadable gives `readable: false` (everything mismatches).
    pub fn parse(bytes: &[u8]) -> PageReport {
        let Ok(meta) = serde_json::from_slice::<Value>(bytes) else { return PageReport::default() };
        let upload_key = meta.get("upload_key").and_then(Value::as_str).map(str::to_string);
        let report = match meta.get("report") {
            Some(r) if r.is_object() => r,
            _ => &meta,
        };
        let verdict = report.get("verdict").and_then(Value::as_str).map(str::to_string);
        let checks = report.get("checks").and_then(Value::as_object);
        let statuses = checks
            .map(|c| {
                c.iter().filter_map(|(id, r)| Some((id.clone(), r.get("status")?.as_str()?.to_string()))).collect()
            })
            .unwrap_or_default();
        PageReport { readable: verdict.is_some() && checks.is_some(), verdict, statuses, upload_key }
    }

    /// Where the page's report differs from the server's: every check id whose status differs or is
    /// missing, in report order, then `verdict` when the verdicts differ. An unreadable report differs
    /// everywhere. A page that could not check (`verdict: "unchecked"` with no statuses: a browser without
    /// wasm SIMD or module workers) claims nothing, so nothing differs; `page_verdict` says it was unchecked.
    pub fn mismatch(&self, server: &Report) -> Vec<String> {
        if self.readable && self.verdict.as_deref() == Some("unchecked") && self.statuses.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<String> = CheckId::ALL
            .into_iter()
            .filter(|&id| {
                let page = self.statuses.iter().find(|(k, _)| k == id.as_str()).map(|(_, s)| s.as_str());
                page != Some(server.checks.get(id).status().as_str())
            })
            .map(|id| id.as_str().to_string())
            .collect();
        if self.verdict.as_deref() != Some(server.verdict.as_str()) {
            out.push("verdict".into());
        }
        out
    }
}

/// A running receiver (on its own thread and tokio runtime); [`Server::stop`] shuts it down gracefully.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Opens the store, binds `config.addr` and serves on a background thread. The models in `checker`
    /// are loaded once and shared by every request.
    pub fn start(config: Config, checker: Checker) -> std::io::Result<Server> {
        let (listener, app) = prepare(config, checker)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("photo-check-serve".into()).spawn(move || {
            serve_blocking(listener, app, async move {
                let _ = stopped.await;
            })
        })?;
        Ok(Server { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the requests in flight finish (their uploads are stored and answered), and
    /// returns once the runtime is down.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            if let Ok(Err(e)) = thread.join() {
                eprintln!("photo-check serve: {e}");
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Runs the receiver on the calling thread until Ctrl-C or SIGTERM (the CLI's `serve`); `listening` is
/// called with the bound address once requests are accepted.
pub fn run(config: Config, checker: Checker, listening: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let (listener, app) = prepare(config, checker)?;
    listening(listener.local_addr()?);
    serve_blocking(listener, app, shutdown_signal())
}

fn prepare(config: Config, checker: Checker) -> std::io::Result<(std::net::TcpListener, http::App)> {
    let store = SqliteStore::open(&config.data).map_err(std::io::Error::other)?;
    let swept = store.sweep_orphans().map_err(std::io::Error::other)?;
    if swept > 0 {
        eprintln!("photo-check serve: removed {swept} unacknowledged file(s) left by an interrupted upload");
    }
    let listener = std::net::TcpListener::bind(config.addr)?;
    listener.set_nonblocking(true)?;
    Ok((listener, http::App::new(config, Arc::new(checker), Arc::new(store))))
}

fn serve_blocking(
    listener: std::net::TcpListener,
    app: http::App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let service = http::router(app).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service).with_graceful_shutdown(shutdown).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
