//! Reference comparison of the native display engine with Chromium: each screen of
//! each model is rendered once to HTML by the phone-screen components, then laid out
//! and painted by Blitz (the phone's engine) and by headless Chromium (the reference)
//! from that same document, stylesheet and fonts. Every element with an id or a
//! `data-role` must lie within 2 px of where Chromium puts it and say the same text.
//! Both pictures of each screen are kept under `target/display-reference/` for a
//! person to look at.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use deskphone_display::{ElementBox, FONTS, Painter, encode_png};
use deskphone_protocol::{
    CallDirection, CallPhase, CallState, EndReason, EndedCall, IdentityState, ModelInfo, Mwi,
    PhoneState, RegistrationState, TextMessage,
};
use deskphone_settings::{keys, models};
use deskphone_tests::{TestBrowser, target_dir, wait_js};

/// How far (px) an element may lie from Chromium's position of it.
const TOLERANCE: f32 = 2.0;

/// 2025-11-26 10:09:05 UTC, a Wednesday.
const NOW: u64 = 1_764_151_745_000;

fn base(model: &models::Model) -> PhoneState {
    let mut s = PhoneState {
        model: ModelInfo {
            name: model.name.into(),
            display_width: model.display_width,
            display_height: model.display_height,
            colour: model.colour,
            function_keys: model.function_keys,
        },
        time_ms: NOW,
        ..Default::default()
    };
    s.settings
        .insert(keys::user_realname.wire(1), "Alice Example".into());
    s.settings.insert(keys::user_name.wire(1), "alice".into());
    s.settings
        .insert(keys::user_host.wire(1), "pbx.example.com".into());
    s.settings
        .insert(keys::timezone.wire().into(), "Europe/Berlin".into());
    s.identities.push(IdentityState {
        index: 1,
        user: "alice".into(),
        host: "pbx.example.com".into(),
        registration: RegistrationState::Registered,
        ..Default::default()
    });
    s
}

fn call(phase: CallPhase, name: &str) -> CallState {
    CallState {
        id: 1,
        identity: 1,
        direction: if phase == CallPhase::Ringing {
            CallDirection::Incoming
        } else {
            CallDirection::Outgoing
        },
        phase,
        remote_uri: "sip:bob@192.0.2.7".into(),
        remote_name: name.into(),
        connected_at_ms: (phase == CallPhase::Connected).then_some(NOW - 83_000),
        codec: Some("PCMU".into()),
        ..Default::default()
    }
}

/// The screens compared, each as a state.
fn screens(model: &models::Model) -> Vec<(&'static str, PhoneState)> {
    let mut out = Vec::new();
    out.push(("idle", base(model)));

    let mut s = base(model);
    s.identities[0].mwi = Mwi {
        waiting: true,
        new: 3,
        ..Default::default()
    };
    s.messages.push(TextMessage {
        from_uri: "sip:carol@pbx.example.com".into(),
        from_name: "Carol".into(),
        text: "Meeting moved to 3 pm".into(),
        received_at_ms: NOW - 1000,
        read: false,
    });
    out.push(("idle-message", s));

    let mut s = base(model);
    s.dial_buffer = "0301234567".into();
    out.push(("dialling", s));

    let mut s = base(model);
    s.calls.push(call(CallPhase::Ringing, "Bob Builder"));
    out.push(("incoming", s));

    // A CJK name from the phone book.
    let mut s = base(model);
    s.calls.push(call(CallPhase::Ringing, "张伟 (ちょう)"));
    out.push(("incoming-cjk", s));

    let mut s = base(model);
    s.calls.push(call(CallPhase::Connected, "Ωμέγα Жуков"));
    out.push(("in-call", s));

    let mut s = base(model);
    s.last_ended_call = Some(EndedCall {
        remote_uri: "sip:bob@192.0.2.7".into(),
        remote_name: "Bob Builder".into(),
        reason: EndReason::RemoteHangup,
        duration_ms: 125_000,
        ended_at_ms: NOW - 500,
    });
    out.push(("ended", s));

    let mut s = base(model);
    s.settings
        .insert(keys::language.wire().into(), "Deutsch".into());
    s.calls.push(call(CallPhase::Connected, "Bob Builder"));
    out.push(("in-call-de", s));
    out
}

/// Serves the document and the fonts beside it (`fonts/…`, as the stylesheet names
/// them) on loopback, for Chromium. Ends with the test process.
fn serve(pages: Arc<BTreeMap<String, String>>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            // A connection each: Chromium opens spare connections that send nothing.
            let pages = pages.clone();
            std::thread::spawn(move || answer(stream, &pages));
        }
    });
    Ok(format!("http://{addr}"))
}

fn answer(mut stream: std::net::TcpStream, pages: &BTreeMap<String, String>) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    if n == 0 {
        return;
    }
    let request = String::from_utf8_lossy(&buf[..n]);
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (status, kind, body): (&str, &str, Vec<u8>) =
        if let Some(font) = path.strip_prefix("/fonts/") {
            match FONTS.iter().find(|(name, _)| *name == font) {
                Some((_, bytes)) => ("200 OK", "font/ttf", bytes.to_vec()),
                None => ("404 Not Found", "text/plain", Vec::new()),
            }
        } else {
            match pages.get(path.trim_start_matches('/')) {
                Some(html) => ("200 OK", "text/html; charset=utf-8", html.clone().into()),
                None => ("404 Not Found", "text/plain", Vec::new()),
            }
        };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The boxes of every displayed element with an id or a data-role inside the screen,
/// as Chromium lays them out.
const BOXES_JS: &str = "(() => {
  const root = document.getElementById('phone-screen');
  const all = [root, ...root.querySelectorAll('[id], [data-role]')];
  return all.filter(e => e.getClientRects().length > 0).map(e => {
    const r = e.getBoundingClientRect();
    const key = e.id ? '#' + e.id : '[data-role=' + e.dataset.role + ']';
    return [key, r.x, r.y, r.width, r.height, e.textContent.split(/\\s+/).filter(Boolean).join(' ')];
  });
})()";

type JsBox = (String, f32, f32, f32, f32, String);

fn out_dir() -> PathBuf {
    let dir = target_dir().join("display-reference");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_screens_match_chromium() -> anyhow::Result<()> {
    let mut documents = BTreeMap::new();
    let mut cases = Vec::new();
    for model in models::MODELS {
        for (screen, state) in screens(model) {
            let name = format!("{}-{screen}", model.name);
            let html = deskphone_ui::native::phone_document(&state, 1, NOW);
            documents.insert(format!("{name}.html"), html.clone());
            cases.push((model, name, html));
        }
    }
    let base_url = serve(Arc::new(documents))?;
    let dir = out_dir();
    let mut failures = Vec::new();
    let mut compared = 0;
    // One browser and one painter per model (its display size).
    let mut current: Option<(&str, TestBrowser, Painter)> = None;
    for (model, name, html) in &cases {
        if current.as_ref().is_none_or(|(m, _, _)| *m != model.name) {
            // The previous model's browser ends first.
            drop(current.take());
            let browser = TestBrowser::launch(
                &format!("display-reference-{}", model.name),
                model.display_width,
                model.display_height,
            )
            .await?;
            let painter = Painter::new(model.display_width, model.display_height)?;
            current = Some((model.name, browser, painter));
        }
        let Some((_, browser, painter)) = current.as_mut() else {
            unreachable!("set above")
        };
        let native = painter.paint(html, "phone-screen")?;
        std::fs::write(
            dir.join(format!("{name}-native.png")),
            encode_png(native.width, native.height, &native.rgba)?,
        )?;

        let page = browser
            .headless
            .browser
            .new_page(format!("{base_url}/{name}.html"))
            .await?;
        wait_js(
            &page,
            "the fonts",
            "document.fonts.status === 'loaded' && document.fonts.size >= 4 && \
             [...document.fonts].every(f => f.status !== 'loading')",
        )
        .await?;
        // The fonts are in use (not only loaded): the screen's text is laid out with them.
        page.evaluate("document.fonts.ready.then(() => true)")
            .await
            .context("document.fonts.ready")?;
        let png = page
            .screenshot(
                ScreenshotParams::builder()
                    .format(CaptureScreenshotFormat::Png)
                    .build(),
            )
            .await?;
        std::fs::write(dir.join(format!("{name}-chromium.png")), &png)?;
        let reference: Vec<JsBox> = page.evaluate(BOXES_JS).await?.into_value()?;
        page.close().await?;

        let by_key: BTreeMap<&str, &ElementBox> =
            native.boxes.iter().map(|b| (b.key.as_str(), b)).collect();
        if reference.is_empty() {
            bail!("{name}: Chromium shows no element with an id");
        }
        for (key, x, y, w, h, text) in &reference {
            let Some(mine) = by_key.get(key.as_str()) else {
                failures.push(format!("{name}: {key} is missing natively"));
                continue;
            };
            compared += 1;
            let off = (mine.x - x).abs().max((mine.y - y).abs());
            if off > TOLERANCE {
                failures.push(format!(
                    "{name}: {key} at ({:.1}, {:.1}) {:.1}x{:.1}, Chromium ({x:.1}, {y:.1}) {w:.1}x{h:.1}",
                    mine.x, mine.y, mine.width, mine.height
                ));
            }
            if &mine.text != text {
                failures.push(format!(
                    "{name}: {key} says {:?}, Chromium {text:?}",
                    mine.text
                ));
            }
        }
        for mine in &native.boxes {
            if !reference.iter().any(|r| r.0 == mine.key) {
                failures.push(format!("{name}: {} shows natively only", mine.key));
            }
        }
    }
    println!(
        "{} screens, {compared} elements compared; pictures in {}",
        cases.len(),
        dir.display()
    );
    if !failures.is_empty() {
        bail!("{} differences:\n{}", failures.len(), failures.join("\n"));
    }
    Ok(())
}
