//! Interop with a real SIP server: kamailio 5.6 (Debian `kamailio`) as registrar and proxy
//! with Digest authentication (tests/kamailio/kamailio.cfg). Two phones register, find each
//! other through kamailio's location service by user name and talk; deactivation and
//! shutdown remove their bindings. A wrong password and a registrar that grants no time
//! (requirement S1) end in Failed and are retried after `retry_after_failed_register`.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_media::analysis::{read_wav, tone_present};
use deskphone_protocol::{CallPhase, EndReason, PhoneState, RegistrationState};
use deskphone_tests::{PhoneOptions, TestPhone, free_udp_port, scratch_dir, workspace_root};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const SIGNAL: Duration = Duration::from_secs(15);
const ALICE_PASSWORD: &str = "alice-Pw-4711";
const BOB_PASSWORD: &str = "bob-Pw-0815";

/// A kamailio running in the foreground on a free loopback port; stopped on drop.
struct Kamailio {
    child: Child,
    port: u16,
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
    async fn start(
        name: &str,
        algorithm: &str,
        qop: bool,
        users: &[(&str, &str)],
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
        let mut kamailio = Kamailio { child, port, log };
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

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many log lines contain `needle`.
    fn count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// The `time=` (seconds since the epoch, as kamailio saw the request) of each log line
    /// containing `needle`.
    fn times(&self, needle: &str) -> Vec<f64> {
        self.log()
            .lines()
            .filter(|l| l.contains(needle))
            .filter_map(|l| l.split("time=").nth(1)?.trim().parse().ok())
            .collect()
    }

    /// Sends OPTIONS for `user` through kamailio and returns the final status: 200 when
    /// kamailio's location has the user (the phone itself answers), 404 when not.
    async fn options(&self, user: &str) -> anyhow::Result<u16> {
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
    async fn wait_location(&self, user: &str, code: u16) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let last = self.options(user).await;
            if matches!(last, Ok(c) if c == code) {
                return Ok(());
            }
            if start.elapsed() > SIGNAL {
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
async fn registered_phone(
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

fn registration(s: &PhoneState) -> RegistrationState {
    s.identities
        .first()
        .map(|i| i.registration)
        .unwrap_or_default()
}

/// Changes settings over the WebSocket API, as the web UI does.
async fn set_settings(phone: &TestPhone, values: &[(&str, &str)]) -> anyhow::Result<()> {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/api/ws", phone.http)).await?;
    let values: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    let command = serde_json::json!({"v": 1, "id": 77, "type": "set_settings", "values": values});
    ws.send(Message::text(command.to_string())).await?;
    let deadline = Instant::now() + SIGNAL;
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
        if reply["id"] == 77 {
            if reply["type"] == "ok" {
                return Ok(());
            }
            bail!("set_settings refused: {text}");
        }
    }
    bail!("no answer to set_settings")
}

/// The secrets must never reach a log (requirement P5).
fn assert_no_secret(log: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!log.contains(secret), "a password is in the log:\n{log}");
    }
}

fn assert_heard(phone: &TestPhone, heard: f32, not_heard: f32) -> anyhow::Result<()> {
    let dir = phone.data_dir.join("recordings");
    let wav = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .with_context(|| format!("no recording in {}", dir.display()))?;
    let (samples, rate) = read_wav(&wav)?;
    assert!(
        samples.len() as u32 > rate,
        "{}: at least a second recorded, got {} samples",
        phone.name,
        samples.len()
    );
    // Skip the first 200 ms (the stream starting), judge one second.
    let second = &samples[rate as usize / 5..(rate as usize * 6 / 5).min(samples.len())];
    assert!(
        tone_present(second, heard, rate, 0.01),
        "{} should hear {heard} Hz",
        phone.name
    );
    assert!(
        !tone_present(second, not_heard, rate, 0.01),
        "{} should not hear {not_heard} Hz (its own tone)",
        phone.name
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_and_call_each_other_through_kamailio() -> anyhow::Result<()> {
    let kamailio = Kamailio::start(
        "kamailio-call",
        "SHA-256",
        true,
        &[("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)],
    )
    .await?;
    let alice = registered_phone(
        ("alice", "Alice"),
        "alice",
        ALICE_PASSWORD,
        "tone:1000",
        &kamailio,
        &[],
    )
    .await?;
    let bob = registered_phone(
        ("bob", "Bob"),
        "bob",
        BOB_PASSWORD,
        "tone:440",
        &kamailio,
        &[],
    )
    .await?;

    for phone in [&alice, &bob] {
        phone
            .wait_for("the registration", SIGNAL, |s| {
                registration(s) == RegistrationState::Registered
            })
            .await
            .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    }
    // Kamailio's side: both are in its location service and reachable through it.
    kamailio.wait_location("alice", 200).await?;
    kamailio.wait_location("bob", 200).await?;

    // Alice dials bob's user name; the call goes through kamailio, which challenges it.
    alice.dial("bob").await?;
    bob.wait_for("the incoming call", SIGNAL, |s| {
        s.calls
            .iter()
            .any(|c| c.phase == CallPhase::Ringing && c.remote_name == "Alice")
    })
    .await?;
    alice
        .wait_for("ringback", SIGNAL, |s| {
            s.calls.iter().any(|c| c.phase == CallPhase::Ringback)
        })
        .await?;
    assert!(
        kamailio.log().contains("request INVITE user=alice"),
        "the INVITE went through kamailio"
    );
    bob.key("OFFHOOK").await?;
    for phone in [&alice, &bob] {
        phone
            .wait_for("the connected call", SIGNAL, |s| {
                s.calls
                    .iter()
                    .any(|c| c.phase == CallPhase::Connected && c.codec.is_some())
            })
            .await?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    bob.key("ONHOOK").await?;
    let alice_after = alice
        .wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    assert_eq!(
        alice_after.last_ended_call.map(|c| c.reason),
        Some(EndReason::RemoteHangup)
    );
    bob.wait_for("the call to end", SIGNAL, |s| s.calls.is_empty())
        .await?;
    assert!(
        kamailio.count("request INVITE user=alice") >= 2,
        "the first INVITE was challenged (407) and sent again with credentials:\n{}",
        kamailio.log()
    );
    assert_heard(&bob, 1000.0, 440.0)?;
    assert_heard(&alice, 440.0, 1000.0)?;

    // Deactivating bob's identity removes his binding.
    set_settings(&bob, &[("user_active[1]", "off")]).await?;
    bob.wait_for("no registration", SIGNAL, |s| {
        registration(s) == RegistrationState::NotConfigured
    })
    .await?;
    kamailio.wait_location("bob", 404).await?;

    // Shutting alice down (SIGTERM) removes hers.
    let status = Command::new("kill")
        .args(["-TERM", &alice.pid().to_string()])
        .status()?;
    assert!(status.success());
    kamailio.wait_location("alice", 404).await?;

    for phone in [&alice, &bob] {
        assert_no_secret(&phone.log(), &[ALICE_PASSWORD, BOB_PASSWORD]);
    }
    Ok(())
}

/// Waits until `needle` has appeared `n` times in kamailio's log; returns the times.
async fn wait_count(kamailio: &Kamailio, needle: &str, n: usize) -> anyhow::Result<Vec<f64>> {
    let start = Instant::now();
    loop {
        let times = kamailio.times(needle);
        if times.len() >= n {
            return Ok(times);
        }
        if start.elapsed() > Duration::from_secs(40) {
            bail!(
                "`{needle}` seen {} times, not {n}\n--- kamailio ---\n{}",
                kamailio.count(needle),
                kamailio.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_registrations_are_retried_after_retry_after_failed_register() -> anyhow::Result<()>
{
    const RIGHT: &str = "mallory-Right-1";
    const WRONG: &str = "mallory-Wrong-2";
    const RETRY_SECS: u64 = 10;
    let kamailio = Kamailio::start("kamailio-fail", "MD5", false, &[("mallory", RIGHT)]).await?;
    let retry = format!("--set=retry_after_failed_register={RETRY_SECS}");
    let mallory = registered_phone(
        ("mallory", "Mallory"),
        "mallory",
        WRONG,
        "silence",
        &kamailio,
        &[retry.as_str()],
    )
    .await?;
    // This registrar answers `zero` with 200 and Expires: 0 (S1).
    let zero = registered_phone(
        ("zero", "Zero"),
        "zero",
        "any",
        "silence",
        &kamailio,
        &[retry.as_str()],
    )
    .await?;
    for phone in [&mallory, &zero] {
        phone
            .wait_for("the failed registration", SIGNAL, |s| {
                registration(s) == RegistrationState::Failed
            })
            .await
            .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    }

    // Mallory's first attempt is two REGISTERs (the challenge, then the wrong answer);
    // zero's is one. The next attempt comes retry_after_failed_register after the last.
    let mallory_times = wait_count(&kamailio, "request REGISTER user=mallory", 3).await?;
    let zero_times = wait_count(&kamailio, "request REGISTER user=zero", 2).await?;
    for (who, waited) in [
        ("mallory", mallory_times[2] - mallory_times[1]),
        ("zero", zero_times[1] - zero_times[0]),
    ] {
        let expected = RETRY_SECS as f64;
        assert!(
            (expected - 0.5..=expected + 2.0).contains(&waited),
            "{who} retried after {waited:.2} s, not {RETRY_SECS} s\n--- kamailio ---\n{}",
            kamailio.log()
        );
    }
    assert_eq!(
        kamailio.count("registered user=mallory"),
        0,
        "the wrong password never registers"
    );
    for phone in [&mallory, &zero] {
        phone
            .wait_for("failed again", SIGNAL, |s| {
                registration(s) == RegistrationState::Failed
            })
            .await?;
    }
    kamailio.wait_location("mallory", 404).await?;

    // The right password (a settings change) registers at once.
    set_settings(&mallory, &[("user_pass[1]", RIGHT)]).await?;
    mallory
        .wait_for("the registration", Duration::from_secs(5), |s| {
            registration(s) == RegistrationState::Registered
        })
        .await
        .with_context(|| format!("--- kamailio ---\n{}", kamailio.log()))?;
    kamailio.wait_location("mallory", 200).await?;
    assert_no_secret(&mallory.log(), &[RIGHT, WRONG]);
    Ok(())
}
