//! Builds the UI bundle: the `deskphone-ui` crate to wasm, wasm-bindgen (as
//! a library, no CLI to install), optionally `wasm-opt`, plus `public/`.
//!
//! Output, `<root>/target/ui/`:
//! `index.html` and the other files of `public/`, `pkg/deskphone_ui.js`,
//! `pkg/deskphone_ui_bg.wasm`, `branding/` (the assets of
//! `branding/default/`, e.g. `logo.svg`), `translations/<locale>/*.ftl` (for the
//! runtime's default customisation package), and `phone/index.html` (a copy of
//! `index.html`).

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

const CRATE: &str = "deskphone-ui";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Profile of release bundles, defined in the workspace `Cargo.toml`.
const RELEASE_PROFILE: &str = "wasm-release";
/// Older wasm-opt (Debian's 108) produces a module that fails in the browser.
const MIN_WASM_OPT: u32 = 116;

pub fn build(root: &Path, release: bool) -> anyhow::Result<PathBuf> {
    let wasm = compile(root, release)?;
    let out = root.join("target/ui");
    // Assemble next to the old bundle, then swap, so that a runtime serving
    // `target/ui` never sees a half-written bundle for long.
    let staging = root.join("target/ui.new");
    if staging.exists() {
        fs::remove_dir_all(&staging).with_context(|| format!("removing {}", staging.display()))?;
    }
    let pkg = staging.join("pkg");
    fs::create_dir_all(&pkg)?;

    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .omit_default_module_path(false)
        .typescript(false)
        .debug(!release)
        .keep_debug(false)
        .remove_name_section(release)
        .remove_producers_section(release)
        .generate(&pkg)
        .context("wasm-bindgen")?;

    let bg_wasm = pkg.join("deskphone_ui_bg.wasm");
    if release {
        optimise(&bg_wasm)?;
    }
    copy_dir(&root.join("public"), &staging)?;
    copy_branding(&root.join("branding/default"), &staging.join("branding"))?;
    // The language files as they are, for the runtime: the default customisation
    // package a vendor starts from, and the ids an uploaded language file may use.
    let translations = staging.join("translations");
    fs::create_dir_all(&translations)?;
    copy_dir(&root.join("translations"), &translations)?;
    let index = staging.join("index.html");
    if !index.is_file() {
        bail!("public/index.html is missing");
    }
    // `/phone/` as a file too, so that a plain static server (python3 -m
    // http.server) shows the phone face; the runtime routes `/phone` itself.
    fs::create_dir_all(staging.join("phone"))?;
    fs::copy(&index, staging.join("phone/index.html"))?;

    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    fs::rename(&staging, &out)?;
    report(&out)?;
    Ok(out)
}

/// `cargo build` of the UI crate for wasm; returns the `.wasm` path.
fn compile(root: &Path, release: bool) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "-p", CRATE, "--lib", "--target", WASM_TARGET]);
    if release {
        cmd.args(["--profile", RELEASE_PROFILE]);
    }
    let status = cmd.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build of {CRATE} for {WASM_TARGET} failed");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| root.join(d))
        .unwrap_or_else(|| root.join("target"));
    let profile_dir = if release { RELEASE_PROFILE } else { "debug" };
    let wasm = target_dir
        .join(WASM_TARGET)
        .join(profile_dir)
        .join(format!("{}.wasm", CRATE.replace('-', "_")));
    if !wasm.is_file() {
        bail!("{} was not built", wasm.display());
    }
    Ok(wasm)
}

/// The version of the `wasm-opt` on PATH, if there is one.
fn wasm_opt_version() -> Option<u32> {
    let out = Command::new("wasm-opt").arg("--version").output().ok()?;
    // "wasm-opt version 116 (version_116)"
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)?
        .parse()
        .ok()
}

/// Runs `wasm-opt -Oz` when a recent enough one is installed.
fn optimise(wasm: &Path) -> anyhow::Result<()> {
    match wasm_opt_version() {
        None => {
            println!("note: no wasm-opt on PATH; the release wasm is not size-optimised further");
            Ok(())
        }
        Some(v) if v < MIN_WASM_OPT => {
            println!(
                "note: wasm-opt {v} is older than {MIN_WASM_OPT} (known to break the module); skipped"
            );
            Ok(())
        }
        Some(v) => {
            let optimised = wasm.with_extension("opt.wasm");
            let status = Command::new("wasm-opt")
                .arg("-Oz")
                // The features rustc enables by default for wasm32.
                .args([
                    "--enable-bulk-memory",
                    "--enable-mutable-globals",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-reference-types",
                    "--enable-multivalue",
                ])
                .arg(wasm)
                .arg("-o")
                .arg(&optimised)
                .status()
                .context("running wasm-opt")?;
            if !status.success() {
                bail!("wasm-opt {v} failed");
            }
            fs::rename(&optimised, wasm)?;
            println!("wasm-opt {v}: optimised {}", wasm.display());
            Ok(())
        }
    }
}

/// Copies `from` into `to`, recursively, except a stale `pkg/` of `public/`.
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() == "pkg" {
                continue;
            }
            fs::create_dir_all(&dest)?;
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

/// Copies the brand's assets (the logo, …) to `/branding/` of the bundle. Its
/// Fluent terms (`*.ftl`) are compiled into the wasm; they are copied as well, for the
/// runtime's default customisation package.
fn copy_branding(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        if path.is_file() {
            let name = path.file_name().context("a file name")?;
            fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    if !to.join("logo.svg").is_file() {
        bail!("{}/logo.svg is missing", from.display());
    }
    Ok(())
}

/// Prints the bundle's files with raw and gzipped sizes.
fn report(out: &Path) -> anyhow::Result<()> {
    for rel in [
        "index.html",
        "pkg/deskphone_ui.js",
        "pkg/deskphone_ui_bg.wasm",
    ] {
        let bytes = fs::read(out.join(rel)).with_context(|| format!("{rel} missing"))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        let gz = gz.finish()?;
        println!(
            "  {rel:<26} {:>9} bytes ({:>8} gzipped)",
            bytes.len(),
            gz.len()
        );
    }
    Ok(())
}
