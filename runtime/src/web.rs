//! The web server: the UI bundle, the state API, the WebSocket, the
//! remote-control URLs existing phone scripts use, and the screen frame.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use deskphone_protocol::{
    ClientEnvelope, Command, ErrorCode, PROTOCOL_VERSION, PhoneState, ServerMessage,
};
use futures_util::{SinkExt, StreamExt};
use tower_http::services::{ServeDir, ServeFile};

use crate::display::FrameStore;
use crate::engine::{CommandError, EngineHandle};

#[derive(Clone)]
pub struct AppState {
    pub engine: EngineHandle,
    pub frames: FrameStore,
    pub provisioning: crate::provisioning::run::ProvisioningHandle,
}

pub fn router(state: AppState, ui_dir: PathBuf) -> Router {
    let index = ServeFile::new(ui_dir.join("index.html"));
    Router::new()
        .route("/api/state", get(api_state))
        .route("/api/diagnostics", get(crate::diagnostics::download))
        .route("/api/ws", get(api_ws))
        .route("/api/settings/export", get(crate::admin::export))
        .route(
            "/api/settings/import",
            post(crate::admin::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::admin::MAX_IMPORT_BYTES,
            )),
        )
        .route("/api/provisioning", post(crate::admin::provision_now))
        .route("/command.htm", get(command))
        .route("/screen.png", get(screen_png))
        .route("/screen.txt", get(screen_txt))
        .route(
            "/screen.bmp",
            get(|| async { Redirect::permanent("/screen.png") }),
        )
        .route_service("/phone", index.clone())
        .fallback_service(ServeDir::new(ui_dir).fallback(index))
        .with_state(state)
}

async fn api_state(State(app): State<AppState>) -> impl IntoResponse {
    let published = app.engine.current();
    axum::Json(serde_json::json!({ "seq": published.seq, "state": &*published.state }))
}

/// `/command.htm`: `?key=KEY`, `?number=N[&outgoing_uri=URI]`.
async fn command(
    State(app): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = if let Some(key) = query.get("key") {
        app.engine.press_key(key).await
    } else if let Some(number) = query.get("number") {
        app.engine.dial(number).await
    } else {
        return (
            StatusCode::BAD_REQUEST,
            "command.htm needs key=KEY or number=N\n",
        )
            .into_response();
    };
    match result {
        Ok(()) => (StatusCode::OK, "OK\n").into_response(),
        Err(e) => (command_status(&e), format!("{e}\n")).into_response(),
    }
}

fn command_status(e: &CommandError) -> StatusCode {
    match e {
        CommandError::UnknownKey(_)
        | CommandError::InvalidSetting(_)
        | CommandError::Key(crate::phone::KeyError::BadTarget(_))
        | CommandError::Key(crate::phone::KeyError::NothingToDial) => StatusCode::BAD_REQUEST,
        CommandError::Key(crate::phone::KeyError::NotSupported(_)) => StatusCode::NOT_IMPLEMENTED,
        CommandError::Dial { .. } | CommandError::Message { .. } => StatusCode::CONFLICT,
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

async fn screen_png(State(app): State<AppState>) -> Response {
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
async fn screen_txt(State(app): State<AppState>) -> Response {
    match app.frames.latest() {
        Some(frame) => (
            [(header::CACHE_CONTROL, "no-store")],
            format!("seq {}\nscreen {}\n{}", frame.seq, frame.screen, frame.text),
        )
            .into_response(),
        None => display_off(),
    }
}

async fn api_ws(State(app): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| serve_ws(socket, app.engine))
}

async fn serve_ws(socket: WebSocket, engine: EngineHandle) {
    let (mut tx, mut rx) = socket.split();
    let mut updates = engine.subscribe();
    let mut last = updates.borrow_and_update().clone();
    let snapshot = ServerMessage::Snapshot {
        v: PROTOCOL_VERSION,
        seq: last.seq,
        state: Box::new(PhoneState::clone(&last.state)),
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
                let Ok(set) = deskphone_protocol::diff(&last.state, &current.state) else { continue };
                last = current;
                if set.is_empty() {
                    continue;
                }
                let msg = ServerMessage::Changes { v: PROTOCOL_VERSION, seq: last.seq, set };
                if send(&mut tx, &msg).await.is_err() {
                    break;
                }
            }
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let reply = handle_client_message(&engine, text.as_str()).await;
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

/// Reads one client message and carries it out. Never fails the
/// connection: anything wrong becomes an `Error` reply.
pub async fn handle_client_message(engine: &EngineHandle, text: &str) -> ServerMessage {
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
    let result = match envelope.command {
        Command::Key { key } => engine.press_key(&key).await,
        Command::Dial { number } => engine.dial(&number).await,
        Command::SendMessage { to, text } => engine.send_message(&to, &text).await,
        Command::SetSettings { values } => engine.set_settings(values).await,
        Command::ResetSettings { keys } => engine.reset_settings(keys).await,
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
