//! The phone's one state machine: identities, calls, keys, dialling, transfer,
//! forwarding, do-not-disturb, blocking and the call history.
//!
//! Architecture invariant: no IO. This crate depends only on the wire types
//! (`deskphone-protocol`) and the settings schema, so Cargo itself keeps sockets, files
//! and clocks out. Inputs are key presses, what the SIP core reported about calls, and
//! the time (milliseconds since the Unix epoch, passed in with every input); outputs are
//! [`Action`]s that the runtime carries out, the next timer ([`Phone::next_timer_ms`])
//! and the state ([`Phone::snapshot`]) that every UI observes.
//!
//! Calls have the phone's own ids ([`CallId`]): a paging stream or a local conference
//! leg has no SIP dialog, so the runtime maps ids to SIP call handles, not the other way
//! round.
//!
//! Layout: `modes/` dispatches a key by the mode the phone is in (one file per mode);
//! `incoming.rs` is the chain an incoming call passes (blocking → DND → forwarding →
//! call waiting → ring); `history.rs` the call history; `notices.rs` what the network
//! says outside calls; `function_keys.rs` the programmable keys and their lamps.

use std::collections::BTreeMap;

use deskphone_protocol::{
    CallPhase, CallQuality, CallState, DeviceInfo, DisplayEngineState, EndReason, EndedCall,
    ForwardingState, IdentityState, ModelInfo, PhoneState, ProvisioningState, RegistrationState,
    TransferState,
};
use deskphone_settings::models::Model;
use deskphone_settings::{SettingValues, keys};

mod call;
mod function_keys;
mod history;
mod incoming;
mod invariants;
mod key;
mod modes;
mod notices;

use call::{Call, Hold, Transfer};
pub use history::History;
pub use incoming::IncomingCall;
pub use key::Key;
pub use notices::{DialogInfo, DialogState, PresenceInfo};

/// A call as this phone knows it; unique for the life of the [`Phone`] (and above every
/// id in a restored history).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// What the runtime must do after an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Place call `call` to this SIP URI from identity `identity`. When it cannot be
    /// placed, the runtime says so with [`Phone::dial_failed`].
    Dial {
        call: CallId,
        identity: u16,
        target: String,
    },
    Answer(CallId),
    /// 180 Ringing to the caller.
    Ring(CallId),
    /// A final 4xx-6xx response to an incoming call.
    Reject(CallId, u16),
    /// Call forwarding (C2): 302 Moved Temporarily with `target` as Contact (RFC 3261
    /// §21.3.3).
    Redirect {
        call: CallId,
        target: String,
    },
    Hangup(CallId),
    /// Put the call on hold (re-INVITE with a=sendonly, RFC 3264 §8.4).
    Hold(CallId),
    /// Take the call off hold.
    Resume(CallId),
    /// Stop or start sending the microphone in this call.
    Mute {
        call: CallId,
        on: bool,
    },
    /// Blind transfer: ask the peer of `call` to call `target` (REFER, RFC 3515).
    Transfer {
        call: CallId,
        target: String,
    },
    /// Attended transfer: connect the peer of `call` with the peer of `consultation`
    /// (REFER with Replaces, RFC 3891).
    TransferReplacing {
        call: CallId,
        consultation: CallId,
    },
    /// A keypad digit in a connected call: as SIP INFO (`info`) and/or as an RFC 4733 event
    /// in RTP (`rtp`), as the identity's `user_dtmf_info` says.
    Dtmf {
        call: CallId,
        digit: char,
        info: bool,
        rtp: bool,
    },
    /// The phone changed its own settings (the DND key, `LOGOFFALL`): save them and
    /// follow them (registrations).
    SaveSettings,
    /// Register identity `n` anew (`REREGISTER=n`), or every identity (`None`).
    Reregister(Option<u16>),
}

/// Why an input did nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("nothing to dial")]
    NothingToDial,
    #[error("`{0}` is not a number or SIP address the phone can dial")]
    BadTarget(String),
    #[error("a call is being set up; end it first")]
    CallInProgress,
    #[error("there is no connected call to send DTMF in")]
    NoConnectedCall,
    #[error("`{0}` is not a DTMF digit")]
    BadDigit(char),
    #[error("identity {0} does not exist or has no user name")]
    NoSuchIdentity(u16),
    #[error("no identity has the address `{0}`")]
    UnknownIdentity(String),
}

/// Keys of one expansion module (`EK0`.. counts on across modules).
pub const KEYS_PER_EXPANSION_MODULE: u32 = 18;

/// Rejection code for a caller the user turns away (RFC 3261 §21.6.2).
const DECLINE: u16 = 603;
/// Rejection code when the phone is busy (RFC 3261 §21.4.24).
const BUSY_HERE: u16 = 486;
/// Rejection code for do-not-disturb: "the callee's end system was contacted
/// successfully but the callee is currently unavailable (e.g. … a 'do not disturb'
/// feature)", RFC 3261 §21.4.18.
const TEMPORARILY_UNAVAILABLE: u16 = 480;
/// Longest dial buffer; further digits are dropped.
const MAX_DIAL: usize = 64;
/// Speaker/handset volume steps (`VOLUME_UP`/`VOLUME_DOWN`).
const MAX_VOLUME: u8 = 15;

#[derive(Debug)]
pub struct Phone {
    pub model: &'static Model,
    pub settings: SettingValues,
    /// The address other phones reach us on, for identities without a host.
    pub local_sip_host: String,
    pub display_engine: DisplayEngineState,
    /// Where provisioning stands; set by the provisioning task through the engine.
    pub provisioning: ProvisioningState,
    /// Firmware, MAC, addresses: set once at start.
    pub device: DeviceInfo,
    /// Software update; set by the update task through the engine.
    pub update: deskphone_protocol::UpdateStatus,
    calls: Vec<Call>,
    next_call: u64,
    dial_buffer: String,
    off_hook: bool,
    last_ended: Option<EndedCall>,
    /// Registration state of identities with a registrar; absent means not configured.
    registrations: BTreeMap<u16, RegistrationState>,
    /// Text messages, message waiting, BLF lamps, check-sync (`notices.rs`).
    notices: notices::Notices,
    transfer: Option<Transfer>,
    /// Held calls in the order they were held (`xfer_dest_order_lifo` picks from it).
    held_order: Vec<CallId>,
    /// The identity outgoing calls use.
    selected_identity: u16,
    history: History,
    /// Callers turned away (C3), `user@host`, oldest first.
    deny_list: Vec<String>,
    deny_revision: u64,
    /// A list open on the screen.
    menu: Option<modes::menu::Menu>,
    volume: u8,
}

impl Phone {
    pub fn new(model: &'static Model, settings: SettingValues, local_sip_host: String) -> Self {
        Phone {
            model,
            settings,
            local_sip_host,
            display_engine: DisplayEngineState::Off,
            provisioning: ProvisioningState::default(),
            device: DeviceInfo::default(),
            update: deskphone_protocol::UpdateStatus::default(),
            calls: Vec::new(),
            next_call: 1,
            dial_buffer: String::new(),
            off_hook: false,
            last_ended: None,
            registrations: BTreeMap::new(),
            notices: notices::Notices::default(),
            transfer: None,
            held_order: Vec::new(),
            selected_identity: 1,
            history: History::default(),
            deny_list: Vec::new(),
            deny_revision: 0,
            menu: None,
            volume: MAX_VOLUME / 2,
        }
    }

    fn new_call_id(&mut self) -> CallId {
        let id = CallId(self.next_call);
        self.next_call += 1;
        id
    }

    // ----- identities -----

    /// The identity used for outgoing calls: the one the user selected (a line key,
    /// LEFT/RIGHT on the idle screen, `outgoing_uri`), if it still exists.
    pub fn outgoing_identity(&self) -> u16 {
        if self.identity_exists(self.selected_identity) {
            self.selected_identity
        } else {
            1
        }
    }

    /// Whether identity `n` is one the phone shows: identity 1 always, others once they
    /// have a user name.
    pub fn identity_exists(&self, n: u16) -> bool {
        n == 1
            || ((1..=deskphone_settings::IDENTITIES).contains(&n)
                && !self.settings.value_at(keys::user_name, n).is_empty())
    }

    fn identities(&self) -> impl Iterator<Item = u16> + '_ {
        (1..=deskphone_settings::IDENTITIES).filter(|&i| self.identity_exists(i))
    }

    /// Selects the identity for outgoing calls.
    pub fn select_identity(&mut self, n: u16) -> Result<(), KeyError> {
        if !self.identity_exists(n) {
            return Err(KeyError::NoSuchIdentity(n));
        }
        self.selected_identity = n;
        Ok(())
    }

    /// The identity whose address is `uri` (`sip:user@host`, `user@host` or `user`), as
    /// `/command.htm?outgoing_uri=` names it.
    pub fn identity_by_uri(&self, uri: &str) -> Option<u16> {
        let wanted = notices::short_name(uri);
        let host = uri
            .trim_start_matches("sips:")
            .trim_start_matches("sip:")
            .split_once('@')
            .map(|(_, h)| h.split(';').next().unwrap_or(h));
        self.identities().find(|&i| {
            let user = self.settings.value_at(keys::user_name, i);
            let same_host = host.is_none_or(|h| {
                let ours = self.identity_uri(i);
                ours.split_once('@')
                    .is_some_and(|(_, o)| o.eq_ignore_ascii_case(h))
            });
            !user.is_empty() && user == wanted && same_host
        })
    }

    /// The identity an incoming request is for: the one whose user name is the user of
    /// the Request-URI (our Contact, or our address of record for direct calls), else the
    /// user of the To; else identity 1.
    pub fn identity_for_uri(&self, uri: &str) -> u16 {
        let user = notices::short_name(uri);
        self.identities()
            .find(|&i| {
                let name = self.settings.value_at(keys::user_name, i);
                !name.is_empty() && name == user
            })
            .unwrap_or(1)
    }

    /// The From URI for an identity: `sip:user@host`, where host is the
    /// identity's registrar, or this phone's own address for direct calls.
    pub fn identity_uri(&self, identity: u16) -> String {
        let user = self.settings.value_at(keys::user_name, identity);
        let host = match self.settings.value_at(keys::user_host, identity) {
            "" => self.local_sip_host.as_str(),
            // The address of record names no transport (`;transport=tcp` says how to reach
            // the registrar, RFC 3263 §4.1, not who we are).
            h => h.split_once(';').map_or(h, |(host, _)| host),
        };
        if user.is_empty() {
            format!("sip:{host}")
        } else {
            format!("sip:{user}@{host}")
        }
    }

    pub fn identity_display_name(&self, identity: u16) -> &str {
        self.settings.value_at(keys::user_realname, identity)
    }

    /// The engine's word on an identity's registration (`NotConfigured` forgets it).
    pub fn set_registration(&mut self, identity: u16, state: RegistrationState) {
        if state == RegistrationState::NotConfigured {
            self.registrations.remove(&identity);
        } else {
            self.registrations.insert(identity, state);
        }
    }

    /// Turns what the user typed into a SIP URI.
    pub fn dial_target(&self, input: &str, identity: u16) -> Result<String, KeyError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(KeyError::NothingToDial);
        }
        if input
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(KeyError::BadTarget(input.to_owned()));
        }
        let lower = input.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            return Ok(input.to_owned());
        }
        if input.contains('@') {
            return Ok(format!("sip:{input}"));
        }
        match self.settings.value_at(keys::user_host, identity) {
            "" => Err(KeyError::BadTarget(input.to_owned())),
            host => {
                // The registrar's transport parameter belongs to the route, not the target.
                let host = host.split_once(';').map_or(host, |(h, _)| h);
                Ok(format!("sip:{input}@{host}"))
            }
        }
    }

    // ----- calls: lookups -----

    fn find(&mut self, id: CallId) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    fn call(&self, id: CallId) -> Option<&Call> {
        self.calls.iter().find(|c| c.id == id)
    }

    fn ringing_call(&self) -> Option<CallId> {
        self.calls
            .iter()
            .find(|c| c.phase == CallPhase::Ringing)
            .map(|c| c.id)
    }

    /// The call the handset/keys act on: a connected or outgoing one that this phone does
    /// not hold (with a call on hold, the keypad dials a consultation call).
    fn active_call(&self) -> Option<CallId> {
        self.calls.iter().find(|c| c.is_active()).map(|c| c.id)
    }

    fn connected_call(&self, id: CallId) -> bool {
        self.call(id)
            .is_some_and(|c| c.phase == CallPhase::Connected)
    }

    /// C1: the held call a transfer connects to, by `xfer_dest_order_lifo` (last held
    /// first when on).
    fn held_destination(&self) -> Option<CallId> {
        let held = |h: &&CallId| {
            self.call(**h)
                .is_some_and(|c| c.hold == Hold::On && c.phase == CallPhase::Connected)
        };
        if self.settings.is_on(keys::xfer_dest_order_lifo) {
            self.held_order.iter().rev().find(held).copied()
        } else {
            self.held_order.iter().find(held).copied()
        }
    }

    /// Every call the phone has, in the order they began.
    pub fn calls(&self) -> impl Iterator<Item = CallId> + '_ {
        self.calls.iter().map(|c| c.id)
    }

    /// Whether this phone holds the call (or is taking the hold back).
    pub fn holds(&self, id: CallId) -> bool {
        self.call(id)
            .is_some_and(|c| matches!(c.hold, Hold::On | Hold::Holding))
    }

    /// Whether the microphone is muted in this call.
    pub fn muted(&self, id: CallId) -> bool {
        self.call(id).is_some_and(|c| c.muted)
    }

    // ----- dialling -----

    /// A call to `input` from `identity`; the call exists from here on (phase Calling).
    fn dial_from(
        &mut self,
        identity: u16,
        input: &str,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        let target = self.dial_target(input, identity)?;
        // A new call while one is connected holds that one first; one still being set up
        // is in the way.
        let mut actions = Vec::new();
        if let Some(active) = self.active_call() {
            actions = self.hold(active);
            if actions.is_empty() {
                return Err(KeyError::CallInProgress);
            }
        }
        self.dial_buffer.clear();
        self.menu = None;
        let id = self.new_call_id();
        self.calls
            .push(Call::outgoing(id, identity, target.clone(), now_ms));
        actions.push(Action::Dial {
            call: id,
            identity,
            target,
        });
        Ok(actions)
    }

    fn dial(&mut self, input: &str, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        self.dial_from(self.outgoing_identity(), input, now_ms)
    }

    /// Dial a number or URI (`/command.htm?number=`, web UI), from identity `from`
    /// (`outgoing_uri`) or the selected one.
    pub fn dial_number(
        &mut self,
        number: &str,
        from: Option<u16>,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        if let Some(Transfer::Dialling { .. }) = self.transfer {
            // A transfer asks for its target: the number fills the buffer, ENTER transfers.
            self.dial_buffer = number.trim().chars().take(MAX_DIAL).collect();
            return Ok(vec![]);
        }
        let actions = match from {
            Some(identity) if !self.identity_exists(identity) => {
                return Err(KeyError::NoSuchIdentity(identity));
            }
            Some(identity) => self.dial_from(identity, number, now_ms)?,
            None => self.dial(number, now_ms)?,
        };
        Ok(self.settle(actions))
    }

    /// The runtime could not place the call of an [`Action::Dial`]: it goes, and leaves
    /// no trace in the history (nothing reached the network).
    pub fn dial_failed(&mut self, id: CallId) {
        self.calls.retain(|c| c.id != id);
        self.forget(id);
        if self.calls.is_empty() {
            self.off_hook = false;
        }
    }

    /// The peer of `of` asked us to call `target` (REFER, RFC 3515): a new outgoing call
    /// on the same identity. Returns the call and the identity to place it from, or
    /// `None` when the phone cannot follow (the call is not connected, is being
    /// transferred already, or another call is active): the runtime refuses the REFER.
    pub fn referred(&mut self, of: CallId, target: String, now_ms: u64) -> Option<(CallId, u16)> {
        let call = self
            .call(of)
            .filter(|c| c.phase == CallPhase::Connected && !c.referred_away)?;
        let identity = call.identity;
        if self.calls.iter().any(|c| c.id != of && c.is_active()) {
            return None;
        }
        if let Some(c) = self.find(of) {
            c.referred_away = true;
        }
        let id = self.new_call_id();
        self.calls
            .push(Call::outgoing(id, identity, target, now_ms));
        Some((id, identity))
    }

    /// `?key_dtmf=DIGITS`: the digits as DTMF in the connected call.
    pub fn send_dtmf(&mut self, digits: &str) -> Result<Vec<Action>, KeyError> {
        let call = self
            .active_call()
            .filter(|c| self.connected_call(*c))
            .ok_or(KeyError::NoConnectedCall)?;
        if let Some(bad) = digits
            .chars()
            .find(|c| !(c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')))
        {
            return Err(KeyError::BadDigit(bad));
        }
        Ok(digits.chars().flat_map(|d| self.dtmf(call, d)).collect())
    }

    /// A digit in a connected call goes to the other side as DTMF (M1).
    fn dtmf(&self, call: CallId, digit: char) -> Vec<Action> {
        let identity = self.call(call).map_or(1, |c| c.identity);
        let mode = self.settings.value_at(keys::user_dtmf_info, identity);
        vec![Action::Dtmf {
            call,
            digit,
            info: mode != "off",
            rtp: mode != "sip_info_only",
        }]
    }

    /// `?RELEASE_ALL_CALLS`: every call ends (ringing ones are turned away as busy).
    pub fn release_all_calls(&mut self) -> Vec<Action> {
        self.transfer = None;
        self.dial_buffer.clear();
        self.off_hook = false;
        let actions = self
            .calls
            .iter()
            .filter(|c| c.phase != CallPhase::Ending)
            .map(|c| match c.phase {
                CallPhase::Ringing => Action::Reject(c.id, BUSY_HERE),
                _ => Action::Hangup(c.id),
            })
            .collect();
        self.settle(actions)
    }

    /// `?LOGOFFALL`: every identity is logged off (`user_active` off, saved), so that it
    /// unregisters and stays off after a restart.
    pub fn log_off_all(&mut self) -> Vec<Action> {
        let model = self.model.name;
        let active: Vec<String> = (1..=deskphone_settings::IDENTITIES)
            .filter(|&i| self.settings.is_on_at(keys::user_active, i))
            .map(|i| keys::user_active.wire(i))
            .collect();
        if active.is_empty() {
            return vec![];
        }
        let changes = active.iter().map(|k| (k.as_str(), "off"));
        match self.settings.apply_local(changes, model) {
            Ok(()) => vec![Action::SaveSettings],
            Err(_) => vec![],
        }
    }

    /// `?REREGISTER=n`: identity `n` registers anew; 0 or none means every identity.
    pub fn reregister(&mut self, identity: Option<u16>) -> Result<Vec<Action>, KeyError> {
        match identity {
            None | Some(0) => Ok(vec![Action::Reregister(None)]),
            Some(n) if self.identity_exists(n) => Ok(vec![Action::Reregister(Some(n))]),
            Some(n) => Err(KeyError::NoSuchIdentity(n)),
        }
    }

    // ----- SIP events -----

    /// Early media started on an outgoing call (SDP in a 18x).
    pub fn early_media(&mut self, id: CallId, codec: String) {
        if let Some(c) = self.find(id) {
            c.codec = Some(codec);
        }
    }

    pub fn remote_ringing(&mut self, id: CallId) {
        if let Some(c) = self.find(id).filter(|c| c.phase == CallPhase::Calling) {
            c.phase = CallPhase::Ringback;
        }
    }

    pub fn connected(&mut self, id: CallId, codec: Option<String>, now_ms: u64) {
        let Some(c) = self.find(id) else {
            return;
        };
        // An incoming call connects only once this phone answered it.
        if c.phase == CallPhase::Ending || (c.phase == CallPhase::Ringing && !c.answering) {
            return;
        }
        if c.connected_at_ms.is_none() {
            c.connected_at_ms = Some(now_ms);
        }
        c.phase = CallPhase::Connected;
        c.no_answer_at_ms = None;
        if codec.is_some() {
            c.codec = codec;
        }
        self.off_hook = true;
        if self.transfer.is_none() {
            self.dial_buffer.clear();
        }
    }

    pub fn ending(&mut self, id: CallId) {
        if let Some(c) = self.find(id) {
            c.phase = CallPhase::Ending;
            c.no_answer_at_ms = None;
        }
    }

    /// Forgets a call in the transfer, hold order and menu.
    fn forget(&mut self, id: CallId) {
        self.held_order.retain(|h| *h != id);
        let involved = match self.transfer {
            Some(Transfer::Dialling { call } | Transfer::Transferring { call, .. }) => call == id,
            Some(Transfer::Confirming { held, active }) => held == id || active == id,
            _ => false,
        };
        if involved {
            self.transfer = None;
            if self.calls.is_empty() {
                self.dial_buffer.clear();
            }
        }
    }

    pub fn ended(&mut self, id: CallId, reason: EndReason, now_ms: u64) {
        let Some(pos) = self.calls.iter().position(|c| c.id == id) else {
            return;
        };
        let call = self.calls.remove(pos);
        self.forget(id);
        self.history.record_ended(&call, reason, now_ms);
        self.last_ended = Some(EndedCall {
            remote_uri: call.remote_uri,
            remote_name: call.remote_name,
            reason,
            duration_ms: call
                .connected_at_ms
                .map(|t| now_ms.saturating_sub(t))
                .unwrap_or(0),
            ended_at_ms: now_ms,
        });
        if self.calls.is_empty() {
            self.off_hook = false;
        }
    }

    /// The other side answered our hold or resume (`agreed`), or refused it: the call
    /// stays as it was before the key press.
    pub fn hold_result(&mut self, id: CallId, agreed: bool) {
        let Some(c) = self.find(id) else {
            return;
        };
        let before = c.hold;
        c.hold = match (before, agreed) {
            (Hold::Holding, true) | (Hold::Resuming, false) => Hold::On,
            (Hold::Resuming, true) | (Hold::Holding, false) => Hold::Off,
            (other, _) => other,
        };
        // A refused hold while another call is active (call waiting answered, a swap)
        // stays held here: the phone does not send in it, so two calls never talk at once.
        if before == Hold::Holding
            && !agreed
            && self.calls.iter().any(|o| o.id != id && o.is_active())
            && let Some(c) = self.find(id)
        {
            c.hold = Hold::On;
        }
        let held = self.call(id).is_some_and(|c| c.hold == Hold::On);
        self.held_order.retain(|h| *h != id);
        if held {
            self.held_order.push(id);
        }
    }

    /// An INVITE with Replaces (RFC 3891) took over `replaced`: the new call is answered at
    /// once and the replaced one ended. A replaced call that is already ending is refused
    /// with 481 (RFC 3891 §3); while another call is active, with 486.
    pub fn replacing(
        &mut self,
        replaced: CallId,
        remote_uri: String,
        remote_name: String,
        now_ms: u64,
    ) -> (CallId, Vec<Action>) {
        let id = self.new_call_id();
        let Some(old) = self.call(replaced).filter(|c| c.phase != CallPhase::Ending) else {
            return (id, vec![Action::Reject(id, 481)]);
        };
        let identity = old.identity;
        if self.calls.iter().any(|c| c.id != replaced && c.is_active()) {
            return (id, vec![Action::Reject(id, BUSY_HERE)]);
        }
        if let Some(old) = self.find(replaced) {
            old.phase = CallPhase::Ending;
            old.no_answer_at_ms = None;
        }
        let mut call = Call::incoming(id, identity, remote_uri, remote_name, None, now_ms);
        call.replacing = true;
        call.answering = true;
        self.calls.push(call);
        (
            id,
            self.settle(vec![Action::Answer(id), Action::Hangup(replaced)]),
        )
    }

    /// Progress of a transfer of `call` (RFC 3515 NOTIFY or the REFER's response).
    pub fn transfer_progress(&mut self, call: CallId, code: u16, done: bool) {
        let Some(Transfer::Transferring { call: c, target }) = self.transfer.clone() else {
            return;
        };
        if c != call {
            return;
        }
        self.transfer = match (done, code) {
            (false, _) => Some(Transfer::Transferring { call, target }),
            (true, 200..=299) => {
                // C1: the history names whom the call went to.
                if let Some(c) = self.find(call) {
                    c.transferred_to = Some(target);
                }
                None
            }
            (true, _) => Some(Transfer::Failed),
        };
    }

    /// The runtime could not start the transfer.
    pub fn transfer_failed(&mut self) {
        self.transfer = Some(Transfer::Failed);
    }

    /// New RTCP figures for the call's audio.
    pub fn media_quality(&mut self, id: CallId, quality: CallQuality) {
        if let Some(c) = self.find(id) {
            c.quality = Some(quality);
        }
    }

    /// Whether the call's media is SRTP both ways now (M3): the lock on the screen.
    pub fn media_encrypted(&mut self, id: CallId, encrypted: bool) {
        if let Some(c) = self.find(id) {
            c.encrypted = encrypted;
        }
    }

    /// The identity a call belongs to.
    pub fn call_identity(&self, id: CallId) -> Option<u16> {
        self.calls.iter().find(|c| c.id == id).map(|c| c.identity)
    }

    /// The peer sent a DTMF digit (SIP INFO or RFC 4733).
    pub fn dtmf_received(&mut self, id: CallId, digit: char) {
        if let Some(c) = self.find(id) {
            c.last_dtmf = Some(digit);
        }
    }

    // ----- timers -----

    /// When [`Phone::timer`] wants to run next, milliseconds since the Unix epoch.
    pub fn next_timer_ms(&self) -> Option<u64> {
        self.calls.iter().filter_map(|c| c.no_answer_at_ms).min()
    }

    /// Timers that are due at `now_ms`: a ringing call nobody answered goes to the
    /// no-answer forwarding target (C2).
    pub fn timer(&mut self, now_ms: u64) -> Vec<Action> {
        let mut actions = Vec::new();
        for c in &mut self.calls {
            if c.no_answer_at_ms.is_some_and(|t| t <= now_ms) {
                c.no_answer_at_ms = None;
                if c.phase != CallPhase::Ringing {
                    continue;
                }
                if let Some(target) = c.no_answer_target.take() {
                    c.forwarded_to = Some(target.clone());
                    c.phase = CallPhase::Ending;
                    actions.push(Action::Redirect { call: c.id, target });
                }
            }
        }
        actions
    }

    // ----- DND, forwarding, deny list -----

    /// Do not disturb (`dnd_mode`).
    pub fn dnd(&self) -> bool {
        self.settings.is_on(keys::dnd_mode)
    }

    /// The DND key (or mute on the idle screen with `mute_is_dnd_in_idle`): toggles
    /// `dnd_mode`, which the runtime saves.
    fn toggle_dnd(&mut self) -> Vec<Action> {
        let next = if self.dnd() { "off" } else { "on" };
        let model = self.model.name;
        match self
            .settings
            .apply_local([(keys::dnd_mode.wire(), next)], model)
        {
            Ok(()) => vec![Action::SaveSettings],
            Err(_) => vec![],
        }
    }

    /// Forwarding in force, from the `redirect_*` settings; targets as typed.
    pub fn forwarding(&self) -> ForwardingState {
        let s = &self.settings;
        let event = s.value(keys::redirect_event);
        let target = |k| Some(s.value(k).trim().to_owned()).filter(|t: &String| !t.is_empty());
        ForwardingState {
            always: if event == "all" || s.is_on(keys::redirect_always) {
                target(keys::redirect_number)
            } else {
                None
            },
            busy: matches!(event, "busy" | "busy_time")
                .then(|| target(keys::redirect_busy))
                .flatten(),
            no_answer: matches!(event, "time" | "busy_time")
                .then(|| target(keys::redirect_time_number))
                .flatten(),
            no_answer_after_s: s.value(keys::redirect_time).parse().unwrap_or(20),
        }
    }

    /// Adds a caller (a URI or `user@host`) to the deny list (C3); `Ok(false)` when it
    /// was there already.
    pub fn block(&mut self, uri: &str) -> Result<bool, KeyError> {
        let entry = incoming::deny_entry(uri).ok_or_else(|| KeyError::BadTarget(uri.to_owned()))?;
        if self.deny_list.contains(&entry) {
            return Ok(false);
        }
        if self.deny_list.len() >= incoming::MAX_DENY_LIST {
            self.deny_list.remove(0);
        }
        self.deny_list.push(entry);
        self.deny_revision += 1;
        Ok(true)
    }

    /// Takes an entry off the deny list; whether it was there.
    pub fn unblock(&mut self, entry: &str) -> bool {
        let before = self.deny_list.len();
        self.deny_list.retain(|e| e != entry);
        let removed = self.deny_list.len() != before;
        if removed {
            self.deny_revision += 1;
        }
        removed
    }

    pub fn deny_list(&self) -> &[String] {
        &self.deny_list
    }

    /// Changes with every change of the deny list (the runtime saves it then).
    pub fn deny_revision(&self) -> u64 {
        self.deny_revision
    }

    /// The deny list as saved; entries that are no address are dropped.
    pub fn restore_deny_list(&mut self, list: Vec<String>) {
        self.deny_list = list
            .iter()
            .filter_map(|e| incoming::deny_entry(e))
            .take(incoming::MAX_DENY_LIST)
            .collect();
    }

    // ----- history -----

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The history as saved: call ids continue above every id in it.
    pub fn restore_history(&mut self, history: deskphone_protocol::CallHistory) {
        self.history = History::restore(history);
        self.next_call = self.next_call.max(self.history.max_id() + 1);
    }

    // ----- snapshot -----

    pub fn snapshot(&self, now_ms: u64) -> PhoneState {
        let identities = self
            .identities()
            .map(|i| IdentityState {
                index: i,
                display_name: self.identity_display_name(i).to_owned(),
                user: self.settings.value_at(keys::user_name, i).to_owned(),
                host: match self.settings.value_at(keys::user_host, i) {
                    "" => self.local_sip_host.clone(),
                    h => h.to_owned(),
                },
                registration: self
                    .registrations
                    .get(&i)
                    .copied()
                    .unwrap_or(RegistrationState::NotConfigured),
                // Filled in by `fill_notices`.
                mwi: Default::default(),
            })
            .collect();
        let calls = self
            .calls
            .iter()
            .map(|c| CallState {
                id: c.id.0,
                identity: c.identity,
                direction: c.direction,
                phase: c.phase,
                remote_uri: c.remote_uri.clone(),
                remote_name: c.remote_name.clone(),
                connected_at_ms: c.connected_at_ms,
                codec: c.codec.clone(),
                held: matches!(c.hold, Hold::On | Hold::Resuming),
                alert_info: c.alert_info.clone(),
                last_dtmf: c.last_dtmf.map(String::from),
                quality: c.quality,
                muted: c.muted,
                encrypted: c.encrypted,
            })
            .collect();
        let mut state = PhoneState {
            model: ModelInfo {
                name: self.model.name.to_owned(),
                display_width: self.model.display_width,
                display_height: self.model.display_height,
                colour: self.model.colour,
                function_keys: self.model.function_keys,
            },
            identities,
            calls,
            dial_buffer: self.dial_buffer.clone(),
            off_hook: self.off_hook,
            keys: self.function_key_states(),
            settings: self.settings.public_view(self.model.name),
            setting_sources: self.settings.sources(self.model.name),
            time_ms: now_ms,
            display_engine: self.display_engine,
            provisioning: self.provisioning.clone(),
            last_ended_call: self.last_ended.clone(),
            device: self.device.clone(),
            update: self.update.clone(),
            transfer: self.transfer.as_ref().map(|t| match t {
                Transfer::Dialling { .. } => TransferState::Dialling,
                Transfer::Confirming { .. } => TransferState::Confirming,
                Transfer::Transferring { .. } => TransferState::Transferring,
                Transfer::Failed => TransferState::Failed,
            }),
            selected_identity: self.outgoing_identity(),
            dnd: self.dnd(),
            forwarding: self.forwarding(),
            history: self.history.state().clone(),
            menu: self.menu.as_ref().map(modes::menu::Menu::state),
            deny_list: self.deny_list.clone(),
            volume: self.volume,
            ..PhoneState::default()
        };
        self.fill_notices(&mut state);
        state
    }
}

#[cfg(test)]
mod tests;
