//! Action URLs (C7): for a call or phone event, the URL its `action_*_url` setting names
//! is requested, with the established variables filled in: `$remote` (the other party's
//! URI), `$display_remote` (its display name), `$local` (our identity's URI),
//! `$call-id` (the phone's id of the call), `$active_user` and `$active_host` (the
//! identity for outgoing calls). A `$` word that is none of these stays as written:
//! no variable ever stands for a setting, so a secret can never end up in a URL. The
//! phone only collects the URLs ([`Phone::take_action_urls`]); the runtime requests
//! them beside everything else.

use deskphone_settings::{Key, keys};

use crate::Phone;
use crate::call::Call;

/// Most URLs waiting for the runtime; beyond it the oldest go (a runtime that does not
/// take them must not make the phone grow).
const MAX_PENDING: usize = 64;

/// A call or phone event that may have an action URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneEvent {
    Incoming,
    Outgoing,
    Connected,
    Disconnected,
    Missed,
    Hold,
    Unhold,
    Transfer,
    Mute,
    Unmute,
    DndOn,
    DndOff,
    RegistrationOn,
    RegistrationFailed,
    LogOff,
}

impl PhoneEvent {
    fn setting(self) -> Key {
        match self {
            PhoneEvent::Incoming => keys::action_incoming_url,
            PhoneEvent::Outgoing => keys::action_outgoing_url,
            PhoneEvent::Connected => keys::action_connected_url,
            PhoneEvent::Disconnected => keys::action_disconnected_url,
            PhoneEvent::Missed => keys::action_missed_url,
            PhoneEvent::Hold => keys::action_hold_url,
            PhoneEvent::Unhold => keys::action_unhold_url,
            PhoneEvent::Transfer => keys::action_transfer_url,
            PhoneEvent::Mute => keys::action_mute_url,
            PhoneEvent::Unmute => keys::action_unmute_url,
            PhoneEvent::DndOn => keys::action_dnd_on_url,
            PhoneEvent::DndOff => keys::action_dnd_off_url,
            PhoneEvent::RegistrationOn => keys::action_reg_on_url,
            PhoneEvent::RegistrationFailed => keys::action_reg_failed_url,
            PhoneEvent::LogOff => keys::action_log_off_url,
        }
    }
}

/// RFC 3986 §2.3: what a query value may hold as it is; everything else is
/// percent-encoded (hand-written: this crate reaches only the protocol and the schema).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The template with the known variables filled in.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match value(name) {
            Some(v) => out.push_str(&encode(&v)),
            None => {
                out.push('$');
                out.push_str(name);
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

impl Phone {
    /// Collects the action URL of `event` (if one is set) for `call`.
    pub(crate) fn fire(&mut self, event: PhoneEvent, call: Option<&Call>) {
        let template = self.settings.value(event.setting()).trim();
        if template.is_empty() {
            return;
        }
        let identity = call.map_or(self.outgoing_identity(), |c| c.identity);
        let active = self.outgoing_identity();
        let url = fill(template, |name| match name {
            "remote" => call.map(|c| c.remote_uri.clone()),
            "display_remote" => call.map(|c| c.remote_name.clone()),
            "call-id" => call.map(|c| c.id.0.to_string()),
            "local" => Some(self.identity_uri(identity)),
            "active_user" => Some(self.settings.value_at(keys::user_name, active).to_owned()),
            "active_host" => Some(
                self.identity_uri(active)
                    .rsplit('@')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            _ => None,
        });
        if self.action_urls.len() >= MAX_PENDING {
            self.action_urls.remove(0);
        }
        self.action_urls.push(url);
    }

    /// Fires `event` for the call `id`, if the phone has it.
    pub(crate) fn fire_for(&mut self, event: PhoneEvent, id: crate::CallId) {
        let call = self.call(id).cloned();
        self.fire(event, call.as_ref());
    }

    /// The action URLs collected since the last call, oldest first.
    pub fn take_action_urls(&mut self) -> Vec<String> {
        std::mem::take(&mut self.action_urls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_filled_and_encoded_unknown_ones_stay() {
        let url = fill(
            "http://h/x?r=$remote&n=$display_remote&p=$user_pass&c=$call-id",
            |name| match name {
                "remote" => Some("sip:bob@h".into()),
                "display_remote" => Some("Bob Müller".into()),
                "call-id" => Some("7".into()),
                _ => None,
            },
        );
        assert_eq!(
            url,
            "http://h/x?r=sip%3Abob%40h&n=Bob%20M%C3%BCller&p=$user_pass&c=7"
        );
        assert_eq!(fill("$", |_| None), "$");
        assert_eq!(fill("a$$b", |_| None), "a$$b");
    }
}
