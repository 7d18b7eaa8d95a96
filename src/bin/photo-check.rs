//! `photo-check` command line: a thin shell over the library — reads files, prints reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use photo_check::{CheckId, Checker, Error, Models, Profile, Report, Status};
use serde_json::json;

#[derive(Parser)]
#[command(name = "photo-check", version, about = "Checks certificate photos against the 学信网 (CHSI) rules")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check image files; exit 0 when all pass, 1 when any fails or is undecided, 2 on an error.
    Check {
        /// Built-in profile name (chsi, icao) or a TOML file.
        #[arg(long, default_value = "chsi")]
        profile: String,
        /// One JSON report per line instead of a table.
        #[arg(long)]
        json: bool,
        /// Include the 468 face landmarks in JSON reports.
        #[arg(long)]
        landmarks: bool,
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Draw what the pipeline saw (person mask, face box, landmarks) into PNGs, for looking at failures.
    Debug {
        #[arg(long, default_value = "debug")]
        out: PathBuf,
        #[arg(long, default_value = "chsi")]
        profile: String,
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Measure the checks on labelled photos: a CSV with a `file` column and check-id columns.
    Eval {
        #[arg(long)]
        labels: PathBuf,
        /// Folder holding the images (default: the CSV's folder).
        #[arg(long)]
        images: Option<PathBuf>,
        #[arg(long, default_value = "chsi")]
        profile: String,
        /// Print every row's prediction next to its label.
        #[arg(long)]
        verbose: bool,
    },
}

fn load_profile(name: &str) -> Result<Profile, Error> {
    if Path::new(name).is_file() {
        let bytes = read_limited(Path::new(name), photo_check::profile::MAX_PROFILE_BYTES as u64, "profile bytes")?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Profile(format!("{name}: {e}")))?;
        Profile::from_toml(&text)
    } else {
        Profile::builtin(name)
    }
}

/// Reads at most `limit` bytes: a larger file is refused (`too_large`) without reading it all into memory.
fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let io = |e: std::io::Error| Error::InvalidArgument(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // one byte past the limit tells "too large" apart from "exactly at the limit" (works for pipes too)
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        let actual = std::fs::metadata(path).map(|m| m.len()).unwrap_or(bytes.len() as u64);
        return Err(Error::TooLarge { what, actual, limit });
    }
    Ok(bytes)
}

/// Reads an image file, refusing files over the profile's `limits.max_bytes`.
fn read(path: &Path, limits: &photo_check::profile::Limits) -> Result<Vec<u8>, Error> {
    read_limited(path, limits.max_bytes, "file bytes")
}

fn main() -> ExitCode {
    // One line, no backtrace: the library turns a panic inside an image decoder into a `decode` error
    // (src/decode.rs), and the error line below says what happened to the file.
    std::panic::set_hook(Box::new(|info| eprintln!("photo-check: internal panic: {info}")));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { profile, json, landmarks, images } => check(&profile, json, landmarks, &images),
        Command::Eval { labels, images, profile, verbose } => eval(&labels, images.as_deref(), &profile, verbose),
        Command::Debug { out, profile, images } => debug(&out, &profile, &images),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("photo-check: error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

fn status_str(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Unknown => "unknown",
        Status::NotRequired => "not_required",
    }
}

fn print_table(file: &Path, report: &Report) {
    println!(
        "{}: {} ({}×{}, profile {})",
        file.display(),
        status_str(report.verdict).to_uppercase(),
        report.image.width,
        report.image.height,
        report.profile
    );
    for (id, r) in &report.checks {
        let msg = if r.status == Status::Pass || r.status == Status::NotRequired {
            String::new()
        } else {
            format!("  {} / {}", r.message_zh, r.message_en)
        };
        println!("  {:<17} {:<12} {:<22} {}{}", id.as_str(), status_str(r.status), r.reason, r.value, msg);
    }
    println!("  time: {:.1} ms", report.timing_ms.total);
}

fn check(profile: &str, as_json: bool, landmarks: bool, images: &[PathBuf]) -> Result<ExitCode, Error> {
    let mut checker = Checker::new(Models::embedded()?, load_profile(profile)?);
    checker.include_landmarks = landmarks;
    let mut worst = 0u8;
    for file in images {
        match read(file, &checker.profile().limits).and_then(|bytes| checker.check_image(&bytes)) {
            Ok(report) => {
                if as_json {
                    let mut v = serde_json::to_value(&report).expect("reports serialise");
                    v["file"] = json!(file.display().to_string());
                    println!("{v}");
                } else {
                    print_table(file, &report);
                }
                if report.verdict != Status::Pass {
                    worst = worst.max(1);
                }
            }
            Err(e) => {
                if as_json {
                    println!(
                        "{}",
                        json!({ "file": file.display().to_string(), "error": { "code": e.code(), "message": e.to_string() } })
                    );
                } else {
                    eprintln!("{}: error [{}]: {e}", file.display(), e.code());
                }
                worst = 2;
            }
        }
    }
    Ok(ExitCode::from(worst))
}

/// Confusion counts for one check; `fail` is the positive class.
#[derive(Default)]
struct Confusion {
    /// [label][prediction] with label 0 = pass, 1 = fail and prediction 0 = pass, 1 = fail, 2 = unknown.
    counts: [[usize; 3]; 2],
}

impl Confusion {
    fn add(&mut self, label: &str, predicted: Status) {
        let l = if label == "pass" { 0 } else { 1 };
        let p = match predicted {
            Status::Pass => 0,
            Status::Fail => 1,
            _ => 2,
        };
        self.counts[l][p] += 1;
    }
    fn recall(&self, l: usize) -> Option<f64> {
        let total: usize = self.counts[l].iter().sum();
        (total > 0).then(|| self.counts[l][l] as f64 / total as f64)
    }
    /// Mean of the per-class recalls, `unknown` counted wrong.
    fn balanced_accuracy(&self) -> Option<f64> {
        match (self.recall(0), self.recall(1)) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            (a, b) => a.or(b),
        }
    }
}

fn parse_csv(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().unwrap_or("").split(',').map(|s| s.trim().to_string()).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(|s| s.trim().to_string())).collect()).collect()
}

fn eval(labels: &Path, images: Option<&Path>, profile: &str, verbose: bool) -> Result<ExitCode, Error> {
    let text =
        std::fs::read_to_string(labels).map_err(|e| Error::InvalidArgument(format!("{}: {e}", labels.display())))?;
    let rows = parse_csv(&text);
    let dir = images.map(Path::to_path_buf).unwrap_or_else(|| labels.parent().unwrap_or(Path::new(".")).to_path_buf());
    let profile = load_profile(profile)?;
    let mut checker = Checker::new(Models::embedded()?, profile.clone());
    let mut confusion: BTreeMap<CheckId, Confusion> = BTreeMap::new();
    let mut angle_errors: [Vec<(f64, f64)>; 3] = Default::default(); // (|label yaw|, error)
    let mut errors = 0;
    for row in &rows {
        let Some(file) = row.get("file") else { continue };
        let report = match read(&dir.join(file), &profile.limits).and_then(|b| checker.check_image(&b)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{file}: error [{}]: {e}", e.code());
                errors += 1;
                continue;
            }
        };
        let mut line = format!("{file}:");
        for (column, label) in row {
            let Some(id) = CheckId::parse(column) else { continue };
            if !profile.is_required(id) || (label != "pass" && label != "fail") {
                continue;
            }
            let r = report.check(id);
            confusion.entry(id).or_default().add(label, r.status);
            if verbose {
                line += &format!(" {column}={label}→{}({}) {}", status_str(r.status), r.reason, r.value);
            }
        }
        let pose = &report.check(CheckId::HeadPose).value;
        let yaw_label = row.get("yaw_deg").and_then(|v| v.parse::<f64>().ok());
        for (k, (column, key)) in
            [("yaw_deg", "yaw"), ("pitch_deg", "pitch"), ("roll_deg", "roll")].into_iter().enumerate()
        {
            let label = row.get(column).and_then(|v| v.parse::<f64>().ok());
            let got = pose.get(key).and_then(|v| v.as_f64());
            if let (Some(label), Some(yaw)) = (label, yaw_label) {
                match got {
                    Some(got) => {
                        angle_errors[k].push((yaw.abs(), (got - label).abs()));
                        if verbose {
                            line += &format!(" {key}: label {label:.1} got {got:.1}");
                        }
                    }
                    None => {
                        angle_errors[k].push((yaw.abs(), f64::NAN));
                        if verbose {
                            line += &format!(
                                " {key}: label {label:.1} got none ({})",
                                report.check(CheckId::HeadPose).reason
                            );
                        }
                    }
                }
            }
        }
        if verbose {
            println!("{line}");
        }
    }
    println!("{} rows from {} ({} errors), profile {}", rows.len(), labels.display(), errors, profile.name);
    if !confusion.is_empty() {
        println!(
            "{:<17} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "check", "pass→pass", "pass→fail", "pass→unk", "fail→fail", "fail→pass", "fail→unk", "coverage", "bal.acc"
        );
        for (id, c) in &confusion {
            let n: usize = c.counts.iter().flatten().sum();
            let decided = n - c.counts[0][2] - c.counts[1][2];
            println!(
                "{:<17} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9.3} {:>9}",
                id.as_str(),
                c.counts[0][0],
                c.counts[0][1],
                c.counts[0][2],
                c.counts[1][1],
                c.counts[1][0],
                c.counts[1][2],
                decided as f64 / n.max(1) as f64,
                c.balanced_accuracy().map(|b| format!("{b:.3}")).unwrap_or_else(|| "-".into())
            );
        }
    }
    if angle_errors.iter().any(|v| !v.is_empty()) {
        println!("head pose mean absolute error, degrees (rows without a pose estimate listed as missed):");
        for (name, subset) in [("all", f64::INFINITY), ("frontal-ish |yaw| ≤ 30°", 30.0)] {
            let mut parts = Vec::new();
            for (k, axis) in ["yaw", "pitch", "roll"].iter().enumerate() {
                let sel: Vec<f64> = angle_errors[k].iter().filter(|(y, _)| *y <= subset).map(|(_, e)| *e).collect();
                let ok: Vec<f64> = sel.iter().copied().filter(|e| e.is_finite()).collect();
                let mae = ok.iter().sum::<f64>() / ok.len().max(1) as f64;
                parts.push(format!("{axis} {mae:.2}° (n={}, missed {})", ok.len(), sel.len() - ok.len()));
            }
            println!("  {name:<26} {}", parts.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn debug(out: &Path, profile: &str, images: &[PathBuf]) -> Result<ExitCode, Error> {
    let profile = load_profile(profile)?;
    let mut checker = Checker::new(Models::embedded()?, profile.clone());
    std::fs::create_dir_all(out).map_err(|e| Error::InvalidArgument(format!("{}: {e}", out.display())))?;
    for file in images {
        let decoded = photo_check::decode::decode(&read(file, &profile.limits)?, &profile.limits)?;
        let frame = decoded.frame;
        let seen = checker.inspect(&frame, false)?;
        let (w, h) = (frame.width(), frame.height());
        let mut img = image::RgbImage::from_raw(w, h, frame.rgb().to_vec()).expect("frame buffers are w×h×3");
        for (x, y, px) in img.enumerate_pixels_mut() {
            let m = seen.mask.at(x as f32 + 0.5, y as f32 + 0.5);
            // background tinted blue, person left as is
            px[2] = (px[2] as f32 * m + 255.0 * (1.0 - m) * 0.6 + px[2] as f32 * (1.0 - m) * 0.4) as u8;
        }
        let mut dot = |x: f32, y: f32, c: [u8; 3]| {
            if x >= 0.0 && y >= 0.0 && (x as u32) < w && (y as u32) < h {
                img.put_pixel(x as u32, y as u32, image::Rgb(c));
            }
        };
        for d in &seen.detections {
            for t in 0..(d.w as i32) {
                dot(d.x + t as f32, d.y, [255, 255, 0]);
                dot(d.x + t as f32, d.y + d.h, [255, 255, 0]);
            }
            for t in 0..(d.h as i32) {
                dot(d.x, d.y + t as f32, [255, 255, 0]);
                dot(d.x + d.w, d.y + t as f32, [255, 255, 0]);
            }
        }
        if let Some(mesh) = &seen.mesh {
            for p in &mesh.points {
                dot(p[0], p[1], [0, 255, 0]);
            }
        }
        let name = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "image".into());
        let path = out.join(format!("{name}.png"));
        img.save(&path).map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
        println!("{}  {}", path.display(), serde_json::to_string(&seen.report.checks).expect("reports serialise"));
    }
    Ok(ExitCode::SUCCESS)
}
