//! `photo-check` command line: a thin shell over the library — reads files, prints reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use photo_check::eval::{row_line, Evaluation, LabelTable, Prediction, Split};
use photo_check::{Checker, Error, Models, Profile, Report, Status};
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
    /// Measure the checks on labelled photos: a CSV with a `file` column, check-id columns (pass / fail /
    /// ambiguous) and optionally `split` (train / val) and `yaw_deg`, `pitch_deg`, `roll_deg`.
    Eval {
        #[arg(long)]
        labels: PathBuf,
        /// Folder holding the images (default: the CSV's folder).
        #[arg(long)]
        images: Option<PathBuf>,
        #[arg(long, default_value = "chsi")]
        profile: String,
        /// Rows to measure: train, val or all (train and val need a `split` column).
        #[arg(long, default_value = "all")]
        split: Split,
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
fn read(path: &Path, limits: &photo_check::frame::Limits) -> Result<Vec<u8>, Error> {
    read_limited(path, limits.max_bytes, "file bytes")
}

fn main() -> ExitCode {
    // One line, no backtrace: the library turns a panic inside an image decoder into a `decode` error
    // (src/decode.rs), and the error line below says what happened to the file.
    std::panic::set_hook(Box::new(|info| eprintln!("photo-check: internal panic: {info}")));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { profile, json, landmarks, images } => check(&profile, json, landmarks, &images),
        Command::Eval { labels, images, profile, split, verbose } => {
            eval(&labels, images.as_deref(), &profile, split, verbose)
        }
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

fn print_table(file: &Path, report: &Report) {
    println!(
        "{}: {} ({}×{}, profile {})",
        file.display(),
        report.verdict.as_str().to_uppercase(),
        report.image.width,
        report.image.height,
        report.profile
    );
    for (id, r) in report.checks.iter() {
        let msg = if r.status() == Status::Pass || r.status() == Status::NotRequired {
            String::new()
        } else {
            format!("  {} / {}", r.message_zh(), r.message_en())
        };
        println!("  {:<17} {:<12} {:<22} {}{}", id.as_str(), r.status().as_str(), r.reason(), r.value_json(), msg);
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
                        json!({
                            "file": file.display().to_string(),
                            "error": { "code": e.code(), "message": e.to_string() },
                        })
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

/// What the checker answered for one photo, in the form `photo_check::eval` counts.
fn prediction_of(report: &Report) -> Prediction {
    Prediction {
        statuses: report.checks.iter().map(|(id, r)| (id, r.status())).collect(),
        reasons: report.checks.iter().map(|(id, r)| (id, r.reason().to_string())).collect(),
        pose: report.checks.head_pose.value.as_ref().map(|p| [p.yaw, p.pitch, p.roll]),
    }
}

fn eval(labels: &Path, images: Option<&Path>, profile: &str, split: Split, verbose: bool) -> Result<ExitCode, Error> {
    let file = std::fs::File::open(labels).map_err(|e| Error::InvalidArgument(format!("{}: {e}", labels.display())))?;
    let table = LabelTable::from_reader(file)?;
    let rows = table.select(split)?;
    let dir = images.map(Path::to_path_buf).unwrap_or_else(|| labels.parent().unwrap_or(Path::new(".")).to_path_buf());
    let profile = load_profile(profile)?;
    let checker = Checker::new(Models::embedded()?, profile.clone());
    let mut evaluation =
        Evaluation::new(labels.display().to_string(), split, profile.name.clone(), |id| profile.is_required(id));
    for row in rows {
        match read(&dir.join(row.file()), &profile.limits).and_then(|b| checker.check_image(&b)) {
            Ok(report) => {
                let prediction = prediction_of(&report);
                if verbose {
                    println!("{}", row_line(row, &prediction));
                }
                evaluation.add(row, &prediction);
            }
            Err(e) => {
                let message = format!("error [{}]: {e}", e.code());
                if verbose {
                    println!("{}: {message}", row.file());
                }
                evaluation.add_error(row.file(), &message);
            }
        }
    }
    print!("{}", evaluation.render());
    Ok(ExitCode::SUCCESS)
}

fn debug(out: &Path, profile: &str, images: &[PathBuf]) -> Result<ExitCode, Error> {
    use photo_check::draw::{self, Background};
    let profile = load_profile(profile)?;
    let checker = Checker::new(Models::embedded()?, profile.clone());
    std::fs::create_dir_all(out).map_err(|e| Error::InvalidArgument(format!("{}: {e}", out.display())))?;
    for file in images {
        let frame = photo_check::decode::decode(&read(file, &profile.limits)?, &profile.limits)?.frame;
        let seen = checker.inspect_still(&frame)?;
        let mut img = draw::frame_with_mask(&frame, &seen.mask, 1, Background::TintBlue);
        for d in &seen.detections {
            draw::rect(&mut img, d.x, d.y, d.w, d.h, 1, [255, 255, 0]);
        }
        for p in seen.mesh.iter().flat_map(|m| &m.points) {
            draw::dot(&mut img, photo_check::imaging::Point::new(p[0], p[1]), 1, [0, 255, 0]);
        }
        let name = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "image".into());
        let path = out.join(format!("{name}.png"));
        img.save(&path).map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
        println!("{}  {}", path.display(), serde_json::to_string(&seen.report.checks).expect("reports serialise"));
    }
    Ok(ExitCode::SUCCESS)
}
