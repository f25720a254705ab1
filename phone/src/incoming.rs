//! An incoming call passes a chain of pure steps, each of which may decide what happens
//! to it: blocking → DND → forwarding → call waiting → ring. The first step that decides
//! ends the chain; a call nobody turned away rings.

use deskphone_protocol::CallPhase;
use deskphone_settings::keys;

use crate::call::Call;
use crate::{Action, BUSY_HERE, CallId, DECLINE, Phone, TEMPORARILY_UNAVAILABLE};

/// Most entries the local deny list keeps; the oldest goes first.
pub(crate) const MAX_DENY_LIST: usize = 200;

/// What the SIP core said about a new incoming call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncomingCall {
    /// The caller (From) and its display name.
    pub remote_uri: String,
    pub remote_name: String,
    /// The INVITE's Request-URI: which identity the call is for.
    pub request_uri: String,
    /// The INVITE's Alert-Info (S10): this call's ringtone only.
    pub alert_info: Option<String>,
}

/// What the chain decided.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    /// On the deny list (C3): 603, and no trace.
    Blocked,
    /// Do not disturb (C6): 480, a missed call.
    DoNotDisturb,
    /// Forwarded at once (always, or busy): 302, a missed call with its target.
    Forward(String),
    /// Busy and nowhere to forward to: 486, a missed call.
    Busy,
    /// It rings; with a target, it goes there when nobody answers in time.
    Ring { no_answer: Option<(u64, String)> },
}

type Step = fn(&Phone, &IncomingCall, u16, u64) -> Option<Decision>;

/// The chain, in order. Ringing is what is left when no step decided.
const CHAIN: [Step; 4] = [blocking, do_not_disturb, forwarding, call_waiting];

/// `user@host` of a caller, lower-case host, without scheme, display name and
/// parameters: what the deny list compares.
pub(crate) fn deny_entry(uri: &str) -> Option<String> {
    let uri = uri.trim();
    let uri = uri
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(uri, |(inner, _)| inner);
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .unwrap_or(uri);
    let rest = rest.split([';', '?']).next().unwrap_or(rest);
    let (user, host) = rest.split_once('@')?;
    // A port belongs to where the caller sent from, not who it is.
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') {
            h
        } else {
            host
        }
    });
    if user.is_empty()
        || host.is_empty()
        || user.len() + host.len() > 256
        || rest.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    Some(format!("{user}@{}", host.to_ascii_lowercase()))
}

fn blocking(phone: &Phone, call: &IncomingCall, _: u16, _: u64) -> Option<Decision> {
    let entry = deny_entry(&call.remote_uri)?;
    phone
        .deny_list
        .contains(&entry)
        .then_some(Decision::Blocked)
}

fn do_not_disturb(phone: &Phone, _: &IncomingCall, _: u16, _: u64) -> Option<Decision> {
    phone.dnd().then_some(Decision::DoNotDisturb)
}

/// Forwarding of every call (`redirect_event=all`, `redirect_always`).
fn forwarding(phone: &Phone, _: &IncomingCall, identity: u16, _: u64) -> Option<Decision> {
    let target = phone.forwarding().always?;
    phone
        .dial_target(&target, identity)
        .ok()
        .map(Decision::Forward)
}

/// A call while another is going on: with `call_waiting` off, or a second call already
/// waiting, the phone is busy (and busy forwarding applies).
fn call_waiting(phone: &Phone, _: &IncomingCall, identity: u16, _: u64) -> Option<Decision> {
    let live = |c: &&Call| c.phase != CallPhase::Ending;
    let others = phone.calls.iter().filter(live).count();
    let ringing = phone
        .calls
        .iter()
        .filter(live)
        .any(|c| c.phase == CallPhase::Ringing);
    let waiting_allowed = phone.settings.value(keys::call_waiting) != "off";
    if others == 0 || (waiting_allowed && !ringing) {
        return None;
    }
    Some(match busy_target(phone, identity) {
        Some(target) => Decision::Forward(target),
        None => Decision::Busy,
    })
}

fn busy_target(phone: &Phone, identity: u16) -> Option<String> {
    let target = phone.forwarding().busy?;
    phone.dial_target(&target, identity).ok()
}

fn ring(phone: &Phone, identity: u16, now_ms: u64) -> Decision {
    let fwd = phone.forwarding();
    let no_answer = fwd
        .no_answer
        .and_then(|t| phone.dial_target(&t, identity).ok())
        .map(|target| (now_ms + u64::from(fwd.no_answer_after_s) * 1000, target));
    Decision::Ring { no_answer }
}

impl Phone {
    /// A new incoming call: it passes the chain (blocking → DND → forwarding → call
    /// waiting) and rings unless a step turned it away. Returns the call's id, by which
    /// the actions name it.
    pub fn incoming(&mut self, call: IncomingCall, now_ms: u64) -> (CallId, Vec<Action>) {
        let id = self.new_call_id();
        let identity = self.identity_for_uri(&call.request_uri);
        let decision = CHAIN
            .iter()
            .find_map(|step| step(self, &call, identity, now_ms))
            .unwrap_or_else(|| ring(self, identity, now_ms));
        let mut record = Call::incoming(
            id,
            identity,
            call.remote_uri,
            call.remote_name,
            call.alert_info,
            now_ms,
        );
        let action = match decision {
            Decision::Blocked => Action::Reject(id, DECLINE),
            Decision::DoNotDisturb => {
                self.history.record_turned_away(&record);
                Action::Reject(id, TEMPORARILY_UNAVAILABLE)
            }
            Decision::Busy => {
                self.history.record_turned_away(&record);
                Action::Reject(id, BUSY_HERE)
            }
            Decision::Forward(target) => {
                record.forwarded_to = Some(target.clone());
                self.history.record_turned_away(&record);
                let redirect = Action::Redirect { call: id, target };
                if self.settings.is_on(keys::redirect_ringing) {
                    // `redirect_ringing`: the caller hears it ring here before it moves on.
                    return (id, vec![Action::Ring(id), redirect]);
                }
                redirect
            }
            Decision::Ring { no_answer } => {
                if let Some((at, target)) = no_answer {
                    record.no_answer_at_ms = Some(at);
                    record.no_answer_target = Some(target);
                }
                self.calls.push(record);
                // A list open on the screen gives way to the ringing call.
                self.menu = None;
                Action::Ring(id)
            }
        };
        (id, vec![action])
    }

    /// CANCEL on a ringing call: turn it away (603), or forward it to the busy target
    /// when there is one (C2).
    pub(crate) fn decline(&mut self, id: CallId) -> Vec<Action> {
        let identity = self.call(id).map_or(1, |c| c.identity);
        match busy_target(self, identity) {
            Some(target) => {
                if let Some(c) = self.find(id) {
                    c.forwarded_to = Some(target.clone());
                    c.phase = CallPhase::Ending;
                    c.no_answer_at_ms = None;
                }
                vec![Action::Redirect { call: id, target }]
            }
            None => {
                if let Some(c) = self.find(id) {
                    c.phase = CallPhase::Ending;
                    c.no_answer_at_ms = None;
                }
                vec![Action::Reject(id, DECLINE)]
            }
        }
    }

    /// A long press of CANCEL on a ringing call (C3): with
    /// `long_cancel_is_blocking_caller` the caller goes on the deny list and is turned
    /// away; without it, it is a plain CANCEL.
    pub(crate) fn block_ringing(&mut self, id: CallId) -> Vec<Action> {
        if !self.settings.is_on(keys::long_cancel_is_blocking_caller) {
            return self.decline(id);
        }
        let uri = self
            .call(id)
            .map(|c| c.remote_uri.clone())
            .unwrap_or_default();
        // A caller without a usable address cannot be listed; it is turned away anyway.
        let _ = self.block(&uri);
        if let Some(c) = self.find(id) {
            c.blocked = true;
            c.phase = CallPhase::Ending;
            c.no_answer_at_ms = None;
        }
        vec![Action::Reject(id, DECLINE)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_entries_compare_user_and_host() {
        assert_eq!(
            deny_entry("\"Bob\" <sip:bob@PBX.example:5060;transport=tcp>").as_deref(),
            Some("bob@pbx.example")
        );
        assert_eq!(
            deny_entry("sip:bob@127.0.0.1:5099").as_deref(),
            Some("bob@127.0.0.1")
        );
        assert_eq!(deny_entry("sip:127.0.0.1"), None);
        assert_eq!(deny_entry("bob @x"), None);
    }
}
