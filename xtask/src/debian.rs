//! Installing the Debian packages the phone and its tests need, so that a
//! fresh Debian machine with only Rust can build, run and test.

use std::process::Command;

use anyhow::{Context, bail};

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the packages that are missing (as root), or says exactly what
/// to run.
pub fn ensure(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        bail!(
            "missing Debian packages: {list}\nrun: sudo apt-get update && sudo apt-get install -y {list}"
        );
    }
    println!("installing Debian packages: {list}");
    let update = Command::new("apt-get")
        .args(["update", "-qq"])
        .status()
        .context("cannot run apt-get")?;
    if !update.success() {
        bail!("apt-get update failed");
    }
    let status = Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("cannot run apt-get")?;
    if !status.success() {
        bail!("apt-get install {list} failed");
    }
    Ok(())
}
