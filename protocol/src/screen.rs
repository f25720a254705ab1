//! What the phone's screen shows, derived from the state alone: which
//! face, and what the soft keys under the display do. Shared by the UI
//! (which draws it) and the runtime (which carries out the soft keys), so
//! the label on a key and what the key does cannot drift apart.

use crate::{CallPhase, CallState, EndedCall, PhoneState, TextMessage};

/// How long the "call ended" screen stays, on the phone's clock.
pub const ENDED_SHOW_MS: u64 = 3000;

/// The phone screen's faces; [`Screen::name`] is its `data-screen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Connecting,
    Idle,
    Dialling,
    Incoming,
    InCall,
    Ended,
}

impl Screen {
    pub fn name(self) -> &'static str {
        match self {
            Screen::Connecting => "connecting",
            Screen::Idle => "idle",
            Screen::Dialling => "dialling",
            Screen::Incoming => "incoming",
            Screen::InCall => "in-call",
            Screen::Ended => "ended",
        }
    }
}

/// Which screen a phone in `state` shows at `now_ms` (its clock).
pub fn screen_of(state: &PhoneState, now_ms: u64) -> Screen {
    if incoming_call(state).is_some() {
        return Screen::Incoming;
    }
    if active_call(state).is_some() {
        return Screen::InCall;
    }
    // Typing beats the "ended" notice; a handset still off hook after the
    // call does not.
    if !state.dial_buffer.is_empty() {
        return Screen::Dialling;
    }
    if recently_ended(state, now_ms).is_some() {
        return Screen::Ended;
    }
    if state.off_hook {
        return Screen::Dialling;
    }
    Screen::Idle
}

/// The call that rings on this phone, if any.
pub fn incoming_call(state: &PhoneState) -> Option<&CallState> {
    state.calls.iter().find(|c| c.phase == CallPhase::Ringing)
}

/// The call shown on the in-call screen: a connected one first, else the
/// first other call that is not ringing here.
pub fn active_call(state: &PhoneState) -> Option<&CallState> {
    let not_ringing = || state.calls.iter().filter(|c| c.phase != CallPhase::Ringing);
    not_ringing()
        .find(|c| c.phase == CallPhase::Connected)
        .or_else(|| not_ringing().next())
}

/// The last ended call while it is still to be shown.
pub fn recently_ended(state: &PhoneState, now_ms: u64) -> Option<&EndedCall> {
    state
        .last_ended_call
        .as_ref()
        .filter(|e| now_ms.saturating_sub(e.ended_at_ms) < ENDED_SHOW_MS)
}

/// The text message shown over `screen` (S8): the newest one if the user has not
/// dismissed it, on the idle screen, and on the call screens only when the state allows.
pub fn message_banner(state: &PhoneState, screen: Screen) -> Option<&TextMessage> {
    let shown_here = match screen {
        Screen::Idle => true,
        Screen::InCall | Screen::Incoming => state.messages_in_call_screens,
        Screen::Connecting | Screen::Dialling | Screen::Ended => false,
    };
    state.messages.last().filter(|m| shown_here && !m.read)
}

/// What a soft key does on the screen it is shown on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftAction {
    Answer,
    Reject,
    Hangup,
    Dial,
    Delete,
    Cancel,
}

impl SoftAction {
    /// Its name in the DOM (`data-action`).
    pub fn name(self) -> &'static str {
        match self {
            SoftAction::Answer => "answer",
            SoftAction::Reject => "reject",
            SoftAction::Hangup => "hangup",
            SoftAction::Dial => "dial",
            SoftAction::Delete => "delete",
            SoftAction::Cancel => "cancel",
        }
    }
}

/// One soft key: its key name (`F1`…), what it does, its label's
/// translation id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftKey {
    pub key: &'static str,
    pub action: SoftAction,
    pub label: &'static str,
}

const KEY_NAMES: [&str; 8] = ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"];

/// The soft-key bar of a screen on a phone with `count` soft keys: one slot
/// per key, `None` for an unlabelled key. Positive actions sit on the left,
/// cancelling ones on the right.
pub fn soft_keys(screen: Screen, count: usize) -> Vec<Option<SoftKey>> {
    let count = count.clamp(1, KEY_NAMES.len());
    let mut slots = vec![None; count];
    let mut put = |slot: usize, action: SoftAction, label: &'static str| {
        if let Some(s) = slots.get_mut(slot) {
            *s = Some(SoftKey {
                key: KEY_NAMES[slot],
                action,
                label,
            });
        }
    };
    let last = count - 1;
    match screen {
        Screen::Incoming => {
            put(0, SoftAction::Answer, "phone-key-answer");
            put(last, SoftAction::Reject, "phone-key-reject");
        }
        Screen::InCall => put(last, SoftAction::Hangup, "phone-key-hangup"),
        Screen::Dialling => {
            put(0, SoftAction::Dial, "phone-key-dial");
            if count >= 3 {
                put(last - 1, SoftAction::Delete, "phone-key-delete");
            }
            put(last, SoftAction::Cancel, "phone-key-cancel");
        }
        Screen::Connecting | Screen::Idle | Screen::Ended => {}
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CallDirection;

    fn call(phase: CallPhase) -> CallState {
        CallState {
            id: 1,
            identity: 1,
            direction: CallDirection::Incoming,
            phase,
            remote_uri: "sip:bob@127.0.0.1:5062".into(),
            remote_name: String::new(),
            connected_at_ms: None,
            codec: None,
            ..CallState::default()
        }
    }

    #[test]
    fn screens() {
        let mut s = PhoneState::default();
        assert_eq!(screen_of(&s, 0), Screen::Idle);
        s.off_hook = true;
        assert_eq!(screen_of(&s, 0), Screen::Dialling);
        s.off_hook = false;
        s.dial_buffer = "12".into();
        assert_eq!(screen_of(&s, 0), Screen::Dialling);
        s.dial_buffer.clear();
        s.calls.push(call(CallPhase::Calling));
        assert_eq!(screen_of(&s, 0), Screen::InCall);
        s.calls.push(call(CallPhase::Ringing));
        assert_eq!(screen_of(&s, 0), Screen::Incoming);
        s.calls.clear();
        s.last_ended_call = Some(EndedCall {
            ended_at_ms: 10_000,
            ..Default::default()
        });
        assert_eq!(screen_of(&s, 10_000), Screen::Ended);
        assert_eq!(screen_of(&s, 12_999), Screen::Ended);
        s.off_hook = true;
        assert_eq!(screen_of(&s, 12_999), Screen::Ended);
        assert_eq!(screen_of(&s, 13_000), Screen::Dialling);
        s.off_hook = false;
        assert_eq!(screen_of(&s, 13_000), Screen::Idle);
    }

    #[test]
    fn active_call_prefers_connected() {
        let mut s = PhoneState::default();
        s.calls.push(call(CallPhase::Calling));
        let mut c = call(CallPhase::Connected);
        c.id = 2;
        s.calls.push(c);
        assert_eq!(active_call(&s).map(|c| c.id), Some(2));
    }

    #[test]
    fn soft_key_layouts() {
        let keys = soft_keys(Screen::Incoming, 4);
        assert_eq!(keys.len(), 4);
        assert_eq!(
            keys[0].map(|k| (k.key, k.action)),
            Some(("F1", SoftAction::Answer))
        );
        assert_eq!(
            keys[3].map(|k| (k.key, k.action)),
            Some(("F4", SoftAction::Reject))
        );
        assert!(soft_keys(Screen::Idle, 4).iter().all(Option::is_none));
        let dial = soft_keys(Screen::Dialling, 2);
        assert_eq!(dial.iter().flatten().count(), 2);
        assert_eq!(soft_keys(Screen::InCall, 0).len(), 1);
    }
}

#[cfg(test)]
mod banner_tests {
    use super::*;

    #[test]
    fn message_banner_on_idle_and_in_calls_only_when_allowed() {
        let mut state = PhoneState::default();
        state.messages.push(TextMessage {
            text: "hi".into(),
            ..TextMessage::default()
        });
        assert!(message_banner(&state, Screen::Idle).is_some());
        assert!(message_banner(&state, Screen::InCall).is_none());
        assert!(message_banner(&state, Screen::Dialling).is_none());
        state.messages_in_call_screens = true;
        assert!(message_banner(&state, Screen::InCall).is_some());
        state.messages[0].read = true;
        assert!(message_banner(&state, Screen::Idle).is_none());
    }
}
