//! Project chores, run with cargo alone: `cargo xtask <task>`.
//!
//! - `demo`: install what the phone needs from Debian, build, start two
//!   simulated phones (alice and bob) on loopback.
//! - `test`: install the test tools (Chromium, SIPp, …), build the UI
//!   bundle and the runtime, run every test.
//! - `build-ui [--release]`: the WebAssembly UI bundle into `target/ui`.
//! - `settings-doc`: write `docs/settings.md` from the settings table (a test in
//!   `deskphone-settings` fails when the committed file differs).
//! - `figures`: print the measured figures (bundle size, idle RSS, key to
//!   frame latency).
mod build_ui;
mod debian;
mod figures;
mod firmware;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Debian packages the phone needs to build and run (cpal links ALSA; Opus is
/// Debian's libopus, found by pkg-config). The display engine is native (Blitz): no
/// browser is needed to run a phone.
const RUN_PACKAGES: &[&str] = &["pkg-config", "libasound2-dev", "libopus-dev"];
/// What the tests need on top: the real SIP peers (SIPp, kamailio,
/// baresip), a DNS server (dnsmasq), all run on loopback by the tests, and
/// openssl to make the TLS test certificates.
const TEST_PACKAGES: &[&str] = &[
    // The reference engine of the display tests and the web UI's browser.
    "chromium",
    "sip-tester",
    "kamailio",
    "baresip-core",
    "dnsmasq-base",
    "kamailio-tls-modules",
    "openssl",
    // tests/tests/auth.rs: HTTP Digest and Basic as existing phone scripts send them.
    "curl",
    // tests/tests/relay.rs: speech to send through the jitter relay, at 8 kHz.
    "espeak-ng",
    "sox",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("build-ui") => {
            ensure_wasm_target(&root)?;
            let release = args.iter().any(|a| a == "--release");
            let out = build_ui::build(&root, release)?;
            println!("UI bundle in {}", out.display());
            Ok(())
        }
        Some("demo") => demo(&root),
        Some("test") => test(&root, &args[1..]),
        Some("figures") => figures::run(&root),
        Some("firmware-image") => firmware::run(&root, &args[1..]),
        Some("settings-doc") => {
            let path = root.join("docs/settings.md");
            std::fs::write(&path, deskphone_settings::reference::markdown())
                .with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Some("install-deps") => {
            ensure_wasm_target(&root)?;
            debian::ensure(RUN_PACKAGES)?;
            debian::ensure(TEST_PACKAGES)
        }
        _ => {
            bail!(
                "usage: cargo xtask demo | test | build-ui [--release] | figures | firmware-image | settings-doc | install-deps"
            )
        }
    }
}

/// The wasm32 target of the pinned toolchain. rust-toolchain.toml names it,
/// but rustup installs it only when the toolchain itself is installed
/// (and not at all with `RUSTUP_AUTO_INSTALL=0`), so make sure here.
pub fn ensure_wasm_target(root: &Path) -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .current_dir(root)
        .args(["target", "list", "--installed"])
        .output()
        .context("cannot run rustup")?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run_checked(Command::new("rustup").current_dir(root).args([
        "target",
        "add",
        "wasm32-unknown-unknown",
    ]))
}

pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

pub fn run_checked(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Builds the `deskphone` binary and returns its path.
pub fn build_runtime(root: &Path, release: bool) -> anyhow::Result<PathBuf> {
    let mut cmd = cargo();
    cmd.current_dir(root)
        .args(["build", "-p", "deskphone-runtime", "--bin", "deskphone"]);
    if release {
        cmd.arg("--release");
    }
    run_checked(&mut cmd)?;
    Ok(target_dir(root)
        .join(if release { "release" } else { "debug" })
        .join("deskphone"))
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Kills the phones when the demo ends, however it ends.
struct Phones(Vec<Child>);

impl Drop for Phones {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn demo(root: &Path) -> anyhow::Result<()> {
    debian::ensure(RUN_PACKAGES)?;
    ensure_wasm_target(root)?;
    let ui = build_ui::build(root, false)?;
    let bin = build_runtime(root, false)?;
    let data = root.join("demo-data");
    // One fresh web password per demo run for both phones, given through the
    // environment (not argv, which other users of the machine can read).
    let mut bytes = [0u8; 9];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut phones = Phones(Vec::new());
    // Each phone's microphone is a tone, so each hears the other in its
    // recording (demo-data/<name>/recordings/).
    for (name, real, sip, http, tone) in [
        ("alice", "Alice", 5061, 8081, 440),
        ("bob", "Bob", 5062, 8082, 1000),
    ] {
        let child = Command::new(&bin)
            .arg("--data-dir")
            .arg(data.join(name))
            .args(["--http", &format!("127.0.0.1:{http}")])
            .args(["--sip", &format!("127.0.0.1:{sip}")])
            .arg("--ui-dir")
            .arg(&ui)
            .args(["--sim-input", &format!("tone:{tone}")])
            .args(["--set", &format!("user_name[1]={name}")])
            .args(["--set", &format!("user_realname[1]={real}")])
            .env("DESKPHONE_ADMIN_PASSWORD", &password)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        phones.0.push(child);
    }
    println!(
        "\nTwo simulated phones run on loopback:\n  \
         alice  web http://127.0.0.1:8081/  screen http://127.0.0.1:8081/phone  sip:alice@127.0.0.1:5061\n  \
         bob    web http://127.0.0.1:8082/  screen http://127.0.0.1:8082/phone  sip:bob@127.0.0.1:5062\n\
         Web login of both phones (this run only): user admin, password {password}\n\
         Let alice call bob:  curl -u admin:{password} 'http://127.0.0.1:8081/command.htm?number=bob@127.0.0.1:5062'\n\
         Bob answers:         curl -u admin:{password} 'http://127.0.0.1:8082/command.htm?key=OFFHOOK'\n\
         Hang up:             curl -u admin:{password} 'http://127.0.0.1:8082/command.htm?key=ONHOOK'\n\
         Press Ctrl-C to stop both phones.\n"
    );
    for child in &mut phones.0 {
        let status = child.wait()?;
        if !status.success() {
            bail!("a phone stopped: {status}");
        }
    }
    Ok(())
}

fn test(root: &Path, extra: &[String]) -> anyhow::Result<()> {
    debian::ensure(RUN_PACKAGES)?;
    debian::ensure(TEST_PACKAGES)?;
    ensure_wasm_target(root)?;
    let ui = build_ui::build(root, false)?;
    let bin = build_runtime(root, false)?;
    let mut cmd = cargo();
    cmd.current_dir(root)
        .args(["test", "--workspace", "--exclude", "deskphone-ui"])
        .args(extra)
        .env("DESKPHONE_UI_DIR", &ui)
        .env("DESKPHONE_BIN", &bin)
        .env("DESKPHONE_SHARED", root.join("../shared"));
    run_checked(&mut cmd)?;
    // The UI's own tests (translations complete, fallbacks) run natively.
    run_checked(
        cargo()
            .current_dir(root)
            .args(["test", "-p", "deskphone-ui"]),
    )?;
    Ok(())
}
