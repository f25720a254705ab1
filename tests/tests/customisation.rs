//! Customisation packages end to end (F3, P2 `<uploads>`, U2): a real phone over HTTP.
//! A good package is checked, applied and served; the default files download and pass
//! the same checks; hostile packages (corrupt, oversized and 30,000×30,000-pixel
//! images, `..`, absolute and link entries, decompression bombs, wrong types, another
//! model, an SVG with a script) are refused with a clear message, change nothing on
//! disk or in the state, and the phone answers other requests quickly meanwhile. A
//! provisioning file's `<uploads>` and `custom_bg_image_url` go through the same checks.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_protocol::CustomisationState;
use deskphone_tests::prov_server::{ProvServer, Route};
use deskphone_tests::{HttpRequest, PhoneOptions, TestPhone};

fn options() -> PhoneOptions<'static> {
    PhoneOptions {
        user: "cust",
        display_name: "Custom Tester",
        sim_input: "silence",
        display: false,
    }
}

/// A PNG of `width`×`height`, grey, 8 bits.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&vec![0x80; (width * height) as usize])
        .unwrap();
    writer.finish().unwrap();
    out
}

/// A real, complete 30,000×30,000-pixel PNG (1 bit per pixel, 110 MB of pixel rows
/// that compress to about 100 KB).
fn huge_png() -> Vec<u8> {
    const SIDE: u32 = 30_000;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIDE, SIDE);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    {
        let mut stream = writer.stream_writer().unwrap();
        let row = vec![0u8; (SIDE / 8) as usize];
        for _ in 0..SIDE {
            stream.write_all(&row).unwrap();
        }
        stream.finish().unwrap();
    }
    drop(writer);
    out
}

fn wav(seconds: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for i in 0..8000 * seconds {
        let t = i as f32 / 8000.0;
        writer
            .write_sample(((t * 440.0 * std::f32::consts::TAU).sin() * 8000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

/// One tar entry as written, path and type unchecked (the `tar` crate's builder
/// refuses `..` and absolute paths, which is what hostile packages carry).
fn raw_entry(
    tar: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    link: Option<&str>,
    data: &[u8],
) {
    let mut header = tar::Header::new_gnu();
    {
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
    }
    header.set_entry_type(kind);
    if let Some(link) = link {
        let field = &mut header.as_old_mut().linkname;
        field[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append(&header, data).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A package: `manifest` plus `(path, type, link, bytes)` entries, gzip-compressed.
fn package_with(
    manifest: &serde_json::Value,
    entries: &[(&str, tar::EntryType, Option<&str>, Vec<u8>)],
) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    raw_entry(
        &mut tar,
        "manifest.json",
        tar::EntryType::Regular,
        None,
        manifest.to_string().as_bytes(),
    );
    for (path, kind, link, data) in entries {
        raw_entry(&mut tar, path, *kind, *link, data);
    }
    gzip(&tar.into_inner().unwrap())
}

fn files_of(
    entries: &[(&str, Vec<u8>)],
) -> Vec<(&'static str, tar::EntryType, Option<&'static str>, Vec<u8>)> {
    entries
        .iter()
        .map(|(p, b)| {
            let p: &'static str = Box::leak(p.to_string().into_boxed_str());
            (p, tar::EntryType::Regular, None, b.clone())
        })
        .collect()
}

const DE_PHONE_FTL: &str = "phone-reg-registered = Angemeldet bei Acme\n";

fn good_manifest() -> serde_json::Value {
    serde_json::json!({
        "format": 1,
        "name": "Acme blue",
        "models": ["DP480C"],
        "company_name": "Acme Telefonbau GmbH",
        "colours": {"background": "#102030", "text": "#ffffff", "accent": "#ff8800"},
        "logo": "img/logo.png",
        "wallpaper": "img/wallpaper.png",
        "ringtones": {"Ringer2": "sounds/acme.wav"},
        "languages": ["lang/de/phone.ftl"]
    })
}

fn good_package() -> Vec<u8> {
    package_with(
        &good_manifest(),
        &files_of(&[
            ("img/logo.png", png(64, 32)),
            ("img/wallpaper.png", png(480, 272)),
            ("sounds/acme.wav", wav(2)),
            ("lang/de/phone.ftl", DE_PHONE_FTL.as_bytes().to_vec()),
        ]),
    )
}

/// Sends `body` to `path` as the administrator; tolerates the phone closing the
/// connection before the whole body is sent (it refuses a too large package early).
async fn send(
    phone: &TestPhone,
    method: &str,
    path: &str,
    body: &[u8],
) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authorization = phone.client.authorization().context("no credentials")?;
    let mut stream = tokio::net::TcpStream::connect(phone.http).await?;
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {}\r\nAuthorization: {authorization}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        phone.http,
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no HTTP answer: {text:?}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

async fn customisation(phone: &TestPhone) -> anyhow::Result<CustomisationState> {
    Ok(phone.state().await?.1.customisation)
}

/// What the customisation folder holds (names), to show nothing changed on disk.
fn on_disk(data_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(&data_dir.join("customisation"));
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        out.push(path.display().to_string());
        if path.is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packages_are_checked_applied_served_and_hostile_ones_change_nothing() -> anyhow::Result<()>
{
    let phone = TestPhone::start("custom-upload", options()).await?;
    let before = customisation(&phone).await?;
    assert_eq!(before.id, None, "a new phone uses the defaults");

    // The user role may not upload: only the administrator.
    let (status, _) = {
        let request = HttpRequest::post(
            "/api/customisation",
            "application/octet-stream",
            good_package(),
        );
        let r = phone.client.request(phone.http, &request).await?;
        (r.status, r.text())
    };
    assert_eq!(status, 401, "no credentials, no upload");

    // The default files download as a package that passes the same checks.
    let (status, default) = phone
        .client
        .get(phone.http, "/api/customisation/default")
        .await?;
    assert_eq!(status, 200);
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(default.as_slice()));
    for entry in archive.entries()? {
        names.push(entry?.path()?.display().to_string());
    }
    for expected in [
        "manifest.json",
        "logo.svg",
        "lang/en-US/phone.ftl",
        "lang/de/web.ftl",
        "lang/fr/update.ftl",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let (status, answer) = send(&phone, "POST", "/api/customisation/check", &default).await?;
    assert_eq!(
        status, 200,
        "the default package passes its own checks: {answer}"
    );

    // A good package: the check alone changes nothing, Apply installs it.
    let good = good_package();
    let (status, answer) = send(&phone, "POST", "/api/customisation/check", &good).await?;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains("data:image/png;base64,"),
        "the preview carries the images"
    );
    assert_eq!(
        customisation(&phone).await?.id,
        None,
        "checking installs nothing"
    );
    let (status, answer) = send(&phone, "POST", "/api/customisation", &good).await?;
    assert_eq!(status, 200, "{answer}");
    let applied = customisation(&phone).await?;
    let id = applied.id.clone().context("a package id")?;
    assert_eq!(
        applied.company_name.as_deref(),
        Some("Acme Telefonbau GmbH")
    );
    assert_eq!(
        applied.colours.as_ref().map(|c| c.accent.as_str()),
        Some("#ff8800")
    );
    assert_eq!(applied.ringtones, vec!["Ringer2".to_owned()]);
    assert_eq!(applied.languages, vec!["de/phone.ftl".to_owned()]);
    let wallpaper_path = applied.wallpaper.clone().context("a wallpaper")?;
    assert_eq!(wallpaper_path, format!("/custom/{id}/wallpaper.png"));
    // Served without credentials (the phone's own screen shows it), byte for byte.
    let open = deskphone_tests::HttpClient::default();
    let (status, served) = open.get(phone.http, &wallpaper_path).await?;
    assert_eq!(status, 200);
    assert_eq!(served, png(480, 272));
    let (status, ftl) = open
        .get(phone.http, &format!("/custom/{id}/lang/de/phone.ftl"))
        .await?;
    assert_eq!(
        (status, String::from_utf8(ftl)?),
        (200, DE_PHONE_FTL.to_owned())
    );
    let (status, _) = open
        .get(phone.http, &format!("/custom/{id}/../settings.json"))
        .await?;
    assert_ne!(status, 200);
    let (status, _) = open
        .get(phone.http, "/custom/0000000000000000/wallpaper.png")
        .await?;
    assert_eq!(status, 404);
    let disk = on_disk(&phone.data_dir);

    // Hostile and bad packages: each refused with its reason, nothing changes.
    let bomb_file = {
        // A tar entry declaring 64 MiB of zeros: 64 KB compressed.
        let mut tar = tar::Builder::new(Vec::new());
        raw_entry(
            &mut tar,
            "manifest.json",
            tar::EntryType::Regular,
            None,
            good_manifest().to_string().as_bytes(),
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(64 << 20);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            "img/wallpaper.png",
            std::io::repeat(0).take_bytes(64 << 20),
        )
        .unwrap();
        gzip(&tar.into_inner().unwrap())
    };
    let bomb_long_name = {
        // A GNU long-name record of 48 MiB: a tar reader holds such records in memory.
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::GNULongName);
        header.set_size(48 << 20);
        {
            let name = &mut header.as_old_mut().name;
            name[..13].copy_from_slice(b"././@LongLink");
        }
        header.set_cksum();
        tar.append(&header, std::io::repeat(b'a').take_bytes(48 << 20))
            .unwrap();
        gzip(&tar.into_inner().unwrap())
    };
    let huge = huge_png();
    let mut corrupt = png(480, 272);
    let len = corrupt.len();
    corrupt.truncate(len / 2);
    corrupt.extend_from_slice(&[0xde; 64]);
    let jpeg_magic = [
        0xff, 0xd8, 0xff, 0xe0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]
    .to_vec();
    let logo_only = |logo: &str| serde_json::json!({"format": 1, "name": "x", "logo": logo});
    let wallpaper_only = |w: &str| serde_json::json!({"format": 1, "name": "x", "wallpaper": w});
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "corrupt image",
            package_with(&wallpaper_only("w.png"), &files_of(&[("w.png", corrupt)])),
            400,
            "is not a valid image",
        ),
        (
            "30,000×30,000 pixels",
            package_with(
                &wallpaper_only("w.png"),
                &files_of(&[("w.png", huge.clone())]),
            ),
            400,
            "is 30000×30000 pixels; the wallpaper of this DP480C may be at most 480×272",
        ),
        (
            "wallpaper larger than the display",
            package_with(
                &wallpaper_only("w.png"),
                &files_of(&[("w.png", png(800, 480))]),
            ),
            400,
            "is 800×480 pixels",
        ),
        (
            "oversized file",
            package_with(
                &logo_only("l.png"),
                &files_of(&[("l.png", vec![0x89; 300 << 10])]),
            ),
            400,
            "bytes; at most 262144",
        ),
        (
            "oversized package",
            vec![0x1f; 9 << 20],
            413,
            "larger than 8 MiB",
        ),
        (
            "`..` path",
            package_with(
                &logo_only("../l.png"),
                &files_of(&[("../l.png", png(8, 8))]),
            ),
            400,
            "climbs out of the package",
        ),
        (
            "absolute path",
            package_with(
                &logo_only("/etc/l.png"),
                &files_of(&[("/etc/l.png", png(8, 8))]),
            ),
            400,
            "is an absolute path",
        ),
        (
            "symbolic link",
            package_with(
                &logo_only("l.png"),
                &[(
                    "l.png",
                    tar::EntryType::Symlink,
                    Some("/etc/passwd"),
                    Vec::new(),
                )],
            ),
            400,
            "is a link",
        ),
        (
            "hard link",
            package_with(
                &logo_only("l.png"),
                &[(
                    "l.png",
                    tar::EntryType::Link,
                    Some("manifest.json"),
                    Vec::new(),
                )],
            ),
            400,
            "is a link",
        ),
        (
            "declared decompression bomb",
            bomb_file,
            400,
            "is 67108864 bytes",
        ),
        (
            "streamed decompression bomb",
            bomb_long_name,
            400,
            "decompression bomb",
        ),
        (
            "an image instead of a package",
            png(10, 10),
            400,
            "(this is a PNG image)",
        ),
        (
            "JPEG as logo",
            package_with(&logo_only("l.jpg"), &files_of(&[("l.jpg", jpeg_magic)])),
            400,
            "is a JPEG image; logo must be PNG or SVG",
        ),
        (
            "text as wallpaper",
            package_with(
                &wallpaper_only("w.png"),
                &files_of(&[("w.png", b"hello".to_vec())]),
            ),
            400,
            "is not an image",
        ),
        (
            "SVG with a script",
            package_with(
                &logo_only("l.svg"),
                &files_of(&[(
                    "l.svg",
                    br#"<svg width="10" height="10"><script>alert(1)</script></svg>"#.to_vec(),
                )]),
            ),
            400,
            "has a <script> element",
        ),
        (
            "another model",
            package_with(
                &serde_json::json!({"format": 1, "name": "x", "models": ["DP320C"]}),
                &[],
            ),
            400,
            "this package is for DP320C, not for this DP480C",
        ),
        (
            "a file the manifest does not name",
            package_with(
                &logo_only("l.png"),
                &files_of(&[("l.png", png(8, 8)), ("extra.bin", vec![1, 2, 3])]),
            ),
            400,
            "`extra.bin` is not named in manifest.json",
        ),
        (
            "language file with an unknown id",
            package_with(
                &serde_json::json!({"format": 1, "name": "x", "languages": ["lang/de/phone.ftl"]}),
                &files_of(&[("lang/de/phone.ftl", b"no-such-message = x\n".to_vec())]),
            ),
            400,
            "`no-such-message` is not a message of phone.ftl",
        ),
        (
            "ringtone that is not a WAV",
            package_with(
                &serde_json::json!({"format": 1, "name": "x", "ringtones": {"Ringer1": "r.wav"}}),
                &files_of(&[("r.wav", png(4, 4))]),
            ),
            400,
            "is not a usable ringtone",
        ),
    ];
    for (what, body, expected_status, expected_message) in &cases {
        // The phone stays responsive while it checks: the state API answers meanwhile.
        let upload = send(&phone, "POST", "/api/customisation", body);
        let probe = async {
            let mut slowest = Duration::ZERO;
            for _ in 0..5 {
                let start = Instant::now();
                phone.state().await?;
                slowest = slowest.max(start.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            anyhow::Ok(slowest)
        };
        let ((status, message), slowest) = tokio::try_join!(upload, probe)?;
        println!(
            "{what}: HTTP {status}, {} (state answered within {slowest:?})",
            message.trim()
        );
        assert_eq!(status, *expected_status, "{what}: {message}");
        assert!(
            message.contains(expected_message),
            "{what}: {message:?} lacks {expected_message:?}"
        );
        assert!(
            slowest < Duration::from_secs(1),
            "{what}: the state took {slowest:?}"
        );
        let now = customisation(&phone).await?;
        assert_eq!(
            now.id.as_deref(),
            Some(id.as_str()),
            "{what} changed the package"
        );
        assert_eq!(
            now.wallpaper.as_deref(),
            Some(wallpaper_path.as_str()),
            "{what}"
        );
        if *expected_status == 400 {
            let last = now.last.context("an outcome")?;
            assert!(
                !last.ok && last.message.contains(expected_message),
                "{what}: {last:?}"
            );
        }
        assert_eq!(on_disk(&phone.data_dir), disk, "{what} changed the disk");
    }
    let (status, served) = open.get(phone.http, &wallpaper_path).await?;
    assert_eq!((status, served), (200, png(480, 272)));

    // Back to the defaults.
    let (status, _) = send(&phone, "DELETE", "/api/customisation", &[]).await?;
    assert_eq!(status, 200);
    let reset = customisation(&phone).await?;
    assert_eq!(
        (reset.id, reset.wallpaper, reset.company_name),
        (None, None, None)
    );
    let (status, _) = open.get(phone.http, &wallpaper_path).await?;
    assert_eq!(status, 404);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisioning_uploads_and_background_url_go_through_the_same_checks() -> anyhow::Result<()>
{
    let server = ProvServer::http(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}", server.addr);
    let settings = |package: &str, background: &str| {
        format!(
            r#"<settings><phone-settings><custom_bg_image_url perm="RW">{base}{background}</custom_bg_image_url></phone-settings>
<uploads><file url="{base}{package}" type="customisation"/></uploads></settings>"#
        )
        .into_bytes()
    };
    server.set("/good.tar.gz", Route::File(good_package()));
    server.set(
        "/evil.tar.gz",
        Route::File(package_with(
            &serde_json::json!({"format": 1, "name": "x", "logo": "../../x.png"}),
            &files_of(&[("../../x.png", png(8, 8))]),
        )),
    );
    server.set("/bg.png", Route::File(png(320, 200)));
    server.set("/huge.png", Route::File(huge_png()));
    server.set(
        "/phone.xml",
        Route::File(settings("/good.tar.gz", "/bg.png")),
    );
    let mut phone = TestPhone::start_with(
        "custom-prov",
        options(),
        &["--set", &format!("setting_server={base}/phone.xml")],
    )
    .await?;
    let state = phone
        .wait_for(
            "the provisioned package and background",
            Duration::from_secs(20),
            |s| {
                s.customisation.id.is_some()
                    && s.customisation
                        .wallpaper
                        .as_deref()
                        .is_some_and(|w| w.contains("/bg-"))
            },
        )
        .await?;
    let id = state.customisation.id.clone().unwrap();
    let wallpaper = state.customisation.wallpaper.clone().unwrap();
    assert_eq!(
        state.customisation.company_name.as_deref(),
        Some("Acme Telefonbau GmbH")
    );
    let open = deskphone_tests::HttpClient::default();
    let (status, served) = open.get(phone.http, &wallpaper).await?;
    assert_eq!((status, served), (200, png(320, 200)));

    // The next run names a hostile package and a 30,000×30,000 background: both are
    // refused, the package and the wallpaper stay.
    server.set(
        "/phone.xml",
        Route::File(settings("/evil.tar.gz", "/huge.png")),
    );
    phone.restart().await?;
    let refused = phone
        .wait_for("both refusals", Duration::from_secs(30), |s| {
            s.customisation.last.as_ref().is_some_and(|l| !l.ok)
                && s.provisioning.last.is_some()
                && !s.customisation.checking
        })
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let now = phone.state().await?.1.customisation;
    assert_eq!(now.id.as_deref(), Some(id.as_str()), "{refused:?}");
    assert_eq!(now.wallpaper.as_deref(), Some(wallpaper.as_str()));
    let log = phone.log();
    if !(log.contains("climbs out of the package") && log.contains("30000×30000")) {
        bail!("the log does not name both refusals:\n{log}");
    }
    Ok(())
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        self.take(n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

async fn js(page: &chromiumoxide::Page, expr: &str) -> anyhow::Result<serde_json::Value> {
    page.evaluate(expr)
        .await?
        .into_value::<serde_json::Value>()
        .with_context(|| format!("evaluating {expr}"))
}

async fn js_text(page: &chromiumoxide::Page, expr: &str) -> anyhow::Result<String> {
    Ok(js(page, expr)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// The Customisation page in Chromium: a chosen package is checked by the phone and
/// shown in the preview of the idle screen (its images as they will look) before
/// anything changes; Apply puts it in use, the navigation shows the company name and
/// logo, and a hostile package shows the phone's reason and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customisation_page_previews_and_applies_a_package_in_a_browser() -> anyhow::Result<()>
{
    use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
    use deskphone_tests::{ADMIN_PASSWORD, ADMIN_USER, TestBrowser, log_in, scratch_dir, wait_js};

    let phone = TestPhone::start("custom-browser", options()).await?;
    let files = scratch_dir("custom-browser-files");
    let good = files.join("acme.tar.gz");
    std::fs::write(&good, good_package())?;
    let evil = files.join("evil.tar.gz");
    std::fs::write(
        &evil,
        package_with(
            &serde_json::json!({"format": 1, "name": "x", "wallpaper": "w.png"}),
            &files_of(&[("w.png", huge_png())]),
        ),
    )?;
    let browser = TestBrowser::launch("custom-browser-chromium", 1024, 900).await?;
    let page = browser.open(&phone, "/").await?;
    log_in(&page, ADMIN_USER, ADMIN_PASSWORD).await?;
    wait_js(
        &page,
        "the navigation",
        "!!document.querySelector(\"nav a[href='#customisation']\")",
    )
    .await?;
    page.find_element("nav a[href='#customisation']")
        .await?
        .click()
        .await?;
    wait_js(
        &page,
        "the preview of the defaults",
        "document.querySelector('#custom-preview')?.dataset.source === 'active'",
    )
    .await?;
    let size = js(
        &page,
        "[document.querySelector('#custom-preview').clientWidth, document.querySelector('#custom-preview').clientHeight]",
    )
    .await?;
    assert_eq!(
        size,
        serde_json::json!([480, 272]),
        "the preview has the display's size"
    );

    let choose = |path: std::path::PathBuf| {
        let page = page.clone();
        async move {
            let input = page.find_element("#custom-file").await?;
            page.execute(
                SetFileInputFilesParams::builder()
                    .file(path.to_string_lossy())
                    .backend_node_id(input.backend_node_id)
                    .build()
                    .map_err(anyhow::Error::msg)?,
            )
            .await?;
            anyhow::Ok(())
        }
    };

    // A hostile package: the phone's reason, nothing changes.
    choose(evil).await?;
    wait_js(
        &page,
        "the refusal",
        "document.querySelector('#custom-status')?.dataset.status === 'refused'",
    )
    .await?;
    let status = js_text(
        &page,
        "document.querySelector('#custom-status').textContent",
    )
    .await?;
    assert!(status.contains("30000×30000"), "{status}");
    assert_eq!(customisation(&phone).await?.id, None);

    // A good one: checked and previewed, not yet in use.
    choose(good).await?;
    wait_js(
        &page,
        "the check",
        "document.querySelector('#custom-status')?.dataset.status === 'checked'",
    )
    .await?;
    wait_js(
        &page,
        "the staged preview",
        "document.querySelector('#custom-preview')?.dataset.source === 'staged'",
    )
    .await?;
    let company = js_text(
        &page,
        "document.querySelector('#custom-preview-company').textContent",
    )
    .await?;
    assert_eq!(company, "Acme Telefonbau GmbH");
    let wallpaper = js_text(
        &page,
        "document.querySelector('#custom-preview-wallpaper').dataset.url",
    )
    .await?;
    assert!(
        wallpaper.starts_with("data:image/png;base64,"),
        "{}",
        &wallpaper[..40.min(wallpaper.len())]
    );
    wait_js(
        &page,
        "the logo to load",
        "document.querySelector('#custom-preview-logo')?.naturalWidth === 64",
    )
    .await?;
    let background = js_text(
        &page,
        "getComputedStyle(document.querySelector('#custom-preview')).backgroundImage",
    )
    .await?;
    assert!(
        background.starts_with("url(\"data:image/png"),
        "the wallpaper is drawn: {}",
        &background[..40.min(background.len())]
    );
    assert_eq!(
        customisation(&phone).await?.id,
        None,
        "the preview installs nothing"
    );

    // Apply: in use, drawn from the phone's own files, and in the navigation.
    page.find_element("#custom-apply").await?.click().await?;
    wait_js(
        &page,
        "the package in use",
        "document.querySelector('#custom-status')?.dataset.status === 'applied'",
    )
    .await?;
    let id = customisation(&phone).await?.id.context("in use")?;
    wait_js(
        &page,
        "the preview of the package in use",
        &format!("document.querySelector('#custom-preview')?.dataset.source === 'active' && document.querySelector('#custom-preview-wallpaper')?.dataset.url === '/custom/{id}/wallpaper.png'"),
    )
    .await?;
    wait_js(
        &page,
        "the served logo to load",
        "document.querySelector('#custom-preview-logo')?.naturalWidth === 64",
    )
    .await?;
    wait_js(
        &page,
        "the company in the navigation",
        "document.querySelector('#company-name')?.textContent === 'Acme Telefonbau GmbH'",
    )
    .await?;
    let logo = js_text(
        &page,
        "document.querySelector('#brand img.logo').getAttribute('src')",
    )
    .await?;
    assert_eq!(logo, format!("/custom/{id}/logo.png"));
    Ok(())
}
