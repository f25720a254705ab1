//! The customisation package format (F3) and every check a package passes before
//! anything on the phone changes. Bytes in, a [`CheckedPackage`] or one
//! [`PackageError`] out; no IO, so the checks run on a blocking thread, away from
//! the engine and the web server.
//!
//! A package is a tar archive, gzip-compressed or not, holding `manifest.json` and
//! the files it names:
//!
//! ```json
//! { "format": 1, "name": "Acme blue", "models": ["DP480C"],
//!   "company_name": "Acme Corp",
//!   "colours": { "background": "#102030", "text": "#ffffff", "accent": "#ff8800" },
//!   "logo": "logo.png", "wallpaper": "wallpaper.jpg",
//!   "ringtones": { "Ringer1": "ringtones/acme.wav" },
//!   "languages": ["lang/de/phone.ftl"] }
//! ```
//!
//! Everything is optional but `format` and `name`; an empty `models` fits every
//! model. Bounds: see the constants. Entries are plain files (and folders) with
//! relative paths; links, devices, absolute paths and `..` are refused, as is any file
//! the manifest does not name.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use deskphone_protocol::Colours;
use deskphone_settings::models::Model;
use image::ImageFormat;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The largest package accepted, as uploaded (compressed).
pub const MAX_PACKAGE_BYTES: usize = 8 << 20;
/// What a package may unpack to, all files together; a decompression bomb stops here.
pub const MAX_UNPACKED_BYTES: u64 = 16 << 20;
/// Entries (files and folders) in one package.
pub const MAX_ENTRIES: usize = 64;
pub const MAX_MANIFEST_BYTES: u64 = 64 << 10;
pub const MAX_LOGO_BYTES: u64 = 256 << 10;
pub const MAX_WALLPAPER_BYTES: u64 = 2 << 20;
pub const MAX_RINGTONE_BYTES: u64 = 2 << 20;
pub const MAX_LANGUAGE_BYTES: u64 = 256 << 10;
/// The largest any single file may be; checked from the tar header before reading.
const MAX_FILE_BYTES: u64 = 2 << 20;
/// The logo's largest width and height (the model's display may be smaller).
pub const MAX_LOGO_SIDE: u32 = 256;
pub const MAX_RINGTONE_SECONDS: u32 = 30;
/// Memory one image decode may take (a wallpaper of 480×272 RGBA needs 0.5 MiB).
const MAX_DECODE_ALLOC: u64 = 16 << 20;
pub const MAX_NAME_CHARS: usize = 64;
/// The locales the product has (`translations/<locale>/`).
pub const LOCALES: &[&str] = &["en-US", "de", "fr"];
/// Ringers a package may replace (the choices of `ring_sound`).
pub const RINGERS: &[&str] = &[
    "Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8",
    "Ringer9", "Ringer10",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    #[error("the package is larger than {} MiB", MAX_PACKAGE_BYTES >> 20)]
    TooLarge,
    #[error("this is not a customisation package: expected a .tar.gz or .tar archive{0}")]
    NotAnArchive(String),
    #[error("the archive is damaged: {0}")]
    Damaged(String),
    #[error(
        "the archive unpacks to more than {} MiB (a decompression bomb?)",
        MAX_UNPACKED_BYTES >> 20
    )]
    Bomb,
    #[error("the archive has more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error("`{0}` is an absolute path: a package holds relative paths only")]
    AbsolutePath(String),
    #[error("`{0}` climbs out of the package (`..`)")]
    ParentPath(String),
    #[error("`{0}` is not a usable path (empty, backslash or not UTF-8)")]
    BadPath(String),
    #[error("`{0}` is a link: a package holds plain files only")]
    Link(String),
    #[error("`{0}` is not a plain file")]
    NotAFile(String),
    #[error("`{0}` appears twice")]
    Duplicate(String),
    #[error("`{path}` is {size} bytes; at most {max} are allowed")]
    FileTooLarge { path: String, size: u64, max: u64 },
    #[error("the package has no manifest.json")]
    NoManifest,
    #[error("manifest.json: {0}")]
    Manifest(String),
    #[error("this package is for {models}, not for this {model}")]
    OtherModel { models: String, model: String },
    #[error("`{0}` is named in manifest.json but not in the archive")]
    Missing(String),
    #[error("`{0}` is not named in manifest.json")]
    Unnamed(String),
    #[error("`{path}` is not an image ({expected})")]
    NotAnImage { path: String, expected: String },
    #[error("`{path}` is a {found} image; {role} must be {expected}")]
    WrongImageType {
        path: String,
        found: String,
        role: &'static str,
        expected: String,
    },
    #[error(
        "`{path}` is {width}×{height} pixels; the {role} of this {model} may be at most {max_width}×{max_height}"
    )]
    Dimensions {
        path: String,
        width: u32,
        height: u32,
        role: &'static str,
        model: String,
        max_width: u32,
        max_height: u32,
    },
    #[error("`{path}` is not a valid image: {reason}")]
    CorruptImage { path: String, reason: String },
    #[error("`{path}` is an SVG the phone does not show: {reason}")]
    UnsafeSvg { path: String, reason: String },
    #[error("this {0} has a monochrome display: a package for it has no wallpaper")]
    NoWallpaperOnMono(String),
    #[error("`{path}` is not a usable ringtone: {reason}")]
    BadRingtone { path: String, reason: String },
    #[error("`{path}`: {reason}")]
    BadLanguageFile { path: String, reason: String },
}

/// `manifest.json` as written in a package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colours: Option<Colours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallpaper: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ringtones: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// One file of a checked package under the name the phone stores it as (never a
/// name from the archive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// `logo.png`, `wallpaper.jpg`, `ringtones/Ringer1.wav`, `lang/de/phone.ftl`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A package that passed every check: what to store and what the state shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedPackage {
    /// The first 16 hex digits of the package's SHA256.
    pub id: String,
    pub name: String,
    pub company_name: Option<String>,
    pub colours: Option<Colours>,
    pub logo: Option<String>,
    pub wallpaper: Option<String>,
    pub ringtones: Vec<String>,
    pub languages: Vec<String>,
    pub files: Vec<StoredFile>,
}

/// The product's default language files, to check an uploaded one against: by locale
/// and file name, the message ids it defines. Empty when the UI bundle is missing;
/// then names and ids are not checked.
#[derive(Clone, Debug, Default)]
pub struct KnownLanguages {
    pub files: BTreeMap<String, BTreeSet<String>>,
}

impl KnownLanguages {
    /// Reads the en-US files' ids; `file_name → ids`.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let files = files
            .into_iter()
            .map(|(name, text)| (name.to_owned(), message_ids(text)))
            .collect();
        KnownLanguages { files }
    }
}

fn message_ids(text: &str) -> BTreeSet<String> {
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            fluent_syntax::ast::Entry::Term(t) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect()
}

/// Reads and checks a whole package for `model`. Nothing is written anywhere.
pub fn check(
    bytes: &[u8],
    model: &Model,
    known: &KnownLanguages,
) -> Result<CheckedPackage, PackageError> {
    if bytes.len() > MAX_PACKAGE_BYTES {
        return Err(PackageError::TooLarge);
    }
    let entries = read_archive(bytes)?;
    let manifest_bytes = entries
        .get("manifest.json")
        .ok_or(PackageError::NoManifest)?;
    if manifest_bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(PackageError::FileTooLarge {
            path: "manifest.json".into(),
            size: manifest_bytes.len() as u64,
            max: MAX_MANIFEST_BYTES,
        });
    }
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| PackageError::Manifest(e.to_string()))?;
    check_manifest(&manifest, model)?;

    let mut named: BTreeSet<String> = BTreeSet::from(["manifest.json".to_owned()]);
    let mut file = |path: &str| -> Result<&[u8], PackageError> {
        named.insert(path.to_owned());
        entries
            .get(path)
            .map(Vec::as_slice)
            .ok_or_else(|| PackageError::Missing(path.to_owned()))
    };
    let mut files = Vec::new();
    let mut logo = None;
    if let Some(path) = &manifest.logo {
        let bytes = file(path)?;
        let ext = check_logo(path, bytes, model)?;
        let name = format!("logo.{ext}");
        files.push(StoredFile {
            name: name.clone(),
            bytes: bytes.to_vec(),
        });
        logo = Some(name);
    }
    let mut wallpaper = None;
    if let Some(path) = &manifest.wallpaper {
        let bytes = file(path)?;
        let ext = check_wallpaper(path, bytes, model)?;
        let name = format!("wallpaper.{ext}");
        files.push(StoredFile {
            name: name.clone(),
            bytes: bytes.to_vec(),
        });
        wallpaper = Some(name);
    }
    let mut ringtones = Vec::new();
    for (ringer, path) in &manifest.ringtones {
        let bytes = file(path)?;
        check_ringtone(path, bytes)?;
        files.push(StoredFile {
            name: format!("ringtones/{ringer}.wav"),
            bytes: bytes.to_vec(),
        });
        ringtones.push(ringer.clone());
    }
    let mut languages = Vec::new();
    for path in &manifest.languages {
        let bytes = file(path)?;
        let (locale, name) = check_language(path, bytes, known)?;
        let stored = format!("{locale}/{name}");
        if languages.contains(&stored) {
            return Err(PackageError::Manifest(format!(
                "two language files for {stored}"
            )));
        }
        files.push(StoredFile {
            name: format!("lang/{stored}"),
            bytes: bytes.to_vec(),
        });
        languages.push(stored);
    }
    if let Some(extra) = entries.keys().find(|k| !named.contains(*k)) {
        return Err(PackageError::Unnamed(extra.clone()));
    }
    let digest = Sha256::digest(bytes);
    let id: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(CheckedPackage {
        id,
        name: manifest.name,
        company_name: manifest.company_name,
        colours: manifest.colours,
        logo,
        wallpaper,
        ringtones,
        languages,
        files,
    })
}

/// Counts what the decompressor hands out and stops past [`MAX_UNPACKED_BYTES`].
struct Bounded<R> {
    inner: R,
    read: u64,
    exceeded: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Tar's own padding and headers count too: a bomb of empty blocks is stopped.
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_UNPACKED_BYTES + 64 * 1024 {
            self.exceeded.set(true);
            return Err(std::io::Error::other("unpacked size bound exceeded"));
        }
        Ok(n)
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Every file of the archive by its normalised path; refuses what a package must not
/// hold before reading a byte of it.
fn read_archive(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, PackageError> {
    let exceeded = std::rc::Rc::new(std::cell::Cell::new(false));
    let reader: Box<dyn Read> = if bytes.starts_with(GZIP_MAGIC) {
        Box::new(flate2::read::GzDecoder::new(Cursor::new(bytes)))
    } else if bytes.len() >= 512 && &bytes[257..262] == b"ustar" {
        Box::new(Cursor::new(bytes))
    } else {
        return Err(PackageError::NotAnArchive(what_it_is(bytes)));
    };
    let bounded = Bounded {
        inner: reader,
        read: 0,
        exceeded: exceeded.clone(),
    };
    let mut archive = tar::Archive::new(bounded);
    let damaged = |e: std::io::Error| {
        if exceeded.get() {
            PackageError::Bomb
        } else {
            PackageError::Damaged(e.to_string())
        }
    };
    let mut files = BTreeMap::new();
    let mut entries = 0usize;
    let mut total = 0u64;
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(PackageError::TooManyEntries);
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = normalise(&raw)?;
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(PackageError::Link(raw));
        }
        if kind.is_dir() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(PackageError::NotAFile(raw));
        }
        let size = entry.header().size().map_err(damaged)?;
        if size > MAX_FILE_BYTES {
            return Err(PackageError::FileTooLarge {
                path: raw,
                size,
                max: MAX_FILE_BYTES,
            });
        }
        total += size;
        if total > MAX_UNPACKED_BYTES {
            return Err(PackageError::Bomb);
        }
        let mut content = Vec::with_capacity(size as usize);
        entry
            .by_ref()
            .take(size)
            .read_to_end(&mut content)
            .map_err(damaged)?;
        if content.len() as u64 != size {
            return Err(PackageError::Damaged(format!("`{raw}` is cut short")));
        }
        if files.insert(path, content).is_some() {
            return Err(PackageError::Duplicate(raw));
        }
    }
    Ok(files)
}

/// A short hint of what a file that is not an archive is.
fn what_it_is(bytes: &[u8]) -> String {
    let kind = match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => "a PNG image",
        Ok(ImageFormat::Jpeg) => "a JPEG image",
        Ok(ImageFormat::Gif) => "a GIF image",
        Ok(_) => "an image",
        Err(_) if bytes.starts_with(b"PK\x03\x04") => "a ZIP archive",
        Err(_) if bytes.starts_with(b"RIFF") => "a RIFF (WAV) file",
        Err(_) if bytes.starts_with(b"BZh") => "a bzip2 file",
        Err(_) if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z']) => "an xz file",
        Err(_) => return String::new(),
    };
    format!(" (this is {kind})")
}

/// `./a/b` → `a/b`; refuses absolute paths, `..`, backslashes and empty names.
fn normalise(raw: &str) -> Result<String, PackageError> {
    if raw.starts_with('/') {
        return Err(PackageError::AbsolutePath(raw.to_owned()));
    }
    if raw.contains('\\') || raw.contains('\u{fffd}') || raw.chars().any(char::is_control) {
        return Err(PackageError::BadPath(raw.to_owned()));
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(PackageError::ParentPath(raw.to_owned())),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(PackageError::BadPath(raw.to_owned()));
    }
    Ok(parts.join("/"))
}

fn check_manifest(manifest: &Manifest, model: &Model) -> Result<(), PackageError> {
    let bad = |m: String| Err(PackageError::Manifest(m));
    if manifest.format != 1 {
        return bad(format!(
            "format {} is not known (this phone reads format 1)",
            manifest.format
        ));
    }
    check_text("name", &manifest.name)?;
    if manifest.name.trim().is_empty() {
        return bad("the package needs a name".into());
    }
    if !manifest.models.is_empty() && !manifest.models.iter().any(|m| m == model.name) {
        return Err(PackageError::OtherModel {
            models: manifest.models.join(", "),
            model: model.name.to_owned(),
        });
    }
    if let Some(company) = &manifest.company_name {
        check_text("company_name", company)?;
    }
    if let Some(colours) = &manifest.colours {
        for (name, value) in [
            ("background", &colours.background),
            ("text", &colours.text),
            ("accent", &colours.accent),
        ] {
            let hex = value.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return bad(format!(
                    "colour `{name}` is `{value}`; expected #rrggbb, e.g. #1a2b3c"
                ));
            }
        }
    }
    if manifest.wallpaper.is_some() && !model.colour {
        return Err(PackageError::NoWallpaperOnMono(model.name.to_owned()));
    }
    for ringer in manifest.ringtones.keys() {
        if !RINGERS.contains(&ringer.as_str()) {
            return bad(format!("`{ringer}` is not a ringer (Ringer1 … Ringer10)"));
        }
    }
    Ok(())
}

fn check_text(field: &str, value: &str) -> Result<(), PackageError> {
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(PackageError::Manifest(format!(
            "`{field}` is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(PackageError::Manifest(format!(
            "`{field}` holds control characters"
        )));
    }
    Ok(())
}

fn format_name(format: ImageFormat) -> String {
    format!("{format:?}").to_uppercase()
}

/// Checks a raster image's type, its dimensions from the header (before any pixel is
/// decoded: a 30,000×30,000 image is refused here), then decodes it with a memory
/// bound so a damaged file is refused too. Returns the file extension to store.
fn check_raster(
    path: &str,
    bytes: &[u8],
    role: &'static str,
    allowed: &[ImageFormat],
    max: (u32, u32),
    model: &Model,
) -> Result<&'static str, PackageError> {
    let expected = allowed
        .iter()
        .map(|f| format_name(*f))
        .collect::<Vec<_>>()
        .join(" or ");
    let format = image::guess_format(bytes).map_err(|_| PackageError::NotAnImage {
        path: path.to_owned(),
        expected: expected.clone(),
    })?;
    if !allowed.contains(&format) {
        return Err(PackageError::WrongImageType {
            path: path.to_owned(),
            found: format_name(format),
            role,
            expected,
        });
    }
    let corrupt = |e: image::ImageError| PackageError::CorruptImage {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    // The header alone gives the dimensions (no pixel is decoded, nothing allocated
    // by size), so the refusal can name them.
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(corrupt)?;
    if width > max.0 || height > max.1 || width == 0 || height == 0 {
        return Err(PackageError::Dimensions {
            path: path.to_owned(),
            width,
            height,
            role,
            model: model.name.to_owned(),
            max_width: max.0,
            max_height: max.1,
        });
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max.0);
    limits.max_image_height = Some(max.1);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(corrupt)?;
    Ok(match format {
        ImageFormat::Jpeg => "jpg",
        _ => "png",
    })
}

fn size_bound(path: &str, bytes: &[u8], max: u64) -> Result<(), PackageError> {
    if bytes.len() as u64 > max {
        return Err(PackageError::FileTooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(())
}

/// The largest logo for `model`.
fn logo_bounds(model: &Model) -> (u32, u32) {
    (
        MAX_LOGO_SIDE.min(model.display_width),
        MAX_LOGO_SIDE.min(model.display_height),
    )
}

/// A wallpaper: PNG or JPEG, at most the display's size.
pub fn check_wallpaper(
    path: &str,
    bytes: &[u8],
    model: &Model,
) -> Result<&'static str, PackageError> {
    if !model.colour {
        return Err(PackageError::NoWallpaperOnMono(model.name.to_owned()));
    }
    size_bound(path, bytes, MAX_WALLPAPER_BYTES)?;
    check_raster(
        path,
        bytes,
        "wallpaper",
        &[ImageFormat::Png, ImageFormat::Jpeg],
        (model.display_width, model.display_height),
        model,
    )
}

/// A logo: PNG, or an SVG without scripts or outside references.
fn check_logo(path: &str, bytes: &[u8], model: &Model) -> Result<&'static str, PackageError> {
    size_bound(path, bytes, MAX_LOGO_BYTES)?;
    let max = logo_bounds(model);
    if looks_like_svg(bytes) {
        check_svg(path, bytes, max, model)?;
        return Ok("svg");
    }
    check_raster(path, bytes, "logo", &[ImageFormat::Png], max, model).map_err(|e| match e {
        PackageError::NotAnImage { path, .. } => PackageError::NotAnImage {
            path,
            expected: "PNG or SVG".into(),
        },
        PackageError::WrongImageType {
            path, found, role, ..
        } => PackageError::WrongImageType {
            path,
            found,
            role,
            expected: "PNG or SVG".into(),
        },
        e => e,
    })
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<svg") || text.starts_with("<?xml")
}

/// An SVG logo is shown through `<img>` (where SVG scripts never run) and served with
/// a CSP that forbids everything, but it is refused anyway when it holds scripts,
/// event handlers, outside references or a DTD: the file may be used elsewhere.
fn check_svg(path: &str, bytes: &[u8], max: (u32, u32), model: &Model) -> Result<(), PackageError> {
    use quick_xml::events::Event;
    let unsafe_svg = |reason: String| PackageError::UnsafeSvg {
        path: path.to_owned(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| unsafe_svg("it is not UTF-8".into()))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| unsafe_svg(format!("not well-formed XML: {e}")))?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::DocType(_) => return Err(unsafe_svg("it has a DOCTYPE".into())),
            Event::PI(_) => return Err(unsafe_svg("it has a processing instruction".into())),
            Event::Eof => break,
            _ => continue,
        };
        let name = element.local_name().as_ref().to_ascii_lowercase();
        if !root_seen {
            if name != "svg" {
                return Err(unsafe_svg(format!("its root is <{name}>, not <svg>")));
            }
            root_seen = true;
            let (mut width, mut height) = (None, None);
            for attribute in element.attributes() {
                let attribute =
                    attribute.map_err(|e| unsafe_svg(format!("a bad attribute: {e}")))?;
                let value = attribute.value.to_string();
                match attribute.key.local_name().as_ref() {
                    "width" => width = svg_length(&value),
                    "height" => height = svg_length(&value),
                    _ => {}
                }
            }
            let (Some(width), Some(height)) = (width, height) else {
                return Err(unsafe_svg(
                    "its <svg> needs width and height in pixels".into(),
                ));
            };
            if width > max.0 || height > max.1 || width == 0 || height == 0 {
                return Err(PackageError::Dimensions {
                    path: path.to_owned(),
                    width,
                    height,
                    role: "logo",
                    model: model.name.to_owned(),
                    max_width: max.0,
                    max_height: max.1,
                });
            }
        }
        if matches!(
            name.as_str(),
            "script" | "foreignobject" | "iframe" | "embed" | "object"
        ) {
            return Err(unsafe_svg(format!("it has a <{name}> element")));
        }
        for attribute in element.attributes() {
            let attribute = attribute.map_err(|e| unsafe_svg(format!("a bad attribute: {e}")))?;
            let key = attribute.key.local_name().as_ref().to_ascii_lowercase();
            let value = attribute.value.to_ascii_lowercase();
            if value.contains("&#") {
                // A character reference could spell a reference the checks below miss.
                return Err(unsafe_svg(format!(
                    "`{key}` hides characters behind references"
                )));
            }
            if key.starts_with("on") {
                return Err(unsafe_svg(format!("it has an event handler ({key})")));
            }
            if key == "href" && !value.trim_start().starts_with('#') {
                return Err(unsafe_svg(format!(
                    "it refers to something outside itself ({value})"
                )));
            }
            if value.contains("url(") && !value.contains("url(#") {
                return Err(unsafe_svg("it refers to an outside resource".into()));
            }
        }
    }
    if !root_seen {
        return Err(unsafe_svg("it has no <svg> element".into()));
    }
    Ok(())
}

/// `32`, `32px`, `32.0` → 32; other units are refused.
fn svg_length(value: &str) -> Option<u32> {
    let number = value.trim().strip_suffix("px").unwrap_or(value.trim());
    let n: f64 = number.parse().ok()?;
    (n.is_finite() && (0.0..=1e6).contains(&n)).then(|| n.ceil() as u32)
}

/// A ringtone: PCM WAV, mono or stereo, 8–48 kHz, 8 or 16 bits, at most 30 s, every
/// sample present.
fn check_ringtone(path: &str, bytes: &[u8]) -> Result<(), PackageError> {
    size_bound(path, bytes, MAX_RINGTONE_BYTES)?;
    let bad = |reason: String| PackageError::BadRingtone {
        path: path.to_owned(),
        reason,
    };
    let reader = hound::WavReader::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a WAV file ({e})")))?;
    let spec = reader.spec();
    if spec.sample_format != hound::SampleFormat::Int || !matches!(spec.bits_per_sample, 8 | 16) {
        return Err(bad("it must be 8 or 16-bit PCM".into()));
    }
    if !(1..=2).contains(&spec.channels) || !(8000..=48_000).contains(&spec.sample_rate) {
        return Err(bad(format!(
            "{} channels at {} Hz; mono or stereo at 8–48 kHz expected",
            spec.channels, spec.sample_rate
        )));
    }
    let seconds = reader.duration() / spec.sample_rate;
    if seconds > MAX_RINGTONE_SECONDS {
        return Err(bad(format!(
            "it plays {seconds} s; at most {MAX_RINGTONE_SECONDS} s"
        )));
    }
    let expected = reader.len();
    let mut read = 0u32;
    for sample in reader.into_samples::<i16>() {
        sample.map_err(|e| bad(format!("damaged sample data ({e})")))?;
        read += 1;
    }
    if read != expected {
        return Err(bad("it is cut short".into()));
    }
    Ok(())
}

/// A language file: `lang/<locale>/<file>.ftl`, UTF-8 Fluent without syntax errors;
/// when the product's files are known, the file must be one of them and every id one
/// the product uses (a misspelt id would silently do nothing).
fn check_language(
    path: &str,
    bytes: &[u8],
    known: &KnownLanguages,
) -> Result<(String, String), PackageError> {
    let bad = |reason: String| PackageError::BadLanguageFile {
        path: path.to_owned(),
        reason,
    };
    size_bound(path, bytes, MAX_LANGUAGE_BYTES)?;
    let parts: Vec<&str> = path.split('/').collect();
    let [_, locale, name] = parts.as_slice() else {
        return Err(bad("language files go into lang/<locale>/<file>.ftl".into()));
    };
    if !LOCALES.contains(locale) {
        return Err(bad(format!(
            "`{locale}` is not a language of this phone ({})",
            LOCALES.join(", ")
        )));
    }
    let valid_name = name.strip_suffix(".ftl").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    });
    if !valid_name {
        return Err(bad("the file name must be like `phone.ftl`".into()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| bad(format!("not UTF-8 (at byte {})", e.valid_up_to())))?;
    if let Err((_, errors)) = fluent_syntax::parser::parse(text) {
        let first = &errors[0];
        let line = text[..first.pos.start.min(text.len())]
            .matches('\n')
            .count()
            + 1;
        return Err(bad(format!("line {line}: {:?}", first.kind)));
    }
    if !known.files.is_empty() {
        let Some(ids) = known.files.get(*name) else {
            return Err(bad(format!(
                "the phone has no language file `{name}` ({})",
                known.files.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        };
        if let Some(unknown) = message_ids(text).iter().find(|id| !ids.contains(*id)) {
            return Err(bad(format!("`{unknown}` is not a message of {name}")));
        }
    }
    Ok(((*locale).to_owned(), (*name).to_owned()))
}

/// Writes a package archive (tar.gz) of `files` (`path → bytes`), `manifest.json`
/// first. For the default package and the tests.
pub fn build(manifest: &Manifest, files: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut archive = tar::Builder::new(encoder);
    let manifest = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let mut add = |path: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mtime(0);
        archive.append_data(&mut header, path, bytes)
    };
    add("manifest.json", &manifest)?;
    for (path, bytes) in files {
        add(path, bytes)?;
    }
    archive.into_inner()?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> &'static Model {
        deskphone_settings::models::model("DP480C").unwrap()
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn manifest() -> Manifest {
        Manifest {
            format: 1,
            name: "Test".into(),
            ..Manifest::default()
        }
    }

    #[test]
    fn a_good_package_passes() {
        let mut m = manifest();
        m.company_name = Some("Acme".into());
        m.wallpaper = Some("img/bg.png".into());
        m.logo = Some("logo.svg".into());
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="8" fill="#f80"/></svg>"##;
        let bytes = build(
            &m,
            &[
                ("img/bg.png".into(), png(480, 272)),
                ("logo.svg".into(), svg.to_vec()),
            ],
        )
        .unwrap();
        let checked = check(&bytes, model(), &KnownLanguages::default()).unwrap();
        assert_eq!(checked.wallpaper.as_deref(), Some("wallpaper.png"));
        assert_eq!(checked.logo.as_deref(), Some("logo.svg"));
        assert_eq!(checked.company_name.as_deref(), Some("Acme"));
    }

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(normalise("./a//b").unwrap(), "a/b");
        assert!(matches!(
            normalise("/etc/passwd"),
            Err(PackageError::AbsolutePath(_))
        ));
        assert!(matches!(
            normalise("a/../../x"),
            Err(PackageError::ParentPath(_))
        ));
        assert!(matches!(normalise("a\\b"), Err(PackageError::BadPath(_))));
    }

    #[test]
    fn wallpaper_larger_than_the_display_is_refused() {
        let e = check_wallpaper("bg.png", &png(481, 10), model()).unwrap_err();
        assert!(
            matches!(e, PackageError::Dimensions { width: 481, .. }),
            "{e}"
        );
    }

    #[test]
    fn svg_with_script_is_refused() {
        let svg = br#"<svg width="10" height="10"><script>alert(1)</script></svg>"#;
        assert!(matches!(
            check_svg("l.svg", svg, (256, 256), model()),
            Err(PackageError::UnsafeSvg { .. })
        ));
        let svg = br#"<svg width="10" height="10"><image href="http://x/y.png"/></svg>"#;
        assert!(check_svg("l.svg", svg, (256, 256), model()).is_err());
    }

    #[test]
    fn language_ids_are_checked() {
        let known = KnownLanguages::from_files([("phone.ftl", "hello = Hello\n")]);
        assert!(check_language("lang/de/phone.ftl", b"hello = Hallo\n", &known).is_ok());
        let e = check_language("lang/de/phone.ftl", b"helo = Hallo\n", &known).unwrap_err();
        assert!(e.to_string().contains("`helo`"), "{e}");
        let e = check_language("lang/de/phone.ftl", b"hello = { \n", &known).unwrap_err();
        assert!(e.to_string().contains("line"), "{e}");
        assert!(check_language("lang/xx/phone.ftl", b"hello = Hallo\n", &known).is_err());
    }
}
