//! What the network tells the phone outside its calls: text messages (S8, RFC 3428),
//! message waiting (RFC 3842), the busy lamps of BLF function keys (S7, RFC 4235), the
//! availability of presence keys (RFC 3856, PIDF RFC 3863) and the provisioning server's
//! check-sync. Pure, like the rest of the phone: the engine feeds
//! in what the SIP core reported; the snapshot shows it.

use std::collections::BTreeMap;

use deskphone_protocol::{Led, MAX_MESSAGES, Mwi, PhoneState, TextMessage};
use deskphone_settings::FunctionKey;

use super::Phone;

/// A dialog's state as a dialog-info document reports it (RFC 4235 §4.1.2); the runtime
/// converts what the SIP core parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogState {
    Trying,
    Proceeding,
    Early,
    Confirmed,
    Terminated,
}

/// What one dialog-info NOTIFY said for a BLF key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DialogInfo {
    /// A full document replaces what was known; a partial one updates it (RFC 4235 §4.1).
    pub full: bool,
    /// The dialogs by id with their state.
    pub dialogs: Vec<(String, DialogState)>,
}

/// What one PIDF document said for a presence key (RFC 3863).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PresenceInfo {
    /// §4.1.4 basic status: open (available) or closed; `None` when unknown.
    pub open: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Notices {
    messages: Vec<TextMessage>,
    mwi: BTreeMap<u16, Mwi>,
    /// Per BLF key, the watched entity's dialogs by id and their latest state.
    blf: BTreeMap<u16, BTreeMap<String, DialogState>>,
    /// Per presence key, what the latest PIDF document said.
    presence: BTreeMap<u16, Presence>,
    provisioning_requested_at_ms: Option<u64>,
    reboot_requested: bool,
}

/// What a presence key shows of the watched entity.
#[derive(Debug, Default)]
struct Presence {
    /// RFC 3863 §4.1.4 basic status: open (available) or closed; `None` when unknown.
    open: Option<bool>,
    note: Option<String>,
}

/// The lamp of a BLF key: blinking while a call rings there (early, RFC 4235 §3.7.1),
/// on while it is busy (a call being set up or confirmed), off when idle.
fn lamp(dialogs: &BTreeMap<String, DialogState>) -> Led {
    let mut led = Led::Off;
    for state in dialogs.values() {
        match state {
            DialogState::Early => return Led::Blinking,
            DialogState::Trying | DialogState::Proceeding | DialogState::Confirmed => led = Led::On,
            DialogState::Terminated => {}
        }
    }
    led
}

/// The user part of a SIP URI (`sip:bob@pbx` → `bob`), else the URI without its scheme.
pub(crate) fn short_name(uri: &str) -> String {
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .unwrap_or(uri);
    let rest = rest.split(';').next().unwrap_or(rest);
    rest.split_once('@')
        .map_or(rest, |(user, _)| user)
        .to_owned()
}

impl Phone {
    /// A text message arrived; the newest pops up until dismissed.
    pub fn message_received(
        &mut self,
        from_uri: String,
        from_name: String,
        text: String,
        now_ms: u64,
    ) {
        let list = &mut self.notices.messages;
        list.push(TextMessage {
            from_uri,
            from_name,
            text,
            received_at_ms: now_ms,
            read: false,
        });
        if list.len() > MAX_MESSAGES {
            let extra = list.len() - MAX_MESSAGES;
            list.drain(..extra);
        }
    }

    /// Marks every message read (the banner goes); whether one was unread.
    pub(super) fn dismiss_messages(&mut self) -> bool {
        let mut any = false;
        for m in self.notices.messages.iter_mut().filter(|m| !m.read) {
            m.read = true;
            any = true;
        }
        any
    }

    pub fn set_mwi(&mut self, identity: u16, mwi: Mwi) {
        self.notices.mwi.insert(identity, mwi);
    }

    /// A check-sync NOTIFY: re-provisioning requested, and a reboot if it says so. There
    /// is no provisioning client yet, so the state records both.
    pub fn check_sync(&mut self, reboot: bool, now_ms: u64) {
        self.notices.provisioning_requested_at_ms = Some(now_ms);
        self.notices.reboot_requested |= reboot;
    }

    /// A dialog-info NOTIFY for BLF key `key`: a full document replaces what we knew, a
    /// partial one updates dialogs by id (RFC 4235 §4.1); terminated dialogs go.
    pub fn blf_notify(&mut self, key: u16, info: &DialogInfo) {
        let dialogs = self.notices.blf.entry(key).or_default();
        if info.full {
            dialogs.clear();
        }
        for (id, state) in &info.dialogs {
            if *state == DialogState::Terminated {
                dialogs.remove(id);
            } else {
                dialogs.insert(id.clone(), *state);
            }
        }
    }

    /// The key's subscription ended or changed: nothing is known about its dialogs.
    pub fn blf_clear(&mut self, key: u16) {
        self.notices.blf.remove(&key);
    }

    /// A presence NOTIFY for presence key `key`: it replaces what we knew, since a PIDF
    /// document carries the full state (partial ones, RFC 5263, come only as
    /// `application/pidf-diff+xml`, which we do not accept).
    pub fn presence_notify(&mut self, key: u16, info: &PresenceInfo) {
        self.notices.presence.insert(
            key,
            Presence {
                open: info.open,
                note: info.note.clone(),
            },
        );
    }

    /// The key's presence subscription ended or changed: nothing is known any more.
    pub fn presence_clear(&mut self, key: u16) {
        self.notices.presence.remove(&key);
    }

    /// Adds messages, message waiting, key lamps and labels, and check-sync to a snapshot.
    pub(super) fn fill_notices(&self, state: &mut PhoneState) {
        let n = &self.notices;
        state.messages = n.messages.clone();
        state.messages_in_call_screens = self.settings.show_messages_in_call_screens();
        state.provisioning_requested_at_ms = n.provisioning_requested_at_ms;
        state.reboot_requested = n.reboot_requested;
        for identity in &mut state.identities {
            identity.mwi = n.mwi.get(&identity.index).copied().unwrap_or_default();
        }
        for (i, key) in state.keys.iter_mut().enumerate() {
            let Ok(index) = u16::try_from(i + 1) else {
                break;
            };
            match self.settings.function_key(index) {
                FunctionKey::Blf(uri) => {
                    key.label = short_name(&uri);
                    key.led = n.blf.get(&index).map_or(Led::Off, lamp);
                }
                FunctionKey::Presence(uri) => {
                    // Lit while available; the note, when the notifier gives one, says
                    // more than the name ("In a meeting").
                    let presence = n.presence.get(&index);
                    key.label = presence
                        .and_then(|p| p.note.clone())
                        .unwrap_or_else(|| short_name(&uri));
                    key.led = match presence.and_then(|p| p.open) {
                        Some(true) => Led::On,
                        Some(false) | None => Led::Off,
                    };
                }
                FunctionKey::Speed(target) | FunctionKey::Dest(target) => {
                    if key.label.is_empty() {
                        key.label = short_name(&target);
                    }
                }
                FunctionKey::Line | FunctionKey::Other(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use deskphone_protocol::screen::{Screen, message_banner};
    use deskphone_settings::{SettingValues, keys};

    use super::*;
    use crate::{Action, CallId, Key};

    fn phone(values: &[(&str, &str)]) -> Phone {
        let model = deskphone_settings::models::model("DP480C").unwrap();
        let mut settings = SettingValues::default();
        settings.apply(values.iter().copied(), "DP480C").unwrap();
        Phone::new(model, settings, "127.0.0.1:5061".into())
    }

    #[test]
    fn newest_message_shows_on_idle_until_cancel() {
        let mut p = phone(&[]);
        for i in 0..12 {
            p.message_received("sip:bob@h".into(), "Bob".into(), format!("m{i}"), i);
        }
        let s = p.snapshot(0);
        assert_eq!(s.messages.len(), MAX_MESSAGES);
        assert_eq!(message_banner(&s, Screen::Idle).unwrap().text, "m11");
        assert!(
            message_banner(&s, Screen::InCall).is_none(),
            "off by default in calls"
        );
        p.press(Key::Cancel, 0).unwrap();
        assert!(message_banner(&p.snapshot(0), Screen::Idle).is_none());
        let p = phone(&[(keys::show_desktop_msg_in_call_screens.wire(), "on")]);
        assert!(p.snapshot(0).messages_in_call_screens);
    }

    #[test]
    fn blf_key_lamp_label_and_speed_dial() {
        let mut p = phone(&[(&keys::fkey.wire(2), "blf <sip:bob@127.0.0.1:5062>")]);
        let key = |p: &Phone| p.snapshot(0).keys[1].clone();
        assert_eq!((key(&p).label.as_str(), key(&p).led), ("bob", Led::Off));
        let info = |state| DialogInfo {
            full: true,
            dialogs: vec![("d".into(), state)],
        };
        p.blf_notify(2, &info(DialogState::Early));
        assert_eq!(key(&p).led, Led::Blinking);
        p.blf_notify(2, &info(DialogState::Confirmed));
        assert_eq!(key(&p).led, Led::On);
        p.blf_notify(2, &info(DialogState::Terminated));
        assert_eq!(key(&p).led, Led::Off);
        assert_eq!(
            p.press(Key::Function(2), 0).unwrap(),
            [Action::Dial {
                call: CallId(1),
                identity: 1,
                target: "sip:bob@127.0.0.1:5062".into()
            }]
        );
    }

    #[test]
    fn presence_key_lamp_label_and_dial() {
        let mut p = phone(&[(&keys::fkey.wire(3), "presence <sip:carol@127.0.0.1:5062>")]);
        let key = |p: &Phone| p.snapshot(0).keys[2].clone();
        assert_eq!((key(&p).label.as_str(), key(&p).led), ("carol", Led::Off));
        let pidf = |open: bool, note: &str| PresenceInfo {
            open: Some(open),
            note: (!note.is_empty()).then(|| note.to_owned()),
        };
        p.presence_notify(3, &pidf(true, ""));
        assert_eq!((key(&p).label.as_str(), key(&p).led), ("carol", Led::On));
        p.presence_notify(3, &pidf(false, "Gone home"));
        assert_eq!(
            (key(&p).label.as_str(), key(&p).led),
            ("Gone home", Led::Off)
        );
        p.presence_notify(3, &pidf(true, "In a meeting"));
        assert_eq!(
            (key(&p).label.as_str(), key(&p).led),
            ("In a meeting", Led::On)
        );
        p.presence_clear(3);
        assert_eq!((key(&p).label.as_str(), key(&p).led), ("carol", Led::Off));
        assert_eq!(
            p.press(Key::Function(3), 0).unwrap(),
            [Action::Dial {
                call: CallId(1),
                identity: 1,
                target: "sip:carol@127.0.0.1:5062".into()
            }]
        );
    }

    #[test]
    fn check_sync_and_mwi_in_state() {
        let mut p = phone(&[(&keys::user_name.wire(1), "alice")]);
        p.check_sync(false, 5);
        p.set_mwi(
            p.identity_for_uri("sip:alice@pbx"),
            Mwi {
                waiting: true,
                new: 2,
                old: 1,
            },
        );
        let s = p.snapshot(0);
        assert_eq!(s.provisioning_requested_at_ms, Some(5));
        assert!(!s.reboot_requested);
        assert!(s.identities[0].mwi.waiting);
        assert_eq!(s.identities[0].mwi.new, 2);
    }
}
