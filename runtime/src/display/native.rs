//! The native display engine (the default): the phone-screen components of
//! `deskphone-ui` render the published state to HTML, Blitz lays it out and paints
//! it (`deskphone-display`), and the frame goes to the framebuffer and to
//! `/screen.png`. No browser, no WebSocket: the state comes from the engine's watch.
//!
//! Rendering and painting run on their own thread, never on the engine's tasks. A
//! frame is drawn only when what the screen shows changes: a new state, the clock's
//! minute, a running call timer's second, the end of the "call ended" notice. Each
//! of those wakes the thread once; the rendered HTML is compared with the last
//! frame's, and an unchanged screen is not painted again (only its seq moves on).

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use axum::body::Bytes;
use deskphone_display::{Painter, encode_png};
use deskphone_protocol::screen::{ENDED_SHOW_MS, Screen, active_call, screen_of};
use deskphone_protocol::{CallPhase, DisplayEngineState, PhoneState, ShownSecret};
use tokio::sync::watch;

use super::{Frame, FrameStore};
use crate::engine::{EngineHandle, now_ms};
use crate::framebuffer::{Framebuffer, Rgba};

/// What the render thread is asked to draw.
struct Job {
    seq: u64,
    state: Arc<PhoneState>,
    now_ms: u64,
}

/// The `id` of the screen's root element.
const SCREEN_ID: &str = "phone-screen";

/// Runs the native display engine for the life of the phone.
pub async fn run(
    width: u32,
    height: u32,
    framebuffer: Option<Framebuffer>,
    engine: EngineHandle,
    frames: FrameStore,
    mut generated_password: watch::Receiver<Option<ShownSecret>>,
) {
    engine
        .set_display_engine(DisplayEngineState::Starting)
        .await;
    let painter = match Painter::new(width, height) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("display engine off: {e}");
            engine.set_display_engine(DisplayEngineState::Off).await;
            return;
        }
    };
    let (jobs, inbox) = mpsc::channel::<Job>();
    let store = frames.clone();
    let thread = std::thread::Builder::new()
        .name("display".into())
        .spawn(move || render_thread(painter, inbox, framebuffer, store));
    if let Err(e) = thread {
        tracing::warn!("display engine off: cannot start its thread: {e}");
        engine.set_display_engine(DisplayEngineState::Off).await;
        return;
    }
    tracing::info!("display engine: native (Blitz) at {width}x{height}");
    let mut updates = engine.subscribe();
    let mut first_frame = frames.subscribe();
    let mut running = false;
    loop {
        let (seq, state) = {
            let published = updates.borrow_and_update();
            (published.seq, published.state.clone())
        };
        // Only this engine's own screen shows the generated admin password (R3),
        // exactly as the browser engine's page receives it on its WebSocket.
        let state = match generated_password.borrow_and_update().clone() {
            Some(password) => {
                let mut shown = PhoneState::clone(&state);
                shown.generated_admin_password = Some(password);
                Arc::new(shown)
            }
            None => state,
        };
        let now = now_ms();
        let next = next_change_ms(&state, now);
        let job = Job {
            seq,
            state,
            now_ms: now,
        };
        if jobs.send(job).is_err() {
            tracing::warn!("display engine stopped: its thread ended");
            engine.set_display_engine(DisplayEngineState::Off).await;
            return;
        }
        let wait = Duration::from_millis(next.saturating_sub(now_ms()));
        tokio::select! {
            changed = updates.changed() => if changed.is_err() { return },
            changed = generated_password.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(wait) => {}
            changed = first_frame.changed(), if !running => {
                if changed.is_err() { return }
                running = true;
                engine.set_display_engine(DisplayEngineState::Running).await;
            }
        }
    }
}

/// When (on the phone's clock) the screen next changes by itself: the call timer's
/// next second while a connected call shows, the end of the "call ended" notice, else
/// the clock's next minute.
pub fn next_change_ms(state: &PhoneState, now: u64) -> u64 {
    let next_minute = now - now % 60_000 + 60_000;
    match screen_of(state, now) {
        Screen::Ended => state
            .last_ended_call
            .as_ref()
            .map_or(next_minute, |e| e.ended_at_ms + ENDED_SHOW_MS)
            .min(next_minute),
        Screen::InCall => match active_call(state) {
            Some(call) if call.phase == CallPhase::Connected => {
                let since = call.connected_at_ms.unwrap_or(now);
                let elapsed = now.saturating_sub(since);
                (since + (elapsed / 1000 + 1) * 1000).min(next_minute)
            }
            _ => next_minute,
        },
        _ => next_minute,
    }
    // A tick lands a little after the boundary, never just before it.
    .max(now)
        + 2
}

fn render_thread(
    mut painter: Painter,
    inbox: mpsc::Receiver<Job>,
    framebuffer: Option<Framebuffer>,
    frames: FrameStore,
) {
    let mut last_html = String::new();
    while let Ok(mut job) = inbox.recv() {
        // Only the newest request matters: a burst of states is drawn once.
        while let Ok(newer) = inbox.try_recv() {
            job = newer;
        }
        let html = deskphone_ui::native::phone_document(&job.state, job.seq, job.now_ms);
        if html == last_html
            && let Some(frame) = frames.latest()
        {
            // The same picture: only the seq it shows moves on.
            frames.put(Frame {
                seq: job.seq,
                png: frame.png.clone(),
                screen: frame.screen.clone(),
                text: frame.text.clone(),
                captured_at_ms: frame.captured_at_ms,
            });
            continue;
        }
        let painted = match painter.paint(&html, SCREEN_ID) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("display engine: cannot draw seq {}: {e}", job.seq);
                continue;
            }
        };
        let image = Rgba {
            width: painted.width,
            height: painted.height,
            pixels: painted.rgba,
        };
        if let Some(fb) = &framebuffer
            && let Err(e) = fb.write_rgba(&image)
        {
            tracing::warn!("framebuffer {}: {e}", fb.path.display());
        }
        let png = match encode_png(image.width, image.height, &image.pixels) {
            Ok(png) => png,
            Err(e) => {
                tracing::warn!("display engine: cannot encode seq {}: {e}", job.seq);
                continue;
            }
        };
        frames.put(Frame {
            seq: job.seq,
            png: Bytes::from(png),
            screen: painted.screen,
            text: painted.text,
            captured_at_ms: now_ms(),
        });
        last_html = html;
    }
}

#[cfg(test)]
mod tests {
    use deskphone_protocol::{CallDirection, CallState, EndReason, EndedCall};

    use super::*;

    #[test]
    fn idle_wakes_on_the_minute() {
        let s = PhoneState::default();
        assert_eq!(next_change_ms(&s, 120_500), 180_002);
        assert_eq!(next_change_ms(&s, 180_000), 240_002);
    }

    #[test]
    fn a_connected_call_wakes_every_timer_second() {
        let mut s = PhoneState::default();
        s.calls.push(CallState {
            phase: CallPhase::Connected,
            direction: CallDirection::Outgoing,
            connected_at_ms: Some(10_250),
            ..Default::default()
        });
        assert_eq!(next_change_ms(&s, 12_000), 12_252);
        assert_eq!(next_change_ms(&s, 12_250), 13_252);
    }

    #[test]
    fn the_ended_notice_wakes_when_it_goes() {
        let s = PhoneState {
            last_ended_call: Some(EndedCall {
                ended_at_ms: 100_000,
                reason: EndReason::RemoteHangup,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(next_change_ms(&s, 101_000), 103_002);
    }
}
