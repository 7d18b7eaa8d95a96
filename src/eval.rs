//! Measuring the checks on labelled photos: the label table, the confusion counts per check, the rates
//! with their 95 % intervals, the head-pose errors and the text table `photo-check eval` prints.
//!
//! Pure logic: the caller runs the checker on each row's photo and hands over what it got as a
//! [`Prediction`]. The only input read here is the label CSV, through a [`std::io::Read`].
//!
//! The label CSV has a header row and one row per photo: a `file` column, an optional `split` column
//! (`train` / `val`), check-id columns (`ears_visible`, `mouth_closed`, …) holding `pass`, `fail`,
//! `ambiguous` or nothing, pose columns `yaw_deg`, `pitch_deg`, `roll_deg` in degrees, and any other
//! attribute columns (`glasses` = `yes` / `no`, …), which are kept but not measured.
//!
//! What counts: only `pass` / `fail` labels, on checks the profile requires. `unknown` is counted wrong in
//! the recalls and reported as its own share; it is not a false alarm (a false alarm is a `fail` on a row
//! labelled `pass`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::Read;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::{CheckId, Status};

/// The normal quantile for a two-sided 95 % interval.
const Z95: f64 = 1.96;

/// Label columns named for what they describe rather than for the check that judges it: the portraits'
/// `head_frontal` (frontal enough for an ID photo) labels `head_pose`, `body_frontal` (not turned ≥ ~15°)
/// labels `body_tilt`. A row's own check-id column wins when both are filled.
pub const LABEL_ALIASES: [(&str, CheckId); 2] =
    [("head_frontal", CheckId::HeadPose), ("body_frontal", CheckId::BodyTilt)];

/// The check a label column judges: its own id, or an alias.
fn labelled_check(column: &str) -> Option<CheckId> {
    CheckId::parse(column).or_else(|| LABEL_ALIASES.iter().find(|(c, _)| *c == column).map(|(_, id)| *id))
}

/// The label columns of a head pose, in the order of [`Prediction::pose`]: yaw, pitch, roll.
pub const POSE_COLUMNS: [&str; 3] = ["yaw_deg", "pitch_deg", "roll_deg"];

/// Rows whose labelled |yaw| is at most this many degrees are "frontal-ish" in the pose figures.
pub const FRONTAL_YAW_DEG: f64 = 30.0;

const AXES: [&str; 3] = ["yaw", "pitch", "roll"];

fn invalid(message: String) -> Error {
    Error::InvalidArgument(message)
}

/// Which rows of a label table to measure on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Rows whose `split` is `train`: the photos thresholds are chosen on.
    Train,
    /// Rows whose `split` is `val`: the photos accuracy is reported on.
    Val,
    /// Every row, with or without a `split` column.
    All,
}

impl Split {
    /// The name used on the command line and in the table header: `train`, `val` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Val => "val",
            Split::All => "all",
        }
    }

    /// Whether `row` belongs to this split (a row without a `split` value belongs to `all` only).
    pub fn contains(self, row: &Row) -> bool {
        match self {
            Split::All => true,
            Split::Train | Split::Val => row.split() == Some(self.as_str()),
        }
    }
}

impl FromStr for Split {
    type Err = Error;

    /// Parses `train`, `val` or `all`.
    fn from_str(s: &str) -> Result<Split> {
        match s {
            "train" => Ok(Split::Train),
            "val" => Ok(Split::Val),
            "all" => Ok(Split::All),
            _ => Err(invalid(format!("split {s:?}: expected train, val or all"))),
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `pass` / `fail` label: what the check should answer on the row's photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// The check should pass.
    Pass,
    /// The check should fail.
    Fail,
}

impl Label {
    fn index(self) -> usize {
        self as usize
    }

    fn as_str(self) -> &'static str {
        match self {
            Label::Pass => "pass",
            Label::Fail => "fail",
        }
    }
}

/// What a check answered on a labelled row, as counted in a [`Confusion`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `pass`.
    Pass,
    /// `fail`.
    Fail,
    /// `unknown`, `not_required` or no answer at all: undecided.
    Unknown,
}

impl Outcome {
    fn of(status: Option<Status>) -> Outcome {
        match status {
            Some(Status::Pass) => Outcome::Pass,
            Some(Status::Fail) => Outcome::Fail,
            Some(Status::Unknown | Status::NotRequired) | None => Outcome::Unknown,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One row of a label table: every column, by header name.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    line: u64,
    headers: Arc<[String]>,
    values: Vec<String>,
}

impl Row {
    /// The photo's file name (never empty), relative to the images folder.
    pub fn file(&self) -> &str {
        self.get("file").unwrap_or_default()
    }

    /// The line of the CSV the row starts on (the header is line 1).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// A column's value, trimmed; `None` when the table has no such column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.headers.iter().position(|h| h == column).map(|i| self.values[i].as_str())
    }

    /// Every column as `(header, value)`, in the CSV's order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(String::as_str).zip(self.values.iter().map(String::as_str))
    }

    /// The row's `split` value; `None` without the column or when it is empty.
    pub fn split(&self) -> Option<&str> {
        self.get("split").filter(|s| !s.is_empty())
    }

    /// The check's label when it is `pass` or `fail`; `None` for `ambiguous`, empty or no column.
    pub fn label(&self, id: CheckId) -> Option<Label> {
        self.get(id.as_str()).and_then(parse_label).or_else(|| {
            LABEL_ALIASES.iter().filter(|(_, a)| *a == id).find_map(|(c, _)| self.get(c).and_then(parse_label))
        })
    }

    /// Every `pass` / `fail` check label of the row (aliases included), in report order.
    pub fn labels(&self) -> impl Iterator<Item = (CheckId, Label)> + '_ {
        CheckId::ALL.into_iter().filter_map(|id| Some((id, self.label(id)?)))
    }

    /// The labelled head pose `[yaw, pitch, roll]` in degrees, each `None` when its column is absent or empty.
    pub fn pose(&self) -> [Option<f64>; 3] {
        POSE_COLUMNS.map(|c| self.get(c).and_then(|v| v.parse().ok()))
    }
}

fn parse_label(value: &str) -> Option<Label> {
    match value {
        "pass" => Some(Label::Pass),
        "fail" => Some(Label::Fail),
        _ => None,
    }
}

/// A label CSV, read whole and checked: every row has every column.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelTable {
    headers: Arc<[String]>,
    rows: Vec<Row>,
}

impl LabelTable {
    /// Reads a label CSV (header row first; fields may be quoted; surrounding spaces are trimmed).
    ///
    /// Errors (`invalid_argument`, with the line): a row with more or fewer fields than the header, no
    /// `file` column or an empty `file`, a repeated column name, a check-id column holding anything but
    /// `pass` / `fail` / `ambiguous` / empty, a pose column that is not a number, a `split` other than
    /// `train` / `val` / empty, and text that is not UTF-8.
    pub fn from_reader(reader: impl Read) -> Result<LabelTable> {
        let mut csv = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(reader);
        let headers: Vec<String> = csv
            .headers()
            .map_err(csv_error)?
            .iter()
            .enumerate()
            // a UTF-8 byte-order mark (spreadsheet exports) is not part of the first column's name
            .map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}').to_string() } else { h.to_string() })
            .collect();
        if !headers.iter().any(|h| h == "file") {
            return Err(invalid(format!("labels: no `file` column (columns: {})", headers.join(", "))));
        }
        for (i, h) in headers.iter().enumerate() {
            if headers[..i].contains(h) {
                return Err(invalid(format!("labels: column `{h}` appears twice")));
            }
        }
        let headers: Arc<[String]> = headers.into();
        let mut rows = Vec::new();
        for record in csv.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| p.line());
            let row = Row { line, headers: headers.clone(), values: record.iter().map(str::to_string).collect() };
            validate(&row)?;
            rows.push(row);
        }
        Ok(LabelTable { headers, rows })
    }

    /// The column names, in the CSV's order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Every row, in the CSV's order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Whether the table has a `split` column.
    pub fn has_split(&self) -> bool {
        self.headers.iter().any(|h| h == "split")
    }

    /// The rows of `split`, in the CSV's order. `train` or `val` on a table without a `split` column is an
    /// error: such a table only has `all`.
    pub fn select(&self, split: Split) -> Result<Vec<&Row>> {
        if split != Split::All && !self.has_split() {
            return Err(invalid(format!(
                "--split {split}: the labels have no `split` column, so only `--split all` applies"
            )));
        }
        Ok(self.rows.iter().filter(|r| split.contains(r)).collect())
    }
}

fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map(|p| format!(" line {}", p.line())).unwrap_or_default();
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            invalid(format!("labels{line}: {len} fields, but the header has {expected_len}"))
        }
        _ => invalid(format!("labels{line}: {e}")),
    }
}

fn validate(row: &Row) -> Result<()> {
    let at = |column: &str, value: &str, expected: &str| {
        invalid(format!("labels line {}: column `{column}` is {value:?}, expected {expected}", row.line))
    };
    for (column, value) in row.columns() {
        if column == "file" && value.is_empty() {
            return Err(invalid(format!("labels line {}: empty `file`", row.line)));
        } else if column == "split" && !matches!(value, "" | "train" | "val") {
            return Err(at(column, value, "train, val or empty"));
        } else if labelled_check(column).is_some() && !matches!(value, "" | "pass" | "fail" | "ambiguous") {
            return Err(at(column, value, "pass, fail, ambiguous or empty"));
        } else if POSE_COLUMNS.contains(&column) && !value.is_empty() && !value.parse::<f64>().is_ok_and(f64::is_finite)
        {
            return Err(at(column, value, "a number of degrees or empty"));
        }
    }
    Ok(())
}

/// What the checker answered for one row's photo.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prediction {
    /// Each check's status; a check missing here counts as undecided.
    pub statuses: BTreeMap<CheckId, Status>,
    /// Each check's reason code (`ok`, `no_face`, …), shown in the per-row lines.
    pub reasons: BTreeMap<CheckId, String>,
    /// The estimated head pose `[yaw, pitch, roll]` in degrees; `None` when there is none.
    pub pose: Option<[f64; 3]>,
}

impl Prediction {
    /// What a report answered, in the form the evaluation counts.
    pub fn of(report: &crate::Report) -> Prediction {
        Prediction {
            statuses: report.checks.iter().map(|(id, r)| (id, r.status())).collect(),
            reasons: report.checks.iter().map(|(id, r)| (id, r.reason().to_string())).collect(),
            pose: report.checks.head_pose.value.as_ref().map(|p| [p.yaw, p.pitch, p.roll]),
        }
    }
}

/// A proportion with its 95 % interval, all in [0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} [{:.3}, {:.3}]", self.value, self.low, self.high)
    }
}

/// The Wilson score 95 % interval for `k` successes in `n` trials; `None` when `n` is 0.
pub fn wilson(k: usize, n: usize) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Estimate { value: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) })
}

/// The mean of two independent binomial proportions `p1 = k1/n1`, `p2 = k2/n2` with the 95 % interval of
/// the normal approximation: `±1.96·sqrt(p1(1−p1)/n1 + p2(1−p2)/n2)/2`, clamped to [0, 1]. The interval
/// has zero width when both proportions are 0 or 1; read it with the counts. `None` when `n1` or `n2` is 0.
pub fn mean_of_two(k1: usize, n1: usize, k2: usize, n2: usize) -> Option<Estimate> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let value = (p1 + p2) / 2.0;
    let half = Z95 * (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt() / 2.0;
    Some(Estimate { value, low: (value - half).max(0.0), high: (value + half).min(1.0) })
}

/// Confusion counts of one check: label (`pass`, `fail`) × outcome (`pass`, `fail`, undecided).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    counts: [[usize; 3]; 2],
}

impl Confusion {
    /// Counts one labelled row; a missing, `unknown` or `not_required` status counts as undecided.
    pub fn add(&mut self, label: Label, status: Option<Status>) {
        self.counts[label.index()][Outcome::of(status).index()] += 1;
    }

    /// Rows labelled `label` that came out `outcome`.
    pub fn count(&self, label: Label, outcome: Outcome) -> usize {
        self.counts[label.index()][outcome.index()]
    }

    /// Rows labelled `label`.
    pub fn n(&self, label: Label) -> usize {
        self.counts[label.index()].iter().sum()
    }

    /// Every counted row.
    pub fn total(&self) -> usize {
        self.n(Label::Pass) + self.n(Label::Fail)
    }

    /// Rows that came out undecided, whatever their label.
    pub fn undecided(&self) -> usize {
        self.count(Label::Pass, Outcome::Unknown) + self.count(Label::Fail, Outcome::Unknown)
    }

    /// Share of the rows labelled `label` that were answered right; undecided counts wrong. `None` without
    /// such rows.
    pub fn recall(&self, label: Label) -> Option<f64> {
        let n = self.n(label);
        let right = match label {
            Label::Pass => self.count(label, Outcome::Pass),
            Label::Fail => self.count(label, Outcome::Fail),
        };
        (n > 0).then(|| right as f64 / n as f64)
    }

    /// Share of the rows labelled `pass` that came out `fail` (undecided is not a false alarm), with its
    /// Wilson 95 % interval. `None` without `pass` rows.
    pub fn false_alarms(&self) -> Option<Estimate> {
        wilson(self.count(Label::Pass, Outcome::Fail), self.n(Label::Pass))
    }

    /// Share of all counted rows that came out undecided.
    pub fn unknown_share(&self) -> Option<f64> {
        let n = self.total();
        (n > 0).then(|| self.undecided() as f64 / n as f64)
    }

    /// Share of all counted rows that were decided (`pass` or `fail`): 1 − the unknown share.
    pub fn coverage(&self) -> Option<f64> {
        self.unknown_share().map(|u| 1.0 - u)
    }

    /// The class present when only one is (`None` when both or neither are).
    pub fn only_class(&self) -> Option<Label> {
        match (self.n(Label::Pass), self.n(Label::Fail)) {
            (0, 0) => None,
            (_, 0) => Some(Label::Pass),
            (0, _) => Some(Label::Fail),
            _ => None,
        }
    }

    /// Balanced accuracy: the mean of the two recalls (undecided counted wrong), with the 95 % interval of
    /// the normal approximation to the mean of two independent binomial proportions ([`mean_of_two`]).
    /// With one class labelled it is that class's recall, with that recall's Wilson interval ([`wilson`]).
    /// `None` without rows.
    pub fn balanced_accuracy(&self) -> Option<Estimate> {
        let (pp, np) = (self.count(Label::Pass, Outcome::Pass), self.n(Label::Pass));
        let (ff, nf) = (self.count(Label::Fail, Outcome::Fail), self.n(Label::Fail));
        match self.only_class() {
            Some(Label::Pass) => wilson(pp, np),
            Some(Label::Fail) => wilson(ff, nf),
            None => mean_of_two(pp, np, ff, nf),
        }
    }
}

/// Mean absolute error of one pose axis over a set of rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisError {
    /// Rows with both a label and an estimate.
    pub n: usize,
    /// Rows with a label but no pose estimate (left out of the mean).
    pub missed: usize,
    /// Mean of |estimate − label| in degrees over the `n` rows; `None` when `n` is 0.
    pub mae: Option<f64>,
}

/// Accumulates labelled rows and what the checker answered, then renders the accuracy table.
#[derive(Clone, Debug)]
pub struct Evaluation {
    source: String,
    split: Split,
    profile: String,
    required: BTreeSet<CheckId>,
    confusion: BTreeMap<CheckId, Confusion>,
    not_required: BTreeMap<CheckId, usize>,
    /// Per axis: (|labelled yaw|, |estimate − label| or `None` when missed).
    pose: [Vec<(f64, Option<f64>)>; 3],
    rows: usize,
    errors: Vec<(String, String)>,
}

impl Evaluation {
    /// An empty evaluation of the labels from `source` (a name for the header, e.g. the CSV's path) on
    /// `split`, for the profile named `profile`; labels of checks for which `required` is false are skipped.
    pub fn new(
        source: impl Into<String>,
        split: Split,
        profile: impl Into<String>,
        required: impl Fn(CheckId) -> bool,
    ) -> Evaluation {
        Evaluation {
            source: source.into(),
            split,
            profile: profile.into(),
            required: CheckId::ALL.into_iter().filter(|&id| required(id)).collect(),
            confusion: BTreeMap::new(),
            not_required: BTreeMap::new(),
            pose: Default::default(),
            rows: 0,
            errors: Vec::new(),
        }
    }

    /// Counts one row: each required check labelled `pass` / `fail` against the prediction's status, and
    /// each labelled pose axis against the estimate (a row without an estimate is counted as missed). The
    /// pose axes count only on rows with a labelled yaw, which decides whether a row is frontal-ish.
    pub fn add(&mut self, row: &Row, prediction: &Prediction) {
        self.rows += 1;
        for (id, label) in row.labels() {
            if self.required.contains(&id) {
                self.confusion.entry(id).or_default().add(label, prediction.statuses.get(&id).copied());
            } else {
                *self.not_required.entry(id).or_default() += 1;
            }
        }
        let labels = row.pose();
        if let Some(yaw) = labels[0] {
            for (k, label) in labels.into_iter().enumerate() {
                if let Some(label) = label {
                    self.pose[k].push((yaw.abs(), prediction.pose.map(|p| (p[k] - label).abs())));
                }
            }
        }
    }

    /// Counts a row whose photo could not be checked (unreadable, undecodable): it counts in the header's
    /// row and error numbers and is listed at the end of the table, not in any check's figures.
    pub fn add_error(&mut self, file: &str, message: &str) {
        self.rows += 1;
        self.errors.push((file.to_string(), message.to_string()));
    }

    /// Rows added so far, errors included.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows that could not be checked: `(file, message)`.
    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    /// The counts of one check; `None` when no row had a counted label for it.
    pub fn confusion(&self, id: CheckId) -> Option<&Confusion> {
        self.confusion.get(&id)
    }

    /// The counts of every measured check, in report order.
    pub fn checks(&self) -> impl Iterator<Item = (CheckId, &Confusion)> {
        self.confusion.iter().map(|(id, c)| (*id, c))
    }

    /// Pose error per axis (yaw, pitch, roll) over the rows with |labelled yaw| ≤ `max_abs_yaw` degrees
    /// (`f64::INFINITY` for all rows, [`FRONTAL_YAW_DEG`] for the frontal-ish ones).
    pub fn pose_error(&self, max_abs_yaw: f64) -> [AxisError; 3] {
        std::array::from_fn(|k| {
            let selected: Vec<Option<f64>> =
                self.pose[k].iter().filter(|(yaw, _)| *yaw <= max_abs_yaw).map(|(_, e)| *e).collect();
            let hits: Vec<f64> = selected.iter().flatten().copied().collect();
            let mae = (!hits.is_empty()).then(|| hits.iter().sum::<f64>() / hits.len() as f64);
            AxisError { n: hits.len(), missed: selected.len() - hits.len(), mae }
        })
    }

    /// The text report: a header line, the counts table, the rates table (95 % intervals), the checks left
    /// out because the profile does not require them, the pose errors and the rows that could not be checked.
    /// Lines are at most 120 characters.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let o = &mut out;
        let _ = writeln!(
            o,
            "{} rows from {} (split {}, {} errors), profile {}",
            self.rows,
            self.source,
            self.split,
            self.errors.len(),
            self.profile
        );
        if !self.confusion.is_empty() {
            self.render_checks(o);
        }
        if !self.not_required.is_empty() {
            let list: Vec<String> = self.not_required.iter().map(|(id, n)| format!("{} ({n})", id.as_str())).collect();
            let _ = writeln!(o, "labelled but not required by the profile, not measured: {}", list.join(", "));
        }
        if self.pose.iter().any(|v| !v.is_empty()) {
            self.render_pose(o);
        }
        if self.confusion.is_empty() && self.pose.iter().all(Vec::is_empty) {
            let _ = writeln!(o, "no pass/fail label of a required check and no pose label in these rows");
        }
        if !self.errors.is_empty() {
            let _ = writeln!(o, "rows that could not be checked:");
            for (file, message) in &self.errors {
                let _ = writeln!(o, "  {file}: {message}");
            }
        }
        out
    }

    fn render_checks(&self, o: &mut String) {
        use Label::{Fail, Pass};
        let _ = writeln!(o, "counts (label→answer; unk = unknown or no answer):");
        counts_line(
            o,
            ["check", "n pass", "n fail", "pass→pass", "pass→fail", "pass→unk", "fail→fail", "fail→pass", "fail→unk"],
        );
        for (id, c) in &self.confusion {
            let n = [
                c.n(Pass),
                c.n(Fail),
                c.count(Pass, Outcome::Pass),
                c.count(Pass, Outcome::Fail),
                c.count(Pass, Outcome::Unknown),
                c.count(Fail, Outcome::Fail),
                c.count(Fail, Outcome::Pass),
                c.count(Fail, Outcome::Unknown),
            ]
            .map(|n| n.to_string());
            counts_line(o, [id.as_str(), &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7]]);
        }
        let _ = writeln!(o, "rates (unknown counted wrong in the recalls, not as a false alarm):");
        rates_line(o, ["check", "recall", "recall", "false alarms", "unknown", "coverage", "bal.acc", "note"]);
        rates_line(o, ["", "pass", "fail", "[95 % CI]", "share", "", "[95 % CI]", ""]);
        let mut one_class = false;
        for (id, c) in &self.confusion {
            let note = match c.only_class() {
                Some(label) => {
                    one_class = true;
                    format!("{} only", label.as_str())
                }
                None => String::new(),
            };
            let cells = [
                fmt_share(c.recall(Pass)),
                fmt_share(c.recall(Fail)),
                fmt_estimate(c.false_alarms()),
                fmt_share(c.unknown_share()),
                fmt_share(c.coverage()),
                fmt_estimate(c.balanced_accuracy()),
            ];
            rates_line(o, [id.as_str(), &cells[0], &cells[1], &cells[2], &cells[3], &cells[4], &cells[5], &note]);
        }
        let _ = writeln!(o, "false alarms: label pass answered fail, Wilson interval.");
        let _ = writeln!(
            o,
            "bal.acc: mean of the two recalls, interval from the normal approximation (two independent proportions);"
        );
        let _ = writeln!(o, "  that interval has zero width when each recall is 0 or 1: read it with the counts.");
        if one_class {
            let _ = writeln!(
                o,
                "\"pass only\" / \"fail only\": one class labelled; bal.acc is its recall, Wilson interval."
            );
        }
    }

    fn render_pose(&self, o: &mut String) {
        let _ = writeln!(o, "head pose mean absolute error, degrees (rows without a pose estimate counted as missed):");
        let _ = writeln!(
            o,
            "{:<24} {:>8} {:>5} {:>6} {:>8} {:>5} {:>6} {:>8} {:>5} {:>6}",
            "rows", "yaw", "n", "missed", "pitch", "n", "missed", "roll", "n", "missed"
        );
        for (name, max_yaw) in [("all", f64::INFINITY), ("frontal-ish |yaw| ≤ 30°", FRONTAL_YAW_DEG)] {
            let mut line = format!("{name:<24}");
            for axis in self.pose_error(max_yaw) {
                let mae = axis.mae.map_or_else(|| "-".to_string(), |m| format!("{m:.2}°"));
                let _ = write!(line, " {mae:>8} {:>5} {:>6}", axis.n, axis.missed);
            }
            let _ = writeln!(o, "{line}");
        }
    }
}

/// One line of the counts table: check, n pass, n fail, then the six label→answer counts.
fn counts_line(o: &mut String, c: [&str; 9]) {
    let line = format!(
        "{:<17} {:>7} {:>7} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
    );
    let _ = writeln!(o, "{}", line.trim_end());
}

/// One line of the rates table: check, the two recalls, false alarms, unknown share, coverage, bal.acc, note.
fn rates_line(o: &mut String, c: [&str; 8]) {
    let line =
        format!("{:<17} {:>7} {:>7} {:>21} {:>7} {:>8} {:>21}  {}", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
    let _ = writeln!(o, "{}", line.trim_end());
}

fn fmt_share(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"))
}

fn fmt_estimate(e: Option<Estimate>) -> String {
    e.map_or_else(|| "-".to_string(), |e| e.to_string())
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Unknown => "unknown",
        Status::NotRequired => "not_required",
    }
}

/// One line per row for `--verbose`: each `pass` / `fail` check label next to the answer and its reason
/// (`mouth_closed=fail→pass(ok)`), then each labelled pose axis next to the estimate.
pub fn row_line(row: &Row, prediction: &Prediction) -> String {
    let mut line = format!("{}:", row.file());
    for (id, label) in row.labels() {
        let status = prediction.statuses.get(&id).map_or("none", |s| status_name(*s));
        let _ = write!(line, " {}={}→{status}", id.as_str(), label.as_str());
        if let Some(reason) = prediction.reasons.get(&id) {
            let _ = write!(line, "({reason})");
        }
    }
    for (k, label) in row.pose().into_iter().enumerate() {
        let Some(label) = label else { continue };
        match prediction.pose {
            Some(pose) => {
                let _ = write!(line, " {}: label {label:.1} got {:.1}", AXES[k], pose[k]);
            }
            None => {
                let why = prediction.reasons.get(&CheckId::HeadPose).map_or("no reason", String::as_str);
                let _ = write!(line, " {}: label {label:.1} got none ({why})", AXES[k]);
            }
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> LabelTable {
        LabelTable::from_reader(text.as_bytes()).expect("valid labels")
    }

    fn error(text: &str) -> String {
        LabelTable::from_reader(text.as_bytes()).expect_err("invalid labels").to_string()
    }

    fn predict(statuses: &[(CheckId, Status)]) -> Prediction {
        Prediction { statuses: statuses.iter().copied().collect(), ..Prediction::default() }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Adds `n` rows labelled `label` for `id` answered `status`.
    fn add_many(e: &mut Evaluation, id: CheckId, label: &str, status: Status, n: usize) {
        let t = table(&format!("file,{}\nx.jpg,{label}\n", id.as_str()));
        for _ in 0..n {
            e.add(&t.rows()[0], &predict(&[(id, status)]));
        }
    }

    #[test]
    fn parses_quoted_fields_and_keeps_every_column() {
        let t = table(
            "file,ears_visible,glasses,note,yaw_deg\n\
             \"a, b.jpg\",pass,yes,\"said \"\"hi\"\"\",12.5\n\
             c.jpg , ambiguous ,no,,\n",
        );
        assert_eq!(t.headers(), ["file", "ears_visible", "glasses", "note", "yaw_deg"]);
        assert_eq!(t.rows().len(), 2);
        let a = &t.rows()[0];
        assert_eq!(a.file(), "a, b.jpg");
        assert_eq!(a.get("note"), Some("said \"hi\""));
        assert_eq!(a.get("glasses"), Some("yes"));
        assert_eq!(a.label(CheckId::EarsVisible), Some(Label::Pass));
        assert_eq!(a.pose(), [Some(12.5), None, None]);
        assert_eq!(a.line(), 2);
        let c = &t.rows()[1];
        assert_eq!(c.file(), "c.jpg");
        assert_eq!(c.get("ears_visible"), Some("ambiguous"));
        assert_eq!(c.label(CheckId::EarsVisible), None);
        assert_eq!(c.get("missing"), None);
        assert_eq!(c.columns().count(), 5);
        assert!(!t.has_split());
    }

    #[test]
    fn ragged_rows_are_errors() {
        let short = error("file,no_hat,split\na.jpg,pass,train\nb.jpg,fail\n");
        assert!(short.contains("line 3"), "{short}");
        assert!(short.contains("2 fields, but the header has 3"), "{short}");
        let long = error("file,no_hat\na.jpg,pass,extra\n");
        assert!(long.contains("3 fields, but the header has 2"), "{long}");
    }

    #[test]
    fn bad_tables_are_errors() {
        assert!(error("name,no_hat\na.jpg,pass\n").contains("no `file` column"));
        assert!(error("").contains("no `file` column"));
        assert!(error("file,no_hat,no_hat\na.jpg,pass,fail\n").contains("`no_hat` appears twice"));
        assert!(error("file,no_hat\n,pass\n").contains("line 2: empty `file`"));
        assert!(error("file,no_hat\na.jpg,Pass\n").contains("column `no_hat` is \"Pass\""));
        assert!(error("file,split\na.jpg,test\n").contains("column `split` is \"test\""));
        assert!(error("file,yaw_deg\na.jpg,left\n").contains("column `yaw_deg` is \"left\""));
        let e = LabelTable::from_reader("file\na.jpg,b.jpg\n".as_bytes()).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
    }

    #[test]
    fn byte_order_mark_and_header_only() {
        let t = table("\u{feff}file,no_hat\n");
        assert_eq!(t.headers(), ["file", "no_hat"]);
        assert!(t.rows().is_empty());
    }

    #[test]
    fn split_filtering() {
        let t = table("file,split\na.jpg,train\nb.jpg,val\nc.jpg,\nd.jpg,val\n");
        assert!(t.has_split());
        let files = |s: Split| t.select(s).unwrap().iter().map(|r| r.file().to_string()).collect::<Vec<_>>();
        assert_eq!(files(Split::Train), ["a.jpg"]);
        assert_eq!(files(Split::Val), ["b.jpg", "d.jpg"]);
        assert_eq!(files(Split::All), ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]);
        assert_eq!("val".parse::<Split>().unwrap(), Split::Val);
        assert_eq!("train".parse::<Split>().unwrap(), Split::Train);
        assert_eq!("all".parse::<Split>().unwrap(), Split::All);
        assert!("test".parse::<Split>().unwrap_err().to_string().contains("expected train, val or all"));

        let plain = table("file\na.jpg\nb.jpg\n");
        assert_eq!(plain.select(Split::All).unwrap().len(), 2);
        let e = plain.select(Split::Val).unwrap_err().to_string();
        assert!(e.contains("no `split` column") && e.contains("--split all"), "{e}");
        assert!(plain.select(Split::Train).is_err());
    }

    #[test]
    fn confusion_counts() {
        let t = table(
            "file,no_hat,mouth_closed\n\
             a.jpg,pass,fail\n\
             b.jpg,pass,pass\n\
             c.jpg,fail,fail\n\
             d.jpg,fail,\n",
        );
        let mut e = Evaluation::new("labels.csv", Split::All, "chsi", |_| true);
        let answers = [
            predict(&[(CheckId::NoHat, Status::Pass), (CheckId::MouthClosed, Status::Pass)]),
            predict(&[(CheckId::NoHat, Status::Fail), (CheckId::MouthClosed, Status::Unknown)]),
            predict(&[(CheckId::NoHat, Status::Unknown), (CheckId::MouthClosed, Status::Fail)]),
            predict(&[(CheckId::MouthClosed, Status::Fail)]), // no_hat missing: undecided
        ];
        for (row, p) in t.rows().iter().zip(&answers) {
            e.add(row, p);
        }
        let hat = e.confusion(CheckId::NoHat).unwrap();
        assert_eq!(hat.count(Label::Pass, Outcome::Pass), 1);
        assert_eq!(hat.count(Label::Pass, Outcome::Fail), 1);
        assert_eq!(hat.count(Label::Pass, Outcome::Unknown), 0);
        assert_eq!(hat.count(Label::Fail, Outcome::Fail), 0);
        assert_eq!(hat.count(Label::Fail, Outcome::Pass), 0);
        assert_eq!(hat.count(Label::Fail, Outcome::Unknown), 2);
        let mouth = e.confusion(CheckId::MouthClosed).unwrap();
        assert_eq!(mouth.count(Label::Fail, Outcome::Pass), 1);
        assert_eq!(mouth.count(Label::Fail, Outcome::Fail), 1);
        assert_eq!(mouth.count(Label::Pass, Outcome::Unknown), 1);
        assert_eq!(mouth.total(), 3); // d.jpg has no mouth label
        assert_eq!(e.rows(), 4);
        assert_eq!(e.checks().map(|(id, _)| id).collect::<Vec<_>>(), [CheckId::NoHat, CheckId::MouthClosed]);
    }

    #[test]
    fn recall_false_alarms_and_unknown() {
        // pass labels: 6 pass, 2 fail, 2 unknown; fail labels: 3 fail, 1 pass, 1 not_required (undecided)
        let mut e = Evaluation::new("x", Split::All, "chsi", |_| true);
        let id = CheckId::NoHat;
        add_many(&mut e, id, "pass", Status::Pass, 6);
        add_many(&mut e, id, "pass", Status::Fail, 2);
        add_many(&mut e, id, "pass", Status::Unknown, 2);
        add_many(&mut e, id, "fail", Status::Fail, 3);
        add_many(&mut e, id, "fail", Status::Pass, 1);
        add_many(&mut e, id, "fail", Status::NotRequired, 1);
        let c = e.confusion(id).unwrap();
        assert_eq!((c.n(Label::Pass), c.n(Label::Fail)), (10, 5));
        assert!(close(c.recall(Label::Pass).unwrap(), 0.6)); // unknown counted wrong
        assert!(close(c.recall(Label::Fail).unwrap(), 0.6));
        assert!(close(c.false_alarms().unwrap().value, 0.2)); // 2 of 10, the 2 unknown are not false alarms
        assert_eq!(c.undecided(), 3);
        assert!(close(c.unknown_share().unwrap(), 0.2)); // 3 of 15
        assert!(close(c.coverage().unwrap(), 0.8));
        assert!(close(c.balanced_accuracy().unwrap().value, 0.6));
        assert_eq!(c.only_class(), None);
        let text = e.render();
        assert!(text.contains(
            "no_hat                 10       5          6          2          2          3          1          1"
        ));
        assert!(text.contains(
            "no_hat              0.600   0.600  0.200 [0.057, 0.510]   0.200    0.800  0.600 [0.337, 0.863]"
        ));
    }

    #[test]
    fn interval_formulas() {
        // Wilson, 2 of 10: centre (0.2 + 1.9208/10)/1.38416 = 0.283262,
        // half 1.96/1.38416·sqrt(0.016 + 0.009604) = 0.226581
        let w = wilson(2, 10).unwrap();
        assert!((w.value - 0.2).abs() < 1e-12);
        assert!((w.low - 0.056681).abs() < 1e-6, "{w:?}");
        assert!((w.high - 0.509843).abs() < 1e-6, "{w:?}");
        // Wilson, 0 of 20: low is exactly 0, high z²/(n + z²) = 3.8416/23.8416
        let w = wilson(0, 20).unwrap();
        assert_eq!(w.low, 0.0);
        assert!((w.high - 0.161130).abs() < 1e-6, "{w:?}");
        assert_eq!(wilson(0, 0), None);
        // mean of 6/10 and 3/5: 0.6 ± 1.96·sqrt(0.024 + 0.048)/2 = 0.6 ± 0.262962
        let m = mean_of_two(6, 10, 3, 5).unwrap();
        assert!((m.value - 0.6).abs() < 1e-12);
        assert!((m.low - 0.337038).abs() < 1e-6, "{m:?}");
        assert!((m.high - 0.862962).abs() < 1e-6, "{m:?}");
        // 20/20 and 2/4: 0.75 ± 1.96·sqrt(0 + 0.0625)/2 = 0.75 ± 0.245
        let m = mean_of_two(20, 20, 2, 4).unwrap();
        assert!((m.low - 0.505).abs() < 1e-9 && (m.high - 0.995).abs() < 1e-9, "{m:?}");
        // clamped: 1/1 and 0/1 → 0.5 ± 0 (both proportions at the edge); 2/3 and 1/1 → upper end clamped to 1
        assert_eq!(mean_of_two(1, 1, 0, 1).unwrap(), Estimate { value: 0.5, low: 0.5, high: 0.5 });
        let m = mean_of_two(3, 3, 1, 2).unwrap(); // 0.75 ± 1.96·sqrt(0.125)/2 = 0.75 ± 0.346482
        assert!((m.low - 0.403518).abs() < 1e-6 && m.high == 1.0, "{m:?}");
        assert_eq!(mean_of_two(1, 0, 1, 1), None);
    }

    #[test]
    fn one_class_uses_that_recall() {
        let mut e = Evaluation::new("x", Split::Val, "chsi", |_| true);
        add_many(&mut e, CheckId::HairClear, "pass", Status::Pass, 8);
        add_many(&mut e, CheckId::HairClear, "pass", Status::Fail, 1);
        add_many(&mut e, CheckId::HairClear, "pass", Status::Unknown, 1);
        let c = e.confusion(CheckId::HairClear).unwrap();
        assert_eq!(c.only_class(), Some(Label::Pass));
        assert_eq!(c.recall(Label::Fail), None);
        let b = c.balanced_accuracy().unwrap();
        assert_eq!(b, wilson(8, 10).unwrap());
        assert!(close(b.value, 0.8));
        let text = e.render();
        assert!(text.contains("pass only"), "{text}");
        assert!(text.contains("bal.acc is its recall"), "{text}");
        assert!(text.starts_with("10 rows from x (split val, 0 errors), profile chsi\n"), "{text}");
    }

    #[test]
    fn ambiguous_and_not_required_are_skipped() {
        let t = table("file,ears_visible,no_hat\na.jpg,ambiguous,pass\nb.jpg,,fail\nc.jpg,fail,pass\n");
        let mut e = Evaluation::new("x", Split::All, "chsi", |id| id != CheckId::NoHat);
        for row in t.rows() {
            e.add(row, &predict(&[(CheckId::EarsVisible, Status::Pass), (CheckId::NoHat, Status::Pass)]));
        }
        let ears = e.confusion(CheckId::EarsVisible).unwrap();
        assert_eq!(ears.total(), 1);
        assert_eq!(ears.count(Label::Fail, Outcome::Pass), 1);
        assert_eq!(e.confusion(CheckId::NoHat), None);
        assert!(e.render().contains("labelled but not required by the profile, not measured: no_hat (3)"));
        assert_eq!(e.rows(), 3);
    }

    #[test]
    fn pose_errors_with_a_missed_row() {
        let t = table(
            "file,yaw_deg,pitch_deg,roll_deg\n\
             a.jpg,10,0,5\n\
             b.jpg,-40,10,0\n\
             c.jpg,20,-5,-5\n\
             d.jpg,,3,3\n",
        );
        let answers = [
            Prediction { pose: Some([12.0, -1.0, 5.0]), ..Prediction::default() }, // errors 2, 1, 0
            Prediction { pose: Some([-30.0, 4.0, 3.0]), ..Prediction::default() }, // errors 10, 6, 3
            Prediction::default(),                                                 // missed
            Prediction { pose: Some([0.0, 0.0, 0.0]), ..Prediction::default() },   // no yaw label: not counted
        ];
        let mut e = Evaluation::new("pose", Split::All, "chsi", |_| true);
        for (row, p) in t.rows().iter().zip(&answers) {
            e.add(row, p);
        }
        let all = e.pose_error(f64::INFINITY);
        assert_eq!(all.map(|a| (a.n, a.missed)), [(2, 1); 3]);
        assert!(close(all[0].mae.unwrap(), 6.0));
        assert!(close(all[1].mae.unwrap(), 3.5));
        assert!(close(all[2].mae.unwrap(), 1.5));
        let frontal = e.pose_error(FRONTAL_YAW_DEG);
        assert_eq!(frontal.map(|a| (a.n, a.missed)), [(1, 1); 3]);
        assert_eq!(frontal.map(|a| a.mae), [Some(2.0), Some(1.0), Some(0.0)]);
        let text = e.render();
        assert!(
            text.contains("all                         6.00°     2      1    3.50°     2      1    1.50°     2      1")
        );
        assert!(
            text.contains("frontal-ish |yaw| ≤ 30°     2.00°     1      1    1.00°     1      1    0.00°     1      1")
        );
        let line = row_line(&t.rows()[2], &answers[2]);
        let none = |axis: &str, label: &str| format!("{axis}: label {label} got none (no reason)");
        assert_eq!(line, format!("c.jpg: {} {} {}", none("yaw", "20.0"), none("pitch", "-5.0"), none("roll", "-5.0")));
    }

    #[test]
    fn row_lines() {
        let t = table("file,no_hat,mouth_closed,ears_visible,yaw_deg\na.jpg,pass,fail,ambiguous,1.5\n");
        let mut p = predict(&[(CheckId::NoHat, Status::Fail)]);
        p.reasons.insert(CheckId::NoHat, "hat".into());
        p.pose = Some([2.34, 0.0, 0.0]);
        assert_eq!(
            row_line(&t.rows()[0], &p),
            "a.jpg: no_hat=pass→fail(hat) mouth_closed=fail→none yaw: label 1.5 got 2.3"
        );
    }

    #[test]
    fn render_lists_errors_and_stays_within_120_columns() {
        let mut e = Evaluation::new("/some/labels.csv", Split::Train, "icao", |_| true);
        add_many(&mut e, CheckId::BackgroundPlain, "pass", Status::Pass, 1234);
        add_many(&mut e, CheckId::BackgroundPlain, "fail", Status::Unknown, 1000);
        add_many(&mut e, CheckId::MouthClosed, "fail", Status::Fail, 3);
        let t = table("file,yaw_deg,pitch_deg,roll_deg\na.jpg,100,-100,100\n");
        e.add(&t.rows()[0], &Prediction { pose: Some([-100.0, 100.0, -100.0]), ..Prediction::default() });
        e.add_error("broken.jpg", "[decode] cannot decode image: truncated");
        let text = e.render();
        assert!(text.starts_with("2239 rows from /some/labels.csv (split train, 1 errors), profile icao\n"), "{text}");
        assert!(
            text.ends_with("rows that could not be checked:\n  broken.jpg: [decode] cannot decode image: truncated\n")
        );
        assert!(text.contains("fail only"));
        assert!(text.contains("200.00°"));
        for line in text.lines() {
            assert!(line.chars().count() <= 120, "{} chars: {line}", line.chars().count());
        }
        assert_eq!(e.errors(), [("broken.jpg".to_string(), "[decode] cannot decode image: truncated".to_string())]);
    }

    #[test]
    fn nothing_to_measure_says_so() {
        let t = table("file,glasses\na.jpg,yes\n");
        let mut e = Evaluation::new("x", Split::All, "chsi", |_| true);
        e.add(&t.rows()[0], &Prediction::default());
        assert_eq!(
            e.render(),
            "1 rows from x (split all, 0 errors), profile chsi\n\
             no pass/fail label of a required check and no pose label in these rows\n"
        );
    }

    #[test]
    fn alias_columns_label_their_check_and_own_columns_win() {
        let text = "file,head_pose,head_frontal,body_frontal\na.jpg,,fail,pass\nb.jpg,pass,fail,ambiguous\n";
        let table = LabelTable::from_reader(text.as_bytes()).unwrap();
        let [a, b] = table.rows() else { panic!("two rows") };
        assert_eq!(a.label(CheckId::HeadPose), Some(Label::Fail));
        assert_eq!(a.label(CheckId::BodyTilt), Some(Label::Pass));
        assert_eq!(b.label(CheckId::HeadPose), Some(Label::Pass), "the check's own column wins");
        assert_eq!(b.label(CheckId::BodyTilt), None, "ambiguous is no label");
        assert_eq!(
            a.labels().collect::<Vec<_>>(),
            [(CheckId::HeadPose, Label::Fail), (CheckId::BodyTilt, Label::Pass)]
        );
        assert!(LabelTable::from_reader("file,body_frontal\na.jpg,maybe\n".as_bytes()).is_err());
    }
}
