//! What the SIPp-driven end-to-end tests share (messaging.rs, presence.rs): a SIPp
//! process on its own port that fails with its traces and the phone's log, and one
//! WebSocket command.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_tests::{TestPhone, free_udp_port, require_tool, workspace_root};
use futures_util::{SinkExt, StreamExt};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// How long a command waits for its answer.
const WAIT: Duration = Duration::from_secs(20);

/// The path of a scenario in tests/sipp/.
pub fn scenario(name: &str) -> String {
    let path: PathBuf = workspace_root().join("tests/sipp").join(name);
    path.to_string_lossy().into_owned()
}

/// A SIPp process on its own loopback port, tracing into `dir`.
pub struct Sipp {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Sipp {
    pub async fn start(dir: &Path, args: &[&str]) -> anyhow::Result<Sipp> {
        let sipp = require_tool("sipp", "sip-tester")?;
        let port = free_udp_port();
        std::fs::create_dir_all(dir)?;
        let child = Command::new(sipp)
            .args(args)
            .args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .args(["-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin"])
            .args(["-trace_msg", "-trace_err"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
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

    /// Waits for SIPp to end; fails with its traces and the phone's log unless the
    /// scenario passed.
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

/// Sends one command over the WebSocket API and waits for its `ok`.
pub async fn ws_command(phone: &TestPhone, command: serde_json::Value) -> anyhow::Result<()> {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/api/ws", phone.http)).await?;
    let mut command = command;
    command["v"] = 1.into();
    command["id"] = 41.into();
    ws.send(Message::text(command.to_string())).await?;
    let deadline = Instant::now() + WAIT;
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
        if reply["id"] == 41 {
            if reply["type"] == "ok" {
                return Ok(());
            }
            bail!("{command} refused: {text}");
        }
    }
    bail!("no answer to {command}")
}
