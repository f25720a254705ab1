//! The phone's one state machine: identities, calls, keypad, dialling.
//!
//! Architecture invariant: no IO here. Inputs are key presses, SIP call
//! events and the time (milliseconds since the Unix epoch); outputs are
//! [`Action`]s that the engine carries out on the SIP core and media.
//! Everything the UIs show is derived from this state by [`Phone::snapshot`].

use std::collections::BTreeMap;

use deskphone_protocol::screen::{SoftAction, screen_of, soft_keys};
use deskphone_protocol::{
    CallDirection, CallPhase, CallQuality, CallState, DeviceInfo, DisplayEngineState, EndReason,
    EndedCall, IdentityState, KeyState, Led, ModelInfo, PhoneState, ProvisioningState,
    RegistrationState, TransferState,
};
use deskphone_settings::models::Model;
use deskphone_settings::{SettingValues, keys};
use deskphone_sip::CallHandle;

use crate::keys::Key;

mod notices;

/// What the engine must do after an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Place a call to this SIP URI from identity `identity`.
    Dial {
        identity: u16,
        target: String,
    },
    Answer(CallHandle),
    Ring(CallHandle),
    Reject(CallHandle, u16),
    Hangup(CallHandle),
    /// Put the call on hold (re-INVITE with a=sendonly, RFC 3264 §8.4).
    Hold(CallHandle),
    /// Take the call off hold.
    Resume(CallHandle),
    /// Blind transfer: ask the peer of `call` to call `target` (REFER, RFC 3515).
    Transfer {
        call: CallHandle,
        target: String,
    },
    /// Attended transfer: connect the peer of `call` with the peer of `consultation`
    /// (REFER with Replaces, RFC 3891).
    TransferReplacing {
        call: CallHandle,
        consultation: CallHandle,
    },
    /// A keypad digit in a connected call: as SIP INFO (`info`) and/or as an RFC 4733 event
    /// in RTP (`rtp`), as the identity's `user_dtmf_info` says.
    Dtmf {
        call: CallHandle,
        digit: char,
        info: bool,
        rtp: bool,
    },
}

/// Where a call is with this phone's hold: it changes only once the other side agreed
/// (2xx to the re-INVITE), so a refused hold never leaves the call half held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Hold {
    #[default]
    Off,
    /// Asked for, not confirmed yet.
    Holding,
    On,
    /// Asked to resume, not confirmed yet.
    Resuming,
}

/// Why a key press did nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key {0} is not supported yet by this phone software")]
    NotSupported(Key),
    #[error("nothing to dial")]
    NothingToDial,
    #[error("`{0}` is not a number or SIP address the phone can dial")]
    BadTarget(String),
}

#[derive(Clone, Debug)]
struct Call {
    handle: CallHandle,
    identity: u16,
    direction: CallDirection,
    phase: CallPhase,
    remote_uri: String,
    remote_name: String,
    connected_at_ms: Option<u64>,
    codec: Option<String>,
    hold: Hold,
    /// The incoming INVITE's Alert-Info: this call's ringtone, and only this call's.
    alert_info: Option<String>,
    /// The last DTMF digit the peer sent (SIP INFO or RFC 4733).
    last_dtmf: Option<char>,
    /// RTCP's figures for the call's audio.
    quality: Option<CallQuality>,
}

/// A transfer the user started (C1), in the phone's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transfer {
    /// Blind: the target is being typed for `call`.
    Dialling {
        call: CallHandle,
    },
    /// Attended: transfer `held` to `active` on the next press.
    Confirming {
        held: CallHandle,
        active: CallHandle,
    },
    /// REFER sent on `call`.
    Transferring {
        call: CallHandle,
    },
    Failed,
}

/// Rejection code for a caller the user turns away (RFC 3261 §21.6.2).
const DECLINE: u16 = 603;
/// Rejection code when another call is already in progress.
const BUSY_HERE: u16 = 486;

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
    /// The customisation package in use; set by the customisation task.
    pub customisation: deskphone_protocol::CustomisationState,
    calls: Vec<Call>,
    dial_buffer: String,
    off_hook: bool,
    last_dialled: Option<String>,
    last_ended: Option<EndedCall>,
    /// Registration state of identities with a registrar; absent means not configured.
    registrations: BTreeMap<u16, RegistrationState>,
    /// Text messages, message waiting, BLF lamps, check-sync (`notices.rs`).
    notices: notices::Notices,
    transfer: Option<Transfer>,
    /// Held calls in the order they were held (`xfer_dest_order_lifo` picks from it).
    held_order: Vec<CallHandle>,
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
            customisation: deskphone_protocol::CustomisationState::default(),
            calls: Vec::new(),
            dial_buffer: String::new(),
            off_hook: false,
            last_dialled: None,
            last_ended: None,
            registrations: BTreeMap::new(),
            notices: notices::Notices::default(),
            transfer: None,
            held_order: Vec::new(),
        }
    }

    /// The identity used for outgoing calls.
    pub fn outgoing_identity(&self) -> u16 {
        1
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

    /// The engine's word on an identity's registration (`NotConfigured` forgets it).
    pub fn set_registration(&mut self, identity: u16, state: RegistrationState) {
        if state == RegistrationState::NotConfigured {
            self.registrations.remove(&identity);
        } else {
            self.registrations.insert(identity, state);
        }
    }

    pub fn identity_display_name(&self, identity: u16) -> &str {
        self.settings.value_at(keys::user_realname, identity)
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
        if lower.starts_with("sip:") {
            return Ok(input.to_owned());
        }
        if input.contains('@') {
            return Ok(format!("sip:{input}"));
        }
        match self.settings.value_at(keys::user_host, identity) {
            "" => Err(KeyError::BadTarget(input.to_owned())),
            host => Ok(format!("sip:{input}@{host}")),
        }
    }

    fn find(&mut self, handle: CallHandle) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.handle == handle)
    }

    fn ringing_call(&self) -> Option<CallHandle> {
        self.calls
            .iter()
            .find(|c| c.phase == CallPhase::Ringing)
            .map(|c| c.handle)
    }

    /// The call the handset/keys act on: a connected or outgoing one that this phone does
    /// not hold (with a call on hold, the keypad dials a consultation call).
    fn active_call(&self) -> Option<CallHandle> {
        self.calls
            .iter()
            .find(|c| {
                c.phase != CallPhase::Ringing
                    && c.phase != CallPhase::Ending
                    && !matches!(c.hold, Hold::On | Hold::Holding)
            })
            .map(|c| c.handle)
    }

    fn connected_call(&self, handle: CallHandle) -> bool {
        self.calls
            .iter()
            .any(|c| c.handle == handle && c.phase == CallPhase::Connected)
    }

    /// C1: the held call a transfer connects to, by `xfer_dest_order_lifo` (last held
    /// first when on).
    fn held_destination(&self) -> Option<CallHandle> {
        let held = |h: &&CallHandle| {
            self.calls
                .iter()
                .any(|c| c.handle == **h && c.hold == Hold::On && c.phase == CallPhase::Connected)
        };
        if self.settings.is_on(keys::xfer_dest_order_lifo) {
            self.held_order.iter().rev().find(held).copied()
        } else {
            self.held_order.iter().find(held).copied()
        }
    }

    /// The transfer key (C1): blind transfer of the connected call (type the target, ENTER),
    /// or with a held call, attended transfer of the held call to the connected one.
    fn press_transfer(&mut self) -> Result<Vec<Action>, KeyError> {
        match self.transfer {
            Some(Transfer::Dialling { call }) if !self.dial_buffer.is_empty() => {
                return self.transfer_blind(call);
            }
            Some(Transfer::Confirming { held, active }) => {
                self.transfer = Some(Transfer::Transferring { call: held });
                return Ok(vec![Action::TransferReplacing {
                    call: held,
                    consultation: active,
                }]);
            }
            Some(Transfer::Dialling { .. }) => {
                self.transfer = None;
                return Ok(vec![]);
            }
            Some(Transfer::Transferring { .. }) => return Ok(vec![]),
            Some(Transfer::Failed) | None => {}
        }
        let Some(active) = self.active_call().filter(|h| self.connected_call(*h)) else {
            return Ok(vec![]);
        };
        match self.held_destination() {
            Some(held) if self.settings.value(keys::call_join_xfer) == "always" => {
                self.transfer = Some(Transfer::Transferring { call: held });
                Ok(vec![Action::TransferReplacing {
                    call: held,
                    consultation: active,
                }])
            }
            Some(held) => {
                self.transfer = Some(Transfer::Confirming { held, active });
                Ok(vec![])
            }
            None => {
                self.dial_buffer.clear();
                self.transfer = Some(Transfer::Dialling { call: active });
                Ok(vec![])
            }
        }
    }

    fn transfer_blind(&mut self, call: CallHandle) -> Result<Vec<Action>, KeyError> {
        let identity = self
            .calls
            .iter()
            .find(|c| c.handle == call)
            .map_or(1, |c| c.identity);
        let target = self.dial_target(&self.dial_buffer, identity)?;
        self.dial_buffer.clear();
        self.transfer = Some(Transfer::Transferring { call });
        Ok(vec![Action::Transfer { call, target }])
    }

    /// Keys while a transfer is being set up: digits and ENTER belong to it, CANCEL leaves
    /// it (the calls go on).
    fn press_in_transfer(&mut self, key: Key) -> Option<Result<Vec<Action>, KeyError>> {
        let transfer = self.transfer?;
        match (transfer, key) {
            (Transfer::Dialling { .. }, Key::Digit(c)) => {
                if self.dial_buffer.chars().count() < 64 {
                    self.dial_buffer.push(c);
                }
                Some(Ok(vec![]))
            }
            (Transfer::Dialling { call }, Key::Enter) => Some(self.transfer_blind(call)),
            (Transfer::Confirming { .. }, Key::Enter) => Some(self.press_transfer()),
            (Transfer::Dialling { .. } | Transfer::Confirming { .. }, Key::Cancel) => {
                self.transfer = None;
                self.dial_buffer.clear();
                Some(Ok(vec![]))
            }
            _ => None,
        }
    }

    /// A digit in a connected call goes to the other side as DTMF (M1).
    fn dtmf(&self, call: CallHandle, digit: char) -> Vec<Action> {
        let identity = self
            .calls
            .iter()
            .find(|c| c.handle == call)
            .map_or(1, |c| c.identity);
        let mode = self.settings.value_at(keys::user_dtmf_info, identity);
        vec![Action::Dtmf {
            call,
            digit,
            info: mode != "off",
            rtp: mode != "sip_info_only",
        }]
    }

    fn dial(&mut self, input: String) -> Result<Vec<Action>, KeyError> {
        let identity = self.outgoing_identity();
        let target = self.dial_target(&input, identity)?;
        self.last_dialled = Some(input);
        self.dial_buffer.clear();
        Ok(vec![Action::Dial { identity, target }])
    }

    /// Dial a number or URI (`/command.htm?number=`, web UI).
    pub fn dial_number(&mut self, number: &str) -> Result<Vec<Action>, KeyError> {
        if let Some(Transfer::Dialling { .. }) = self.transfer {
            // A transfer asks for its target: the number fills the buffer, ENTER transfers.
            self.dial_buffer = number.trim().to_owned();
            return Ok(vec![]);
        }
        self.dial(number.to_owned())
    }

    pub fn press(&mut self, key: Key, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        if self.transfer == Some(Transfer::Failed) {
            // The failure was shown until this key.
            self.transfer = None;
        }
        if let Some(result) = self.press_in_transfer(key) {
            return result;
        }
        let ringing = self.ringing_call();
        let active = self.active_call();
        match key {
            Key::Soft(n) => self.press_soft_key(n, now_ms),
            Key::Transfer => self.press_transfer(),
            Key::Digit(c) if active.is_some_and(|h| self.connected_call(h)) => {
                Ok(active.map(|call| self.dtmf(call, c)).unwrap_or_default())
            }
            Key::Digit(c) => {
                if active.is_none() && ringing.is_none() && self.dial_buffer.chars().count() < 64 {
                    self.dial_buffer.push(c);
                }
                Ok(vec![])
            }
            Key::Left => {
                self.dial_buffer.pop();
                Ok(vec![])
            }
            Key::Enter => match (ringing, active) {
                (Some(call), None) => Ok(vec![Action::Answer(call)]),
                (_, None) if !self.dial_buffer.is_empty() => self.dial(self.dial_buffer.clone()),
                _ => Ok(vec![]),
            },
            Key::OffHook | Key::Speaker | Key::Headset => match (ringing, active) {
                (Some(call), None) => Ok(vec![Action::Answer(call)]),
                (None, None) if !self.dial_buffer.is_empty() => {
                    self.off_hook = true;
                    self.dial(self.dial_buffer.clone())
                }
                (None, None) => {
                    self.off_hook = true;
                    Ok(vec![])
                }
                // Already talking: the audio path changes, the call goes on.
                _ => Ok(vec![]),
            },
            // C1: `call_join_xfer=on` connects a held and a connected call on hang-up.
            Key::OnHook
                if self.settings.value(keys::call_join_xfer) == "on"
                    && active.is_some_and(|h| self.connected_call(h))
                    && self.held_destination().is_some() =>
            {
                self.transfer = None;
                match (self.held_destination(), active) {
                    (Some(held), Some(active)) => {
                        self.transfer = Some(Transfer::Transferring { call: held });
                        Ok(vec![Action::TransferReplacing {
                            call: held,
                            consultation: active,
                        }])
                    }
                    _ => Ok(vec![]),
                }
            }
            Key::OnHook | Key::Disconnect => {
                self.off_hook = false;
                self.dial_buffer.clear();
                Ok(active.map(Action::Hangup).into_iter().collect())
            }
            Key::Cancel => {
                if let Some(call) = ringing.filter(|_| active.is_none()) {
                    return Ok(vec![Action::Reject(call, DECLINE)]);
                }
                if let Some(call) = active {
                    return Ok(vec![Action::Hangup(call)]);
                }
                // S8: on the idle screen CANCEL dismisses the message shown there.
                if self.dial_buffer.is_empty() && !self.off_hook {
                    self.dismiss_messages();
                }
                self.off_hook = false;
                self.dial_buffer.clear();
                Ok(vec![])
            }
            Key::Hold => {
                // With no other call going, F_R takes back the held call.
                let target = active.or_else(|| self.held_destination());
                let Some(c) = target
                    .and_then(|h| self.find(h))
                    .filter(|c| c.phase == CallPhase::Connected)
                else {
                    return Ok(vec![]);
                };
                // A second press while the last one is still being agreed does nothing.
                let (next, action) = match c.hold {
                    Hold::Off => (Hold::Holding, Action::Hold(c.handle)),
                    Hold::On => (Hold::Resuming, Action::Resume(c.handle)),
                    Hold::Holding | Hold::Resuming => return Ok(vec![]),
                };
                c.hold = next;
                Ok(vec![action])
            }
            Key::Redial => match (&self.last_dialled, active) {
                (Some(last), None) => self.dial(last.clone()),
                (None, None) => Err(KeyError::NothingToDial),
                _ => Ok(vec![]),
            },
            Key::Function(n) => self.press_function_key(n),
            other => Err(KeyError::NotSupported(other)),
        }
    }

    /// A soft key does what its label on the current screen says; the
    /// layout is shared with the UI that draws the labels.
    fn press_soft_key(&mut self, n: u8, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        let screen = screen_of(&self.snapshot(now_ms), now_ms);
        let layout = soft_keys(screen, self.model.soft_keys as usize);
        let Some(soft) = layout.get(usize::from(n) - 1).copied().flatten() else {
            // An unlabelled soft key does nothing.
            return Ok(vec![]);
        };
        let key = match soft.action {
            SoftAction::Answer | SoftAction::Dial => Key::Enter,
            SoftAction::Reject | SoftAction::Hangup | SoftAction::Cancel => Key::Cancel,
            SoftAction::Delete => Key::Left,
        };
        self.press(key, now_ms)
    }

    /// The engine placed the call of an [`Action::Dial`].
    pub fn outgoing_started(&mut self, handle: CallHandle, identity: u16, target: String) {
        self.calls.push(Call {
            handle,
            identity,
            direction: CallDirection::Outgoing,
            phase: CallPhase::Calling,
            remote_uri: target,
            remote_name: String::new(),
            connected_at_ms: None,
            codec: None,
            hold: Hold::Off,
            alert_info: None,
            last_dtmf: None,
            quality: None,
        });
    }

    /// A new incoming call: ring, or turn it away when busy.
    pub fn incoming(
        &mut self,
        handle: CallHandle,
        remote_uri: String,
        remote_name: String,
    ) -> Vec<Action> {
        self.incoming_with_alert(handle, remote_uri, remote_name, None)
    }

    /// [`incoming`](Self::incoming) with the INVITE's Alert-Info, kept with this call only.
    pub fn incoming_with_alert(
        &mut self,
        handle: CallHandle,
        remote_uri: String,
        remote_name: String,
        alert_info: Option<String>,
    ) -> Vec<Action> {
        if !self.calls.is_empty() {
            // Call waiting arrives with the call-control work; until then a
            // second caller hears busy rather than silence.
            return vec![Action::Reject(handle, BUSY_HERE)];
        }
        self.calls.push(Call {
            handle,
            identity: 1,
            direction: CallDirection::Incoming,
            phase: CallPhase::Ringing,
            remote_uri,
            remote_name,
            connected_at_ms: None,
            codec: None,
            hold: Hold::Off,
            alert_info,
            last_dtmf: None,
            quality: None,
        });
        vec![Action::Ring(handle)]
    }

    /// Early media started on an outgoing call (SDP in a 18x).
    pub fn early_media(&mut self, handle: CallHandle, codec: String) {
        if let Some(c) = self.find(handle) {
            c.codec = Some(codec);
        }
    }

    /// The other side answered our hold or resume (`agreed`), or refused it: the call
    /// stays as it was before the key press.
    pub fn hold_result(&mut self, handle: CallHandle, agreed: bool) {
        if let Some(c) = self.find(handle) {
            c.hold = match (c.hold, agreed) {
                (Hold::Holding, true) | (Hold::Resuming, false) => Hold::On,
                (Hold::Resuming, true) | (Hold::Holding, false) => Hold::Off,
                (other, _) => other,
            };
            let held = c.hold == Hold::On;
            self.held_order.retain(|h| *h != handle);
            if held {
                self.held_order.push(handle);
            }
        }
    }

    /// An INVITE with Replaces (RFC 3891) took over `replaced`: the new call is answered at
    /// once and the replaced one ended.
    pub fn replacing(
        &mut self,
        handle: CallHandle,
        replaced: CallHandle,
        remote_uri: String,
        remote_name: String,
    ) -> Vec<Action> {
        let identity = self
            .calls
            .iter()
            .find(|c| c.handle == replaced)
            .map_or(1, |c| c.identity);
        self.calls.push(Call {
            handle,
            identity,
            direction: CallDirection::Incoming,
            phase: CallPhase::Ringing,
            remote_uri,
            remote_name,
            connected_at_ms: None,
            codec: None,
            hold: Hold::Off,
            alert_info: None,
            last_dtmf: None,
            quality: None,
        });
        vec![Action::Answer(handle), Action::Hangup(replaced)]
    }

    /// Progress of a transfer of `call` (RFC 3515 NOTIFY or the REFER's response).
    pub fn transfer_progress(&mut self, call: CallHandle, code: u16, done: bool) {
        let ours = matches!(self.transfer, Some(Transfer::Transferring { call: c }) if c == call);
        if !ours {
            return;
        }
        self.transfer = match (done, code) {
            (false, _) => Some(Transfer::Transferring { call }),
            (true, 200..=299) => None,
            (true, _) => Some(Transfer::Failed),
        };
    }

    /// The engine could not start the transfer.
    pub fn transfer_failed(&mut self) {
        self.transfer = Some(Transfer::Failed);
    }

    /// New RTCP figures for the call's audio (M6).
    pub fn media_quality(&mut self, handle: CallHandle, quality: CallQuality) {
        if let Some(c) = self.find(handle) {
            c.quality = Some(quality);
        }
    }

    /// The peer sent a DTMF digit (SIP INFO or RFC 4733).
    pub fn dtmf_received(&mut self, handle: CallHandle, digit: char) {
        if let Some(c) = self.find(handle) {
            c.last_dtmf = Some(digit);
        }
    }

    /// Whether this phone holds the call (or is taking the hold back).
    pub fn holds(&self, handle: CallHandle) -> bool {
        self.calls
            .iter()
            .any(|c| c.handle == handle && matches!(c.hold, Hold::On | Hold::Holding))
    }

    pub fn remote_ringing(&mut self, handle: CallHandle) {
        if let Some(c) = self.find(handle).filter(|c| c.phase == CallPhase::Calling) {
            c.phase = CallPhase::Ringback;
        }
    }

    pub fn connected(&mut self, handle: CallHandle, codec: Option<String>, now_ms: u64) {
        if let Some(c) = self.find(handle) {
            if c.connected_at_ms.is_none() {
                c.connected_at_ms = Some(now_ms);
            }
            c.phase = CallPhase::Connected;
            if codec.is_some() {
                c.codec = codec;
            }
        }
        self.off_hook = true;
        self.dial_buffer.clear();
    }

    pub fn ending(&mut self, handle: CallHandle) {
        if let Some(c) = self.find(handle) {
            c.phase = CallPhase::Ending;
        }
    }

    pub fn ended(&mut self, handle: CallHandle, reason: EndReason, now_ms: u64) {
        let Some(pos) = self.calls.iter().position(|c| c.handle == handle) else {
            return;
        };
        let call = self.calls.remove(pos);
        self.held_order.retain(|h| *h != handle);
        let involved = match self.transfer {
            Some(Transfer::Dialling { call } | Transfer::Transferring { call }) => call == handle,
            Some(Transfer::Confirming { held, active }) => held == handle || active == handle,
            _ => false,
        };
        if involved {
            self.transfer = None;
            if self.dial_buffer.is_empty() || self.calls.is_empty() {
                self.dial_buffer.clear();
            }
        }
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

    pub fn calls(&self) -> impl Iterator<Item = CallHandle> + '_ {
        self.calls.iter().map(|c| c.handle)
    }

    pub fn snapshot(&self, now_ms: u64) -> PhoneState {
        let identities = (1..=deskphone_settings::IDENTITIES)
            .filter(|&i| i == 1 || !self.settings.value_at(keys::user_name, i).is_empty())
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
                id: c.handle.0,
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
            })
            .collect();
        let keys = (1..=self.model.function_keys)
            .map(|n| KeyState {
                name: format!("P{n}"),
                label: String::new(),
                led: Led::Off,
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
            keys,
            settings: self.settings.public_view(self.model.name),
            setting_sources: self.settings.sources(self.model.name),
            time_ms: now_ms,
            display_engine: self.display_engine,
            provisioning: self.provisioning.clone(),
            last_ended_call: self.last_ended.clone(),
            device: self.device.clone(),
            update: self.update.clone(),
            customisation: self.customisation.clone(),
            transfer: self.transfer.map(|t| match t {
                Transfer::Dialling { .. } => TransferState::Dialling,
                Transfer::Confirming { .. } => TransferState::Confirming,
                Transfer::Transferring { .. } => TransferState::Transferring,
                Transfer::Failed => TransferState::Failed,
            }),
            ..PhoneState::default()
        };
        self.fill_notices(&mut state);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Phone {
        let model = deskphone_settings::models::model("DP480C").unwrap();
        let mut settings = SettingValues::default();
        settings
            .apply(
                [
                    (keys::user_name.wire(1).as_str(), "alice"),
                    (keys::user_realname.wire(1).as_str(), "Alice"),
                ],
                "DP480C",
            )
            .unwrap();
        Phone::new(model, settings, "127.0.0.1:5061".into())
    }

    #[test]
    fn digits_then_enter_dials_and_redial_repeats() {
        let mut p = phone();
        for k in ["1", "2"] {
            p.press(Key::parse(k, 12).unwrap(), 0).unwrap();
        }
        assert_eq!(p.snapshot(0).dial_buffer, "12");
        // No registrar: a bare number has no host to go to.
        assert_eq!(
            p.press(Key::Enter, 0),
            Err(KeyError::BadTarget("12".into()))
        );
        p.press(Key::Cancel, 0).unwrap();
        let a = p.dial_number("bob@127.0.0.1:5062").unwrap();
        assert_eq!(
            a,
            [Action::Dial {
                identity: 1,
                target: "sip:bob@127.0.0.1:5062".into()
            }]
        );
        assert_eq!(p.press(Key::Redial, 0).unwrap(), a);
    }

    #[test]
    fn incoming_call_answer_and_hang_up() {
        let mut p = phone();
        let h = CallHandle(7);
        assert_eq!(
            p.incoming(h, "sip:bob@x".into(), "Bob".into()),
            [Action::Ring(h)]
        );
        assert_eq!(p.snapshot(0).calls[0].phase, CallPhase::Ringing);
        // A second caller meanwhile hears busy.
        assert_eq!(
            p.incoming(CallHandle(8), "sip:c@x".into(), String::new()),
            [Action::Reject(CallHandle(8), BUSY_HERE)]
        );
        assert_eq!(p.press(Key::OffHook, 0).unwrap(), [Action::Answer(h)]);
        p.connected(h, Some("PCMU".into()), 2000);
        assert_eq!(p.press(Key::OnHook, 0).unwrap(), [Action::Hangup(h)]);
        p.ended(h, EndReason::LocalHangup, 5000);
        let s = p.snapshot(5000);
        assert!(s.calls.is_empty());
        let ended = s.last_ended_call.unwrap();
        assert_eq!(
            (ended.duration_ms, ended.reason),
            (3000, EndReason::LocalHangup)
        );
    }

    #[test]
    fn soft_keys_do_what_their_labels_say() {
        let mut p = phone();
        let h = CallHandle(3);
        p.incoming(h, "sip:bob@x".into(), String::new());
        // Incoming: F1 answers, F4 rejects; F2 is blank.
        assert_eq!(p.press(Key::Soft(2), 0).unwrap(), []);
        assert_eq!(p.press(Key::Soft(1), 0).unwrap(), [Action::Answer(h)]);
        p.connected(h, None, 0);
        // In a call: F4 hangs up.
        assert_eq!(p.press(Key::Soft(4), 0).unwrap(), [Action::Hangup(h)]);
        p.ended(h, EndReason::RemoteHangup, 0);
        // Dialling: F3 deletes, F4 cancels.
        for k in ["1", "2"] {
            p.press(Key::parse(k, 12).unwrap(), 10_000).unwrap();
        }
        p.press(Key::Soft(3), 10_000).unwrap();
        assert_eq!(p.snapshot(10_000).dial_buffer, "1");
        p.press(Key::Soft(4), 10_000).unwrap();
        assert_eq!(p.snapshot(10_000).dial_buffer, "");
    }

    #[test]
    fn hold_key_holds_and_resumes_once_the_other_side_agrees() {
        let mut p = phone();
        let h = CallHandle(4);
        assert_eq!(
            p.press(Key::Hold, 0).unwrap(),
            [],
            "no call: nothing to hold"
        );
        p.incoming(h, "sip:bob@x".into(), String::new());
        assert_eq!(
            p.press(Key::Hold, 0).unwrap(),
            [],
            "a ringing call is not held"
        );
        p.press(Key::OffHook, 0).unwrap();
        p.connected(h, None, 0);
        assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(h)]);
        assert_eq!(p.press(Key::Hold, 0).unwrap(), [], "still being agreed");
        assert!(!p.snapshot(0).calls[0].held, "not held before the 2xx");
        // S4: a refused hold leaves the call as it was.
        p.hold_result(h, false);
        assert!(!p.snapshot(0).calls[0].held);
        assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(h)]);
        p.hold_result(h, true);
        let call = &p.snapshot(0).calls[0];
        assert!(call.held && call.phase == CallPhase::Connected);
        assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Resume(h)]);
        assert!(
            p.snapshot(0).calls[0].held,
            "held until the resume is agreed"
        );
        p.hold_result(h, true);
        assert!(!p.snapshot(0).calls[0].held);
    }

    #[test]
    fn alert_info_stays_with_its_call() {
        let mut p = phone();
        let first = CallHandle(1);
        p.incoming_with_alert(
            first,
            "sip:a@x".into(),
            String::new(),
            Some("<http://x/vip.wav>".into()),
        );
        assert_eq!(
            p.snapshot(0).calls[0].alert_info.as_deref(),
            Some("<http://x/vip.wav>")
        );
        p.ended(first, EndReason::AnsweredElsewhere, 0);
        // S10: the next call without Alert-Info has none.
        p.incoming_with_alert(CallHandle(2), "sip:b@x".into(), String::new(), None);
        assert_eq!(p.snapshot(0).calls[0].alert_info, None);
        assert_eq!(
            p.snapshot(0).last_ended_call.unwrap().reason,
            EndReason::AnsweredElsewhere
        );
    }

    #[test]
    fn cancel_rejects_a_ringing_call() {
        let mut p = phone();
        let h = CallHandle(1);
        p.incoming(h, "sip:bob@x".into(), String::new());
        assert_eq!(
            p.press(Key::Cancel, 0).unwrap(),
            [Action::Reject(h, DECLINE)]
        );
    }

    #[test]
    fn transfer_key_blind_and_attended() {
        let mut p = phone();
        let (a, c) = (CallHandle(1), CallHandle(2));
        p.incoming(a, "sip:bob@x".into(), String::new());
        p.press(Key::OffHook, 0).unwrap();
        p.connected(a, None, 0);
        // Blind: TRANSFER, the target, ENTER.
        assert_eq!(p.press(Key::Transfer, 0).unwrap(), []);
        assert_eq!(p.snapshot(0).transfer, Some(TransferState::Dialling));
        p.dial_number("carol@127.0.0.1:5063").unwrap();
        assert_eq!(
            p.press(Key::Enter, 0).unwrap(),
            [Action::Transfer {
                call: a,
                target: "sip:carol@127.0.0.1:5063".into()
            }]
        );
        p.transfer_progress(a, 603, true);
        assert_eq!(p.snapshot(0).transfer, Some(TransferState::Failed));
        // Attended: hold, consultation call, TRANSFER (twice unless `always`).
        assert_eq!(p.press(Key::Hold, 0).unwrap(), [Action::Hold(a)]);
        assert_eq!(p.snapshot(0).transfer, None, "any key clears the failure");
        p.hold_result(a, true);
        let dial = p.dial_number("carol@127.0.0.1:5063").unwrap();
        assert!(matches!(dial.as_slice(), [Action::Dial { .. }]));
        p.outgoing_started(c, 1, "sip:carol@127.0.0.1:5063".into());
        p.connected(c, None, 0);
        assert_eq!(p.press(Key::Transfer, 0).unwrap(), []);
        assert_eq!(p.snapshot(0).transfer, Some(TransferState::Confirming));
        let refer = [Action::TransferReplacing {
            call: a,
            consultation: c,
        }];
        assert_eq!(p.press(Key::Transfer, 0).unwrap(), refer);
        p.transfer_progress(a, 200, true);
        assert_eq!(p.snapshot(0).transfer, None);
        p.settings
            .apply([(keys::call_join_xfer.wire(), "always")], "DP480C")
            .unwrap();
        assert_eq!(p.press(Key::Transfer, 0).unwrap(), refer);
    }

    #[test]
    fn digits_in_a_call_are_dtmf() {
        let mut p = phone();
        let h = CallHandle(1);
        p.incoming(h, "sip:bob@x".into(), String::new());
        p.press(Key::OffHook, 0).unwrap();
        p.connected(h, None, 0);
        let dtmf = |info, rtp| {
            vec![Action::Dtmf {
                call: h,
                digit: '5',
                info,
                rtp,
            }]
        };
        assert_eq!(p.press(Key::Digit('5'), 0).unwrap(), dtmf(false, true));
        p.settings
            .apply(
                [(keys::user_dtmf_info.wire(1).as_str(), "sip_info_only")],
                "DP480C",
            )
            .unwrap();
        assert_eq!(p.press(Key::Digit('5'), 0).unwrap(), dtmf(true, false));
        p.dtmf_received(h, '#');
        assert_eq!(p.snapshot(0).calls[0].last_dtmf.as_deref(), Some("#"));
    }

    #[test]
    fn registration_state_shows_per_identity() {
        let mut p = phone();
        assert_eq!(
            p.snapshot(0).identities[0].registration,
            RegistrationState::NotConfigured
        );
        p.set_registration(1, RegistrationState::Registered);
        assert_eq!(
            p.snapshot(0).identities[0].registration,
            RegistrationState::Registered
        );
        p.set_registration(1, RegistrationState::NotConfigured);
        assert_eq!(
            p.snapshot(0).identities[0].registration,
            RegistrationState::NotConfigured
        );
    }

    #[test]
    fn identity_uri_uses_the_local_address_without_a_registrar() {
        let p = phone();
        assert_eq!(p.identity_uri(1), "sip:alice@127.0.0.1:5061");
    }
}
