//! Reading files for the native tools (the CLI, examples): bounded reads and profiles by name or path.
//! Native builds only; the browser hands the library bytes.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::frame::Limits;
use crate::profile::{Profile, MAX_PROFILE_BYTES};

/// Reads at most `limit` bytes: a larger file is refused (`too_large`) without reading it all into memory.
/// `what` names the limit in the error ("file bytes", "profile bytes").
pub fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>> {
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
pub fn read_image(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    read_limited(path, limits.max_bytes, "file bytes")
}

/// A built-in profile by name (`chsi`, `icao`) or a TOML file by path (at most 64 KiB).
pub fn load_profile(name_or_path: &str) -> Result<Profile> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let bytes = read_limited(path, MAX_PROFILE_BYTES as u64, "profile bytes")?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Profile(format!("{name_or_path}: {e}")))?;
        Profile::from_toml(&text)
    } else {
        Profile::builtin(name_or_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_and_profiles_load_by_name_or_path() {
        let dir = std::env::temp_dir().join(format!("photo-check-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ten.bin");
        std::fs::write(&file, [7u8; 10]).unwrap();
        assert_eq!(read_limited(&file, 10, "file bytes").unwrap().len(), 10);
        let err = read_limited(&file, 9, "file bytes").unwrap_err();
        assert_eq!(err.code(), "too_large");
        assert_eq!(read_limited(&dir.join("missing"), 9, "file bytes").unwrap_err().code(), "invalid_argument");
        let toml = dir.join("mine.toml");
        std::fs::write(&toml, crate::profile::BUILTIN[1].1).unwrap();
        assert_eq!(load_profile(toml.to_str().unwrap()).unwrap().name, "icao");
        assert_eq!(load_profile("chsi").unwrap().name, "chsi");
        assert_eq!(load_profile("nope").unwrap_err().code(), "profile");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
