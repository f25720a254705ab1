//! The WebSocket to the runtime (`/api/ws`) and the phone clock.
//!
//! The state lives in signals ([`Live`]); the socket and its callbacks live
//! in a thread-local, replaced on every reconnect. When the socket closes the
//! UI goes back to "connecting" and a new socket is tried after
//! [`RECONNECT_DELAY`], forever: the phone screen comes back by itself after
//! a runtime restart.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use deskphone_protocol::{
    ClientEnvelope, Command, ErrorCode, PROTOCOL_VERSION, PhoneState, ServerMessage, apply_changes,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Pause between a closed socket and the next attempt.
pub const RECONNECT_DELAY: Duration = Duration::from_millis(1000);

/// The `id` of the phone screen's root element, which carries `data-seq`.
pub const PHONE_SCREEN_ID: &str = "phone-screen";

/// Whether the UI has a live state from the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// No socket, or a socket that has not sent its snapshot yet.
    Connecting,
    /// Snapshot received; changes are flowing.
    Open,
}

/// The runtime's answer to one command.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Ok,
    Error { code: ErrorCode, message: String },
}

/// Reactive view of the connection, shared through context.
#[derive(Clone, Copy)]
pub struct Live {
    pub link: RwSignal<Link>,
    /// The last state received; kept while reconnecting (model, language).
    pub state: RwSignal<Option<PhoneState>>,
    /// `seq` of the last state received.
    pub seq: RwSignal<u64>,
    /// The phone's clock (ms since the epoch), ticking once a second.
    pub now_ms: RwSignal<u64>,
    /// The last reply to a command of ours: `(id, reply)`.
    pub reply: RwSignal<Option<(u64, Reply)>>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            link: RwSignal::new(Link::Connecting),
            state: RwSignal::new(None),
            seq: RwSignal::new(0),
            now_ms: RwSignal::new(js_sys::Date::now() as u64),
            reply: RwSignal::new(None),
        }
    }

    /// A connection that shows `state` (seq `seq`) at `now_ms` and never changes: what
    /// the display engine renders natively, one frame at a time.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn showing(state: PhoneState, seq: u64, now_ms: u64) -> Live {
        Live {
            link: RwSignal::new(Link::Open),
            state: RwSignal::new(Some(state)),
            seq: RwSignal::new(seq),
            now_ms: RwSignal::new(now_ms),
            reply: RwSignal::new(None),
        }
    }

    pub fn get() -> Live {
        expect_context::<Live>()
    }

    /// Connects (and keeps reconnecting until [`stop`]) and starts the clock once.
    pub fn start(self) {
        STOPPED.with(|s| s.set(false));
        connect(self);
        if !TICKING.with(|t| t.replace(true)) {
            tick(self);
        }
    }
}

struct Socket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn detach(&self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

thread_local! {
    static SOCKET: RefCell<Option<Socket>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// Phone clock minus browser clock, in ms.
    static CLOCK_OFFSET: Cell<f64> = const { Cell::new(0.0) };
    /// Set by [`stop`] (logged out): no reconnecting.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
    static TICKING: Cell<bool> = const { Cell::new(false) };
}

/// Closes the socket and stops reconnecting (the session ended).
pub fn stop() {
    STOPPED.with(|s| s.set(true));
    if let Some(old) = SOCKET.with(|s| s.borrow_mut().take()) {
        old.detach();
    }
}

fn ws_url() -> String {
    let location = window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    // The display engine's page passes its token; a browser's session cookie goes along
    // by itself.
    match crate::login::display_token() {
        Some(token) => format!("{scheme}://{host}/api/ws?display-token={token}"),
        None => format!("{scheme}://{host}/api/ws"),
    }
}

fn connect(live: Live) {
    if let Some(old) = SOCKET.with(|s| s.borrow_mut().take()) {
        old.detach();
    }
    let ws = match WebSocket::new(&ws_url()) {
        Ok(ws) => ws,
        Err(e) => {
            leptos::logging::warn!("WebSocket: {e:?}");
            set_timeout(move || connect(live), RECONNECT_DELAY);
            return;
        }
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(text) = ev.data().as_string() {
            receive(live, &text);
        }
    });
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        live.link.set(Link::Connecting);
        if STOPPED.with(Cell::get) {
            return;
        }
        // Not from inside this callback: connect() drops this closure.
        set_timeout(move || connect(live), RECONNECT_DELAY);
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    SOCKET.with(|s| {
        *s.borrow_mut() = Some(Socket {
            ws,
            _on_message: on_message,
            _on_close: on_close,
        })
    });
}

/// Closes the socket so that the reconnect fetches a fresh snapshot.
fn resync() {
    SOCKET.with(|s| {
        if let Some(s) = s.borrow().as_ref() {
            let _ = s.ws.close();
        }
    });
}

fn receive(live: Live, text: &str) {
    // Through `Value`: the state is then deserialised by one code path only
    // (the one `apply_changes` needs anyway), which keeps the wasm smaller.
    let msg = match serde_json::from_str(text).and_then(serde_json::from_value::<ServerMessage>) {
        Ok(m) => m,
        Err(e) => {
            leptos::logging::warn!("unreadable message from the phone: {e}");
            return;
        }
    };
    match msg {
        ServerMessage::Snapshot { v, seq, state } if v == PROTOCOL_VERSION => {
            set_clock(live, state.time_ms);
            live.state.set(Some(*state));
            live.seq.set(seq);
            live.link.set(Link::Open);
            mark_rendered(live);
        }
        ServerMessage::Changes { v, seq, set } if v == PROTOCOL_VERSION => {
            let applied = live
                .state
                .with_untracked(|s| s.as_ref().map(|s| apply_changes(s, &set)));
            match applied {
                Some(Ok(state)) => {
                    if set.contains_key("time_ms") {
                        set_clock(live, state.time_ms);
                    }
                    live.state.set(Some(state));
                    live.seq.set(seq);
                    mark_rendered(live);
                }
                Some(Err(e)) => {
                    leptos::logging::warn!("changes {seq} do not apply ({e}); resyncing");
                    resync();
                }
                None => leptos::logging::warn!("changes {seq} before any snapshot"),
            }
        }
        ServerMessage::Ok { id: Some(id), .. } => live.reply.set(Some((id, Reply::Ok))),
        ServerMessage::Error {
            id: Some(id),
            code,
            message,
            ..
        } => live.reply.set(Some((id, Reply::Error { code, message }))),
        ServerMessage::Error { code, message, .. } => {
            leptos::logging::warn!("phone reports {code:?}: {message}");
        }
        ServerMessage::Ok { .. } => {}
        ServerMessage::Snapshot { v, .. } | ServerMessage::Changes { v, .. } => {
            leptos::logging::warn!("protocol version {v} not supported");
        }
    }
}

/// Sets `data-seq` on the phone screen once the DOM shows the state.
///
/// Leptos applies signal changes to the DOM in microtasks; a zero timeout
/// runs after all of them, so by then the DOM reflects the latest state.
fn mark_rendered(live: Live) {
    set_timeout(
        move || {
            if let Some(el) = document().get_element_by_id(PHONE_SCREEN_ID) {
                let seq = live.seq.get_untracked();
                let _ = el.set_attribute("data-seq", &seq.to_string());
            }
        },
        Duration::ZERO,
    );
}

fn phone_now() -> f64 {
    js_sys::Date::now() + CLOCK_OFFSET.with(Cell::get)
}

fn set_clock(live: Live, phone_ms: u64) {
    CLOCK_OFFSET.with(|c| c.set(phone_ms as f64 - js_sys::Date::now()));
    live.now_ms.set(phone_ms);
}

/// Advances [`Live::now_ms`] on every full second of the phone's clock.
fn tick(live: Live) {
    let now = phone_now();
    live.now_ms.set(now.max(0.0) as u64);
    let to_next_second = 1000.0 - now.rem_euclid(1000.0) + 2.0;
    set_timeout(
        move || tick(live),
        Duration::from_millis(to_next_second as u64),
    );
}

/// Sends a command; returns its id, or `None` when not connected.
pub fn send(command: Command) -> Option<u64> {
    SOCKET.with(|s| {
        let s = s.borrow();
        let ws = &s.as_ref()?.ws;
        if ws.ready_state() != WebSocket::OPEN {
            return None;
        }
        let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
        let envelope = ClientEnvelope {
            v: PROTOCOL_VERSION,
            id: Some(id),
            command,
        };
        let text = serde_json::to_string(&envelope).ok()?;
        ws.send_with_str(&text).ok()?;
        Some(id)
    })
}
