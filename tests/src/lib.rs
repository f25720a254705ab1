//! Shared helpers for the end-to-end tests: start real `deskphone`
//! processes on loopback, talk to them over HTTP and WebSocket.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_protocol::{PhoneState, RegistrationState};

mod certs;
pub mod prov_server;
pub mod relay;
pub use certs::make_certificates;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Bench binaries measure the release runtime: without `DESKPHONE_BIN`, this runs the
/// current program again with it pointing at `target/release/deskphone` (the helpers
/// read it at start) and exits with that run's status; with it, it returns at once.
pub fn run_with_release_runtime() -> anyhow::Result<()> {
    if std::env::var_os("DESKPHONE_BIN").is_some() {
        return Ok(());
    }
    let bin = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("release/deskphone");
    anyhow::ensure!(
        bin.exists(),
        "{} does not exist: `cargo build --release -p deskphone-runtime` (or set DESKPHONE_BIN)",
        bin.display()
    );
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .env("DESKPHONE_BIN", bin)
        .status()?;
    std::process::exit(status.code().unwrap_or(1));
}

/// The cargo target folder (`CARGO_TARGET_DIR` or the workspace's `target/`).
pub fn target_dir() -> PathBuf {
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

/// The admin password test phones get (through `DESKPHONE_ADMIN_PASSWORD`, not argv).
pub const ADMIN_PASSWORD: &str = "e2e-Admin-pw";
/// The web server's admin user (the `http_user` default).
pub const ADMIN_USER: &str = "admin";

/// Kills a whole process group (the leader and everything it started) with SIGKILL.
pub fn kill_group(leader: u32) {
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(leader as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// A child started as the leader of its own process group (`process_group(0)`); the
/// whole group is killed on drop, also when a test fails or panics.
pub struct ProcessGroup(pub tokio::process::Child);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            kill_group(pid);
        }
        let _ = self.0.start_kill();
    }
}

/// Processes whose command line has `--user-data-dir=<profile>`: a browser of that
/// profile, with its helpers.
pub fn browser_processes(profile: &Path) -> Vec<i32> {
    deskphone_runtime::display::processes_with_arg(&format!(
        "--user-data-dir={}",
        profile.display()
    ))
}

/// A headless browser for a test; on drop every process of its profile is killed.
pub struct TestBrowser {
    pub headless: deskphone_runtime::browser::HeadlessBrowser,
    pub profile: PathBuf,
}

impl TestBrowser {
    /// A new page of this browser at `path` on `phone`'s web server.
    pub async fn open(&self, phone: &TestPhone, path: &str) -> anyhow::Result<chromiumoxide::Page> {
        Ok(self
            .headless
            .browser
            .new_page(format!("http://{}{path}", phone.http))
            .await?)
    }

    pub async fn launch(name: &str, width: u32, height: u32) -> anyhow::Result<TestBrowser> {
        let exe = deskphone_runtime::browser::find_browser(None)
            .context("chromium is not installed: `cargo xtask test` installs it")?;
        let profile = scratch_dir(name);
        let headless = deskphone_runtime::browser::launch(&exe, width, height, &profile)
            .await
            .map_err(anyhow::Error::msg)?;
        Ok(TestBrowser { headless, profile })
    }
}

impl Drop for TestBrowser {
    fn drop(&mut self) {
        for pid in browser_processes(&self.profile) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// A running simulated phone; its process group (the phone, its display engine's
/// browser) is killed on drop.
pub struct TestPhone {
    pub name: String,
    pub http: SocketAddr,
    pub sip: SocketAddr,
    pub data_dir: PathBuf,
    child: Child,
    pub client: HttpClient,
    launch: Launch,
}

/// How a test phone is started (again, by [`TestPhone::restart`]).
struct Launch {
    bin: PathBuf,
    args: Vec<std::ffi::OsString>,
    /// Given in `DESKPHONE_ADMIN_PASSWORD`, never on the command line.
    admin_password: Option<String>,
}

impl Launch {
    fn spawn(&self, log: std::fs::File) -> anyhow::Result<Child> {
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.args)
            .env("RUST_LOG", "info,deskphone_sip=debug,chromiumoxide=warn")
            .env_remove("DESKPHONE_ADMIN_PASSWORD")
            // Its own process group: dropping the phone kills its browser too.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(password) = &self.admin_password {
            cmd.env("DESKPHONE_ADMIN_PASSWORD", password);
        }
        cmd.spawn().context("cannot start deskphone")
    }
}

impl Drop for TestPhone {
    fn drop(&mut self) {
        kill_group(self.child.id());
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

    /// Starts a phone with extra command-line flags and the admin password
    /// [`ADMIN_PASSWORD`].
    pub async fn start_with(
        name: &str,
        options: PhoneOptions<'_>,
        extra: &[&str],
    ) -> anyhow::Result<TestPhone> {
        Self::start_with_password(name, options, extra, Some(ADMIN_PASSWORD)).await
    }

    /// Starts a phone with extra flags and `admin_password` in `DESKPHONE_ADMIN_PASSWORD`
    /// (`None`: no password given, the phone generates one; the client then has no
    /// credentials until [`HttpClient::set_credentials`]).
    pub async fn start_with_password(
        name: &str,
        options: PhoneOptions<'_>,
        extra: &[&str],
        admin_password: Option<&str>,
    ) -> anyhow::Result<TestPhone> {
        let bin = deskphone_bin()?;
        let ui = ui_dir()?;
        let data_dir = scratch_dir(name);
        let http: SocketAddr = format!("127.0.0.1:{}", free_tcp_port()).parse()?;
        let sip: SocketAddr = format!("127.0.0.1:{}", free_udp_port()).parse()?;
        let mut args: Vec<std::ffi::OsString> = vec!["--data-dir".into(), data_dir.clone().into()];
        for a in [
            "--http",
            &http.to_string(),
            "--sip",
            &sip.to_string(),
            "--ui-dir",
        ] {
            args.push(a.into());
        }
        args.push(ui.into());
        for a in [
            "--sim-input",
            options.sim_input,
            "--set",
            &format!("user_name[1]={}", options.user),
            "--set",
            &format!("user_realname[1]={}", options.display_name),
        ] {
            args.push(a.into());
        }
        if !options.display {
            args.push("--no-display".into());
        }
        args.extend(extra.iter().map(Into::into));
        let launch = Launch {
            bin,
            args,
            admin_password: admin_password.map(str::to_owned),
        };
        let child = launch.spawn(std::fs::File::create(data_dir.with_extension("log"))?)?;
        let phone = TestPhone {
            name: name.to_owned(),
            http,
            sip,
            data_dir,
            child,
            client: HttpClient {
                credentials: admin_password.map(|p| (ADMIN_USER.to_owned(), p.to_owned())),
            },
            launch,
        };
        phone.wait_serving().await?;
        Ok(phone)
    }

    /// Kills the phone (its whole process group) and starts it again with the same
    /// arguments, environment and data folder, as a reboot or power cycle does; the
    /// log goes on in the same file.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Grandchildren (a slot on trial under the launcher, the display engine's
        // browser) hold ports and files until they are gone too.
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let deadline = Instant::now() + Duration::from_secs(5);
        while nix::sys::signal::killpg(group, None).is_ok() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data_dir.with_extension("log"))?;
        self.child = self.launch.spawn(log)?;
        self.wait_serving().await
    }

    /// Waits until the web server answers; the bundle needs no credentials.
    async fn wait_serving(&self) -> anyhow::Result<()> {
        let start = Instant::now();
        while self
            .client
            .request(self.http, &HttpRequest::get("/"))
            .await
            .is_err()
        {
            if start.elapsed() > Duration::from_secs(20) {
                bail!(
                    "{}: the web server did not answer\n--- log ---\n{}",
                    self.name,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
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

/// One HTTP request of [`HttpClient::request`].
#[derive(Clone, Debug, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn get(path: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: path.into(),
            ..HttpRequest::default()
        }
    }

    pub fn post(path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// An HTTP response: status, header fields (names lower-cased) and body.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Every value of header `name` (lower-case).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `Authorization: Basic …` for `user` and `password` (RFC 7617).
pub fn basic_authorization(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A minimal HTTP/1.0 client for loopback tests (one request per
/// connection), so the tests need no HTTP client crate. With credentials it
/// sends them as HTTP Basic on every request, as scripts do.
#[derive(Clone, Debug, Default)]
pub struct HttpClient {
    /// User and password.
    pub credentials: Option<(String, String)>,
}

impl HttpClient {
    pub fn set_credentials(&mut self, user: &str, password: &str) {
        self.credentials = Some((user.to_owned(), password.to_owned()));
    }

    /// The `Authorization` header value for the credentials, if any.
    pub fn authorization(&self) -> Option<String> {
        self.credentials
            .as_ref()
            .map(|(u, p)| basic_authorization(u, p))
    }

    pub async fn get(&self, addr: SocketAddr, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let mut request = HttpRequest::get(path);
        if let Some(a) = self.authorization() {
            request = request.header("Authorization", &a);
        }
        let r = self.request(addr, &request).await?;
        Ok((r.status, r.body))
    }

    /// Sends `request` as it is (no credentials added).
    pub async fn request(
        &self,
        addr: SocketAddr,
        request: &HttpRequest,
    ) -> anyhow::Result<HttpResponse> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let fut = async {
            let mut s = tokio::net::TcpStream::connect(addr).await?;
            let mut head = format!(
                "{} {} HTTP/1.0\r\nHost: {addr}\r\n",
                request.method, request.path
            );
            for (k, v) in &request.headers {
                head += &format!("{k}: {v}\r\n");
            }
            if !request.body.is_empty() || request.method == "POST" {
                head += &format!("Content-Length: {}\r\n", request.body.len());
            }
            head += "\r\n";
            s.write_all(head.as_bytes()).await?;
            s.write_all(&request.body).await?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).await?;
            let split = buf
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .context("no end of HTTP header")?;
            let head = String::from_utf8_lossy(&buf[..split]).into_owned();
            let mut lines = head.split("\r\n");
            let status = lines
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|c| c.parse().ok())
                .context("no HTTP status")?;
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            anyhow::Ok(HttpResponse {
                status,
                headers,
                body: buf[split + 4..].to_vec(),
            })
        };
        tokio::time::timeout(Duration::from_secs(10), fut)
            .await
            .context("HTTP request timed out")?
    }

    /// A GET with HTTP Digest (RFC 7616, qop=auth) as a script's client does it: the
    /// first request gets the 401 and its challenges, the second answers the one with
    /// `algorithm` (`MD5` or `SHA-256`).
    pub async fn digest_get(
        &self,
        addr: SocketAddr,
        path: &str,
        user: &str,
        password: &str,
        algorithm: &str,
    ) -> anyhow::Result<HttpResponse> {
        let first = self.request(addr, &HttpRequest::get(path)).await?;
        anyhow::ensure!(
            first.status == 401,
            "expected a 401 challenge, got {}",
            first.status
        );
        let challenge = first
            .header_values("www-authenticate")
            .into_iter()
            .find(|c| c.starts_with("Digest ") && c.contains(&format!("algorithm={algorithm}")))
            .with_context(|| format!("no Digest {algorithm} challenge in {:?}", first.headers))?
            .to_owned();
        let param = |name: &str| -> anyhow::Result<String> {
            let start = challenge
                .find(&format!("{name}=\""))
                .with_context(|| format!("no {name} in {challenge}"))?
                + name.len()
                + 2;
            let end = challenge[start..].find('"').context("unterminated")? + start;
            Ok(challenge[start..end].to_owned())
        };
        let (realm, nonce, opaque) = (param("realm")?, param("nonce")?, param("opaque")?);
        let h = |data: String| -> String {
            use sha2::Digest;
            let bytes: Vec<u8> = if algorithm == "MD5" {
                md5::Md5::digest(data.as_bytes()).to_vec()
            } else {
                sha2::Sha256::digest(data.as_bytes()).to_vec()
            };
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let (nc, cnonce) = ("00000001", "e2e0c0ffee");
        let ha1 = h(format!("{user}:{realm}:{password}"));
        let ha2 = h(format!("GET:{path}"));
        let response = h(format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
        let authorization = format!(
            "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{path}\", \
             algorithm={algorithm}, qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\", \
             opaque=\"{opaque}\""
        );
        self.request(
            addr,
            &HttpRequest::get(path).header("Authorization", &authorization),
        )
        .await
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

// ---------------------------------------------------------------------------
// baresip (Debian's `baresip-core`, 1.0.0) as a real SIP peer:
// headless, on loopback, its microphone a WAV of one tone (`aufile`), what it
// receives written to a WAV (`sndfile`), driven over `ctrl_tcp` (netstring
// JSON commands and events).

/// Where Debian's `baresip-core` installs baresip's modules.
pub const BARESIP_MODULES: &str = "/usr/lib/baresip/modules";

/// The modules a headless baresip needs here: PCMU/PCMA, a WAV file as
/// audio source, the filter that dumps sent and received audio to WAVs, the
/// TCP control interface, the accounts file and the commands (`dial`,
/// `accept`, `hangup`, …). No audio device, no UI on a terminal.
pub const BARESIP_MODULE_FILES: &[&str] = &[
    "g711.so",
    "aufile.so",
    "sndfile.so",
    "ctrl_tcp.so",
    "account.so",
    "menu.so",
];

pub struct BaresipOptions<'a> {
    /// The account's user: baresip answers to `sip:USER@127.0.0.1:PORT`.
    pub user: &'a str,
    /// `auto` (answers at once), `manual` (rings until `accept`) or `early`.
    pub answermode: &'a str,
    /// The tone baresip sends (a 20 s, 8 kHz mono WAV played by `aufile`).
    pub tone_hz: f32,
}

/// A running baresip; killed on drop.
pub struct Baresip {
    pub name: String,
    pub user: String,
    pub sip: SocketAddr,
    /// Scratch folder: `config/` (baresip's `-f`), `tone.wav`, `audio/`
    /// (the `sndfile` dumps) and the log next to it.
    pub dir: PathBuf,
    child: Child,
    ctrl: tokio::net::TcpStream,
    read_buf: Vec<u8>,
    /// Events read but not yet waited for.
    pending: std::collections::VecDeque<serde_json::Value>,
    /// Every event seen, for failure messages.
    seen: Vec<String>,
    next_token: u64,
}

impl Drop for Baresip {
    fn drop(&mut self) {
        // SIGKILL: baresip 1.0.0 may not exit on SIGTERM or `-t` once a UA
        // has been stopped; tests end their calls first.
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A SIP port baresip can bind: it listens on UDP and TCP `port` and on TLS
/// `port + 1` (no setting turns TCP or TLS off in 1.0.0).
fn free_baresip_sip_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if port < u16::MAX
            && TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 1)).is_ok()
        {
            return port;
        }
    }
}

/// Writes `seconds` of a sine at `hz` (half of full scale), 8 kHz mono
/// 16-bit: the format `aufile` wants for an 8 kHz codec.
pub fn write_tone_wav(path: &Path, hz: f32, seconds: u32) -> anyhow::Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for n in 0..8000 * seconds {
        let x = (2.0 * std::f32::consts::PI * hz * n as f32 / 8000.0).sin();
        w.write_sample((0.5 * 32767.0 * x) as i16)?;
    }
    w.finalize()?;
    Ok(())
}

fn baresip_config(sip: SocketAddr, ctrl: u16, tone: &Path, audio: &Path) -> String {
    let modules: String = BARESIP_MODULE_FILES
        .iter()
        .map(|m| {
            let kind = match *m {
                "account.so" => "module_tmp",
                "menu.so" => "module_app",
                _ => "module",
            };
            format!("{kind}\t\t{m}\n")
        })
        .collect();
    format!(
        "# Written by deskphone-tests: headless baresip on loopback.\n\
         poll_method\t\tepoll\n\
         sip_listen\t\t{sip}\n\
         # Bind to this address (SDP, RTP) instead of the default interface.\n\
         net_interface\t\t127.0.0.1\n\
         call_local_timeout\t120\n\
         call_max_calls\t\t64\n\
         # The microphone: a WAV of one tone. No player module is loaded, so\n\
         # no audio device is opened; received audio is still decoded and the\n\
         # sndfile filter writes it to snd_path (dump-<time>-dec.wav).\n\
         audio_source\t\taufile,{tone}\n\
         snd_path\t\t{audio}\n\
         rtp_stats\t\tyes\n\
         rtcp_mux\t\tno\n\
         jitter_buffer_delay\t5-10\n\
         module_path\t\t{BARESIP_MODULES}\n\
         {modules}\
         ctrl_tcp_listen\t\t127.0.0.1:{ctrl}\n\
         # No call status line on stdout every 100 ms.\n\
         statmode_default\toff\n",
        tone = tone.display(),
        audio = audio.display(),
    )
}

impl Baresip {
    /// Starts baresip with a fresh config folder (`-f`), listening only on
    /// 127.0.0.1, and connects to its `ctrl_tcp`. Fails with the reason
    /// (missing package or module, baresip's log) if it cannot start.
    pub async fn start(name: &str, options: BaresipOptions<'_>) -> anyhow::Result<Baresip> {
        let bin = require_tool("baresip", "baresip-core")?;
        for module in BARESIP_MODULE_FILES {
            let path = Path::new(BARESIP_MODULES).join(module);
            if !path.exists() {
                bail!(
                    "baresip module {} is missing: `cargo xtask test` installs it (Debian package baresip-core)",
                    path.display()
                );
            }
        }
        let dir = scratch_dir(name);
        let config_dir = dir.join("config");
        let audio_dir = dir.join("audio");
        std::fs::create_dir_all(&config_dir)?;
        std::fs::create_dir_all(&audio_dir)?;
        let tone = dir.join("tone.wav");
        write_tone_wav(&tone, options.tone_hz, 20)?;
        std::fs::write(
            config_dir.join("accounts"),
            format!(
                "<sip:{}@127.0.0.1>;answermode={};audio_codecs=PCMU,PCMA\n",
                options.user, options.answermode
            ),
        )?;
        // The ports are free when chosen but may be taken before baresip
        // binds them (tests run in parallel): try a few times.
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let sip: SocketAddr = format!("127.0.0.1:{}", free_baresip_sip_port()).parse()?;
            let ctrl_port = free_tcp_port();
            std::fs::write(
                config_dir.join("config"),
                baresip_config(sip, ctrl_port, &tone, &audio_dir),
            )?;
            let log_path = dir.with_extension("log");
            let log = std::fs::File::create(&log_path)?;
            let mut child = Command::new(&bin)
                .arg("-f")
                .arg(&config_dir)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .process_group(0)
                .spawn()
                .with_context(|| format!("cannot start {}", bin.display()))?;
            let start = Instant::now();
            let ctrl = loop {
                if let Some(status) = child.try_wait()? {
                    last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    if last_log.contains("Address already in use") {
                        break None;
                    }
                    bail!("baresip exited ({status}) at start\n--- baresip log ---\n{last_log}");
                }
                let ready = std::fs::read_to_string(&log_path)
                    .unwrap_or_default()
                    .contains("baresip is ready");
                if ready
                    && let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", ctrl_port)).await
                {
                    break Some(s);
                }
                if start.elapsed() > Duration::from_secs(15) {
                    let _ = child.kill();
                    let _ = child.wait();
                    bail!(
                        "baresip did not get ready (ctrl_tcp on 127.0.0.1:{ctrl_port})\n--- baresip log ---\n{}",
                        std::fs::read_to_string(&log_path).unwrap_or_default()
                    );
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            let Some(ctrl) = ctrl else { continue };
            return Ok(Baresip {
                name: name.to_owned(),
                user: options.user.to_owned(),
                sip,
                dir,
                child,
                ctrl,
                read_buf: Vec::new(),
                pending: Default::default(),
                seen: Vec::new(),
                next_token: 1,
            });
        }
        bail!("baresip could not bind its ports three times\n--- baresip log ---\n{last_log}")
    }

    /// The URI that reaches this baresip's account.
    pub fn sip_uri(&self) -> String {
        format!("sip:{}@{}", self.user, self.sip)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// baresip's stdout and stderr, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default()
    }

    /// The version line baresip printed at start (`baresip v1.0.0 …`).
    pub fn version(&self) -> String {
        self.log()
            .lines()
            .find(|l| l.starts_with("baresip v"))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    }

    /// Runs a command (`dial`, `accept`, `hangup`, `callstat`, …) over
    /// `ctrl_tcp` and returns its output; an error if baresip says it failed.
    pub async fn command(&mut self, command: &str, params: Option<&str>) -> anyhow::Result<String> {
        use tokio::io::AsyncWriteExt;
        let token = self.next_token.to_string();
        self.next_token += 1;
        let mut msg = serde_json::json!({ "command": command, "token": token });
        if let Some(p) = params {
            msg["params"] = p.into();
        }
        let body = msg.to_string();
        self.ctrl
            .write_all(format!("{}:{body},", body.len()).as_bytes())
            .await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let m = self
                .read_message(deadline)
                .await
                .with_context(|| format!("baresip: no answer to `{command}`"))?;
            if m["response"].as_bool() == Some(true) && m["token"].as_str() == Some(&token) {
                let data = m["data"].as_str().unwrap_or_default().to_owned();
                if m["ok"].as_bool() != Some(true) {
                    bail!(
                        "baresip: `{command}` failed: {data}\n--- baresip log ---\n{}",
                        self.log()
                    );
                }
                return Ok(data);
            }
            if m["event"].as_bool() == Some(true) {
                self.pending.push_back(m);
            }
        }
    }

    /// Waits for an event of this type (`CALL_INCOMING`, `CALL_RINGING`,
    /// `CALL_ESTABLISHED`, `CALL_CLOSED`, …) and returns it; events of other
    /// types stay queued.
    pub async fn wait_event(
        &mut self,
        kind: &str,
        timeout: Duration,
    ) -> anyhow::Result<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.pending.iter().position(|e| e["type"] == kind) {
                return Ok(self.pending.remove(i).unwrap());
            }
            match self.read_message(deadline).await {
                Ok(m) if m["event"].as_bool() == Some(true) => self.pending.push_back(m),
                Ok(_) => {}
                Err(e) => bail!(
                    "{}: no {kind} event ({e:#}); events seen:\n{}\n--- baresip log ---\n{}",
                    self.name,
                    self.seen.join("\n"),
                    self.log()
                ),
            }
        }
    }

    /// The next netstring message from `ctrl_tcp`.
    async fn read_message(&mut self, deadline: Instant) -> anyhow::Result<serde_json::Value> {
        use tokio::io::AsyncReadExt;
        loop {
            if let Some(colon) = self.read_buf.iter().position(|&b| b == b':') {
                let len: usize = std::str::from_utf8(&self.read_buf[..colon])?
                    .parse()
                    .context("bad netstring length")?;
                let end = colon + 1 + len;
                if self.read_buf.len() > end {
                    if self.read_buf[end] != b',' {
                        bail!("bad netstring from baresip");
                    }
                    let value: serde_json::Value =
                        serde_json::from_slice(&self.read_buf[colon + 1..end])?;
                    self.read_buf.drain(..=end);
                    if value["event"].as_bool() == Some(true) {
                        self.seen.push(value.to_string());
                    }
                    return Ok(value);
                }
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout_at(deadline.into(), self.ctrl.read(&mut chunk))
                .await
                .context("timed out")??;
            if n == 0 {
                bail!("baresip closed ctrl_tcp");
            }
            self.read_buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The WAVs the `sndfile` filter wrote: what baresip decoded from the
    /// RTP it received (`-dec.wav`), one per call, oldest first.
    pub fn received_audio(&self) -> Vec<PathBuf> {
        self.audio_files("-dec.wav")
    }

    /// What baresip sent (`-enc.wav`), one per call, oldest first.
    pub fn sent_audio(&self) -> Vec<PathBuf> {
        self.audio_files("-enc.wav")
    }

    fn audio_files(&self, suffix: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.join("audio"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect();
        files.sort();
        files
    }
}

// ---------------------------------------------------------------------------
// SIPp (Debian's `sip-tester`) running a scenario of tests/sipp/ or a built-in one against
// a phone, and one command over a phone's WebSocket API.

/// The path of a scenario in tests/sipp/.
pub fn scenario(name: &str) -> String {
    workspace_root()
        .join("tests/sipp")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A SIPp process on a free loopback port, tracing its messages and errors
/// (`-trace_msg`, `-trace_err`) into a scratch folder; killed on drop.
pub struct Sipp {
    child: tokio::process::Child,
    pub port: u16,
    dir: PathBuf,
}

impl Sipp {
    /// Starts `sipp ARGS -i 127.0.0.1 -p PORT -m 1 -timeout 60s -timeout_error -nostdin
    /// -trace_msg -trace_err` in `dir` (created if missing) and waits until SIPp has bound
    /// its port. `args` carries the scenario (`-sn` or `-sf`), the test's own options and
    /// the remote address, if any.
    pub async fn start(dir: &Path, args: &[&str]) -> anyhow::Result<Sipp> {
        let sipp = require_tool("sipp", "sip-tester")?;
        let port = free_udp_port();
        std::fs::create_dir_all(dir)?;
        let child = tokio::process::Command::new(sipp)
            .args(args)
            .args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .args(["-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin"])
            .args(["-trace_msg", "-trace_err"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0)
            .spawn()
            .context("cannot start sipp")?;
        // SIPp listens once its port is taken.
        let start = Instant::now();
        while UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("SIPp did not bind port {port}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Sipp {
            child,
            port,
            dir: dir.to_owned(),
        })
    }

    /// Where SIPp listens.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// A URI that reaches SIPp (`sip:service@127.0.0.1:PORT`).
    pub fn uri(&self) -> String {
        format!("sip:service@{}", self.addr())
    }

    /// Waits for SIPp to end; fails with its traces and the phone's log unless the
    /// scenario passed (SIPp's exit code 0).
    pub async fn finish(self, phone: &TestPhone) -> anyhow::Result<()> {
        let out = tokio::time::timeout(Duration::from_secs(90), self.child.wait_with_output())
            .await
            .context("SIPp did not end")??;
        if !out.status.success() {
            let mut traces = String::new();
            for entry in std::fs::read_dir(&self.dir)?.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with("_messages.log") || name.ends_with("_errors.log") {
                    traces += &format!("--- {name} ---\n");
                    traces += &std::fs::read_to_string(entry.path()).unwrap_or_default();
                }
            }
            bail!(
                "sipp failed ({}): {}\n{traces}\n--- phone log ---\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr),
                phone.log()
            );
        }
        Ok(())
    }
}

/// Sends one command (`{"type": …}`; `v` and `id` are added) over the phone's WebSocket
/// API, as the web UI does, and waits up to 20 s for its `ok`.
pub async fn ws_command(phone: &TestPhone, command: serde_json::Value) -> anyhow::Result<()> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    const ID: u64 = 41;
    let mut ws = ws_connect(phone).await?;
    let mut command = command;
    command["v"] = 1.into();
    command["id"] = ID.into();
    ws.send(Message::text(command.to_string())).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Ok(Some(message)) = tokio::time::timeout(
        deadline.saturating_duration_since(Instant::now()),
        ws.next(),
    )
    .await
    {
        let Message::Text(text) = message? else {
            continue;
        };
        let reply: serde_json::Value = serde_json::from_str(&text)?;
        if reply["id"] == ID {
            if reply["type"] == "ok" {
                return Ok(());
            }
            bail!("{command} refused: {text}");
        }
    }
    bail!("no answer to {command}")
}

/// A WebSocket to the phone's API.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/api/ws` with the phone client's credentials (HTTP Basic on the upgrade).
pub async fn ws_connect(phone: &TestPhone) -> anyhow::Result<Ws> {
    ws_connect_with(phone, "/api/ws", &ws_headers(phone)).await
}

/// The upgrade's headers a script sends: the client's Basic credentials.
pub fn ws_headers(phone: &TestPhone) -> Vec<(String, String)> {
    phone
        .client
        .authorization()
        .map(|a| vec![("Authorization".to_owned(), a)])
        .unwrap_or_default()
}

/// Opens the WebSocket at `path` with exactly `headers` on the upgrade request.
pub async fn ws_connect_with(
    phone: &TestPhone,
    path: &str,
    headers: &[(String, String)],
) -> anyhow::Result<Ws> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
    let mut request = format!("ws://{}{path}", phone.http).into_client_request()?;
    for (k, v) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(k.as_bytes())?,
            HeaderValue::from_str(v)?,
        );
    }
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(ws)
}

/// Starts dnsmasq on loopback serving `records` (dnsmasq options such as
/// `--srv-host=...`), and waits until it answers. It stops when the
/// returned child is dropped.
pub async fn dnsmasq<S: AsRef<std::ffi::OsStr>>(
    records: &[S],
) -> anyhow::Result<(ProcessGroup, SocketAddr)> {
    let bin = require_tool("dnsmasq", "dnsmasq-base")?;
    let port = free_udp_port();
    let dir = scratch_dir(&format!("dnsmasq-{port}"));
    let child = tokio::process::Command::new(bin)
        .args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
        ])
        .args(["--conf-file=/dev/null", "--bind-interfaces"])
        .args([
            "--listen-address=127.0.0.1",
            "--except-interface=nonexistent",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--pid-file={}", dir.join("pid").display()))
        .arg("--user=root")
        .arg("--host-record=ready.test,127.0.0.9")
        .args(records)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0)
        .spawn()?;
    let child = ProcessGroup(child);
    let server: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let probe =
        deskphone_runtime::locate::Locator::with_server(server).map_err(anyhow::Error::msg)?;
    let start = Instant::now();
    while probe.locate("sip:x@ready.test:5060").await.is_err() {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(10),
            "dnsmasq did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((child, server))
}

// Kamailio 5.6 (Debian `kamailio`) as registrar and proxy with Digest authentication
// (tests/kamailio/kamailio.cfg), shared by tests/tests/kamailio.rs and kamailio_transfer.rs.

/// A kamailio running in the foreground on a free loopback port; stopped on drop.
pub struct Kamailio {
    child: Child,
    pub port: u16,
    /// The TLS port ([`Kamailio::start_with_tls`]), else 0.
    pub tls_port: u16,
    log: PathBuf,
}

/// Where Debian keeps kamailio's modules (the directory name carries the architecture).
fn module_dir() -> anyhow::Result<PathBuf> {
    let mut found = Vec::new();
    for lib in ["/usr/lib", "/usr/lib64"] {
        let Ok(entries) = std::fs::read_dir(lib) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let dir = entry.path().join("kamailio/modules");
            if dir.join("registrar.so").exists() {
                found.push(dir);
            }
        }
        let dir = Path::new(lib).join("kamailio/modules");
        if dir.join("registrar.so").exists() {
            found.push(dir);
        }
    }
    found.into_iter().next().context(
        "kamailio's modules (registrar.so) are not installed: `cargo xtask test` installs \
         them (Debian package kamailio)",
    )
}

fn kamailio_binary() -> anyhow::Result<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(["/usr/sbin", "/usr/local/sbin"])
        .map(|dir| Path::new(dir).join("kamailio"))
        .find(|p| p.exists())
        .context(
            "kamailio is not installed: `cargo xtask test` installs it (Debian package kamailio)",
        )
}

impl Kamailio {
    /// Starts kamailio with Digest `algorithm` (`MD5` or `SHA-256`), with or without
    /// `qop=auth`, knowing these users and passwords.
    pub async fn start(
        name: &str,
        algorithm: &str,
        qop: bool,
        users: &[(&str, &str)],
    ) -> anyhow::Result<Kamailio> {
        Self::start_on(name, algorithm, qop, users, false, None).await
    }

    /// Like [`Kamailio::start`], listening on TCP as well as UDP (same port).
    pub async fn start_with_tcp(
        name: &str,
        algorithm: &str,
        qop: bool,
        users: &[(&str, &str)],
    ) -> anyhow::Result<Kamailio> {
        Self::start_on(name, algorithm, qop, users, true, None).await
    }

    /// Like [`Kamailio::start`], listening on TLS as well (on [`Kamailio::tls_port`]) with
    /// this certificate and key (PEM files). Clients are not asked for certificates.
    pub async fn start_with_tls(
        name: &str,
        algorithm: &str,
        qop: bool,
        users: &[(&str, &str)],
        cert: &Path,
        key: &Path,
    ) -> anyhow::Result<Kamailio> {
        Self::start_on(name, algorithm, qop, users, false, Some((cert, key))).await
    }

    async fn start_on(
        name: &str,
        algorithm: &str,
        qop: bool,
        users: &[(&str, &str)],
        tcp: bool,
        tls: Option<(&Path, &Path)>,
    ) -> anyhow::Result<Kamailio> {
        let bin = kamailio_binary()?;
        let modules = module_dir()?;
        let dir = scratch_dir(name);
        let port = free_udp_port();
        let template =
            std::fs::read_to_string(workspace_root().join("tests/kamailio/kamailio.cfg"))
                .context("tests/kamailio/kamailio.cfg")?;
        let passwords: String = users
            .iter()
            .map(|(user, pw)| format!("    if ($au == \"{user}\") {{ $var(pw) = \"{pw}\"; }}\n"))
            .collect();
        let (qop_flags, stale_flags) = if qop { ("1", "17") } else { ("0", "16") };
        let config = template
            .replace("@PORT@", &port.to_string())
            .replace("@MODULES@", &format!("{}/", modules.display()))
            .replace("@ALGORITHM@", algorithm)
            .replace("@QOP_FLAGS@", qop_flags)
            .replace("@STALE_FLAGS@", stale_flags)
            .replace("@PASSWORDS@", passwords.trim_end());
        // RFC 3261 §18: a server listens on TCP on the same port as on UDP.
        let config = if tcp {
            config.replace("disable_tcp=yes", "disable_tcp=no").replace(
                &format!("listen=udp:127.0.0.1:{port}"),
                &format!("listen=udp:127.0.0.1:{port}\nlisten=tcp:127.0.0.1:{port}"),
            )
        } else {
            config
        };
        let mut tls_port = 0;
        let config = match tls {
            Some((cert, key)) => {
                tls_port = free_tcp_port();
                let tls_cfg = dir.join("tls.cfg");
                std::fs::write(
                    &tls_cfg,
                    format!(
                        "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n\
                         require_certificate = no\nprivate_key = {}\ncertificate = {}\n\n\
                         [client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n\
                         require_certificate = no\n",
                        key.display(),
                        cert.display()
                    ),
                )?;
                // The tls module first (it sets up OpenSSL before the others); `alias` in a
                // phone's Via (RFC 5923) lets kamailio reach it over the phone's connection.
                config
                    .replace(
                        "disable_tcp=yes",
                        "disable_tcp=no\nenable_tls=yes\ntcp_accept_aliases=yes",
                    )
                    .replace(
                        &format!("listen=udp:127.0.0.1:{port}"),
                        &format!(
                            "listen=udp:127.0.0.1:{port}\nlisten=tls:127.0.0.1:{tls_port}\n\
                             alias=\"127.0.0.1:{tls_port}\""
                        ),
                    )
                    .replace(
                        "loadmodule \"tm.so\"",
                        &format!(
                            "loadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"{}\")\n\
                             loadmodule \"tm.so\"",
                            tls_cfg.display()
                        ),
                    )
            }
            None => config,
        };
        let cfg = dir.join("kamailio.cfg");
        std::fs::write(&cfg, config)?;
        let log = dir.join("kamailio.log");
        // Foreground (-DD), logging to stderr (-E); pid file and runtime files in the
        // scratch folder, never in /run. Its own process group, so that stopping it stops
        // its worker processes too.
        let child = Command::new(&bin)
            .arg("-f")
            .arg(&cfg)
            .arg("-P")
            .arg(dir.join("kamailio.pid"))
            .arg("-Y")
            .arg(&dir)
            .arg("-w")
            .arg(&dir)
            .args(["-DD", "-E", "-m", "32", "-M", "8"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut kamailio = Kamailio {
            child,
            port,
            tls_port,
            log,
        };
        let start = Instant::now();
        loop {
            if let Some(status) = kamailio.child.try_wait()? {
                bail!("kamailio exited with {status}:\n{}", kamailio.log());
            }
            // Any answer to an OPTIONS means it listens.
            if kamailio.options("nobody").await.is_ok() {
                return Ok(kamailio);
            }
            if start.elapsed() > Duration::from_secs(15) {
                bail!(
                    "kamailio does not answer on port {port}:\n{}",
                    kamailio.log()
                );
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many log lines contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// The `time=` (seconds since the epoch, as kamailio saw the request) of each log line
    /// containing `needle`.
    pub fn times(&self, needle: &str) -> Vec<f64> {
        self.log()
            .lines()
            .filter(|l| l.contains(needle))
            .filter_map(|l| l.split("time=").nth(1)?.trim().parse().ok())
            .collect()
    }

    /// Sends OPTIONS for `user` through kamailio and returns the final status: 200 when
    /// kamailio's location has the user (the phone itself answers), 404 when not.
    pub async fn options(&self, user: &str) -> anyhow::Result<u16> {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let local = socket.local_addr()?;
        let branch = format!("z9hG4bK{}", unique_token());
        let request = format!(
            "OPTIONS sip:{user}@127.0.0.1:{port} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch={branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:probe@{local}>;tag=probe\r\n\
             To: <sip:{user}@127.0.0.1:{port}>\r\n\
             Call-ID: {branch}\r\n\
             CSeq: 1 OPTIONS\r\n\
             Content-Length: 0\r\n\r\n",
            port = self.port
        );
        socket.send_to(request.as_bytes(), self.addr()).await?;
        let mut buf = vec![0u8; 65_536];
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (n, _) = tokio::time::timeout(left, socket.recv_from(&mut buf))
                .await
                .context("no answer to OPTIONS")??;
            let text = String::from_utf8_lossy(&buf[..n]);
            let code: u16 = text
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .context("not a SIP response")?;
            if code >= 200 {
                return Ok(code);
            }
        }
    }

    /// Polls the location of `user` until it answers `code`.
    /// Waits until `phone` shows its identity 1 registered (with kamailio's log in the
    /// error when it does not).
    pub async fn wait_registered(&self, phone: &TestPhone) -> anyhow::Result<PhoneState> {
        phone
            .wait_for("the registration", Duration::from_secs(15), |s| {
                registration(s) == deskphone_protocol::RegistrationState::Registered
            })
            .await
            .with_context(|| format!("--- kamailio ---\n{}", self.log()))
    }

    pub async fn wait_location(&self, user: &str, code: u16) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let last = self.options(user).await;
            if matches!(last, Ok(c) if c == code) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(15) {
                bail!(
                    "location of {user}: expected {code}, last {last:?}\n--- kamailio ---\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Unique enough for a Via branch and Call-ID of a probe.
fn unique_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}x{nanos}", std::process::id())
}

/// A phone whose identity 1 registers at `kamailio`.
pub async fn registered_phone(
    (name, display_name): (&str, &str),
    user: &str,
    password: &str,
    tone: &str,
    kamailio: &Kamailio,
    extra: &[&str],
) -> anyhow::Result<TestPhone> {
    let host = format!("--set=user_host[1]=127.0.0.1:{}", kamailio.port);
    let pass = format!("--set=user_pass[1]={password}");
    let mut args = vec![host.as_str(), pass.as_str(), "--set=user_active[1]=on"];
    args.extend_from_slice(extra);
    TestPhone::start_with(
        name,
        PhoneOptions {
            user,
            display_name,
            sim_input: tone,
            display: false,
        },
        &args,
    )
    .await
}

/// The registration state of identity 1.
pub fn registration(s: &PhoneState) -> RegistrationState {
    s.identities
        .first()
        .map(|i| i.registration)
        .unwrap_or_default()
}

/// The phone's newest call recording (`recordings/call-N.wav`, highest N).
pub fn newest_recording(phone: &TestPhone) -> anyhow::Result<PathBuf> {
    let dir = phone.data_dir.join("recordings");
    let mut wavs: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    wavs.sort_by_key(|p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit('-').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    wavs.pop()
        .with_context(|| format!("no recording in {}", dir.display()))
}

/// The phone's newest recording carries the `heard` tone and not the
/// `not_heard` one (its own) in the second before its last half second
/// (so the stream's start and the hang-up are left out).
pub fn assert_newest_recording_hears(
    phone: &TestPhone,
    heard: f32,
    not_heard: f32,
) -> anyhow::Result<()> {
    use deskphone_media::analysis::{read_wav, tone_present};
    let wav = newest_recording(phone)?;
    let (samples, rate) = read_wav(&wav)?;
    let start = samples.len().saturating_sub(rate as usize * 3 / 2);
    let end = samples.len().saturating_sub(rate as usize / 2);
    anyhow::ensure!(
        end > start + rate as usize / 2,
        "{}: {} is too short ({} samples)",
        phone.name,
        wav.display(),
        samples.len()
    );
    let window = &samples[start..end];
    anyhow::ensure!(
        tone_present(window, heard, rate, 0.01),
        "{} should hear {heard} Hz in {}",
        phone.name,
        wav.display()
    );
    anyhow::ensure!(
        !tone_present(window, not_heard, rate, 0.01),
        "{} should not hear {not_heard} Hz (its own tone) in {}",
        phone.name,
        wav.display()
    );
    Ok(())
}

/// Alice dials `bob` by user name through `kamailio`; Bob answers, they talk
/// for two seconds (each hears the other's tone: alice 1 kHz, bob 440 Hz),
/// Bob hangs up and both phones end the call.
pub async fn alice_calls_bob_by_name(
    kamailio: &Kamailio,
    alice: &TestPhone,
    bob: &TestPhone,
) -> anyhow::Result<()> {
    use deskphone_protocol::{CallPhase, EndReason};
    alice.dial("bob").await?;
    bob.wait_for("the incoming call", Duration::from_secs(15), |s| {
        s.calls
            .iter()
            .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
    })
    .await
    .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    alice
        .wait_for("ringback", Duration::from_secs(15), |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringback)
        })
        .await?;
    bob.key("OFFHOOK").await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("the connected call", Duration::from_secs(15), |s| {
                s.calls
                    .iter()
                    .any(|c| c.phase == CallPhase::Connected && c.codec.is_some())
            })
            .await?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    bob.key("ONHOOK").await?;
    let alice_after = alice
        .wait_for("the call to end", Duration::from_secs(15), |s| {
            s.calls.is_empty()
        })
        .await?;
    assert_eq!(
        alice_after.last_ended_call.map(|c| c.reason),
        Some(EndReason::RemoteHangup)
    );
    bob.wait_for("the call to end", Duration::from_secs(15), |s| {
        s.calls.is_empty()
    })
    .await?;
    assert_newest_recording_hears(bob, 1000.0, 440.0)?;
    assert_newest_recording_hears(alice, 440.0, 1000.0)?;
    Ok(())
}

/// Polls a JavaScript expression in a page until it returns true (20 s at most).
pub async fn wait_js(page: &chromiumoxide::Page, what: &str, expr: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let ok = page
            .evaluate(expr)
            .await
            .ok()
            .and_then(|r| r.into_value::<bool>().ok())
            .unwrap_or(false);
        if ok {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("timed out waiting for {what} ({expr})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Logs in through the web UI's login form as a person would.
pub async fn log_in(page: &chromiumoxide::Page, user: &str, password: &str) -> anyhow::Result<()> {
    wait_js(
        page,
        "the login form",
        "!!document.querySelector('#login-password')",
    )
    .await?;
    let field = page.find_element("#login-user").await?;
    field.click().await?;
    page.evaluate("document.querySelector('#login-user').select()")
        .await?;
    field.type_str(user).await?;
    page.find_element("#login-password")
        .await?
        .click()
        .await?
        .type_str(password)
        .await?;
    page.find_element("#login-submit").await?.click().await?;
    Ok(())
}

/// A distinct value for every secret setting of the schema, for identities 1 and 2
/// where it is per identity, as `(key, value)`: tests set them and then look for them
/// where they must never be.
pub fn secret_values() -> Vec<(String, String)> {
    deskphone_settings::SETTINGS
        .iter()
        .filter(|s| s.secret)
        .flat_map(|s| {
            let idx: Vec<Option<u16>> = match s.indexed {
                Some(_) => vec![Some(1), Some(2)],
                None => vec![None],
            };
            idx.into_iter().map(move |i| {
                let key = deskphone_settings::SettingKey::new(s.name, i).to_string();
                let value = format!("Qx7{}{}Zz", s.name.len(), i.unwrap_or(0));
                (key, value)
            })
        })
        .collect()
}

/// The members of a tar.gz archive, by name, as text.
pub fn unpack_tar_gz(bytes: &[u8]) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use std::io::Read;
    let mut members = std::collections::BTreeMap::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in archive.entries().context("not a tar.gz")? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .with_context(|| format!("{name} is not text"))?;
        members.insert(name, text);
    }
    Ok(members)
}
