//! Logging in (R3): the login form shown while `/api/session` says "not logged in", the
//! session's CSRF token for state-changing requests, and the logout button.
//!
//! The phone's own display engine opens `/phone#display-token=…`: it skips the form and
//! passes the token on its WebSocket ([`display_token`]). Any other browser, `/phone`
//! included, logs in first; its WebSocket then carries the session cookie.
//!
//! DOM hooks: `form#login` with `#login-user`, `#login-password`, `#login-submit`;
//! `#login-error[data-error]` (`wrong`, `locked`, `failed`); `#logout`.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::conn::{self, Live};
use crate::i18n::Tr;

/// Where the login stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Session {
    /// Asking `/api/session`.
    Checking,
    /// The form shows.
    LoggedOut,
    /// `csrf` goes with every state-changing request.
    LoggedIn { role: String, csrf: String },
    /// The display engine's page: no session, the token opens the WebSocket.
    Display,
}

/// Why the last login failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoginError {
    Wrong,
    Locked { retry_after_s: u64 },
    Failed,
}

impl LoginError {
    fn name(self) -> &'static str {
        match self {
            LoginError::Wrong => "wrong",
            LoginError::Locked { .. } => "locked",
            LoginError::Failed => "failed",
        }
    }
}

/// The login state, shared through context.
#[derive(Clone, Copy)]
pub struct Login {
    pub session: RwSignal<Session>,
}

impl Login {
    pub fn get() -> Login {
        expect_context::<Login>()
    }
}

/// The display token in the page's fragment (`#display-token=…`), if any.
pub fn display_token() -> Option<String> {
    let hash = window().location().hash().ok()?;
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|p| p.strip_prefix("display-token="))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Starts the login state: the display engine connects at once; anyone else once
/// `/api/session` says so, or after the form.
pub fn start(live: Live) -> Login {
    let login = Login {
        session: RwSignal::new(Session::Checking),
    };
    provide_context(login);
    if display_token().is_some() {
        login.session.set(Session::Display);
        live.start();
        return login;
    }
    leptos::task::spawn_local(async move {
        let session = check_session().await;
        let logged_in = matches!(session, Session::LoggedIn { .. });
        login.session.set(session);
        if logged_in {
            live.start();
        }
    });
    // A session that ends (expired, password changed, logged out elsewhere) closes the
    // socket: ask again, and show the form if it is gone.
    Effect::new(move |_| {
        if live.link.get() == conn::Link::Connecting
            && matches!(login.session.get_untracked(), Session::LoggedIn { .. })
        {
            leptos::task::spawn_local(async move {
                if check_session().await == Session::LoggedOut {
                    conn::stop();
                    login.session.set(Session::LoggedOut);
                }
            });
        }
    });
    login
}

pub(crate) async fn fetch(
    method: &str,
    path: &str,
    body: Option<&str>,
    csrf: Option<&str>,
) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(path, &init)?;
    if body.is_some() {
        request.headers().set("Content-Type", "application/json")?;
    }
    if let Some(token) = csrf {
        request.headers().set("X-CSRF-Token", token)?;
    }
    let response = JsFuture::from(window().fetch_with_request(&request)).await?;
    response.dyn_into::<Response>()
}

async fn json_of(response: &Response) -> Option<serde_json::Value> {
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    serde_json::from_str(&text).ok()
}

fn logged_in(v: &serde_json::Value) -> Option<Session> {
    Some(Session::LoggedIn {
        role: v.get("role")?.as_str()?.to_owned(),
        csrf: v.get("csrf")?.as_str()?.to_owned(),
    })
}

async fn check_session() -> Session {
    let Ok(response) = fetch("GET", "/api/session", None, None).await else {
        return Session::LoggedOut;
    };
    match json_of(&response).await {
        Some(v) if v.get("logged_in") == Some(&serde_json::Value::Bool(true)) => {
            logged_in(&v).unwrap_or(Session::LoggedOut)
        }
        _ => Session::LoggedOut,
    }
}

async fn log_in(user: String, password: String) -> Result<Session, LoginError> {
    let body = serde_json::json!({ "user": user, "password": password }).to_string();
    let response = fetch("POST", "/api/login", Some(&body), None)
        .await
        .map_err(|_| LoginError::Failed)?;
    let json = json_of(&response).await;
    match response.status() {
        200 => json.as_ref().and_then(logged_in).ok_or(LoginError::Failed),
        401 => Err(LoginError::Wrong),
        429 => Err(LoginError::Locked {
            retry_after_s: json
                .and_then(|v| v.get("retry_after_s")?.as_u64())
                .unwrap_or(30),
        }),
        _ => Err(LoginError::Failed),
    }
}

/// Shows `children` once logged in (or for the display engine), else the login form.
#[component]
pub fn Gate(children: ChildrenFn) -> impl IntoView {
    let login = Login::get();
    move || match login.session.get() {
        Session::Checking => ().into_any(),
        Session::LoggedOut => view! { <LoginForm /> }.into_any(),
        Session::LoggedIn { .. } | Session::Display => children().into_any(),
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let tr = Tr::get();
    let login = Login::get();
    let live = Live::get();
    let user = RwSignal::new(String::from("admin"));
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<LoginError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (u, p) = (user.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match log_in(u, p).await {
                Ok(session) => {
                    error.set(None);
                    login.session.set(session);
                    live.start();
                }
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let message = move || {
        error.get().map(|e| match e {
            LoginError::Wrong => tr.t("web-login-error-wrong"),
            LoginError::Locked { retry_after_s } => tr.fmt(
                "web-login-error-locked",
                &[("seconds", retry_after_s.into())],
            ),
            LoginError::Failed => tr.t("web-login-error-failed"),
        })
    };
    view! {
        <main id="login-page">
            <form id="login" class="login" on:submit=submit>
                <h1>{move || tr.t("web-login-title")}</h1>
                <label for="login-user">{move || tr.t("web-login-user")}</label>
                <input
                    id="login-user"
                    name="user"
                    autocomplete="username"
                    prop:value=move || user.get()
                    on:input=move |ev| user.set(event_target_value(&ev))
                />
                <label for="login-password">{move || tr.t("web-login-password")}</label>
                <input
                    id="login-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button id="login-submit" type="submit" disabled=move || busy.get()>
                    {move || tr.t("web-login-submit")}
                </button>
                <p
                    id="login-error"
                    role="alert"
                    data-error=move || error.get().map(LoginError::name)
                    hidden=move || error.get().is_none()
                >
                    {message}
                </p>
            </form>
        </main>
    }
}

/// The logout button for the navigation: ends the session, then shows the form.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let tr = Tr::get();
    let login = Login::get();
    let logout = move |_| {
        let Session::LoggedIn { csrf, .. } = login.session.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = fetch("POST", "/api/logout", Some("{}"), Some(&csrf)).await;
            conn::stop();
            login.session.set(Session::LoggedOut);
        });
    };
    view! {
        <button id="logout" type="button" class="logout" on:click=logout>
            {move || tr.t("web-logout")}
        </button>
    }
}
