//! Bad input gets a clear error, changes nothing and never stops the phone:
//! malformed SIP, unknown command keys, broken WebSocket messages.

use std::time::Duration;

use deskphone_tests::{PhoneOptions, TestPhone, Ws};
use futures_util::{SinkExt, StreamExt};
use tokio::net::UdpSocket;
use tokio_tungstenite::tungstenite::Message;

async fn phone(name: &str) -> anyhow::Result<TestPhone> {
    TestPhone::start(
        name,
        PhoneOptions {
            user: "carol",
            display_name: "Carol",
            sim_input: "silence",
            display: false,
        },
    )
    .await
}

async fn exchange(socket: &UdpSocket, to: std::net::SocketAddr, msg: &str) -> Option<String> {
    socket.send_to(msg.as_bytes(), to).await.unwrap();
    let mut buf = vec![0; 65536];
    match tokio::time::timeout(Duration::from_millis(700), socket.recv_from(&mut buf)).await {
        Ok(Ok((n, _))) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        _ => None,
    }
}

#[tokio::test]
async fn malformed_sip_is_answered_400_or_dropped() -> anyhow::Result<()> {
    let phone = phone("bad-sip").await?;
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let me = socket.local_addr()?;
    let headers = |cl: &str| {
        format!(
            "OPTIONS sip:carol@{} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-bad1\r\n\
             Max-Forwards: 70\r\nFrom: <sip:test@{me}>;tag=1\r\nTo: <sip:carol@{}>\r\n\
             Call-ID: bad-input-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: {cl}\r\n\r\n",
            phone.sip, phone.sip
        )
    };
    // Garbage: nothing to answer, dropped.
    for junk in ["", "\0\0\0\0", "hello", "INVITE", "SIP/2.0 200\r\n\r\n"] {
        assert_eq!(exchange(&socket, phone.sip, junk).await, None, "{junk:?}");
    }
    // A request with enough headers but a bad Content-Length: 400.
    let reply = exchange(&socket, phone.sip, &headers("99"))
        .await
        .expect("a reply");
    assert!(reply.starts_with("SIP/2.0 400"), "{reply}");
    // The phone still works: a good OPTIONS is answered 200.
    let reply = exchange(&socket, phone.sip, &headers("0").replace("bad1", "good1"))
        .await
        .expect("a reply");
    assert!(reply.starts_with("SIP/2.0 200"), "{reply}");
    phone.state().await?;
    Ok(())
}

#[tokio::test]
async fn command_htm_rejects_unknown_keys() -> anyhow::Result<()> {
    let phone = phone("bad-keys").await?;
    for bad in ["NOSUCHKEY", "P99", "offhook", "%00"] {
        let (status, _) = phone.get(&format!("/command.htm?key={bad}")).await?;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = phone.get("/command.htm").await?;
    assert_eq!(status, 400);
    // Known keys still work and change the state.
    phone.key("5").await?;
    let (_, state) = phone.state().await?;
    assert_eq!(state.dial_buffer, "5");
    Ok(())
}

/// The next text message as JSON; fails if the connection ends.
async fn next_json(ws: &mut Ws) -> anyhow::Result<serde_json::Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await? {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(t.as_str())?),
            Some(Ok(_)) => continue,
            other => anyhow::bail!("connection ended: {other:?}"),
        }
    }
}

#[tokio::test]
async fn websocket_survives_bad_messages() -> anyhow::Result<()> {
    let phone = phone("bad-ws").await?;
    let mut ws = deskphone_tests::ws_connect(&phone).await?;
    let first = next_json(&mut ws).await?;
    assert_eq!(first["type"], "snapshot");
    assert_eq!(first["v"], 1);
    for (bad, code) in [
        ("not json", "bad_message"),
        (r#"{"v":1,"id":4,"type":"fly"}"#, "bad_message"),
        (
            r#"{"v":99,"id":5,"type":"key","key":"1"}"#,
            "unsupported_version",
        ),
        (r#"{"v":1,"id":6,"type":"key","key":"NOPE"}"#, "unknown_key"),
        (
            r#"{"v":1,"id":7,"type":"set_settings","values":{"language":"Klingon"}}"#,
            "invalid_setting",
        ),
    ] {
        ws.send(Message::Text(bad.into())).await?;
        let reply = loop {
            let v = next_json(&mut ws).await?;
            if v["type"] != "changes" {
                break v;
            }
        };
        assert_eq!(reply["type"], "error", "{bad}: {reply}");
        assert_eq!(reply["code"], code, "{bad}: {reply}");
    }
    // Still open and working: a key press is acknowledged and its change
    // arrives.
    ws.send(Message::Text(
        r#"{"v":1,"id":8,"type":"key","key":"7"}"#.into(),
    ))
    .await?;
    let mut saw_ok = false;
    let mut saw_change = false;
    while !(saw_ok && saw_change) {
        let v = next_json(&mut ws).await?;
        saw_ok |= v["type"] == "ok" && v["id"] == 8;
        saw_change |= v["type"] == "changes" && v["set"]["dial_buffer"] == "7";
    }
    // Nothing was changed by the invalid setting.
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["language"], "English");
    Ok(())
}
