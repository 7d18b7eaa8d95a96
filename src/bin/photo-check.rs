//! `photo-check` command line: a thin shell over the library — reads files, prints reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use photo_check::batch;
use photo_check::decode::decode;
use photo_check::eval::{row_line, Evaluation, LabelTable, Prediction, Split};
use photo_check::files::{load_profile, read_image as read};
use photo_check::standardize::Background;
use photo_check::{Checker, Error, Models, Status};
use serde_json::json;

#[derive(Parser)]
#[command(name = "photo-check", version, about = "Checks certificate photos against the 学信网 (CHSI) rules")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check image files on every core; exit 0 when all pass, 1 when any fails or is undecided, 2 on an error.
    /// With more than one file a summary line (counts per verdict, reason and error) goes to stderr.
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
        /// Photos checked at once (default: every core); the output keeps the input order.
        #[arg(long)]
        jobs: Option<usize>,
        /// A file listing photos, one path per line (relative to the list's folder), besides IMAGE...
        #[arg(long)]
        list: Vec<PathBuf>,
        /// Image files, or folders (checked recursively: .jpg .jpeg .png .webp .jfif).
        #[arg(required_unless_present = "list")]
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
    /// Make the 480×640 standardized photo (the server's crop, background replaced) as a JPEG.
    Standardize {
        image: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
        /// blue (RGB 100,197,255), white or grey (240,240,240); default: the profile's first background.
        #[arg(long)]
        background: Option<String>,
        #[arg(long, default_value = "chsi")]
        profile: String,
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
    /// Receive the page's uploads: check each photo again, compare with the page's report, store both
    /// (README "Receiving uploads"). The reviewer endpoints need PHOTO_CHECK_TOKEN in the environment.
    #[cfg(feature = "serve")]
    Serve {
        /// Port to listen on (0: any free port; the bound address is printed).
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Folder for uploads.sqlite and photos/ (created when missing).
        #[arg(long)]
        data: PathBuf,
        /// Built-in profile name (chsi, icao) or a TOML file: what the photos are checked against.
        #[arg(long, default_value = "chsi")]
        profile: String,
        /// Largest request body in bytes (default: the profile's limits.max_bytes + 1 MiB).
        #[arg(long)]
        max_body_bytes: Option<u64>,
        /// Uploads per minute one client address may keep up (0: no limit).
        #[arg(long, default_value_t = 30.0)]
        rate_per_minute: f64,
        /// Uploads one client address may make at once.
        #[arg(long, default_value_t = 10.0)]
        burst: f64,
    },
}

fn main() -> ExitCode {
    // One line, no backtrace: the library turns a panic inside an image decoder into a `decode` error
    // (src/decode.rs), and the error line below says what happened to the file.
    std::panic::set_hook(Box::new(|info| eprintln!("photo-check: internal panic: {info}")));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { profile, json, landmarks, jobs, list, images } => {
            let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let listed = list.iter().map(|l| batch::read_list(l)).collect::<Result<Vec<_>, _>>();
            listed.and_then(|l| check(&profile, json, landmarks, &[images, l.concat()].concat(), jobs))
        }
        Command::Eval { labels, images, profile, split, verbose } => {
            eval(&labels, images.as_deref(), &profile, split, verbose)
        }
        Command::Debug { out, profile, images } => debug(&out, &profile, &images),
        Command::Standardize { image, out, background, profile } => {
            standardize(&image, &out, background.as_deref(), &profile)
        }
        #[cfg(feature = "serve")]
        Command::Serve { port, host, data, profile, max_body_bytes, rate_per_minute, burst } => {
            serve(std::net::SocketAddr::new(host, port), data, &profile, max_body_bytes, rate_per_minute, burst)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("photo-check: error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

fn standardize(image: &Path, out: &Path, background: Option<&str>, profile: &str) -> Result<ExitCode, Error> {
    let checker = Checker::new(Models::embedded()?, load_profile(profile)?);
    let background = background.map(Background::parse).transpose()?;
    let frame = decode(&read(image, &checker.profile().limits)?, &checker.profile().limits)?.frame;
    let (photo, report) = checker.standardize(&frame, background)?;
    std::fs::write(out, &photo.jpeg).map_err(|e| Error::InvalidArgument(format!("{}: {e}", out.display())))?;
    let crop = if photo.framed { "framing's crop".to_string() } else { "centred on the face".to_string() };
    let framing = report.checks.framing.reason.code();
    println!(
        "{}: 480×640 JPEG, quality {}, {:.1} KB; {crop} (framing: {framing}); the photo's verdict: {}",
        out.display(),
        photo.quality,
        photo.jpeg.len() as f64 / 1000.0,
        report.verdict.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(profile: &str, as_json: bool, landmarks: bool, paths: &[PathBuf], jobs: usize) -> Result<ExitCode, Error> {
    let mut checker = Checker::new(Models::embedded()?, load_profile(profile)?);
    checker.include_landmarks = landmarks;
    let files = batch::expand(paths)?;
    let mut worst = 0u8;
    let mut summary = batch::Summary::default();
    let work = |file: &PathBuf| read(file, &checker.profile().limits).and_then(|bytes| checker.check_image(&bytes));
    batch::for_each_ordered(&files, jobs, work, |i, result| {
        let file = &files[i];
        summary.add(result.as_ref());
        match result {
            Ok(report) => {
                if as_json {
                    let mut v = serde_json::to_value(&report).expect("reports serialise");
                    v["file"] = json!(file.display().to_string());
                    println!("{v}");
                } else {
                    print!("{}", report.table(&file.display().to_string()));
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
    });
    // stderr: stdout stays one JSON object per file
    if files.len() > 1 {
        eprintln!("summary: {}", serde_json::to_string(&summary).expect("summaries serialise"));
    }
    Ok(ExitCode::from(worst))
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
                let prediction = Prediction::of(&report);
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
    let profile = load_profile(profile)?;
    let checker = Checker::new(Models::embedded()?, profile.clone());
    std::fs::create_dir_all(out).map_err(|e| Error::InvalidArgument(format!("{}: {e}", out.display())))?;
    for file in images {
        let frame = photo_check::decode::decode(&read(file, &profile.limits)?, &profile.limits)?.frame;
        let seen = checker.inspect_still(&frame)?;
        let img = photo_check::draw::inspection(&frame, &seen);
        let name = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "image".into());
        let path = out.join(format!("{name}.png"));
        img.save(&path).map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
        println!("{}  {}", path.display(), serde_json::to_string(&seen.report.checks).expect("reports serialise"));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "serve")]
fn serve(
    addr: std::net::SocketAddr,
    data: PathBuf,
    profile: &str,
    max_body_bytes: Option<u64>,
    rate_per_minute: f64,
    burst: f64,
) -> Result<ExitCode, Error> {
    use photo_check::serve::{run, Config, RateLimit};
    let checker = Checker::new(Models::embedded()?, load_profile(profile)?);
    let mut config = Config::new(addr, data.clone(), &checker.profile().limits);
    config.token = std::env::var("PHOTO_CHECK_TOKEN").ok().filter(|t| !t.is_empty());
    if let Some(n) = max_body_bytes {
        config.max_body_bytes = n;
    }
    config.rate =
        (rate_per_minute > 0.0).then(|| RateLimit { per_second: rate_per_minute / 60.0, burst: burst.max(1.0) });
    let reviewer = if config.token.is_some() { "on" } else { "off (PHOTO_CHECK_TOKEN unset)" };
    let name = checker.profile().name.clone();
    run(config, checker, |bound| {
        // the first line on stdout: scripts and tests wait for it and read the port from it
        println!(
            "photo-check serve: listening on http://{bound} (profile {name}, data {}, reviewer {reviewer})",
            data.display()
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| Error::InvalidArgument(format!("serve: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
