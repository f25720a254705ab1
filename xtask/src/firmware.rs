//! `cargo xtask firmware-image`: a signed firmware image (F1) and the line of the
//! per-model table a release page publishes (model, file name, size, SHA256).
//!
//! The simulator's payload is a tar of the `deskphone` binary and the UI bundle
//! (`ui/`), which is what a slot holds once installed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use deskphone_firmware::semver::Version;

const USAGE: &str = "usage: cargo xtask firmware-image --model M --version V --bin PATH --ui DIR \
[--minimum V] [--intermediate V [--intermediate-url URL]] [--key FILE] [--out FILE]";

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut model = None;
    let mut version = None;
    let mut minimum = None;
    let mut intermediate = None;
    let mut intermediate_url = None;
    let mut bin = None;
    let mut ui = None;
    let mut key = root.join("tests/keys/dev-firmware-signing.key");
    let mut out = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--model" => model = Some(value.clone()),
            "--version" => version = Some(parse_version(value)?),
            "--minimum" => minimum = Some(parse_version(value)?),
            "--intermediate" => intermediate = Some(parse_version(value)?),
            "--intermediate-url" => intermediate_url = Some(value.clone()),
            "--bin" => bin = Some(PathBuf::from(value)),
            "--ui" => ui = Some(PathBuf::from(value)),
            "--key" => key = PathBuf::from(value),
            "--out" => out = Some(PathBuf::from(value)),
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    let (Some(model), Some(version), Some(bin), Some(ui)) = (model, version, bin, ui) else {
        bail!("{USAGE}");
    };
    if deskphone_settings::models::model(&model).is_none() {
        bail!("unknown model `{model}`");
    }
    let release = deskphone_firmware::Release {
        model: model.clone(),
        version: version.clone(),
        minimum: minimum.unwrap_or(Version::new(0, 0, 0)),
        intermediate,
        intermediate_url,
        addons: Vec::new(),
    };
    let key_text =
        std::fs::read_to_string(&key).with_context(|| format!("reading {}", key.display()))?;
    let key = deskphone_firmware::signing_key_from_hex(&key_text)
        .with_context(|| format!("{}", key.display()))?;
    let payload = payload_tar(&bin, &ui)?;
    let (manifest, image) = deskphone_firmware::build_image(&release, &payload, &key);
    let out = out.unwrap_or_else(|| PathBuf::from(format!("deskphone-{model}-{version}.img")));
    std::fs::write(&out, &image).with_context(|| format!("writing {}", out.display()))?;
    let file_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!("| model | file | size (bytes) | SHA256 |");
    println!("|---|---|---|---|");
    println!(
        "{}",
        deskphone_firmware::release_table_line(
            &manifest.model,
            &file_name,
            image.len() as u64,
            &deskphone_firmware::sha256_hex(&image)
        )
    );
    Ok(())
}

fn parse_version(s: &str) -> anyhow::Result<Version> {
    Version::parse(s).with_context(|| format!("`{s}` is not a version (semver, e.g. 1.2.0)"))
}

/// `deskphone` and `ui/…` in a tar, as a slot holds them.
pub fn payload_tar(bin: &Path, ui: &Path) -> anyhow::Result<Vec<u8>> {
    if !ui.join("index.html").is_file() {
        bail!("{} is not a UI bundle (no index.html)", ui.display());
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(true);
    tar.append_path_with_name(bin, "deskphone")
        .with_context(|| format!("adding {}", bin.display()))?;
    tar.append_dir_all("ui", ui)
        .with_context(|| format!("adding {}", ui.display()))?;
    Ok(tar.into_inner()?)
}
