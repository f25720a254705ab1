//! What the UIs show, derived from the phone state: pure functions, shared
//! by the phone screen and the web UI, and unit-tested natively.

use std::collections::BTreeMap;

use deskphone_protocol::{
    CallDirection, CallPhase, CallState, DisplayEngineState, EndReason, PhoneState,
    RegistrationState,
};
use deskphone_settings::{IndexedKey, keys};

pub use deskphone_protocol::screen::{Screen, active_call, incoming_call, soft_keys};

/// Which screen to show. `state` is `None` before the first snapshot.
pub fn screen(connected: bool, state: Option<&PhoneState>, now_ms: u64) -> Screen {
    match state.filter(|_| connected) {
        Some(state) => deskphone_protocol::screen::screen_of(state, now_ms),
        None => Screen::Connecting,
    }
}

/// The user part of a SIP URI (`sip:bob@host:5060` → `bob`), else its host.
pub fn uri_user(uri: &str) -> &str {
    let uri = uri.trim().trim_start_matches('<');
    let uri = uri.split(['>', ';', '?']).next().unwrap_or_default();
    let rest = match uri.split_once(':') {
        Some((scheme, rest))
            if ["sip", "sips", "tel"].contains(&scheme.to_ascii_lowercase().as_str()) =>
        {
            rest
        }
        _ => uri,
    };
    match rest.split_once('@') {
        Some((user, _)) => user,
        None if rest.starts_with('[') => rest.split_inclusive(']').next().unwrap_or(rest),
        None if rest.matches(':').count() == 1 => rest.split(':').next().unwrap_or(rest),
        None => rest,
    }
}

/// The name to show for a remote party; empty when nothing is known.
pub fn party_name<'a>(remote_name: &'a str, remote_uri: &'a str) -> &'a str {
    let name = remote_name.trim();
    if name.is_empty() {
        uri_user(remote_uri)
    } else {
        name
    }
}

fn setting(settings: &BTreeMap<String, String>, key: IndexedKey, idx: u16) -> &str {
    settings
        .get(&key.wire(idx))
        .map(|s| s.trim())
        .unwrap_or_default()
}

/// An identity's display name: `user_realname`, else `user_name`; `None`
/// when it has neither.
pub fn identity_name(state: &PhoneState, idx: u16) -> Option<String> {
    [
        setting(&state.settings, keys::user_realname, idx),
        setting(&state.settings, keys::user_name, idx),
    ]
    .into_iter()
    .find(|s| !s.is_empty())
    .map(str::to_owned)
}

/// An identity's `user@host` (or whichever part is set).
pub fn identity_address(state: &PhoneState, idx: u16) -> String {
    let live = state.identities.iter().find(|i| i.index == idx);
    let pick = |live: Option<&str>, key: IndexedKey| {
        live.map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| setting(&state.settings, key, idx))
            .to_owned()
    };
    let user = pick(live.map(|i| i.user.as_str()), keys::user_name);
    let host = pick(live.map(|i| i.host.as_str()), keys::user_host);
    match (user.is_empty(), host.is_empty()) {
        (false, false) => format!("{user}@{host}"),
        (false, true) => user,
        (true, _) => host,
    }
}

/// Registration state of an identity (not configured when unknown).
pub fn registration(state: &PhoneState, idx: u16) -> RegistrationState {
    state
        .identities
        .iter()
        .find(|i| i.index == idx)
        .map(|i| i.registration)
        .unwrap_or_default()
}

/// CSS class fragment for a registration state.
pub fn registration_class(r: RegistrationState) -> &'static str {
    match r {
        RegistrationState::NotConfigured => "reg-none",
        RegistrationState::Registering => "reg-busy",
        RegistrationState::Registered => "reg-ok",
        RegistrationState::Failed => "reg-failed",
    }
}

pub fn phone_registration_id(r: RegistrationState) -> &'static str {
    match r {
        RegistrationState::NotConfigured => "phone-reg-not-configured",
        RegistrationState::Registering => "phone-reg-registering",
        RegistrationState::Registered => "phone-reg-registered",
        RegistrationState::Failed => "phone-reg-failed",
    }
}

pub fn web_registration_id(r: RegistrationState) -> &'static str {
    match r {
        RegistrationState::NotConfigured => "web-reg-not-configured",
        RegistrationState::Registering => "web-reg-registering",
        RegistrationState::Registered => "web-reg-registered",
        RegistrationState::Failed => "web-reg-failed",
    }
}

/// A call phase as in the protocol (`data-phase`).
pub fn phase_name(p: CallPhase) -> &'static str {
    match p {
        CallPhase::Calling => "calling",
        CallPhase::Ringback => "ringback",
        CallPhase::Ringing => "ringing",
        CallPhase::Connected => "connected",
        CallPhase::Ending => "ending",
    }
}

pub fn phone_phase_id(p: CallPhase) -> &'static str {
    match p {
        CallPhase::Calling => "phone-call-calling",
        CallPhase::Ringback => "phone-call-ringback",
        CallPhase::Ringing => "phone-incoming-title",
        CallPhase::Connected => "phone-call-connected",
        CallPhase::Ending => "phone-call-ending",
    }
}

/// What the in-call screen says about a call: its phase, or that this phone holds it.
pub fn phone_call_status_id(c: &CallState) -> &'static str {
    if c.held {
        "phone-call-held"
    } else {
        phone_phase_id(c.phase)
    }
}

pub fn web_phase_id(p: CallPhase) -> &'static str {
    match p {
        CallPhase::Calling => "web-phase-calling",
        CallPhase::Ringback => "web-phase-ringback",
        CallPhase::Ringing => "web-phase-ringing",
        CallPhase::Connected => "web-phase-connected",
        CallPhase::Ending => "web-phase-ending",
    }
}

pub fn web_direction_id(d: CallDirection) -> &'static str {
    match d {
        CallDirection::Incoming => "web-call-incoming",
        CallDirection::Outgoing => "web-call-outgoing",
    }
}

pub fn reason_id(r: EndReason) -> &'static str {
    match r {
        EndReason::LocalHangup => "phone-ended-reason-local-hangup",
        EndReason::RemoteHangup => "phone-ended-reason-remote-hangup",
        EndReason::Cancelled => "phone-ended-reason-cancelled",
        EndReason::AnsweredElsewhere => "phone-ended-reason-answered-elsewhere",
        EndReason::Rejected => "phone-ended-reason-rejected",
        EndReason::Busy => "phone-ended-reason-busy",
        EndReason::Failed => "phone-ended-reason-failed",
        EndReason::Timeout => "phone-ended-reason-timeout",
    }
}

/// A display engine state as in the protocol (`data-engine`).
pub fn engine_name(e: DisplayEngineState) -> &'static str {
    match e {
        DisplayEngineState::Off => "off",
        DisplayEngineState::Starting => "starting",
        DisplayEngineState::Running => "running",
    }
}

pub fn engine_id(e: DisplayEngineState) -> &'static str {
    match e {
        DisplayEngineState::Off => "web-engine-off",
        DisplayEngineState::Starting => "web-engine-starting",
        DisplayEngineState::Running => "web-engine-running",
    }
}

/// Talk time of a call so far (zero until connected).
pub fn call_elapsed_ms(call: &CallState, now_ms: u64) -> Option<u64> {
    call.connected_at_ms.map(|t| now_ms.saturating_sub(t))
}

#[cfg(test)]
mod tests {
    use deskphone_protocol::IdentityState;

    use super::*;

    #[test]
    fn uri_users() {
        assert_eq!(uri_user("sip:bob@127.0.0.1:5062"), "bob");
        assert_eq!(uri_user("<sips:alice@example.com;transport=tls>"), "alice");
        assert_eq!(uri_user("sip:127.0.0.1:5062"), "127.0.0.1");
        assert_eq!(uri_user("sip:[::1]:5062"), "[::1]");
        assert_eq!(uri_user("tel:+4930123"), "+4930123");
        assert_eq!(uri_user("carol@example.com"), "carol");
        assert_eq!(uri_user(""), "");
        assert_eq!(party_name(" Bob B. ", "sip:bob@h"), "Bob B.");
        assert_eq!(party_name("", "sip:bob@h"), "bob");
    }

    #[test]
    fn identities() {
        let mut s = PhoneState::default();
        assert_eq!(identity_name(&s, 1), None);
        assert_eq!(identity_address(&s, 1), "");
        s.settings.insert("user_name[1]".into(), "alice".into());
        assert_eq!(identity_name(&s, 1).as_deref(), Some("alice"));
        s.settings
            .insert("user_realname[1]".into(), "Alice A.".into());
        assert_eq!(identity_name(&s, 1).as_deref(), Some("Alice A."));
        assert_eq!(identity_address(&s, 1), "alice");
        s.settings
            .insert("user_host[1]".into(), "pbx.example.com".into());
        assert_eq!(identity_address(&s, 1), "alice@pbx.example.com");
        s.identities.push(IdentityState {
            index: 1,
            user: "al".into(),
            host: "10.0.0.1".into(),
            registration: RegistrationState::Registered,
            ..Default::default()
        });
        assert_eq!(identity_address(&s, 1), "al@10.0.0.1");
        assert_eq!(registration(&s, 1), RegistrationState::Registered);
        assert_eq!(registration(&s, 2), RegistrationState::NotConfigured);
    }
}
