//! The web server's access control (R3, P5, N2): credentials on every endpoint but the
//! bundle, Basic and Digest as scripts send them, lockout, the generated password, the
//! login form with its cookie and CSRF token, cross-site refusals, the user role, the
//! settings file's mode, the listening ports, and no browser left behind by a killed
//! phone.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use deskphone_protocol::DisplayEngineState;
use deskphone_tests::{
    ADMIN_PASSWORD, ADMIN_USER, HttpRequest, PhoneOptions, TestPhone, basic_authorization,
    browser_processes, ws_command, ws_connect, ws_connect_with, ws_headers,
};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

fn options(display: bool) -> PhoneOptions<'static> {
    PhoneOptions {
        user: "alice",
        display_name: "Alice",
        sim_input: "silence",
        display,
    }
}

async fn phone(name: &str) -> anyhow::Result<TestPhone> {
    TestPhone::start(name, options(false)).await
}

const PROTECTED: &[&str] = &[
    "/command.htm?key=5",
    "/screen.png",
    "/screen.bmp",
    "/screen.txt",
    "/api/state",
    "/api/ws",
    "/api/no-such-thing",
];

#[tokio::test]
async fn every_endpoint_but_the_bundle_needs_credentials() -> anyhow::Result<()> {
    let phone = phone("auth-endpoints").await?;
    let anonymous = deskphone_tests::HttpClient::default();
    for path in PROTECTED {
        let r = anonymous
            .request(phone.http, &HttpRequest::get(path))
            .await?;
        assert_eq!(r.status, 401, "{path} without credentials: {}", r.text());
        let challenges = r.header_values("www-authenticate");
        assert_eq!(challenges.len(), 3, "{path}: {challenges:?}");
        assert!(
            challenges[0].starts_with("Digest ") && challenges[0].contains("algorithm=SHA-256")
        );
        assert!(challenges[1].starts_with("Digest ") && challenges[1].contains("algorithm=MD5"));
        assert!(challenges[0].contains("qop=\"auth\""));
        assert!(challenges[2].starts_with("Basic "));
    }
    for path in ["/", "/phone", "/api/session"] {
        let r = anonymous
            .request(phone.http, &HttpRequest::get(path))
            .await?;
        assert_eq!(r.status, 200, "{path} is open");
    }
    // The state did not change: the anonymous key press was refused.
    let (_, state) = phone.state().await?;
    assert_eq!(state.dial_buffer, "");

    // Basic, as `curl -u` sends it; the wrong password gets a 401.
    let basic = HttpRequest::get("/api/state").header(
        "Authorization",
        &basic_authorization(ADMIN_USER, ADMIN_PASSWORD),
    );
    assert_eq!(anonymous.request(phone.http, &basic).await?.status, 200);
    let wrong = HttpRequest::get("/api/state")
        .header("Authorization", &basic_authorization(ADMIN_USER, "not-it"));
    assert_eq!(anonymous.request(phone.http, &wrong).await?.status, 401);
    // The display engine is off here: credentials pass, the screen answers 503.
    assert_eq!(phone.get("/screen.png").await?.0, 503);

    // Digest with both algorithms.
    for algorithm in ["SHA-256", "MD5"] {
        let r = anonymous
            .digest_get(
                phone.http,
                "/command.htm?key=7",
                ADMIN_USER,
                ADMIN_PASSWORD,
                algorithm,
            )
            .await?;
        assert_eq!(r.status, 200, "Digest {algorithm}: {}", r.text());
        let r = anonymous
            .digest_get(phone.http, "/api/state", ADMIN_USER, "wrong", algorithm)
            .await?;
        assert_eq!(r.status, 401, "Digest {algorithm} with a wrong password");
    }
    let (_, state) = phone.state().await?;
    assert_eq!(state.dial_buffer, "77");

    // curl, as existing phone scripts call it.
    let curl = deskphone_tests::require_tool("curl", "curl")?;
    for flag in ["--digest", "--basic"] {
        let out = std::process::Command::new(&curl)
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", flag, "-u"])
            .arg(format!("{ADMIN_USER}:{ADMIN_PASSWORD}"))
            .arg(format!("http://{}/command.htm?key=9", phone.http))
            .output()?;
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200", "curl {flag}");
    }
    let (_, state) = phone.state().await?;
    assert_eq!(state.dial_buffer, "7799");
    Ok(())
}

#[tokio::test]
async fn ten_wrong_passwords_lock_the_address_out_even_for_the_right_one() -> anyhow::Result<()> {
    let phone = phone("auth-lockout").await?;
    let client = deskphone_tests::HttpClient::default();
    let attempt = |password: &str| {
        HttpRequest::get("/api/state")
            .header("Authorization", &basic_authorization(ADMIN_USER, password))
    };
    for n in 1..=9 {
        let r = client.request(phone.http, &attempt("guess")).await?;
        assert_eq!(r.status, 401, "wrong password {n}");
    }
    let tenth = client.request(phone.http, &attempt("guess")).await?;
    assert_eq!(tenth.status, 429);
    let right = client.request(phone.http, &attempt(ADMIN_PASSWORD)).await?;
    assert_eq!(right.status, 429, "the right password during the lock");
    let wait: u64 = right.header_values("retry-after")[0].parse()?;
    assert!((1..=30).contains(&wait), "Retry-After {wait}");
    // The login form is locked too.
    let login = client
        .request(
            phone.http,
            &HttpRequest::post(
                "/api/login",
                "application/json",
                serde_json::json!({"user": ADMIN_USER, "password": ADMIN_PASSWORD}).to_string(),
            ),
        )
        .await?;
    assert_eq!(login.status, 429);
    tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(300)).await;
    let after = client.request(phone.http, &attempt(ADMIN_PASSWORD)).await?;
    assert_eq!(after.status, 200, "after the lock: {}", after.text());
    Ok(())
}

fn generated_password(log: &str) -> Option<String> {
    let marker = "generated web admin password for user `admin`: ";
    let start = log.find(marker)? + marker.len();
    Some(log[start..].split_whitespace().next()?.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_password_is_logged_once_shown_on_the_screen_and_nowhere_else()
-> anyhow::Result<()> {
    let mut phone =
        TestPhone::start_with_password("auth-generated", options(true), &[], None).await?;
    let log = phone.log();
    let password = generated_password(&log).with_context(|| format!("no password in\n{log}"))?;
    assert_eq!(password.len(), 12);
    assert_eq!(log.matches(&password).count(), 1, "printed once");
    assert_eq!(phone.get("/api/state").await?.0, 401);
    phone.client.set_credentials(ADMIN_USER, &password);

    let (status, body) = phone.get("/api/state").await?;
    assert_eq!(status, 200);
    assert!(
        !String::from_utf8_lossy(&body).contains(&password),
        "not in /api/state"
    );
    let mut ws = ws_connect(&phone).await?;
    let Some(Ok(Message::Text(snapshot))) = ws.next().await else {
        bail!("no snapshot")
    };
    assert!(
        !snapshot.as_str().contains(&password),
        "not in a WebSocket session"
    );
    drop(ws);

    // The phone's own screen shows it.
    phone
        .wait_for_screen("the generated password", Duration::from_secs(60), |t| {
            t.contains("screen idle") && t.contains(&password)
        })
        .await?;
    assert!(
        !std::fs::read_to_string(phone.data_dir.join("admin-password.generated"))?
            .contains(&password)
    );

    // Changed by the admin: gone from the screen, the old one no longer works.
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"http_pass": "a-new-admin-pw"}}),
    )
    .await?;
    phone.client.set_credentials(ADMIN_USER, "a-new-admin-pw");
    phone
        .wait_for_screen(
            "the screen without the password",
            Duration::from_secs(20),
            |t| t.contains("screen idle") && !t.contains(&password),
        )
        .await?;
    let old = HttpRequest::get("/api/state")
        .header("Authorization", &basic_authorization(ADMIN_USER, &password));
    assert_eq!(phone.client.request(phone.http, &old).await?.status, 401);
    assert!(
        !phone.log().contains("a-new-admin-pw"),
        "no secret in the log"
    );
    Ok(())
}

/// Logs in through the API as the login form does; returns the cookie and CSRF token.
async fn login(phone: &TestPhone, user: &str, password: &str) -> anyhow::Result<(String, String)> {
    let r = phone
        .client
        .request(
            phone.http,
            &HttpRequest::post(
                "/api/login",
                "application/json",
                serde_json::json!({"user": user, "password": password}).to_string(),
            ),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "login: {} {}", r.status, r.text());
    let set_cookie = r.header_values("set-cookie")[0].to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let body: serde_json::Value = serde_json::from_slice(&r.body)?;
    Ok((cookie, body["csrf"].as_str().context("no csrf")?.to_owned()))
}

#[tokio::test]
async fn the_login_form_gives_a_session_whose_changes_need_the_csrf_token() -> anyhow::Result<()> {
    let phone = phone("auth-session").await?;
    let anonymous = deskphone_tests::HttpClient::default();
    let wrong = anonymous
        .request(
            phone.http,
            &HttpRequest::post(
                "/api/login",
                "application/json",
                serde_json::json!({"user": ADMIN_USER, "password": "nope"}).to_string(),
            ),
        )
        .await?;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.header_values("www-authenticate").is_empty(),
        "no browser dialog"
    );
    assert!(wrong.text().contains("wrong_credentials"));
    // A form post works as well.
    let form = anonymous
        .request(
            phone.http,
            &HttpRequest::post(
                "/api/login",
                "application/x-www-form-urlencoded",
                format!("user={ADMIN_USER}&password={ADMIN_PASSWORD}"),
            ),
        )
        .await?;
    assert_eq!(form.status, 200, "{}", form.text());

    let (cookie, csrf) = login(&phone, ADMIN_USER, ADMIN_PASSWORD).await?;
    let with_cookie = |path: &str| HttpRequest::get(path).header("Cookie", &cookie);
    let session = anonymous
        .request(phone.http, &with_cookie("/api/session"))
        .await?;
    let session: serde_json::Value = serde_json::from_slice(&session.body)?;
    assert_eq!(session["logged_in"], true);
    assert_eq!(session["role"], "admin");
    assert_eq!(
        anonymous
            .request(phone.http, &with_cookie("/api/state"))
            .await?
            .status,
        200
    );

    // A key press by cookie without the token changes nothing.
    let r = anonymous
        .request(phone.http, &with_cookie("/command.htm?key=3"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = anonymous
        .request(
            phone.http,
            &with_cookie("/command.htm?key=3").header("X-CSRF-Token", "forged"),
        )
        .await?;
    assert_eq!(r.status, 403);
    assert_eq!(phone.state().await?.1.dial_buffer, "");
    let r = anonymous
        .request(
            phone.http,
            &with_cookie("/command.htm?key=3").header("X-CSRF-Token", &csrf),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(phone.state().await?.1.dial_buffer, "3");

    // The web UI's WebSocket: cookie plus this phone's Origin.
    let origin = format!("http://{}", phone.http);
    let headers = vec![
        ("Cookie".to_owned(), cookie.clone()),
        ("Origin".to_owned(), origin.clone()),
    ];
    let mut ws = ws_connect_with(&phone, "/api/ws", &headers).await?;
    assert!(matches!(ws.next().await, Some(Ok(Message::Text(_)))));
    // A cookie without Origin is not a page of this phone.
    assert!(
        ws_connect_with(&phone, "/api/ws", &headers[..1])
            .await
            .is_err()
    );

    // Logout needs the token too, and ends the session.
    let logout = |token: Option<&str>| {
        let r =
            HttpRequest::post("/api/logout", "application/json", "{}").header("Cookie", &cookie);
        match token {
            Some(t) => r.header("X-CSRF-Token", t),
            None => r,
        }
    };
    assert_eq!(
        anonymous.request(phone.http, &logout(None)).await?.status,
        403
    );
    assert_eq!(
        anonymous
            .request(phone.http, &logout(Some(&csrf)))
            .await?
            .status,
        200
    );
    let session = anonymous
        .request(phone.http, &with_cookie("/api/session"))
        .await?;
    assert!(
        session.text().contains("\"logged_in\":false"),
        "{}",
        session.text()
    );
    assert_eq!(
        anonymous
            .request(phone.http, &with_cookie("/api/state"))
            .await?
            .status,
        401
    );
    // The session's WebSocket ends with it: its next command is not carried out.
    ws.send(Message::text(r#"{"v":1,"id":9,"type":"key","key":"8"}"#))
        .await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await? {
            Some(Ok(Message::Text(t))) => {
                assert!(
                    !t.as_str().contains("\"id\":9"),
                    "answered after logout: {t}"
                )
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(_)) => {}
        }
    }
    assert_eq!(phone.state().await?.1.dial_buffer, "3");

    // Changing the admin password ends every session.
    let (cookie, _) = login(&phone, ADMIN_USER, ADMIN_PASSWORD).await?;
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"http_pass": "another-pw-1"}}),
    )
    .await?;
    let start = Instant::now();
    loop {
        let r = anonymous
            .request(
                phone.http,
                &HttpRequest::get("/api/state").header("Cookie", &cookie),
            )
            .await?;
        if r.status == 401 {
            break;
        }
        anyhow::ensure!(start.elapsed() < Duration::from_secs(5), "session survived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[tokio::test]
async fn cross_site_requests_change_nothing_even_with_valid_credentials() -> anyhow::Result<()> {
    let phone = phone("auth-cross-site").await?;
    let auth = basic_authorization(ADMIN_USER, ADMIN_PASSWORD);
    let offhook = || HttpRequest::get("/command.htm?key=OFFHOOK").header("Authorization", &auth);
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
        ("Origin", "http://evil.example"),
        ("Referer", "http://evil.example/page.html"),
    ] {
        let r = phone
            .client
            .request(phone.http, &offhook().header(header, value))
            .await?;
        assert_eq!(r.status, 403, "{header}: {value}: {}", r.text());
    }
    let (_, state) = phone.state().await?;
    assert!(!state.off_hook, "nothing changed");
    // The same request from the phone's own page passes.
    let own = offhook()
        .header("Sec-Fetch-Site", "same-origin")
        .header("Origin", &format!("http://{}", phone.http));
    assert_eq!(phone.client.request(phone.http, &own).await?.status, 200);
    assert!(phone.state().await?.1.off_hook);

    // A WebSocket from a foreign page is refused, with valid credentials.
    let mut headers = ws_headers(&phone);
    headers.push(("Origin".into(), "http://evil.example".into()));
    assert!(ws_connect_with(&phone, "/api/ws", &headers).await.is_err());
    // A wrong display token opens nothing.
    assert!(
        ws_connect_with(&phone, "/api/ws?display-token=guessed", &[])
            .await
            .is_err()
    );
    Ok(())
}

#[tokio::test]
async fn the_user_role_cannot_change_admin_settings() -> anyhow::Result<()> {
    let mut phone = TestPhone::start_with(
        "auth-user-role",
        options(false),
        &["--set", "http_user_pass=user-pw-1"],
    )
    .await?;
    phone.client.set_credentials("user", "user-pw-1");
    assert_eq!(phone.get("/api/state").await?.0, 200);
    phone.key("5").await?;

    let refused = ws_command(
        &phone,
        serde_json::json!({"type": "set_settings",
            "values": {"user_realname[1]": "Mallory", "http_pass": "taken-over"}}),
    )
    .await
    .expect_err("the user role changed the admin password");
    let text = refused.to_string();
    assert!(
        text.contains("forbidden") && text.contains("http_pass"),
        "{text}"
    );
    // Nothing changed: not the name, not the password.
    let (_, state) = phone.state().await?;
    assert_eq!(state.settings["user_realname[1]"], "Alice");
    let admin = HttpRequest::get("/api/state").header(
        "Authorization",
        &basic_authorization(ADMIN_USER, ADMIN_PASSWORD),
    );
    assert_eq!(phone.client.request(phone.http, &admin).await?.status, 200);

    // What the user may change, the user changes.
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"user_realname[1]": "Alice U."}}),
    )
    .await?;
    assert_eq!(
        phone.state().await?.1.settings["user_realname[1]"],
        "Alice U."
    );
    Ok(())
}

#[tokio::test]
async fn the_settings_file_is_readable_by_its_owner_only() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let phone = phone("auth-file-mode").await?;
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"user_pass[1]": "sip-secret"}}),
    )
    .await?;
    let meta = std::fs::metadata(phone.data_dir.join("settings.json"))?;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let (_, state) = phone.state().await?;
    assert!(!serde_json::to_string(&state)?.contains("sip-secret"));
    Ok(())
}

/// Socket inodes of `pid`'s open file descriptors.
fn socket_inodes(pid: i32) -> BTreeSet<u64> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return BTreeSet::new();
    };
    fds.filter_map(|fd| {
        let target = std::fs::read_link(fd.ok()?.path()).ok()?;
        let target = target.to_str()?;
        target
            .strip_prefix("socket:[")?
            .strip_suffix(']')?
            .parse()
            .ok()
    })
    .collect()
}

/// A listening socket: protocol, local address (as in /proc/net, hex) and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Listening {
    proto: &'static str,
    loopback: bool,
    port: u16,
}

/// Listening TCP sockets and bound UDP sockets of the given inodes.
fn listening(inodes: &BTreeSet<u64>) -> BTreeSet<Listening> {
    let mut out = BTreeSet::new();
    for (proto, file) in [
        ("tcp", "tcp"),
        ("tcp", "tcp6"),
        ("udp", "udp"),
        ("udp", "udp6"),
    ] {
        let Ok(table) = std::fs::read_to_string(format!("/proc/net/{file}")) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 {
                continue;
            }
            let Ok(inode) = f[9].parse::<u64>() else {
                continue;
            };
            // TCP: state 0A is LISTEN. UDP: 07 (unconnected) receives from anyone.
            let state_ok = if proto == "tcp" {
                f[3] == "0A"
            } else {
                f[3] == "07"
            };
            if !inodes.contains(&inode) || !state_ok {
                continue;
            }
            let (addr, port) = f[1].split_once(':').unwrap();
            let loopback = matches!(addr, "0100007F" | "00000000000000000000000001000000");
            out.insert(Listening {
                proto,
                loopback,
                port: u16::from_str_radix(port, 16).unwrap(),
            });
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_configured_ports_listen() -> anyhow::Result<()> {
    // The Chromium display engine (an option beside the native one) is what starts
    // helper processes; these checks are about it.
    let phone =
        TestPhone::start_with("auth-ports", options(true), &["--display", "chromium"]).await?;
    phone
        .wait_for("the display engine", Duration::from_secs(60), |s| {
            s.display_engine == DisplayEngineState::Running
        })
        .await?;
    let ports = listening(&socket_inodes(phone.pid() as i32));
    let expected: BTreeSet<Listening> = [
        Listening {
            proto: "tcp",
            loopback: true,
            port: phone.http.port(),
        },
        Listening {
            proto: "tcp",
            loopback: true,
            port: phone.sip.port(),
        },
        Listening {
            proto: "udp",
            loopback: true,
            port: phone.sip.port(),
        },
    ]
    .into();
    assert_eq!(ports, expected, "N2: only HTTP and SIP");
    assert!(!ports.iter().any(|l| l.port == 7547), "no TR-069");

    // The display engine's browser: its DevTools port on loopback only.
    let profile = phone.data_dir.join("display-engine-profile");
    let browsers = browser_processes(&profile);
    anyhow::ensure!(!browsers.is_empty(), "no browser of {}", profile.display());
    let mut inodes = BTreeSet::new();
    for pid in &browsers {
        inodes.extend(socket_inodes(*pid));
    }
    let browser_ports = listening(&inodes);
    assert!(
        browser_ports.iter().any(|l| l.proto == "tcp"),
        "the DevTools port: {browser_ports:?}"
    );
    for l in &browser_ports {
        assert!(l.loopback, "the browser listens beyond loopback: {l:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_phone_leaves_no_browser_behind() -> anyhow::Result<()> {
    // The Chromium display engine (an option beside the native one) is what starts
    // helper processes; these checks are about it.
    let phone =
        TestPhone::start_with("auth-sigkill", options(true), &["--display", "chromium"]).await?;
    phone
        .wait_for("the display engine", Duration::from_secs(60), |s| {
            s.display_engine == DisplayEngineState::Running
        })
        .await?;
    let profile = phone.data_dir.join("display-engine-profile");
    anyhow::ensure!(
        !browser_processes(&profile).is_empty(),
        "no browser to begin with"
    );
    // SIGKILL the phone alone, not its process group: nothing of it can clean up.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(phone.pid() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )?;
    let start = Instant::now();
    loop {
        let left = browser_processes(&profile);
        if left.is_empty() {
            break;
        }
        if start.elapsed() > Duration::from_secs(10) {
            bail!(
                "browser processes of {} survive the phone: {left:?}",
                profile.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn a_websocket_of_a_script_sends_keys_with_basic_credentials() -> anyhow::Result<()> {
    let phone = phone("auth-ws-basic").await?;
    let mut ws = ws_connect(&phone).await?;
    ws.send(Message::text(r#"{"v":1,"id":1,"type":"key","key":"4"}"#))
        .await?;
    let start = Instant::now();
    while phone.state().await?.1.dial_buffer != "4" {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(5),
            "the key did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        ws_connect_with(&phone, "/api/ws", &[]).await.is_err(),
        "anonymous refused"
    );
    Ok(())
}

#[tokio::test]
async fn a_given_password_is_applied_once_not_on_every_start() -> anyhow::Result<()> {
    let mut phone = phone("auth-given-once").await?;
    ws_command(
        &phone,
        serde_json::json!({"type": "set_settings", "values": {"http_pass": "changed-in-the-ui"}}),
    )
    .await?;
    // The same environment again, as a reboot re-executes the program.
    phone.restart().await?;
    assert_eq!(
        phone.get("/api/state").await?.0,
        401,
        "the given password came back"
    );
    phone
        .client
        .set_credentials(ADMIN_USER, "changed-in-the-ui");
    assert_eq!(phone.get("/api/state").await?.0, 200);
    Ok(())
}

#[tokio::test]
async fn a_generated_password_survives_restarts_and_is_printed_only_once() -> anyhow::Result<()> {
    let mut phone =
        TestPhone::start_with_password("auth-generated-restart", options(false), &[], None).await?;
    let password = generated_password(&phone.log()).context("no generated password")?;
    phone.restart().await?;
    phone.client.set_credentials(ADMIN_USER, &password);
    assert_eq!(phone.get("/api/state").await?.0, 200);
    let log = phone.log();
    assert_eq!(log.matches(&password).count(), 1, "printed again:\n{log}");
    Ok(())
}
