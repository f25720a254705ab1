//! The web server: the UI bundle, the state API, the WebSocket, the
//! remote-control URLs existing phone scripts use, and the screen frame.
//!
//! Who may use what (R3, `crate::auth`): the UI bundle (`/`, `/phone`, `/pkg/*`,
//! styles, images), `POST /api/login` and `GET /api/session` are open; everything else
//! (`/command.htm`, `/screen.*`, `/api/*` with the WebSocket) needs HTTP Basic, HTTP
//! Digest or a login session (with its CSRF token on state-changing requests). The
//! display engine's token opens only the WebSocket, for the screen and the keys.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRef, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Router, middleware};
use deskphone_protocol::{
    ClientEnvelope, Command, ErrorCode, PROTOCOL_VERSION, PhoneState, ServerMessage, ShownSecret,
};
use deskphone_settings::web_access::user_may_edit_key;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};

use crate::auth::{self, Auth, Caller, CallerRole, Via};
use crate::display::FrameStore;
use crate::engine::{CommandError, EngineHandle, Remote};

#[derive(Clone)]
pub struct AppState {
    pub engine: EngineHandle,
    pub frames: FrameStore,
    pub provisioning: crate::provisioning::run::ProvisioningHandle,
    pub auth: Auth,
    pub updater: crate::update::Updater,
}

impl FromRef<AppState> for Auth {
    fn from_ref(app: &AppState) -> Auth {
        app.auth.clone()
    }
}

pub fn router(state: AppState, ui_dir: PathBuf) -> Router {
    let index = ServeFile::new(ui_dir.join("index.html"));
    // The administrator's own: diagnostics, export/import, provisioning by hand.
    let admin = Router::new()
        .route("/api/diagnostics", get(crate::diagnostics::download))
        .route("/api/settings/export", get(crate::admin::export))
        .route(
            "/api/settings/import",
            post(crate::admin::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::admin::MAX_IMPORT_BYTES,
            )),
        )
        .route("/api/provisioning", post(crate::admin::provision_now))
        .route("/api/update", post(start_update))
        .route_layer(middleware::from_fn(admin_only));
    let protected = Router::new()
        .route("/api/state", get(api_state))
        .route("/api/ws", get(api_ws))
        .merge(admin)
        .route("/api/logout", post(auth::logout))
        // Unknown API paths: 404, but only to those who may ask.
        .route(
            "/api/{*rest}",
            any(|| async { (StatusCode::NOT_FOUND, "no such API\n") }),
        )
        .route("/command.htm", get(command))
        .route("/screen.png", get(screen_png))
        .route("/screen.txt", get(screen_txt))
        .route(
            "/screen.bmp",
            get(|| async { Redirect::permanent("/screen.png") }),
        )
        .route_layer(middleware::from_fn_with_state(
            state.auth.clone(),
            auth::require,
        ));
    Router::new()
        .route("/api/login", post(auth::login))
        .route("/api/session", get(auth::session))
        .merge(protected)
        .route_service("/phone", index.clone())
        .fallback_service(ServeDir::new(ui_dir).fallback(index))
        .with_state(state)
}

/// Admin-only routes: the user role and the display engine get 403.
async fn admin_only(
    Extension(caller): Extension<Caller>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    if caller.role == CallerRole::Admin {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "only the administrator may do this\n",
        )
            .into_response()
    }
}

/// `POST /api/update` with `{"url": …}`: starts a software update (F1). The answer
/// comes at once (202); progress and outcome are in the state's `update`.
async fn start_update(
    State(app): State<AppState>,
    axum::Json(request): axum::Json<UpdateRequest>,
) -> Response {
    use crate::update::StartError;
    match app.updater.begin(&request.url) {
        Ok(()) => (StatusCode::ACCEPTED, "update started\n").into_response(),
        Err(e @ StartError::BadUrl(_)) => {
            (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response()
        }
        Err(e) => (StatusCode::CONFLICT, format!("{e}\n")).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct UpdateRequest {
    url: String,
}

/// The display engine's token opens the WebSocket only; everything else is for people.
fn refuse_display(caller: &Caller) -> Option<Response> {
    match caller.role {
        CallerRole::Admin | CallerRole::User => None,
        CallerRole::Display => Some(
            (
                StatusCode::FORBIDDEN,
                "the display engine's token opens only the WebSocket\n",
            )
                .into_response(),
        ),
    }
}

async fn api_state(State(app): State<AppState>, Extension(caller): Extension<Caller>) -> Response {
    if let Some(refused) = refuse_display(&caller) {
        return refused;
    }
    let published = app.engine.current();
    axum::Json(serde_json::json!({ "seq": published.seq, "state": &*published.state }))
        .into_response()
}

/// `/command.htm`, the remote control existing scripts use (R1): `?key=KEY`,
/// `?number=N[&outgoing_uri=URI]`, `?key_dtmf=DIGITS`, `?RELEASE_ALL_CALLS`,
/// `?LOGOFFALL`, `?REREGISTER=n` (without a number: every identity).
async fn command(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = refuse_display(&caller) {
        return refused;
    }
    let result = if let Some(key) = query.get("key") {
        app.engine.press_key(key).await
    } else if let Some(number) = query.get("number") {
        let from = query.get("outgoing_uri").filter(|u| !u.is_empty());
        app.engine.dial_from(number, from.map(String::as_str)).await
    } else if let Some(digits) = query.get("key_dtmf") {
        app.engine.remote(Remote::Dtmf(digits.clone())).await
    } else if query.contains_key("RELEASE_ALL_CALLS") {
        app.engine.remote(Remote::ReleaseAllCalls).await
    } else if query.contains_key("LOGOFFALL") {
        app.engine.remote(Remote::LogOffAll).await
    } else if let Some(n) = query.get("REREGISTER") {
        match n.trim() {
            "" => app.engine.remote(Remote::Reregister(None)).await,
            n => match n.parse::<u16>() {
                Ok(n) => app.engine.remote(Remote::Reregister(Some(n))).await,
                Err(_) => Err(CommandError::BadRequest(format!(
                    "REREGISTER needs an identity number, not `{n}`"
                ))),
            },
        }
    } else {
        return (
            StatusCode::BAD_REQUEST,
            "command.htm needs key=KEY, number=N, key_dtmf=DIGITS, RELEASE_ALL_CALLS, \
             LOGOFFALL or REREGISTER=n\n",
        )
            .into_response();
    };
    match result {
        Ok(()) => (StatusCode::OK, "OK\n").into_response(),
        Err(e) => (command_status(&e), format!("{e}\n")).into_response(),
    }
}

fn command_status(e: &CommandError) -> StatusCode {
    use deskphone_phone::KeyError;
    match e {
        CommandError::UnknownKey(_)
        | CommandError::BadRequest(_)
        | CommandError::InvalidSetting(_)
        | CommandError::Key(
            KeyError::BadTarget(_)
            | KeyError::NothingToDial
            | KeyError::BadDigit(_)
            | KeyError::NoSuchIdentity(_)
            | KeyError::UnknownIdentity(_),
        ) => StatusCode::BAD_REQUEST,
        // Understood, but not now: no call to send DTMF in, a call in the way.
        CommandError::Key(KeyError::NoConnectedCall | KeyError::CallInProgress)
        | CommandError::Dial { .. }
        | CommandError::Message { .. } => StatusCode::CONFLICT,
        CommandError::Save(_) | CommandError::Stopped => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn display_off() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the display engine is off (no browser engine found or it failed to start)\n",
    )
        .into_response()
}

async fn screen_png(State(app): State<AppState>, Extension(caller): Extension<Caller>) -> Response {
    if let Some(refused) = refuse_display(&caller) {
        return refused;
    }
    match app.frames.latest() {
        Some(frame) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            frame.png.clone(),
        )
            .into_response(),
        None => display_off(),
    }
}

/// The text of the screen, as the display engine last saw it in the DOM.
async fn screen_txt(State(app): State<AppState>, Extension(caller): Extension<Caller>) -> Response {
    if let Some(refused) = refuse_display(&caller) {
        return refused;
    }
    match app.frames.latest() {
        Some(frame) => (
            [(header::CACHE_CONTROL, "no-store")],
            format!("seq {}\nscreen {}\n{}", frame.seq, frame.screen, frame.text),
        )
            .into_response(),
        None => display_off(),
    }
}

async fn api_ws(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve_ws(socket, app, caller))
}

/// What one connection sees of a state: the display engine's connection also gets the
/// generated admin password while it is in use (nobody else ever does).
fn as_seen(
    state: &Arc<PhoneState>,
    shown: Option<&watch::Receiver<Option<ShownSecret>>>,
) -> Arc<PhoneState> {
    match shown.and_then(|s| s.borrow().clone()) {
        Some(password) => {
            let mut state = PhoneState::clone(state);
            state.generated_admin_password = Some(password);
            Arc::new(state)
        }
        None => state.clone(),
    }
}

async fn serve_ws(socket: WebSocket, app: AppState, caller: Caller) {
    let engine = app.engine;
    let (mut tx, mut rx) = socket.split();
    let mut updates = engine.subscribe();
    let mut shown = (caller.role == CallerRole::Display).then(|| app.auth.generated_password());
    // A connection that a password or a session opened ends when the credentials change.
    let mut credentials = (caller.via != Via::DisplayToken).then(|| app.auth.credential_changes());
    if let Some(c) = credentials.as_mut() {
        c.mark_unchanged();
    }
    let mut seq = updates.borrow().seq;
    let mut last = as_seen(&updates.borrow_and_update().state, shown.as_ref());
    let snapshot = ServerMessage::Snapshot {
        v: PROTOCOL_VERSION,
        seq,
        state: Box::new(PhoneState::clone(&last)),
    };
    if send(&mut tx, &snapshot).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            changed = updates.changed() => {
                if changed.is_err() {
                    break;
                }
                let current = updates.borrow_and_update().clone();
                seq = current.seq;
                let next = as_seen(&current.state, shown.as_ref());
                let Ok(set) = deskphone_protocol::diff(&last, &next) else { continue };
                last = next;
                if set.is_empty() {
                    continue;
                }
                let msg = ServerMessage::Changes { v: PROTOCOL_VERSION, seq, set };
                if send(&mut tx, &msg).await.is_err() {
                    break;
                }
            }
            Ok(()) = async { match shown.as_mut() { Some(s) => s.changed().await, None => std::future::pending().await } } => {
                let next = as_seen(&engine.current().state, shown.as_ref());
                let Ok(set) = deskphone_protocol::diff(&last, &next) else { continue };
                last = next;
                if !set.is_empty() {
                    let msg = ServerMessage::Changes { v: PROTOCOL_VERSION, seq, set };
                    if send(&mut tx, &msg).await.is_err() {
                        break;
                    }
                }
            }
            _ = async { match credentials.as_mut() { Some(c) => c.changed().await, None => std::future::pending().await } } => {
                let _ = tx.send(Message::Close(None)).await;
                break;
            }
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Text(_))) if matches!(&caller.via, Via::Session(id) if !app.auth.touch_session(id)) => {
                    // Logged out or expired: the session's socket ends with it.
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
                Some(Ok(Message::Text(text))) => {
                    let reply = handle_client_message(&engine, caller.role, text.as_str()).await;
                    if send(&mut tx, &reply).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let reply = error_reply(None, ErrorCode::BadMessage, "binary messages are not part of the protocol".into());
                    if send(&mut tx, &reply).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn send<S>(tx: &mut S, msg: &ServerMessage) -> Result<(), ()>
where
    S: SinkExt<Message> + Unpin,
{
    let text = serde_json::to_string(msg).map_err(|_| ())?;
    tx.send(Message::Text(text.into())).await.map_err(|_| ())
}

fn error_reply(id: Option<u64>, code: ErrorCode, message: String) -> ServerMessage {
    ServerMessage::Error {
        v: PROTOCOL_VERSION,
        id,
        code,
        message,
    }
}

/// Reads one client message and carries it out if `role` may. Never fails the
/// connection: anything wrong becomes an `Error` reply.
pub async fn handle_client_message(
    engine: &EngineHandle,
    role: CallerRole,
    text: &str,
) -> ServerMessage {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error_reply(None, ErrorCode::BadMessage, format!("not JSON: {e}")),
    };
    let id = value.get("id").and_then(serde_json::Value::as_u64);
    match value.get("v").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => {}
        other => {
            return error_reply(
                id,
                ErrorCode::UnsupportedVersion,
                format!(
                    "protocol version {other:?} is not supported; this phone speaks {PROTOCOL_VERSION}"
                ),
            );
        }
    }
    let envelope: ClientEnvelope = match serde_json::from_value(value) {
        Ok(e) => e,
        Err(e) => {
            return error_reply(
                id,
                ErrorCode::BadMessage,
                format!("unknown or malformed message: {e}"),
            );
        }
    };
    if let Err(message) = permitted(role, &envelope.command) {
        return error_reply(id, ErrorCode::Forbidden, message);
    }
    let result = match envelope.command {
        Command::Key { key } => engine.press_key(&key).await,
        Command::LongKey { key } => engine.long_press_key(&key).await,
        Command::Block { uri } => engine.remote(Remote::Block(uri)).await,
        Command::Unblock { entry } => engine.remote(Remote::Unblock(entry)).await,
        Command::Dial { number } => engine.dial(&number).await,
        Command::SendMessage { to, text } => engine.send_message(&to, &text).await,
        Command::SetSettings { values } => engine.set_settings(values).await,
        Command::ResetSettings { keys } => engine.reset_settings(keys).await,
        Command::RemoveIdentity { identity } => engine.remove_identity(identity).await,
    };
    match result {
        Ok(()) => ServerMessage::Ok {
            v: PROTOCOL_VERSION,
            id,
        },
        Err(e) => {
            let code = match &e {
                CommandError::UnknownKey(_) => ErrorCode::UnknownKey,
                CommandError::InvalidSetting(_) => ErrorCode::InvalidSetting,
                _ => ErrorCode::Rejected,
            };
            error_reply(id, code, e.to_string())
        }
    }
}

/// Whether `role` may give `command`; the error says why not. Checked before anything
/// is carried out, so a refused command changes nothing.
fn permitted(role: CallerRole, command: &Command) -> Result<(), String> {
    match (role, command) {
        (CallerRole::Admin, _) | (_, Command::Key { .. } | Command::LongKey { .. }) => Ok(()),
        (CallerRole::Display, _) => {
            Err("the display engine's connection may only press keys".into())
        }
        (CallerRole::User, Command::RemoveIdentity { .. }) => {
            Err("only the admin may remove an identity; nothing was changed".into())
        }
        (CallerRole::User, Command::SetSettings { .. } | Command::ResetSettings { .. }) => {
            let keys: Vec<&str> = match command {
                Command::SetSettings { values } => values.keys().map(String::as_str).collect(),
                Command::ResetSettings { keys } => keys.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            let refused: Vec<&str> = keys.into_iter().filter(|k| !user_may_edit_key(k)).collect();
            if refused.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "only the admin may change {}; nothing was changed",
                    refused.join(", ")
                ))
            }
        }
        (CallerRole::User, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn only_the_display_connection_sees_the_generated_password() {
        let state = Arc::new(PhoneState::default());
        let (tx, rx) = watch::channel(Some(ShownSecret("Xy3kPq7mNa4c".into())));
        let display = as_seen(&state, Some(&rx));
        assert_eq!(
            display.generated_admin_password,
            Some(ShownSecret("Xy3kPq7mNa4c".into()))
        );
        assert!(!format!("{display:?}").contains("Xy3kPq7mNa4c"));
        // Everybody else gets the engine's state as it is: without it.
        assert_eq!(as_seen(&state, None).generated_admin_password, None);
        tx.send_replace(None);
        assert_eq!(as_seen(&state, Some(&rx)).generated_admin_password, None);
    }

    #[test]
    fn roles_limit_commands() {
        let key = Command::Key { key: "5".into() };
        let dial = Command::Dial {
            number: "123".into(),
        };
        let set = |k: &str| Command::SetSettings {
            values: BTreeMap::from([(k.to_owned(), "x".to_owned())]),
        };
        assert!(permitted(CallerRole::Display, &key).is_ok());
        assert!(permitted(CallerRole::Display, &dial).is_err());
        assert!(permitted(CallerRole::Display, &set("language")).is_err());
        assert!(permitted(CallerRole::User, &dial).is_ok());
        assert!(permitted(CallerRole::User, &set("user_realname[1]")).is_ok());
        let refused = permitted(CallerRole::User, &set("http_pass")).unwrap_err();
        assert!(refused.contains("http_pass"), "{refused}");
        assert!(permitted(CallerRole::Admin, &set("http_pass")).is_ok());
        let reset = |key: &str| Command::ResetSettings {
            keys: vec![key.to_owned()],
        };
        assert!(permitted(CallerRole::User, &reset("http_pass")).is_err());
        assert!(permitted(CallerRole::User, &reset("user_realname[1]")).is_ok());
        let remove = Command::RemoveIdentity { identity: 2 };
        assert!(permitted(CallerRole::User, &remove).is_err());
        assert!(permitted(CallerRole::Admin, &remove).is_ok());
    }
}
