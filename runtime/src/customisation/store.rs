//! The customisation in use, on disk under `<data>/customisation/`: each package in its
//! own folder `p-<id>/`, written and synced completely before `active.json` (replaced
//! by atomic rename) names it; then the old folder goes. A crash at any moment leaves
//! either the old package or the new one in use, never a mix; folders that
//! `active.json` does not name are leftovers and are removed at start. The
//! `custom_bg_image_url` image is kept the same way (`bg-<id>/`, `background.json`).

use std::path::{Path, PathBuf};

use deskphone_protocol::Colours;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::package::CheckedPackage;

/// A package in use, as `active.json` records it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivePackage {
    pub id: String,
    pub name: String,
    pub company_name: Option<String>,
    pub colours: Option<Colours>,
    /// Stored names (`logo.svg`, `wallpaper.jpg`).
    pub logo: Option<String>,
    pub wallpaper: Option<String>,
    pub ringtones: Vec<String>,
    pub languages: Vec<String>,
    /// Every stored file's name: the only names `/custom/<id>/…` serves.
    pub files: Vec<String>,
}

/// The `custom_bg_image_url` image in use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Background {
    /// `bg-<first 16 hex digits of its SHA256>`.
    pub id: String,
    /// `wallpaper.png` or `wallpaper.jpg`.
    pub file: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Installed {
    pub package: Option<ActivePackage>,
    pub background: Option<Background>,
}

#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
}

const ACTIVE: &str = "active.json";
const BACKGROUND: &str = "background.json";

impl Store {
    pub fn new(data_dir: &Path) -> Store {
        Store {
            dir: data_dir.join("customisation"),
        }
    }

    /// What is in use, after removing leftovers of an interrupted install.
    pub fn load(&self) -> Installed {
        let package: Option<ActivePackage> = read_json(&self.dir.join(ACTIVE))
            .filter(|p: &ActivePackage| self.dir.join(format!("p-{}", p.id)).is_dir());
        let background: Option<Background> = read_json(&self.dir.join(BACKGROUND))
            .filter(|b: &Background| self.dir.join(&b.id).join(&b.file).is_file());
        let keep: Vec<String> = package
            .iter()
            .map(|p| format!("p-{}", p.id))
            .chain(background.iter().map(|b| b.id.clone()))
            .collect();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours =
                    name.starts_with("p-") || name.starts_with("bg-") || name.starts_with("tmp-");
                if ours && !keep.contains(&name) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Installed {
            package,
            background,
        }
    }

    /// Writes a checked package's files into a folder of their own, syncs them, then
    /// names it in `active.json`; the previous package's folder is removed after.
    pub fn install(&self, package: &CheckedPackage) -> std::io::Result<()> {
        let record = ActivePackage {
            id: package.id.clone(),
            name: package.name.clone(),
            company_name: package.company_name.clone(),
            colours: package.colours.clone(),
            logo: package.logo.clone(),
            wallpaper: package.wallpaper.clone(),
            ringtones: package.ringtones.clone(),
            languages: package.languages.clone(),
            files: package.files.iter().map(|f| f.name.clone()).collect(),
        };
        let files: Vec<(&str, &[u8])> = package
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        let folder = format!("p-{}", package.id);
        self.write_folder(&folder, &files)?;
        let json = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
        crate::store::write_atomic(&self.dir.join(ACTIVE), &json)?;
        self.load();
        Ok(())
    }

    /// The `custom_bg_image_url` image, checked, kept like a package.
    pub fn install_background(&self, bytes: &[u8], ext: &str) -> std::io::Result<()> {
        let digest = Sha256::digest(bytes);
        let id: String = std::iter::once("bg-".to_owned())
            .chain(digest.iter().take(8).map(|b| format!("{b:02x}")))
            .collect();
        let file = format!("wallpaper.{ext}");
        self.write_folder(&id, &[(file.as_str(), bytes)])?;
        let json =
            serde_json::to_vec_pretty(&Background { id, file }).map_err(std::io::Error::other)?;
        crate::store::write_atomic(&self.dir.join(BACKGROUND), &json)?;
        self.load();
        Ok(())
    }

    pub fn remove_package(&self) -> std::io::Result<()> {
        remove_if_present(&self.dir.join(ACTIVE))?;
        self.load();
        Ok(())
    }

    pub fn remove_background(&self) -> std::io::Result<()> {
        remove_if_present(&self.dir.join(BACKGROUND))?;
        self.load();
        Ok(())
    }

    /// Writes `files` into `<dir>/<folder>` through a temporary folder renamed into
    /// place once every file and folder is synced. An existing `<folder>` is the same
    /// content (the name is its hash) and is kept.
    fn write_folder(&self, folder: &str, files: &[(&str, &[u8])]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let target = self.dir.join(folder);
        if target.is_dir() {
            return Ok(());
        }
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(std::io::Error::other)?;
        let tmp = self.dir.join(format!(
            "tmp-{}",
            nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        std::fs::create_dir_all(&tmp)?;
        let result = (|| {
            let mut dirs = vec![tmp.clone()];
            for (name, bytes) in files {
                let path = tmp.join(name);
                if let Some(parent) = path.parent()
                    && !dirs.iter().any(|d| d == parent)
                {
                    std::fs::create_dir_all(parent)?;
                    dirs.push(parent.to_owned());
                }
                use std::io::Write;
                let mut file = std::fs::File::create(&path)?;
                file.write_all(bytes)?;
                file.sync_all()?;
            }
            for dir in dirs.iter().rev() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            std::fs::rename(&tmp, &target)?;
            std::fs::File::open(&self.dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }

    /// A file of what is in use: `id` must be the package's or the background's, and
    /// `name` one of its stored names (no path from a request reaches the disk).
    pub fn file(&self, id: &str, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let package: Option<ActivePackage> = read_json(&self.dir.join(ACTIVE));
        let background: Option<Background> = read_json(&self.dir.join(BACKGROUND));
        let folder = match (&package, &background) {
            (Some(p), _) if p.id == id && p.files.iter().any(|f| f == name) => {
                format!("p-{}", p.id)
            }
            (_, Some(b)) if b.id == id && b.file == name => b.id.clone(),
            _ => return None,
        };
        let bytes = std::fs::read(self.dir.join(folder).join(name)).ok()?;
        Some((bytes, content_type(name)))
    }
}

pub fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        Some("wav") => "audio/wav",
        Some("ftl") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => {
            if let Some(parent) = path.parent() {
                std::fs::File::open(parent)?.sync_all()?;
            }
            Ok(())
        }
    }
}
