//! `cargo xtask fuzz [--seconds N] [TARGET...]`: coverage-guided fuzzing of the SIP core
//! with AFL++ through cargo-afl, which works on the pinned stable toolchain (it
//! instruments with LLVM's SanitizerCoverage passes that stable rustc exposes, and
//! builds its AFL++ runtime from the sources in its crate when installed). cargo-fuzz
//! would need a nightly compiler.
//!
//! Targets are `deskphone_sip::fuzz::{datagram, framing, sdp}` (the `fuzz/` crate, its own
//! workspace). The corpus starts from the SIP torture suite
//! (`shared/conformance/sip-torture/*.dat`; for SDP, the bodies of its messages). Each
//! target runs N seconds; the executions, coverage and crashes of each are printed. A
//! crash fails the task: its input belongs in `sip/tests/fuzz-regressions/TARGET/` (run
//! by `sip/tests/fuzz_regressions.rs`) together with the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::{cargo, debian, run_checked};

/// The cargo-afl release the `fuzz/` crate's `afl` dependency matches.
const CARGO_AFL_VERSION: &str = "0.18.2";
const TARGETS: &[&str] = &["datagram", "framing", "sdp"];
/// cargo-afl compiles AFL++ (C) when it is installed.
const BUILD_PACKAGES: &[&str] = &["build-essential"];

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut seconds: u64 = 60;
    let mut targets: Vec<&str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .context("--seconds needs a number")?;
            }
            t => match TARGETS.iter().find(|x| **x == t) {
                Some(known) => targets.push(known),
                None => bail!(
                    "unknown fuzz argument {t:?}; targets: {}",
                    TARGETS.join(", ")
                ),
            },
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    debian::ensure(BUILD_PACKAGES)?;
    ensure_cargo_afl()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("fuzz");
    run_checked(
        cargo()
            .current_dir(root.join("fuzz"))
            .env("CARGO_TARGET_DIR", &target_dir)
            .args(["afl", "build", "--release"]),
    )?;
    let torture = shared_dir(root).join("conformance/sip-torture");
    let messages = torture_messages(&torture)?;
    let mut results = Vec::new();
    for target in targets {
        let seeds = target_dir.join("seeds").join(target);
        write_seeds(&seeds, target, &messages)?;
        let out = target_dir.join("out").join(target);
        if out.exists() {
            std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
        }
        std::fs::create_dir_all(&out)?;
        let log = std::fs::File::create(out.with_extension("log"))?;
        println!("fuzzing {target} for {seconds} s");
        let status = cargo()
            .args(["afl", "fuzz", "-i"])
            .arg(&seeds)
            .arg("-o")
            .arg(&out)
            .args(["-V", &seconds.to_string(), "--"])
            .arg(target_dir.join("release").join(target))
            // No screen, no CPU governor check; a core_pattern that pipes core dumps
            // elsewhere only makes crashes slower to see.
            .env("AFL_NO_UI", "1")
            .env("AFL_SKIP_CPUFREQ", "1")
            .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
            .env("AFL_NO_AFFINITY", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .status()
            .context("cannot run cargo afl fuzz")?;
        if !status.success() {
            bail!(
                "cargo afl fuzz {target} failed with {status}; see {}",
                out.with_extension("log").display()
            );
        }
        let stats = read_stats(&out.join("default/fuzzer_stats"))?;
        let crashes = list_dir(&out.join("default/crashes"));
        results.push((target, stats, crashes));
    }
    println!(
        "\n{:<10} {:>12} {:>10} {:>8} {:>9} {:>8} {:>6}",
        "target", "executions", "execs/s", "corpus", "coverage", "crashes", "hangs"
    );
    let mut crashed = Vec::new();
    for (target, stats, crashes) in &results {
        let get = |k: &str| stats.get(k).map_or("?", String::as_str);
        println!(
            "{:<10} {:>12} {:>10} {:>8} {:>9} {:>8} {:>6}",
            target,
            get("execs_done"),
            get("execs_per_sec"),
            get("corpus_count"),
            get("bitmap_cvg"),
            get("saved_crashes"),
            get("saved_hangs")
        );
        crashed.extend(crashes.iter().map(|c| (*target, c.clone())));
    }
    if !crashed.is_empty() {
        for (target, file) in &crashed {
            println!("crash in {target}: {}", file.display());
        }
        bail!(
            "{} crashing inputs: copy each into sip/tests/fuzz-regressions/TARGET/ and fix",
            crashed.len()
        );
    }
    Ok(())
}

/// cargo-afl at the version the fuzz crate pins, installed through cargo if missing.
fn ensure_cargo_afl() -> anyhow::Result<()> {
    let version = cargo().args(["afl", "--version"]).output();
    let have = version
        .as_ref()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout).contains(&format!("cargo-afl {CARGO_AFL_VERSION}"))
        })
        .unwrap_or(false);
    if have {
        return Ok(());
    }
    println!("installing cargo-afl {CARGO_AFL_VERSION} (builds AFL++, a few minutes)");
    run_checked(cargo().args([
        "install",
        "cargo-afl",
        "--version",
        &format!("={CARGO_AFL_VERSION}"),
        "--locked",
    ]))
}

/// The project's shared folder: `$DESKPHONE_SHARED`, else `shared/` beside the checkout.
fn shared_dir(root: &Path) -> PathBuf {
    std::env::var_os("DESKPHONE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"))
}

/// The torture suite's messages (RFC 4475, RFC 5118), by file name.
fn torture_messages(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for path in list_dir(dir) {
        if path.extension().is_some_and(|e| e == "dat") {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, std::fs::read(&path)?));
        }
    }
    if out.is_empty() {
        bail!(
            "no torture messages in {} (set DESKPHONE_SHARED to the shared folder)",
            dir.display()
        );
    }
    Ok(out)
}

/// Whole messages for the datagram and framing targets; for SDP, the bodies of the
/// messages that carry one.
fn write_seeds(dir: &Path, target: &str, messages: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut n = 0;
    for (name, bytes) in messages {
        let seed = if target == "sdp" {
            match body(bytes) {
                Some(b) if b.starts_with(b"v=") => b.to_vec(),
                _ => continue,
            }
        } else {
            bytes.clone()
        };
        std::fs::write(dir.join(name), seed)?;
        n += 1;
    }
    if n == 0 {
        bail!("no seeds for {target}");
    }
    Ok(())
}

fn body(message: &[u8]) -> Option<&[u8]> {
    let at = message.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some(&message[at + 4..])
}

fn read_stats(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect())
}

/// Files in `dir` (none if it does not exist), without AFL's README.
fn list_dir(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && !p.ends_with("README.txt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_seeds_are_the_bodies_of_messages() {
        assert_eq!(
            body(b"INVITE x SIP/2.0\r\nA: b\r\n\r\nv=0\r\n"),
            Some(&b"v=0\r\n"[..])
        );
        assert_eq!(body(b"no blank line"), None);
    }
}
