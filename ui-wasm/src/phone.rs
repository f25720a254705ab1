//! The phone's own screen (`/phone`), rendered at the model's display size.

use deskphone_protocol::screen::message_banner;
use deskphone_protocol::{CallPhase, ModelInfo, TransferState};
use deskphone_settings::{keys, models};
use leptos::prelude::*;

use crate::clock;
use crate::conn::{Link, Live, PHONE_SCREEN_ID};
use crate::i18n::Tr;
use crate::screen::{self, Screen};

/// The display's size and kind, which set the screen's layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub width: u32,
    pub height: u32,
    pub colour: bool,
    pub soft_keys: usize,
}

impl Geometry {
    /// Soft keys when the model is not in the table.
    const DEFAULT_SOFT_KEYS: usize = 4;

    pub fn of(model: &ModelInfo) -> Option<Geometry> {
        (model.display_width > 0 && model.display_height > 0).then(|| Geometry {
            width: model.display_width,
            height: model.display_height,
            colour: model.colour,
            soft_keys: models::model(&model.name)
                .map(|m| m.soft_keys as usize)
                .unwrap_or(Self::DEFAULT_SOFT_KEYS),
        })
    }

    /// Before the first snapshot: the browser window, which the display
    /// engine sizes to the display.
    pub fn of_window(width: u32, height: u32) -> Geometry {
        let fallback = models::model(models::DEFAULT_MODEL);
        Geometry {
            width: if width > 0 {
                width
            } else {
                fallback.map_or(480, |m| m.display_width)
            },
            height: if height > 0 {
                height
            } else {
                fallback.map_or(272, |m| m.display_height)
            },
            colour: true,
            soft_keys: Self::DEFAULT_SOFT_KEYS,
        }
    }

    /// `l`, `m` or `s`: small displays drop the optional lines.
    pub fn size_class(self) -> &'static str {
        match self.height {
            200.. => "l",
            120.. => "m",
            _ => "s",
        }
    }

    /// Base font size in px; everything else is sized in `em`.
    pub fn font_px(self) -> f64 {
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        if self.size_class() == "s" {
            (h / 6.4).clamp(8.0, 12.0)
        } else {
            (h / 17.0).min(w / 24.0).max(9.0)
        }
    }

    /// Inline style: the model's size, or the whole window while unknown.
    pub fn style(self, from_model: bool) -> String {
        let font = self.font_px();
        if from_model {
            format!(
                "width:{}px;height:{}px;font-size:{font:.2}px",
                self.width, self.height
            )
        } else {
            format!("width:100vw;height:100vh;font-size:{font:.2}px")
        }
    }
}

#[component]
pub fn PhoneScreen() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let win = RwSignal::new(window_size());
    // Only a browser has a window to follow; the display engine always knows the model.
    #[cfg(target_arch = "wasm32")]
    let _ = window_event_listener(leptos::ev::resize, move |_| win.set(window_size()));
    let model_geometry = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().and_then(|s| Geometry::of(&s.model)))
    });
    let geometry = Memo::new(move |_| {
        model_geometry.get().unwrap_or_else(|| {
            let (w, h) = win.get();
            Geometry::of_window(w, h)
        })
    });
    let screen = Memo::new(move |_| {
        let open = live.link.get() == Link::Open;
        let now = live.now_ms.get();
        live.state.with(|s| screen::screen(open, s.as_ref(), now))
    });
    let soft_keys = move || {
        screen::soft_keys(screen.get(), geometry.get().soft_keys)
            .into_iter()
            .map(|k| {
                view! {
                    <span class="softkey" data-key=k.map(|k| k.key) data-action=k.map(|k| k.action.name())>
                        {move || k.map(|k| tr.t(k.label)).unwrap_or_default()}
                    </span>
                }
            })
            .collect_view()
    };
    view! {
        <main
            id=PHONE_SCREEN_ID
            data-screen=move || screen.get().name()
            data-size=move || geometry.get().size_class()
            data-colour=move || if geometry.get().colour { "colour" } else { "mono" }
            style=move || geometry.get().style(model_geometry.with(Option::is_some))
        >
            <StatusBar screen=screen />
            <div class="content">
                {move || match screen.get() {
                    Screen::Connecting => view! { <Connecting /> }.into_any(),
                    Screen::Idle => view! { <Idle /> }.into_any(),
                    Screen::Dialling => view! { <Dialling /> }.into_any(),
                    Screen::Incoming => view! { <Incoming /> }.into_any(),
                    Screen::InCall => view! { <InCall /> }.into_any(),
                    Screen::Ended => view! { <Ended /> }.into_any(),
                }}
                <MessageBanner screen=screen />
            </div>
            <footer class="softkeys">{soft_keys}</footer>
        </main>
    }
}

#[cfg(target_arch = "wasm32")]
fn window_size() -> (u32, u32) {
    let px =
        |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
    let w = window();
    (px(w.inner_width()), px(w.inner_height()))
}

/// Natively there is no window: the display engine renders a known model.
#[cfg(not(target_arch = "wasm32"))]
fn window_size() -> (u32, u32) {
    (0, 0)
}

/// The phone's wall-clock time, broken into fields in its time zone.
fn local_time() -> Memo<clock::Civil> {
    let live = Live::get();
    let zone = Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.settings.get(keys::timezone.wire()).cloned())
                .unwrap_or_default()
        })
    });
    Memo::new(move |_| {
        let now = live.now_ms.get() as i64;
        clock::civil(now + clock::zone_offset_ms(&zone.get(), now))
    })
}

fn time_text(tr: Tr, t: clock::Civil) -> String {
    tr.fmt(
        "phone-time",
        &[
            ("hour", format!("{:02}", t.hour).into()),
            ("minute", format!("{:02}", t.minute).into()),
        ],
    )
}

fn date_text(tr: Tr, t: clock::Civil) -> String {
    tr.fmt(
        "phone-date",
        &[
            ("weekday", tr.t(clock::weekday_id(t.weekday)).into()),
            ("day", t.day.to_string().into()),
            ("month", tr.t(clock::month_id(t.month)).into()),
            ("year", t.year.to_string().into()),
        ],
    )
}

#[component]
fn StatusBar(screen: Memo<Screen>) -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let time = local_time();
    let registration = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| screen::registration(s, 1)))
            .unwrap_or_default()
    });
    let connecting = move || screen.get() == Screen::Connecting;
    view! {
        <header class="statusbar">
            <span class="left">
                <Show when=move || !connecting()>
                    <span id="registration" class=move || format!("reg {}", screen::registration_class(registration.get()))>
                        <span class="dot"></span>
                        <span class="text">{move || tr.t(screen::phone_registration_id(registration.get()))}</span>
                    </span>
                    <MwiIndicator />
                </Show>
            </span>
            <span class="right">
                {move || match screen.get() {
                    Screen::Idle | Screen::Connecting => tr.t("phone-brand"),
                    _ => time_text(tr, time.get()),
                }}
            </span>
        </header>
    }
}

#[component]
fn Connecting() -> impl IntoView {
    let tr = Tr::get();
    view! {
        <div class="screen connecting">
            <div class="big line">{move || tr.t("phone-connecting")}</div>
            <div class="hint line opt">{move || tr.t("phone-connecting-hint")}</div>
        </div>
    }
}

#[component]
fn Idle() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let time = local_time();
    let name = move || {
        live.state
            .with(|s| s.as_ref().and_then(|s| screen::identity_name(s, 1)))
            .unwrap_or_else(|| tr.t("phone-idle-no-identity"))
    };
    let address = move || {
        live.state
            .with(|s| s.as_ref().map(|s| screen::identity_address(s, 1)))
            .unwrap_or_default()
    };
    // The generated web password, until the admin changes it; only the display engine's
    // own connection ever receives it.
    let web_password = move || {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.generated_admin_password.as_ref())
                .map(|p| tr.fmt("phone-web-password", &[("password", p.0.clone().into())]))
        })
    };
    view! {
        <div class="screen idle">
            <div id="identity-name" class="title line">{name}</div>
            <div id="identity-address" class="sub line opt">{address}</div>
            {move || web_password().map(|text| view! { <div id="generated-password" class="sub line">{text}</div> })}
            <div id="clock">
                <div class="time line">{move || time_text(tr, time.get())}</div>
                <div class="date line opt">{move || date_text(tr, time.get())}</div>
            </div>
        </div>
    }
}

#[component]
fn Dialling() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let digits = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.dial_buffer.clone()))
            .unwrap_or_default()
    });
    view! {
        <div class="screen dialling">
            <div class="label line opt">{move || tr.t("phone-dial-title")}</div>
            // Centred while it fits; a long number keeps its end visible.
            <div class="digits">
                <span class="pad"></span>
                <span id="dial-digits">{move || digits.get()}</span>
                <span class="pad"></span>
            </div>
            <div class="hint line">
                {move || {
                    if digits.with(String::is_empty) {
                        tr.t("phone-dial-hint-empty")
                    } else {
                        tr.t("phone-dial-hint")
                    }
                }}
            </div>
        </div>
    }
}

#[component]
fn Incoming() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let call = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().and_then(|s| screen::incoming_call(s).cloned()))
            .unwrap_or_default()
    });
    let name = move || call.with(|c| party_or_unknown(tr, &c.remote_name, &c.remote_uri));
    view! {
        <div class="screen incoming">
            <div class="label line">{move || tr.t("phone-incoming-title")}</div>
            <div id="caller-name" class="title line">{name}</div>
            <div id="caller-uri" class="sub line opt">{move || call.with(|c| c.remote_uri.clone())}</div>
        </div>
    }
}

#[component]
fn InCall() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let call = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().and_then(|s| screen::active_call(s).cloned()))
            .unwrap_or_default()
    });
    let others = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().map(|s| s.calls.len()))
            .unwrap_or_default()
            .saturating_sub(1)
    });
    let transfer = Memo::new(move |_| live.state.with(|s| s.as_ref().and_then(|s| s.transfer)));
    let name = move || call.with(|c| party_or_unknown(tr, &c.remote_name, &c.remote_uri));
    let timer = move || {
        call.with(|c| screen::call_elapsed_ms(c, live.now_ms.get()))
            .map(clock::duration)
            .unwrap_or_default()
    };
    view! {
        <div class="screen in-call" data-phase=move || call.with(|c| screen::phase_name(c.phase)) data-held=move || call.with(|c| c.held.to_string())>
            <div id="call-phase" class="label line">{move || tr.t(call.with(screen::phone_call_status_id))}</div>
            <div id="remote-name" class="title line">{name}</div>
            <div id="remote-uri" class="sub line opt">{move || call.with(|c| c.remote_uri.clone())}</div>
            <div class="row line">
                <Show when=move || call.with(|c| c.phase == CallPhase::Connected)>
                    <span id="call-timer">{timer}</span>
                </Show>
                <span id="call-codec" class="opt">{move || call.with(|c| c.codec.clone().unwrap_or_default())}</span>
                // M3: the lock shows exactly while the state says the media is SRTP both ways.
                <Show when=move || call.with(|c| c.encrypted)>
                    <span id="call-lock">{move || tr.t("phone-call-encrypted")}</span>
                </Show>
            </div>
            <Show when=move || { others.get() > 0 }>
                <div class="hint line opt">{move || tr.fmt("phone-call-more", &[("count", others.get().into())])}</div>
            </Show>
            <Show when=move || transfer.get().is_some()>
                <div id="transfer-state" class="hint line">{move || {
                    let id = match transfer.get() {
                        Some(TransferState::Dialling) => "phone-transfer-dialling",
                        Some(TransferState::Confirming) => "phone-transfer-confirming",
                        Some(TransferState::Failed) => "phone-transfer-failed",
                        _ => "phone-transfer-transferring",
                    };
                    let target = live
                        .state
                        .with(|s| s.as_ref().map(|s| s.dial_buffer.clone()))
                        .unwrap_or_default();
                    tr.fmt(id, &[("target", target.into())])
                }}</div>
            </Show>
        </div>
    }
}

#[component]
fn Ended() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let ended = Memo::new(move |_| {
        live.state
            .with(|s| s.as_ref().and_then(|s| s.last_ended_call.clone()))
            .unwrap_or_default()
    });
    let name = move || ended.with(|e| party_or_unknown(tr, &e.remote_name, &e.remote_uri));
    view! {
        <div class="screen ended">
            <div class="label line">{move || tr.t("phone-ended-title")}</div>
            <div id="ended-name" class="title line">{name}</div>
            <div id="ended-reason" class="sub line">{move || tr.t(screen::reason_id(ended.with(|e| e.reason)))}</div>
            <Show when=move || ended.with(|e| e.duration_ms > 0)>
                <div id="ended-duration" class="hint line opt">
                    {move || {
                        let d = clock::duration(ended.with(|e| e.duration_ms));
                        tr.fmt("phone-ended-duration", &[("duration", d.into())])
                    }}
                </div>
            </Show>
        </div>
    }
}

/// S8: the newest unread text message, over the idle screen (and over the call screens
/// when the setting allows); CANCEL dismisses it.
#[component]
fn MessageBanner(screen: Memo<Screen>) -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let message = Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| message_banner(s, screen.get()).cloned())
        })
    });
    move || {
        message.get().map(|m| {
            let from = screen::party_name(&m.from_name, &m.from_uri).to_owned();
            view! {
                <div id="message-banner" class="message" role="status">
                    <div class="label line">{move || tr.fmt("phone-message-from", &[("name", from.clone().into())])}</div>
                    <div id="message-text" class="text">{m.text.clone()}</div>
                    <div class="hint line opt">{move || tr.t("phone-message-dismiss")}</div>
                </div>
            }
        })
    }
}

/// Message waiting of identity 1 (RFC 3842), in the status bar.
#[component]
fn MwiIndicator() -> impl IntoView {
    let live = Live::get();
    let tr = Tr::get();
    let mwi = Memo::new(move |_| {
        live.state.with(|s| {
            s.as_ref()
                .and_then(|s| s.identities.iter().find(|i| i.index == 1))
                .map(|i| i.mwi)
                .filter(|m| m.waiting)
        })
    });
    move || {
        mwi.get().map(|m| {
            view! {
                <span id="mwi" class="mwi" data-new=m.new>
                    {move || tr.fmt("phone-mwi", &[("count", m.new.into())])}
                </span>
            }
        })
    }
}

/// The remote party's name as the screen shows it, "unknown" when nothing
/// is known.
fn party_or_unknown(tr: Tr, remote_name: &str, remote_uri: &str) -> String {
    match screen::party_name(remote_name, remote_uri) {
        "" => tr.t("phone-unknown-party"),
        name => name.to_owned(),
    }
}
