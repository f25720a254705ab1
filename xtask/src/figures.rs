//! `cargo xtask figures`: the figures the issues ask for, measured on this
//! machine and printed. Not a test: figures vary with the machine.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::{build_runtime, build_ui, debian};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A plain HTTP/1.0 GET on loopback: status and body.
fn get(addr: SocketAddr, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP header end")?;
    let head = String::from_utf8_lossy(&buf[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("no HTTP status")?;
    Ok((status, buf[split + 4..].to_vec()))
}

fn start_phone(
    bin: &Path,
    ui: &Path,
    dir: &Path,
    extra: &[&str],
) -> anyhow::Result<(Running, SocketAddr)> {
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let sip = format!("127.0.0.1:{}", free_port()?);
    let _ = std::fs::remove_dir_all(dir);
    let child = Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(["--http", &http.to_string(), "--sip", &sip])
        .arg("--ui-dir")
        .arg(ui)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(http, "/api/state").is_err() {
        if Instant::now() > deadline {
            bail!("the phone did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((running, http))
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

fn gzip_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

pub fn run(root: &Path) -> anyhow::Result<()> {
    debian::ensure(crate::RUN_PACKAGES)?;
    crate::ensure_wasm_target(root)?;
    let ui = build_ui::build(root, true)?;
    let bin = build_runtime(root, true)?;
    let scratch = crate::target_dir(root).join("figures");

    println!("\n== UI bundle (release) ==");
    for file in ["pkg/deskphone_ui_bg.wasm", "pkg/deskphone_ui.js"] {
        let bytes = std::fs::read(ui.join(file)).with_context(|| format!("{file} missing"))?;
        println!(
            "{file}: {} bytes raw, {} bytes gzipped",
            bytes.len(),
            gzip_len(&bytes)?
        );
    }

    println!("\n== Runtime idle RSS (release, no browser engine) ==");
    {
        let (phone, _) = start_phone(&bin, &ui, &scratch.join("rss"), &["--no-display"])?;
        std::thread::sleep(Duration::from_secs(2));
        println!("deskphone idle: {} KiB RSS", rss_kib(phone.0.id())?);
    }

    println!("\n== Key press to changed frame at /screen.png ==");
    let (_phone, http) = start_phone(&bin, &ui, &scratch.join("latency"), &[])?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(http, "/screen.png")?.0 != 200 {
        if Instant::now() > deadline {
            bail!("the display engine did not produce a frame (is chromium installed?)");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Let the first frames settle, so the clock tick is not mistaken for ours.
    std::thread::sleep(Duration::from_secs(2));
    let mut samples = Vec::new();
    for i in 0..20 {
        let before = get(http, "/screen.png")?.1;
        let key = if i % 10 == 9 {
            "CANCEL".to_owned()
        } else {
            (i % 10).to_string()
        };
        let start = Instant::now();
        let (status, _) = get(http, &format!("/command.htm?key={key}"))?;
        if status != 200 {
            bail!("key {key}: HTTP {status}");
        }
        loop {
            let (_, now) = get(http, "/screen.png")?;
            if now != before {
                samples.push(start.elapsed());
                break;
            }
            if start.elapsed() > Duration::from_secs(5) {
                bail!("no new frame 5 s after key {key}");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} presses: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        samples.len(),
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
    Ok(())
}
