//! Shared helpers for the end-to-end tests: start real `deskphone`
//! processes on loopback, talk to them over HTTP and WebSocket.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_protocol::PhoneState;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The `deskphone` binary under test (`cargo xtask test` builds it).
pub fn deskphone_bin() -> anyhow::Result<PathBuf> {
    let bin = std::env::var_os("DESKPHONE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/deskphone"));
    if !bin.exists() {
        bail!(
            "{} does not exist: run the tests with `cargo xtask test`",
            bin.display()
        );
    }
    Ok(bin)
}

/// The UI bundle (`cargo xtask build-ui`).
pub fn ui_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("DESKPHONE_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("ui"));
    if !dir.join("index.html").exists() {
        bail!(
            "no UI bundle in {}: run the tests with `cargo xtask test`",
            dir.display()
        );
    }
    Ok(dir)
}

/// A fresh scratch folder for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("e2e")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running simulated phone; killed on drop.
pub struct TestPhone {
    pub name: String,
    pub http: SocketAddr,
    pub sip: SocketAddr,
    pub data_dir: PathBuf,
    child: Child,
    client: HttpClient,
}

impl Drop for TestPhone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct PhoneOptions<'a> {
    pub user: &'a str,
    pub display_name: &'a str,
    pub sim_input: &'a str,
    pub display: bool,
}

impl TestPhone {
    pub async fn start(name: &str, options: PhoneOptions<'_>) -> anyhow::Result<TestPhone> {
        Self::start_with(name, options, &[]).await
    }

    /// Starts a phone with extra command-line flags.
    pub async fn start_with(
        name: &str,
        options: PhoneOptions<'_>,
        extra: &[&str],
    ) -> anyhow::Result<TestPhone> {
        let bin = deskphone_bin()?;
        let ui = ui_dir()?;
        let data_dir = scratch_dir(name);
        let http: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse()?;
        let sip: SocketAddr = format!("127.0.0.1:{}", free_udp_port()).parse()?;
        let mut cmd = Command::new(bin);
        cmd.arg("--data-dir")
            .arg(&data_dir)
            .args(["--http", &http.to_string(), "--sip", &sip.to_string()])
            .arg("--ui-dir")
            .arg(ui)
            .args(["--sim-input", options.sim_input])
            .args(["--set", &format!("user_name[1]={}", options.user)])
            .args([
                "--set",
                &format!("user_realname[1]={}", options.display_name),
            ])
            .env("RUST_LOG", "info,deskphone_sip=debug,chromiumoxide=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(data_dir.with_extension("log"))?);
        if !options.display {
            cmd.arg("--no-display");
        }
        cmd.args(extra);
        let child = cmd.spawn().context("cannot start deskphone")?;
        let phone = TestPhone {
            name: name.to_owned(),
            http,
            sip,
            data_dir,
            child,
            client: HttpClient,
        };
        phone
            .wait_for("the web server to answer", Duration::from_secs(20), |_| {
                true
            })
            .await?;
        Ok(phone)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log the phone wrote (stderr), for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.with_extension("log")).unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        self.client.get(self.http, path).await
    }

    pub async fn state(&self) -> anyhow::Result<(u64, PhoneState)> {
        let (status, body) = self.get("/api/state").await?;
        if status != 200 {
            bail!("/api/state: HTTP {status}");
        }
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        let seq = v["seq"].as_u64().context("no seq")?;
        Ok((seq, serde_json::from_value(v["state"].clone())?))
    }

    /// Presses a key through `/command.htm` and expects 200.
    pub async fn key(&self, key: &str) -> anyhow::Result<()> {
        let (status, body) = self
            .get(&format!("/command.htm?key={}", urlencode(key)))
            .await?;
        if status != 200 {
            bail!(
                "key {key}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(())
    }

    pub async fn dial(&self, number: &str) -> anyhow::Result<()> {
        let (status, body) = self
            .get(&format!("/command.htm?number={}", urlencode(number)))
            .await?;
        if status != 200 {
            bail!(
                "dial {number}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(())
    }

    /// Polls the state until `pred` holds.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&PhoneState) -> bool,
    ) -> anyhow::Result<PhoneState> {
        let start = Instant::now();
        loop {
            if let Ok((_, state)) = self.state().await
                && pred(&state)
            {
                return Ok(state);
            }
            if start.elapsed() > timeout {
                bail!(
                    "{}: timed out waiting for {what}\n--- log ---\n{}",
                    self.name,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The screen's text and seq from `/screen.txt`, once the display engine
    /// shows a frame whose text satisfies `pred`.
    pub async fn wait_for_screen(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            if let Ok((200, body)) = self.get("/screen.txt").await {
                last = String::from_utf8_lossy(&body).into_owned();
            }
            if pred(&last) {
                return Ok(last);
            }
            if start.elapsed() > timeout {
                bail!(
                    "{}: timed out waiting for the screen to show {what}; last screen:\n{last}\n--- log ---\n{}",
                    self.name,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn sip_uri(&self, user: &str) -> String {
        format!("sip:{user}@{}", self.sip)
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A minimal HTTP/1.0 client for loopback tests (one request per
/// connection), so the tests need no HTTP client crate.
#[derive(Clone, Copy)]
pub struct HttpClient;

impl HttpClient {
    pub async fn get(&self, addr: SocketAddr, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let fut = async {
            let mut s = tokio::net::TcpStream::connect(addr).await?;
            s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
                .await?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).await?;
            let split = buf
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .context("no end of HTTP header")?;
            let head = String::from_utf8_lossy(&buf[..split]);
            let status = head
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .context("no HTTP status")?;
            anyhow::Ok((status, buf[split + 4..].to_vec()))
        };
        tokio::time::timeout(Duration::from_secs(10), fut)
            .await
            .context("HTTP request timed out")?
    }
}

/// Decodes a PNG to (width, height, RGBA pixels).
pub fn decode_png(bytes: &[u8]) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let image = deskphone_runtime::framebuffer::decode_png(bytes)?;
    Ok((image.width, image.height, image.pixels))
}

/// Installs nothing: says which Debian package provides a missing tool.
pub fn require_tool(tool: &str, package: &str) -> anyhow::Result<PathBuf> {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(tool);
        if p.exists() {
            return Ok(p);
        }
    }
    bail!("{tool} is not installed: `cargo xtask test` installs it (Debian package {package})")
}
