//! Where uploads are kept: the [`Store`] trait and its embedded default, [`SqliteStore`] (rows in
//! `DIR/uploads.sqlite`, images as files in `DIR/photos/`).
//!
//! The trait is all the HTTP side needs, so a deployment can keep images in an S3-compatible object store
//! and rows in PostgreSQL by implementing these five methods (README "Receiving uploads").

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A storage failure (disk, database): the upload is answered 500 and not acknowledged.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// The two image formats the receiver accepts, told apart by their first bytes (never by the client's
/// declared type or file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageType {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (the 8-byte PNG signature).
    Png,
}

impl ImageType {
    /// The type of `bytes` by content sniffing, or `None` when they are neither JPEG nor PNG.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else {
            None
        }
    }

    /// The file extension (`jpg`, `png`).
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
        }
    }

    /// The MIME type (`image/jpeg`, `image/png`).
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
        }
    }

    fn parse(s: &str) -> Option<ImageType> {
        match s {
            "jpeg" => Some(ImageType::Jpeg),
            "png" => Some(ImageType::Png),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpeg",
            ImageType::Png => "png",
        }
    }
}

/// Which stored image of an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Image {
    /// The photo the server checked.
    Photo,
    /// The page's optional standardized 480×640 image (stored as received, not checked).
    Standardized,
}

/// A new upload, checked and compared, ready to be stored.
pub struct NewUpload<'a> {
    /// The server-made id ([`new_id`]): 32 lowercase hex digits.
    pub id: &'a str,
    /// The client's idempotency key, when it sent one (stored, never used in a path).
    pub upload_key: Option<&'a str>,
    /// The photo's bytes, exactly as received.
    pub photo: &'a [u8],
    /// The photo's sniffed type.
    pub photo_type: ImageType,
    /// The optional standardized image and its sniffed type.
    pub standardized: Option<(&'a [u8], ImageType)>,
    /// The page's `report.json` part as received (empty when absent), whatever it contains.
    pub page_report: &'a str,
    /// The server's own report (JSON) on the photo.
    pub server_report: &'a str,
    /// The server's verdict (`pass`, `fail`, `unknown`).
    pub verdict: &'a str,
    /// The page's verdict when its report could be read.
    pub page_verdict: Option<&'a str>,
    /// Check ids (and `verdict`) on which the page's report differs from the server's.
    pub mismatch: &'a [String],
}

/// What the reviewer list and the upload's answer need of a stored upload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The server-made id.
    pub id: String,
    /// When the upload was stored, milliseconds since the Unix epoch.
    pub received_at_ms: i64,
    /// The client's idempotency key, if any.
    pub upload_key: Option<String>,
    /// The server's verdict.
    pub verdict: String,
    /// The page's verdict, when its report could be read.
    pub page_verdict: Option<String>,
    /// Where the page's report differs from the server's.
    pub mismatch: Vec<String>,
    /// SHA-256 of the photo's bytes, lowercase hex.
    pub photo_sha256: String,
    /// The photo's size in bytes.
    pub photo_bytes: u64,
}

/// A stored upload with both reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The summary fields.
    pub summary: Summary,
    /// The photo's type.
    pub photo_type: ImageType,
    /// The standardized image's type, when one was uploaded.
    pub standardized_type: Option<ImageType>,
    /// The page's `report.json` part as received.
    pub page_report: String,
    /// The server's report (JSON).
    pub server_report: String,
}

/// The result of [`Store::put`].
#[derive(Clone, Debug, PartialEq)]
pub enum Put {
    /// The upload was stored (files and row durable).
    Stored(Summary),
    /// An upload with the same `upload_key` was already stored (also when two arrive at once): nothing new
    /// was kept; this is the stored one.
    Existing(Summary),
}

/// Storage of uploads. Every method blocks (the server calls it from `spawn_blocking`).
pub trait Store: Send + Sync {
    /// Stores an upload durably: its images, then its row. Returns only once both survive a crash.
    /// An upload whose `upload_key` is already stored is not stored again ([`Put::Existing`]).
    fn put(&self, upload: &NewUpload<'_>) -> Result<Put, StoreError>;
    /// The upload stored under this idempotency key.
    fn find_key(&self, upload_key: &str) -> Result<Option<Summary>, StoreError>;
    /// One upload with both reports.
    fn get(&self, id: &str) -> Result<Option<Record>, StoreError>;
    /// One of an upload's images and its type.
    fn image(&self, id: &str, which: Image) -> Result<Option<(ImageType, Vec<u8>)>, StoreError>;
    /// The newest uploads first, at most `limit`; only those with a mismatch when `mismatch_only`.
    fn list(&self, mismatch_only: bool, limit: usize) -> Result<Vec<Summary>, StoreError>;
}

/// A new upload id: 128 random bits (ThreadRng: ChaCha seeded from the OS) as 32 lowercase hex digits.
pub fn new_id() -> String {
    let bits: u128 = rand::random();
    format!("{bits:032x}")
}

/// Whether `id` has the shape [`new_id`] makes; anything else is never looked up (nor reaches a path).
pub fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The embedded default: SQLite (WAL, `synchronous=FULL`) in `DIR/uploads.sqlite`, images in
/// `DIR/photos/<id>.jpg|png` (and `<id>.standardized.jpg|png`), each written to a temporary file, fsynced
/// and renamed before the row is committed.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    photos: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  upload_key TEXT UNIQUE,
  received_at_ms INTEGER NOT NULL,
  photo_type TEXT NOT NULL,
  photo_bytes INTEGER NOT NULL,
  photo_sha256 TEXT NOT NULL,
  standardized_type TEXT,
  page_report TEXT NOT NULL,
  server_report TEXT NOT NULL,
  verdict TEXT NOT NULL,
  page_verdict TEXT,
  mismatch TEXT NOT NULL,
  has_mismatch INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_review ON uploads (has_mismatch, received_at_ms);
";

const SUMMARY_COLUMNS: &str =
    "id, received_at_ms, upload_key, verdict, page_verdict, mismatch, photo_sha256, photo_bytes";

fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    let mismatch: String = row.get(5)?;
    Ok(Summary {
        id: row.get(0)?,
        received_at_ms: row.get(1)?,
        upload_key: row.get(2)?,
        verdict: row.get(3)?,
        page_verdict: row.get(4)?,
        mismatch: serde_json::from_str(&mismatch).unwrap_or_default(),
        photo_sha256: row.get(6)?,
        photo_bytes: row.get::<_, i64>(7)? as u64,
    })
}

impl SqliteStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        let photos = dir.join("photos");
        fs::create_dir_all(&photos)?;
        let conn = Connection::open(dir.join("uploads.sqlite"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL: readers do not block the writer; FULL: a committed row survives a power cut, not only a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore { conn: Mutex::new(conn), photos })
    }

    /// Removes what a crash between an image's rename and its row's commit left behind: temporary files
    /// and images without a row (never acknowledged). Run once at start, before serving.
    pub fn sweep_orphans(&self) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.photos)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let id = name.split('.').next().unwrap_or_default();
            let keep = !name.ends_with(".tmp") && is_id(id) && self.summary_of(id)?.is_some();
            if !keep {
                fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // a panic while holding the lock leaves the connection usable: SQLite rolls back what was not committed
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn summary_of(&self, id: &str) -> Result<Option<Summary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM uploads WHERE id = ?1");
        Ok(self.lock().query_row(&sql, [id], summary).optional()?)
    }

    fn path(&self, id: &str, which: Image, kind: ImageType) -> PathBuf {
        debug_assert!(is_id(id));
        let middle = match which {
            Image::Photo => "",
            Image::Standardized => ".standardized",
        };
        self.photos.join(format!("{id}{middle}.{}", kind.extension()))
    }

    /// Writes `bytes` to `path` atomically and durably: a temporary file, fsync, rename, fsync of the folder.
    fn write_durably(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("")));
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // the rename itself is durable only once the folder is synced (POSIX; a no-op elsewhere)
        #[cfg(unix)]
        File::open(&self.photos)?.sync_all()?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn put(&self, upload: &NewUpload<'_>) -> Result<Put, StoreError> {
        if !is_id(upload.id) {
            return Err(StoreError(format!("not a server-made id: {:?}", upload.id)));
        }
        let photo_path = self.path(upload.id, Image::Photo, upload.photo_type);
        self.write_durably(&photo_path, upload.photo)?;
        let std_path = upload.standardized.map(|(_, kind)| self.path(upload.id, Image::Standardized, kind));
        if let (Some((bytes, _)), Some(path)) = (upload.standardized, &std_path) {
            self.write_durably(path, bytes)?;
        }
        let remove_files = || {
            let _ = fs::remove_file(&photo_path);
            if let Some(path) = &std_path {
                let _ = fs::remove_file(path);
            }
        };
        let received_at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        let mismatch = serde_json::to_string(upload.mismatch).expect("strings serialise");
        let sha = sha256_hex(upload.photo);
        let conn = self.lock();
        let inserted = conn.execute(
            "INSERT INTO uploads (id, upload_key, received_at_ms, photo_type, photo_bytes, photo_sha256,
               standardized_type, page_report, server_report, verdict, page_verdict, mismatch, has_mismatch)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                upload.id,
                upload.upload_key,
                received_at_ms,
                upload.photo_type.name(),
                upload.photo.len() as i64,
                sha,
                upload.standardized.map(|(_, kind)| kind.name()),
                upload.page_report,
                upload.server_report,
                upload.verdict,
                upload.page_verdict,
                mismatch,
                !upload.mismatch.is_empty(),
            ],
        );
        match inserted {
            Ok(_) => Ok(Put::Stored(Summary {
                id: upload.id.to_string(),
                received_at_ms,
                upload_key: upload.upload_key.map(str::to_string),
                verdict: upload.verdict.to_string(),
                page_verdict: upload.page_verdict.map(str::to_string),
                mismatch: upload.mismatch.to_vec(),
                photo_sha256: sha,
                photo_bytes: upload.photo.len() as u64,
            })),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation && upload.upload_key.is_some() =>
            {
                // another upload with this key committed first (a retry racing the original): keep that one
                remove_files();
                let sql = format!("SELECT {SUMMARY_COLUMNS} FROM uploads WHERE upload_key = ?1");
                let existing = conn.query_row(&sql, [upload.upload_key], summary)?;
                Ok(Put::Existing(existing))
            }
            Err(e) => {
                remove_files();
                Err(e.into())
            }
        }
    }

    fn find_key(&self, upload_key: &str) -> Result<Option<Summary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM uploads WHERE upload_key = ?1");
        Ok(self.lock().query_row(&sql, [upload_key], summary).optional()?)
    }

    fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        if !is_id(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, photo_type, standardized_type, page_report, server_report
             FROM uploads WHERE id = ?1"
        );
        let record = self
            .lock()
            .query_row(&sql, [id], |row| {
                let photo_type: String = row.get(8)?;
                let standardized_type: Option<String> = row.get(9)?;
                Ok(Record {
                    summary: summary(row)?,
                    photo_type: ImageType::parse(&photo_type).unwrap_or(ImageType::Jpeg),
                    standardized_type: standardized_type.as_deref().and_then(ImageType::parse),
                    page_report: row.get(10)?,
                    server_report: row.get(11)?,
                })
            })
            .optional()?;
        Ok(record)
    }

    fn image(&self, id: &str, which: Image) -> Result<Option<(ImageType, Vec<u8>)>, StoreError> {
        let Some(record) = self.get(id)? else { return Ok(None) };
        let kind = match which {
            Image::Photo => record.photo_type,
            Image::Standardized => match record.standardized_type {
                Some(kind) => kind,
                None => return Ok(None),
            },
        };
        Ok(Some((kind, fs::read(self.path(id, which, kind))?)))
    }

    fn list(&self, mismatch_only: bool, limit: usize) -> Result<Vec<Summary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM uploads WHERE has_mismatch >= ?1
             ORDER BY received_at_ms DESC, id LIMIT ?2"
        );
        let conn = self.lock();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![mismatch_only as i64, limit.min(i64::MAX as usize) as i64], summary)?;
        let out = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload<'a>(id: &'a str, key: Option<&'a str>, photo: &'a [u8], mismatch: &'a [String]) -> NewUpload<'a> {
        NewUpload {
            id,
            upload_key: key,
            photo,
            photo_type: ImageType::Jpeg,
            standardized: None,
            page_report: "{}",
            server_report: "{}",
            verdict: "fail",
            page_verdict: Some("pass"),
            mismatch,
        }
    }

    #[test]
    fn stores_once_per_key_lists_and_sweeps() {
        let dir = std::env::temp_dir().join(format!("photo-check-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir).unwrap();
        let (a, b, c) = (new_id(), new_id(), new_id());
        assert!(is_id(&a) && a != b);
        assert!(!is_id("../../etc/passwd") && !is_id(&a.to_uppercase()));
        let differs = vec!["verdict".to_string()];
        let Put::Stored(first) = store.put(&upload(&a, Some("k1"), b"\xFF\xD8\xFFone", &differs)).unwrap() else {
            panic!("first put stores")
        };
        // the same key again: the first upload, and the second's file is gone
        assert_eq!(store.put(&upload(&b, Some("k1"), b"\xFF\xD8\xFFtwo", &[])).unwrap(), Put::Existing(first));
        assert!(!dir.join(format!("photos/{b}.jpg")).exists());
        assert!(matches!(store.put(&upload(&c, None, b"\xFF\xD8\xFFthree", &[])).unwrap(), Put::Stored(_)));
        assert_eq!(store.list(false, 10).unwrap().len(), 2);
        assert_eq!(store.list(true, 10).unwrap().iter().map(|s| s.id.clone()).collect::<Vec<_>>(), vec![a.clone()]);
        assert_eq!(store.image(&a, Image::Photo).unwrap().unwrap().1, b"\xFF\xD8\xFFone");
        assert_eq!(store.find_key("k1").unwrap().unwrap().id, a);
        assert!(store.get("nope").unwrap().is_none());
        // a crash after the rename but before the commit leaves a file without a row: swept at start
        fs::write(dir.join(format!("photos/{}.jpg", new_id())), b"x").unwrap();
        fs::write(dir.join("photos/partial.jpg.tmp"), b"x").unwrap();
        assert_eq!(store.sweep_orphans().unwrap(), 2);
        assert_eq!(fs::read_dir(dir.join("photos")).unwrap().count(), 2);
        drop(store);
        fs::remove_dir_all(&dir).unwrap();
    }
}
