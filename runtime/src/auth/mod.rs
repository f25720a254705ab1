//! Who may use the web server (R3, P5): HTTP Basic and Digest for scripts, a login form
//! with a session cookie and a CSRF token for the web UI, a per-start token for the
//! phone's own display engine, brute-force lockout, and cross-site checks.
//!
//! - `credentials`: random secrets, constant-time comparison, the admin password at start
//! - `basic`, `digest`: the `Authorization` schemes (RFC 7617, RFC 7616)
//! - `sessions`: login sessions and their CSRF tokens
//! - `lockout`: ten wrong passwords lock an address out for a growing time
//! - `origin`: `Sec-Fetch-Site` / `Origin` / `Referer` against `Host`

pub mod basic;
pub mod credentials;
pub mod digest;
pub mod lockout;
pub mod origin;
pub mod sessions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use deskphone_protocol::ShownSecret;
use deskphone_settings::web_access::{Role, WebCredentials};
use serde::Deserialize;
use tokio::sync::watch;

use self::credentials::{CredentialError, Secret, secrets_equal};
use self::digest::{DigestAuth, Outcome};
use self::lockout::Lockout;
use self::sessions::{COOKIE, Sessions, cookie_value};

/// The query parameter of `/api/ws` that carries the display engine's token.
pub const DISPLAY_TOKEN_PARAM: &str = "display-token";
/// The header a cookie-authenticated state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is calling, as the middleware established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub role: CallerRole,
    pub via: Via,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerRole {
    Admin,
    User,
    /// The phone's own display engine: the screen and the keys, nothing else.
    Display,
}

impl From<Role> for CallerRole {
    fn from(r: Role) -> CallerRole {
        match r {
            Role::Admin => CallerRole::Admin,
            Role::User => CallerRole::User,
        }
    }
}

/// How the caller proved it.
#[derive(Clone, PartialEq, Eq)]
pub enum Via {
    /// Basic or Digest.
    Password,
    /// The login session with this id.
    Session(String),
    DisplayToken,
}

impl std::fmt::Debug for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Via::Password => "Password",
            Via::Session(_) => "Session(***)",
            Via::DisplayToken => "DisplayToken",
        })
    }
}

/// The web server's gatekeeper; cheap to clone.
#[derive(Clone)]
pub struct Auth(Arc<Inner>);

struct Inner {
    credentials: watch::Receiver<WebCredentials>,
    sessions: Sessions,
    lockout: Lockout,
    digest: DigestAuth,
    display_token: Secret,
    generated: watch::Sender<Option<ShownSecret>>,
}

impl Auth {
    /// Follows `credentials` (the saved settings): when they change, every session and
    /// nonce ends, and a generated password (`generated`, still in use at start) is no
    /// longer shown once the admin password differs from it. Needs a tokio runtime.
    pub fn new(
        credentials: watch::Receiver<WebCredentials>,
        generated: Option<Secret>,
        data_dir: PathBuf,
    ) -> Result<Auth, CredentialError> {
        let auth = Auth(Arc::new(Inner {
            credentials: credentials.clone(),
            sessions: Sessions::default(),
            lockout: Lockout::default(),
            digest: DigestAuth::new()?,
            display_token: Secret::new(credentials::random_token(32)?),
            generated: watch::channel(generated.map(|s| ShownSecret(s.expose().to_owned()))).0,
        }));
        let weak = Arc::downgrade(&auth.0);
        let mut changes = credentials;
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let Some(inner) = weak.upgrade() else { return };
                let current = changes.borrow_and_update().clone();
                inner.sessions.clear();
                inner.digest.clear();
                inner.generated.send_if_modified(|shown| {
                    if shown
                        .as_ref()
                        .is_some_and(|s| s.0 != current.admin_password)
                    {
                        *shown = None;
                        credentials::forget_generated(&data_dir);
                        true
                    } else {
                        false
                    }
                });
                tracing::info!("web credentials changed: every login session ended");
            }
        });
        Ok(auth)
    }

    /// The token of this start that the display engine's page passes on its WebSocket.
    pub fn display_token(&self) -> &str {
        self.0.display_token.expose()
    }

    /// The generated admin password while it is still in use (for the display engine's
    /// connection only).
    pub fn generated_password(&self) -> watch::Receiver<Option<ShownSecret>> {
        self.0.generated.subscribe()
    }

    /// Changes of the credentials (connections authenticated before end on a change).
    pub fn credential_changes(&self) -> watch::Receiver<WebCredentials> {
        self.0.credentials.clone()
    }

    /// Marks the session `id` as used now; `false` when it has ended (expired, logged
    /// out, credentials changed).
    pub fn touch_session(&self, id: &str) -> bool {
        self.0.sessions.get(id, Instant::now()).is_some()
    }

    fn credentials(&self) -> WebCredentials {
        self.0.credentials.borrow().clone()
    }

    /// A 401 with challenges for Digest SHA-256, Digest MD5 and Basic (RFC 9110 §11.6.1).
    fn unauthorized(&self, stale: bool) -> Response {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            "authentication required: HTTP Basic or Digest with the phone's web credentials\n",
        )
            .into_response();
        let headers = response.headers_mut();
        match self.0.digest.challenges(stale, Instant::now()) {
            Ok(challenges) => {
                for c in challenges {
                    if let Ok(v) = HeaderValue::from_str(&c) {
                        headers.append(header::WWW_AUTHENTICATE, v);
                    }
                }
            }
            Err(e) => tracing::warn!("no Digest challenge: {e}"),
        }
        headers.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"deskphone\", charset=\"UTF-8\""),
        );
        response
    }
}

fn locked(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, secs.to_string())],
        axum::Json(serde_json::json!({ "error": "locked", "retry_after_s": secs })),
    )
        .into_response()
}

fn forbidden(why: impl std::fmt::Display) -> Response {
    (StatusCode::FORBIDDEN, format!("{why}\n")).into_response()
}

fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether a request may change something: anything but GET/HEAD, the remote-control
/// URL (a GET that presses keys, R1) and the WebSocket (which carries commands).
fn changes_state(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    !(method == Method::GET || method == Method::HEAD)
        || path == "/command.htm"
        || is_websocket_upgrade(headers)
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The middleware in front of every protected route: establishes the [`Caller`] (a
/// request extension) or answers 401, 403 or 429.
pub async fn require(
    State(auth): State<Auth>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let now = Instant::now();
    let ip = peer.ip();
    if let Err(wait) = auth.0.lockout.check(ip, now) {
        return locked(wait);
    }
    let headers = req.headers();
    let path = req.uri().path();
    let websocket = is_websocket_upgrade(headers);
    let state_changing = changes_state(req.method(), path, headers);
    // Cross-site requests change nothing, whatever credentials the browser attaches.
    if state_changing && let Err(e) = origin::check(headers) {
        return forbidden(e);
    }
    let caller = if let Some(token) = query_param(req.uri().query(), DISPLAY_TOKEN_PARAM) {
        if websocket && secrets_equal(token.as_bytes(), auth.display_token().as_bytes()) {
            Caller {
                role: CallerRole::Display,
                via: Via::DisplayToken,
            }
        } else {
            auth.0.lockout.failure(ip, now);
            return forbidden("this display token is not valid");
        }
    } else if let Some(authorization) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, params) = authorization
            .trim()
            .split_once(' ')
            .unwrap_or((authorization, ""));
        let credentials = auth.credentials();
        let outcome = if scheme.eq_ignore_ascii_case("basic") {
            match basic::parse(params) {
                Some((user, password)) => match credentials.account(&user) {
                    Some((role, expected))
                        if secrets_equal(password.expose().as_bytes(), expected.as_bytes()) =>
                    {
                        Outcome::Valid { role, user }
                    }
                    _ => Outcome::Wrong,
                },
                None => Outcome::Malformed("unreadable Basic credentials"),
            }
        } else if scheme.eq_ignore_ascii_case("digest") {
            let uri = req
                .uri()
                .path_and_query()
                .map_or(path, |pq| pq.as_str())
                .to_owned();
            auth.0
                .digest
                .verify(params, req.method().as_str(), &uri, &credentials, now)
        } else {
            Outcome::Malformed("unsupported authorization scheme")
        };
        match outcome {
            Outcome::Valid { role, .. } => {
                auth.0.lockout.success(ip);
                Caller {
                    role: role.into(),
                    via: Via::Password,
                }
            }
            Outcome::Stale => return auth.unauthorized(true),
            Outcome::Wrong => {
                if let Some(length) = auth.0.lockout.failure(ip, now) {
                    tracing::warn!(
                        "web login: too many wrong passwords from {ip}; locked for {} s",
                        length.as_secs()
                    );
                    return locked(length);
                }
                return auth.unauthorized(false);
            }
            Outcome::Malformed(why) => {
                let mut response = auth.unauthorized(false);
                *response.body_mut() = Body::from(format!("{why}\n"));
                return response;
            }
        }
    } else if let Some(id) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| cookie_value(v, COOKIE))
    {
        let Some(session) = auth.0.sessions.get(id, now) else {
            return auth.unauthorized(false);
        };
        if state_changing {
            // A browser sends the cookie by itself; the request must show it comes from
            // our page: the Origin (WebSocket) or the CSRF token only our page can read.
            if websocket {
                if let Err(e) = origin::check_browser(headers) {
                    return forbidden(e);
                }
            } else {
                let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if !token.is_some_and(|t| secrets_equal(t.as_bytes(), session.csrf.as_bytes())) {
                    return forbidden("missing or wrong X-CSRF-Token");
                }
            }
        }
        Caller {
            role: session.role.into(),
            via: Via::Session(id.to_owned()),
        }
    } else {
        return auth.unauthorized(false);
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// The body of `POST /api/login`, JSON or a form.
#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
}

fn login_error(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
}

/// `POST /api/login` (`user`, `password` as JSON or a form): sets the session cookie and
/// answers `{role, user, csrf}`. Wrong credentials: 401 `{"error":"wrong_credentials"}`;
/// locked out: 429 with `Retry-After`.
pub async fn login(
    State(auth): State<Auth>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let now = Instant::now();
    let ip = peer.ip();
    if let Err(wait) = auth.0.lockout.check(ip, now) {
        return locked(wait);
    }
    // A login form posted from another site would log the browser in as the attacker.
    if let Err(e) = origin::check(req.headers()) {
        return forbidden(e);
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let form = if json {
        axum::Json::<LoginForm>::from_request(req, &())
            .await
            .map(|j| j.0)
            .ok()
    } else {
        axum::Form::<LoginForm>::from_request(req, &())
            .await
            .map(|f| f.0)
            .ok()
    };
    let Some(form) = form else {
        return login_error(StatusCode::BAD_REQUEST, "bad_request");
    };
    let password = Secret::new(form.password);
    let credentials = auth.credentials();
    let role = match credentials.account(&form.user) {
        Some((role, expected))
            if secrets_equal(password.expose().as_bytes(), expected.as_bytes()) =>
        {
            role
        }
        _ => {
            if let Some(length) = auth.0.lockout.failure(ip, now) {
                tracing::warn!(
                    "web login: too many wrong passwords from {ip}; locked for {} s",
                    length.as_secs()
                );
                return locked(length);
            }
            return login_error(StatusCode::UNAUTHORIZED, "wrong_credentials");
        }
    };
    auth.0.lockout.success(ip);
    let (id, session) = match auth.0.sessions.create(role, &form.user, now) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot start a session: {e}");
            return login_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        }
    };
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"),
        )],
        axum::Json(serde_json::json!({
            "role": session.role,
            "user": session.user,
            "csrf": session.csrf,
        })),
    )
        .into_response()
}

/// `GET /api/session`: `{"logged_in": true, role, user, csrf}` for a live session
/// cookie, else `{"logged_in": false}` (never a 401: the UI shows its login form).
pub async fn session(State(auth): State<Auth>, headers: HeaderMap) -> Response {
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| cookie_value(v, COOKIE))
        .and_then(|id| auth.0.sessions.get(id, Instant::now()));
    let body = match session {
        Some(s) => serde_json::json!({
            "logged_in": true, "role": s.role, "user": s.user, "csrf": s.csrf,
        }),
        None => serde_json::json!({ "logged_in": false }),
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// `POST /api/logout` (behind [`require`], so with the CSRF token): ends the session.
pub async fn logout(
    State(auth): State<Auth>,
    axum::Extension(caller): axum::Extension<Caller>,
) -> Response {
    if let Via::Session(id) = &caller.via {
        auth.0.sessions.remove(id);
    }
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
        axum::Json(serde_json::json!({ "logged_in": false })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_changing_requests_are_recognised() {
        let h = HeaderMap::new();
        assert!(!changes_state(&Method::GET, "/screen.png", &h));
        assert!(changes_state(&Method::GET, "/command.htm", &h));
        assert!(changes_state(&Method::POST, "/api/logout", &h));
        let mut ws = HeaderMap::new();
        ws.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        assert!(changes_state(&Method::GET, "/api/ws", &ws));
    }

    #[test]
    fn query_parameters_are_found() {
        assert_eq!(
            query_param(Some("a=1&display-token=xyz"), DISPLAY_TOKEN_PARAM),
            Some("xyz")
        );
        assert_eq!(query_param(None, DISPLAY_TOKEN_PARAM), None);
    }
}
