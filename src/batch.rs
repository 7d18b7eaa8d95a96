//! Batch checks of image files on every core (native only): the input list (folders walked recursively,
//! list files read), an ordered parallel map, and the summary of many reports.
//!
//! One [`Checker`](crate::Checker) serves every worker thread (it checks through `&self`, so the models are
//! loaded once); each worker only holds the frame and tensors of the photo it is checking. Results come
//! back in input order whatever order the workers finish in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::report::{Report, Status};

/// File extensions taken from folders (any case). Files named on the command line or in a list are
/// taken whatever their name: the decoder decides by content.
pub const IMAGE_EXTENSIONS: [&str; 5] = ["jpg", "jpeg", "png", "webp", "jfif"];

/// The files to check: each path as given, except folders, which contribute their image files
/// (recursively, in name order). Hidden entries (starting with `.`) are skipped inside folders.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let read = std::fs::read_dir(dir).map_err(|e| Error::InvalidArgument(format!("{}: {e}", dir.display())))?;
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let hidden = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            let e = e.to_ascii_lowercase();
            IMAGE_EXTENSIONS.contains(&e.as_str())
        }) {
            out.push(p);
        }
    }
    Ok(())
}

/// The paths of a list file: one per line, blank lines and lines starting with `#` skipped; relative paths
/// are relative to the list's folder.
pub fn read_list(list: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(list).map_err(|e| Error::InvalidArgument(format!("{}: {e}", list.display())))?;
    let base = list.parent().unwrap_or(Path::new("."));
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| if Path::new(l).is_absolute() { PathBuf::from(l) } else { base.join(l) })
        .collect())
}

/// Runs `work` on every item with `jobs` threads and hands each result to `emit` on the calling thread,
/// in input order, as soon as it and every earlier one are done.
pub fn for_each_ordered<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(usize, R),
) {
    let jobs = jobs.clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if tx.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut due = 0;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&due) {
                emit(due, r);
                due += 1;
            }
        }
    });
}

/// Counts over many reports: per verdict, per check and reason of what did not pass, and errors per code.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Files checked (reports and errors).
    pub files: usize,
    /// Reports per verdict (`pass`, `fail`, `unknown`).
    pub verdicts: BTreeMap<&'static str, usize>,
    /// Failed or undecided checks, keyed `check_id/reason`.
    pub reasons: BTreeMap<String, usize>,
    /// Files that could not be checked, per error code.
    pub errors: BTreeMap<&'static str, usize>,
}

impl Summary {
    /// Counts one file's outcome.
    pub fn add(&mut self, outcome: std::result::Result<&Report, &Error>) {
        self.files += 1;
        match outcome {
            Ok(report) => {
                *self.verdicts.entry(report.verdict.as_str()).or_default() += 1;
                for (id, r) in report.checks.iter() {
                    if matches!(r.status(), Status::Fail | Status::Unknown) {
                        *self.reasons.entry(format!("{}/{}", id.as_str(), r.reason())).or_default() += 1;
                    }
                }
            }
            Err(e) => *self.errors.entry(e.code()).or_default() += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whatever_the_finishing_order() {
        let items: Vec<u64> = (0..40).collect();
        let mut seen = Vec::new();
        // later items finish first
        for_each_ordered(
            &items,
            4,
            |&i| {
                std::thread::sleep(std::time::Duration::from_millis(40 - i));
                i * 2
            },
            |i, r| seen.push((i, r)),
        );
        assert_eq!(seen, items.iter().map(|&i| (i as usize, i * 2)).collect::<Vec<_>>());
        let mut none = 0;
        for_each_ordered(&[] as &[u8], 8, |_| (), |_, _| none += 1);
        assert_eq!(none, 0);
    }

    #[test]
    fn folders_are_walked_recursively_in_name_order_and_lists_resolve_relative_paths() {
        let dir = std::env::temp_dir().join(format!("photo-check-batch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("b/deeper")).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        for f in ["b/deeper/z.PNG", "b/a.jpg", "c.webp", "notes.txt", ".hidden/x.jpg", "a.JPEG"] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        let got = expand(&[dir.clone(), dir.join("notes.txt")]).unwrap();
        let names: Vec<String> =
            got.iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.JPEG", "b/a.jpg", "b/deeper/z.PNG", "c.webp", "notes.txt"]);
        std::fs::write(dir.join("list.txt"), "# photos\nb/a.jpg\n\n/abs/photo.png\n").unwrap();
        assert_eq!(read_list(&dir.join("list.txt")).unwrap(), [dir.join("b/a.jpg"), PathBuf::from("/abs/photo.png")]);
        assert_eq!(read_list(&dir.join("missing.txt")).unwrap_err().code(), "invalid_argument");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
