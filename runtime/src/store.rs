//! Files in the data folder, written so that a power cut at any moment
//! leaves either the old or the new content, never a torn file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use deskphone_settings::SettingValues;

/// Writes `bytes` to `path` atomically: write a temporary file beside it,
/// fsync it, rename it over the old file, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        // Owner only from the first byte (P5: settings hold passwords); a leftover of a
        // crash is replaced, not reused with its old mode.
        let _ = fs::remove_file(&tmp);
        let mut f = private_file(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // The rename is durable only once the directory entry is on disk.
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Takes group and other access away from an existing file (one saved before files
/// were written 0600).
#[cfg(unix)]
fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The saved settings of one phone (`settings.json` in the data folder).
#[derive(Debug)]
pub struct SettingsStore {
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid settings file: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot save {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SettingsStore {
    pub fn new(data_dir: &Path) -> Self {
        SettingsStore {
            path: data_dir.join("settings.json"),
        }
    }

    /// Loads saved values; a missing file means all defaults.
    pub fn load(&self) -> Result<SettingValues, StoreError> {
        match fs::read(&self.path) {
            Ok(bytes) => {
                make_private(&self.path).map_err(|source| StoreError::Write {
                    path: self.path.clone(),
                    source,
                })?;
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                    path: self.path.clone(),
                    source,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SettingValues::default()),
            Err(source) => Err(StoreError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    pub fn save(&self, values: &SettingValues) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(values).map_err(|source| StoreError::Corrupt {
            path: self.path.clone(),
            source,
        })?;
        write_atomic(&self.path, &bytes).map_err(|source| StoreError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("deskphone-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_files() {
        let dir = temp_dir("roundtrip");
        let store = SettingsStore::new(&dir);
        assert_eq!(store.load().unwrap(), SettingValues::default());
        let mut v = SettingValues::default();
        v.apply(
            [(
                deskphone_settings::keys::user_realname.wire(1).as_str(),
                "Zoë",
            )],
            "DP480C",
        )
        .unwrap();
        store.save(&v).unwrap();
        assert_eq!(store.load().unwrap(), v);
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["settings.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn settings_are_private_to_the_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let path = dir.join("settings.json");
        let store = SettingsStore::new(&dir);
        store.save(&SettingValues::default()).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A file saved by an older version, readable by all: fixed at load.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        store.load().unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_reset() {
        let dir = temp_dir("corrupt");
        fs::write(dir.join("settings.json"), b"{not json").unwrap();
        assert!(matches!(
            SettingsStore::new(&dir).load(),
            Err(StoreError::Corrupt { .. })
        ));
        // The file is still there for the user to rescue.
        assert_eq!(fs::read(dir.join("settings.json")).unwrap(), b"{not json");
    }
}
