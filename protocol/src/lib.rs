//! The WebSocket protocol between the runtime and every UI (the phone's own
//! screen and the browser web UI).
//!
//! Architecture invariant: this crate is pure data. It does no IO and knows
//! nothing about SIP, audio or the browser; it compiles for native and
//! wasm32 alike. Only this crate knows the JSON shape on the wire.
//!
//! Wire flow: on connect the runtime sends [`ServerMessage::Snapshot`], then
//! [`ServerMessage::Changes`] whenever the state changes (only the top-level
//! fields of [`PhoneState`] that changed). The client sends
//! [`ClientMessage`]s; a message the runtime cannot read is answered with
//! [`ServerMessage::Error`] and the connection stays open.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod screen;

/// Version of the message format. Every message carries it as `"v"`.
pub const PROTOCOL_VERSION: u32 = 1;

/// The whole observable state of a phone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneState {
    pub model: ModelInfo,
    pub identities: Vec<IdentityState>,
    pub calls: Vec<CallState>,
    /// What the user has typed on the keypad while dialling.
    pub dial_buffer: String,
    /// True while the phone is off hook without a call (dial tone).
    pub off_hook: bool,
    pub keys: Vec<KeyState>,
    /// Current non-secret setting values, keyed by setting key
    /// (`name` or `name[idx]`). Secrets are never present.
    pub settings: BTreeMap<String, String>,
    /// Where each stored value came from, by setting key; a key that is absent has
    /// its default. Secrets may be listed here (their values never are).
    #[serde(default)]
    pub setting_sources: BTreeMap<String, deskphone_settings::Source>,
    /// The phone's wall clock in milliseconds since the Unix epoch, when the
    /// snapshot was taken. The screen ticks on from it.
    pub time_ms: u64,
    /// Whether the display engine (browser engine to framebuffer/PNG) runs.
    pub display_engine: DisplayEngineState,
    /// The last call that ended, shown briefly on the screen.
    pub last_ended_call: Option<EndedCall>,
    /// Text messages received (SIP MESSAGE, S8), oldest first, at most
    /// [`MAX_MESSAGES`].
    #[serde(default)]
    pub messages: Vec<TextMessage>,
    /// Whether an unread message shows on the call screens too, not only on the idle
    /// screen (the `show_desktop_msg_in_call_screens` setting).
    #[serde(default)]
    pub messages_in_call_screens: bool,
    /// When the provisioning server last asked for re-provisioning (a check-sync NOTIFY),
    /// milliseconds since the Unix epoch.
    #[serde(default)]
    pub provisioning_requested_at_ms: Option<u64>,
    /// A check-sync NOTIFY asked for a reboot (`reboot=true`); the runtime restarts
    /// as soon as it sees this, so a UI sees it only briefly.
    #[serde(default)]
    pub reboot_requested: bool,
    /// A call transfer the user started (C1), while it is shown.
    #[serde(default)]
    pub transfer: Option<TransferState>,
    /// Where provisioning stands: the last fetch and its outcome (P2, P6).
    #[serde(default)]
    pub provisioning: ProvisioningState,
    /// What the phone is: software, hardware identity, addresses (the info page).
    #[serde(default)]
    pub device: DeviceInfo,
    /// The web server's admin password while it is still the one the phone generated
    /// at its first start (R3), so that the phone's own screen can show it. The engine
    /// never sets it: the runtime fills it in only on the display engine's own
    /// connection; `/api/state` and every other connection carry `null`.
    #[serde(default)]
    pub generated_admin_password: Option<ShownSecret>,
    /// Software update (F1): the running version and slot, what an update is doing,
    /// and how the last one ended.
    #[serde(default)]
    pub update: UpdateStatus,
    /// The identity outgoing calls use (C: identities 1–12; a line key selects it).
    #[serde(default = "first_identity")]
    pub selected_identity: u16,
    /// Do not disturb (C6): incoming calls are turned away with 480.
    #[serde(default)]
    pub dnd: bool,
    /// Call forwarding in force (C2), from the `redirect_*` settings.
    #[serde(default)]
    pub forwarding: ForwardingState,
    /// Missed, received and dialled calls, newest first (S9, W1).
    #[serde(default)]
    pub history: CallHistory,
    /// A list the screen shows over the call or idle screen (the dialled calls that
    /// `F_REDIAL` opens), while it is open.
    #[serde(default)]
    pub menu: Option<MenuState>,
    /// Callers this phone turns away (C3), as `user@host`, oldest first.
    #[serde(default)]
    pub deny_list: Vec<String>,
    /// The audio volume, 0 to 15 (`VOLUME_UP`, `VOLUME_DOWN`).
    #[serde(default)]
    pub volume: u8,
}

fn first_identity() -> u16 {
    1
}

/// Call forwarding as the screen's icon and the web UI show it: each kind with its target
/// when it is on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingState {
    /// Every call goes to this target.
    pub always: Option<String>,
    /// Calls that find the phone busy go here.
    pub busy: Option<String>,
    /// Calls not answered within `no_answer_after_s` go here.
    pub no_answer: Option<String>,
    pub no_answer_after_s: u32,
}

/// How many entries of each kind the history keeps; older ones drop out.
pub const MAX_HISTORY_PER_KIND: usize = 100;

/// The call history, bounded per kind, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallHistory {
    pub entries: Vec<HistoryEntry>,
    /// Missed calls the user has not looked at yet (the missed-call counter); opening the
    /// missed list clears it.
    pub missed_unseen: u32,
}

/// One call in the history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The call's id (as in [`CallState::id`]); unique in the history.
    pub id: u64,
    pub kind: HistoryKind,
    /// The identity the call was for or from.
    pub identity: u16,
    pub remote_uri: String,
    pub remote_name: String,
    /// Milliseconds since the Unix epoch when the call began (INVITE sent or received).
    pub started_at_ms: u64,
    /// How long it was connected; 0 when never answered here.
    pub duration_ms: u64,
    /// S9: the caller's call was answered on another phone ("Call completed elsewhere");
    /// a received call, not a missed one.
    #[serde(default)]
    pub answered_elsewhere: bool,
    /// Where this phone transferred the call (C1), when it did.
    #[serde(default)]
    pub transferred_to: Option<String>,
    /// Where forwarding sent the call (C2), when it did.
    #[serde(default)]
    pub forwarded_to: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    #[default]
    Missed,
    Received,
    Dialled,
}

/// A list open on the screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "menu", rename_all = "snake_case")]
pub enum MenuState {
    /// One kind of the call history; `selected` indexes the entries of that kind, newest
    /// first. ENTER (or `F_REDIAL` again) dials the selected entry.
    History { kind: HistoryKind, selected: u32 },
}

/// Software update as the Software Update page, the phone's screen and scripts see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateStatus {
    /// The running firmware version, e.g. `0.2.0`.
    pub version: String,
    /// The A/B slot the phone runs from: `a` or `b`.
    pub slot: String,
    /// What an update is doing now.
    pub state: UpdatePhase,
    /// How the last update ended, if one ran (kept across the reboot into a new slot).
    pub last: Option<UpdateOutcome>,
}

/// One step of an update; `phase` names it on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum UpdatePhase {
    #[default]
    Idle,
    /// `bytes` of the image arrived; `total` once the manifest names the size.
    Downloading { bytes: u64, total: Option<u64> },
    /// Size, SHA256 and signature are checked before anything is switched.
    Verifying,
    /// The verified payload is written into the inactive slot.
    Installing,
    /// The new slot is marked to start and the phone restarts into it.
    Rebooting,
}

/// How an update ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateOutcome {
    pub ok: bool,
    /// What happened, e.g. the version installed or why the image was refused.
    pub message: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// The phone's identity card: what the info page and the diagnostic archive show.
/// Fixed while the program runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The firmware (this software) version, e.g. `0.1.0`.
    pub firmware_version: String,
    /// How this firmware was built, e.g. `release x86_64-linux`.
    pub build: String,
    /// The model name, e.g. `DP480C`.
    pub model: String,
    /// The Ethernet MAC address, lower-case hex separated by colons.
    pub mac: String,
    /// Milliseconds since the Unix epoch when the phone software started; the
    /// uptime is the wall clock minus this.
    pub started_at_ms: u64,
    /// Where the web UI and API listen, `address:port`.
    pub http_address: String,
    /// Where SIP listens (UDP and TCP), `address:port`.
    pub sip_address: String,
    /// Connected expansion modules (key extension units).
    pub expansion_modules: u32,
}

/// A secret that a screen shows; its `Debug` prints `***` (P5: never in a log).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ShownSecret(pub String);

impl std::fmt::Debug for ShownSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Provisioning as the status page and scripts see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningState {
    /// The last provisioning run that finished, if any since the start.
    pub last: Option<ProvisioningOutcome>,
    /// A run is going on now (started at start-up, by check-sync, by polling or by hand).
    pub running: bool,
    /// When polling fetches the settings next, milliseconds since the Unix epoch.
    pub next_poll_at_ms: Option<u64>,
    /// Files the last successful run's `<uploads>` named (logos, ringtones, language
    /// files), waiting for the customisation work to fetch and check them.
    #[serde(default)]
    pub queued_uploads: Vec<QueuedUpload>,
}

/// One `<uploads><file url type/>` entry of a provisioning file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedUpload {
    pub url: String,
    /// The `type` attribute as written (`gui_lang`, `bg_image`, …).
    pub kind: String,
}

/// One finished provisioning run: the first file that failed decides the result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningOutcome {
    /// The settings URL as configured, `{mac}` and `{model}` filled in.
    pub url: String,
    /// Milliseconds since the Unix epoch when the run finished.
    pub finished_at_ms: u64,
    pub result: ProvisioningResult,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProvisioningResult {
    /// Every file applied; `changed` settings took new values, `kept` were left alone
    /// because the user changed them locally and their `perm` protects that.
    Ok {
        files: Vec<String>,
        changed: u32,
        kept: u32,
    },
    /// Nothing was applied. `url` is the file that failed; `line` and `setting` point
    /// into it when the file was read but refused.
    Error {
        url: String,
        line: Option<u32>,
        setting: Option<String>,
        reason: String,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub display_width: u32,
    pub display_height: u32,
    pub colour: bool,
    pub function_keys: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityState {
    /// 1-based identity index, as in provisioning files (`idx`).
    pub index: u16,
    pub display_name: String,
    pub user: String,
    pub host: String,
    pub registration: RegistrationState,
    /// Message waiting for this identity's voicemail (RFC 3842).
    #[serde(default)]
    pub mwi: Mwi,
}

/// Message waiting indication of one identity (RFC 3842 message summary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mwi {
    pub waiting: bool,
    /// New and old voice messages.
    pub new: u32,
    pub old: u32,
}

/// How many received text messages the state keeps; older ones drop out.
pub const MAX_MESSAGES: usize = 10;

/// A received text message (SIP MESSAGE, RFC 3428).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    /// The sender's URI and display name (may be empty).
    pub from_uri: String,
    pub from_name: String,
    pub text: String,
    /// Milliseconds since the Unix epoch when it arrived.
    pub received_at_ms: u64,
    /// Dismissed by the user; only unread messages pop up on the screen.
    pub read: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// No registrar configured: the identity works for direct-IP calls.
    #[default]
    NotConfigured,
    Registering,
    Registered,
    Failed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallState {
    pub id: u64,
    pub identity: u16,
    pub direction: CallDirection,
    pub phase: CallPhase,
    /// The remote party's URI, e.g. `sip:bob@127.0.0.1:5062`.
    pub remote_uri: String,
    /// The remote party's display name, when it sent one.
    pub remote_name: String,
    /// Milliseconds since the Unix epoch when the call was answered.
    pub connected_at_ms: Option<u64>,
    pub codec: Option<String>,
    /// This phone holds the call (RFC 3264 §8.4 hold, confirmed by the other side); the
    /// phase stays `connected`.
    #[serde(default)]
    pub held: bool,
    /// The Alert-Info of this incoming call (the ringtone it asks for); `None` for calls
    /// without one. It belongs to this call only.
    #[serde(default)]
    pub alert_info: Option<String>,
    /// The last DTMF digit the other side sent in this call (SIP INFO or an RFC 4733
    /// event), if any.
    #[serde(default)]
    pub last_dtmf: Option<String>,
    /// The call's audio quality as RTCP measures it (RFC 3550 §6.4); `None` until the
    /// first report.
    #[serde(default)]
    pub quality: Option<CallQuality>,
    /// The call's audio is SRTP both ways (RFC 3711, keys by SDES): exactly while this is
    /// true the screen shows the lock. Any fallback to plain RTP in either direction (a
    /// re-INVITE without crypto, e.g. unencrypted music on hold) clears it at once.
    #[serde(default)]
    pub encrypted: bool,
    /// The microphone is muted in this call.
    #[serde(default)]
    pub muted: bool,
}

/// A call's audio quality figures (RFC 3550 §6.4): both directions' loss and jitter and
/// the round trip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallQuality {
    /// Of the packets the other side sent, lost since the call started, per mille.
    pub loss_received_permille: u32,
    /// Interarrival jitter of the audio received, in ms.
    pub jitter_ms: u32,
    /// Of our packets, the fraction the other side reports lost in its last report, per
    /// mille; `None` until it reported.
    #[serde(default)]
    pub loss_sent_permille: Option<u32>,
    /// The jitter the other side reports for our audio, in ms.
    #[serde(default)]
    pub remote_jitter_ms: Option<u32>,
    /// Round trip time, in ms; `None` until the other side answered a sender report.
    #[serde(default)]
    pub round_trip_ms: Option<u32>,
    /// Mean time received audio waited in the jitter buffer, in ms.
    #[serde(default)]
    pub buffer_delay_ms: u32,
    /// Of the frames played, those concealed (lost or late packets), per mille.
    #[serde(default)]
    pub concealed_permille: u32,
}

/// Where a call transfer the user started stands (C1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Blind transfer: the user types the target (the dial buffer), ENTER transfers.
    Dialling,
    /// Attended transfer: the held call is chosen; the transfer key again transfers.
    Confirming,
    /// REFER sent, waiting for the other side's progress (RFC 3515).
    Transferring,
    /// The transfer failed; the call goes on.
    Failed,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    #[default]
    Outgoing,
    Incoming,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// INVITE sent, nothing back yet (or only 100 Trying).
    #[default]
    Calling,
    /// The remote phone rings (180/183 received).
    Ringback,
    /// Incoming call, this phone rings.
    Ringing,
    Connected,
    /// BYE or CANCEL sent, waiting for the transaction to end.
    Ending,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndedCall {
    pub remote_uri: String,
    pub remote_name: String,
    pub reason: EndReason,
    pub duration_ms: u64,
    pub ended_at_ms: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    #[default]
    LocalHangup,
    RemoteHangup,
    Cancelled,
    /// The caller's other phone took the call (CANCEL with Reason `SIP;cause=200`): not a
    /// missed call.
    AnsweredElsewhere,
    Rejected,
    Busy,
    Failed,
    /// No answer to the INVITE (timer B) or no ACK to our 200.
    Timeout,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    /// Key name as used by `/command.htm?key=` (`P1`, `F1`, …).
    pub name: String,
    pub label: String,
    pub led: Led,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Led {
    #[default]
    Off,
    On,
    Blinking,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayEngineState {
    #[default]
    Off,
    Starting,
    Running,
}

/// Messages from the runtime to a UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The full state; always the first message on a connection.
    Snapshot {
        v: u32,
        seq: u64,
        state: Box<PhoneState>,
    },
    /// Top-level fields of [`PhoneState`] that changed, with their new
    /// values. Apply with [`apply_changes`].
    Changes {
        v: u32,
        seq: u64,
        set: serde_json::Map<String, serde_json::Value>,
    },
    /// Answer to a command that succeeded.
    Ok { v: u32, id: Option<u64> },
    /// A message that could not be read or a command that failed.
    Error {
        v: u32,
        id: Option<u64>,
        code: ErrorCode,
        message: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, unknown message type, or missing fields.
    BadMessage,
    /// The message's `v` is not [`PROTOCOL_VERSION`].
    UnsupportedVersion,
    /// A key name that the phone does not have.
    UnknownKey,
    /// A setting that failed validation; nothing was changed.
    InvalidSetting,
    /// The command was understood but could not be carried out now.
    Rejected,
    /// The connection's role may not do this (e.g. the user role changing an admin-only
    /// setting); nothing was changed.
    Forbidden,
}

/// Messages from a UI to the runtime. `id` is echoed in the reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientEnvelope {
    pub v: u32,
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(flatten)]
    pub command: Command,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// A key press, by its `command.htm` name (`0`–`9`, `OFFHOOK`, …).
    Key { key: String },
    /// A long press of a key (held down about a second), e.g. CANCEL on a ringing call to
    /// block the caller (C3).
    LongKey { key: String },
    /// Turn a caller away from now on (C3): a URI or `user@host`.
    Block { uri: String },
    /// Take an entry (as shown in `deny_list`) off the deny list.
    Unblock { entry: String },
    /// Dial a number or URI.
    Dial { number: String },
    /// Change settings: keys are setting keys (`name` or `name[idx]`).
    /// All are validated first; if one fails, none is applied.
    SetSettings { values: BTreeMap<String, String> },
    /// Reset settings to their defaults (keys `name` or `name[idx]`); all or none.
    ResetSettings { keys: Vec<String> },
    /// Remove identity `identity` (1-based): its settings go back to their defaults and
    /// every function key bound to it goes too (P8).
    RemoveIdentity { identity: u16 },
    /// Send a text message (SIP MESSAGE, text/plain) to a number or SIP URI.
    SendMessage { to: String, text: String },
}

/// Applies a [`ServerMessage::Changes`] set to a state. Fields that fail to
/// deserialize leave the state untouched and return an error.
pub fn apply_changes(
    state: &PhoneState,
    set: &serde_json::Map<String, serde_json::Value>,
) -> Result<PhoneState, serde_json::Error> {
    let mut value = serde_json::to_value(state)?;
    if let serde_json::Value::Object(fields) = &mut value {
        for (k, v) in set {
            fields.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(value)
}

/// The top-level fields that differ between two states, as a `Changes` set.
/// Empty when nothing changed.
pub fn diff(
    old: &PhoneState,
    new: &PhoneState,
) -> Result<serde_json::Map<String, serde_json::Value>, serde_json::Error> {
    let old = serde_json::to_value(old)?;
    let new = serde_json::to_value(new)?;
    let mut set = serde_json::Map::new();
    if let (serde_json::Value::Object(old), serde_json::Value::Object(new)) = (old, new) {
        for (k, v) in new {
            if old.get(&k) != Some(&v) {
                set.insert(k, v);
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_only_what_changed_and_apply_back() {
        let old = PhoneState::default();
        let mut new = old.clone();
        new.dial_buffer = "123".into();
        new.off_hook = true;
        let set = diff(&old, &new).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(apply_changes(&old, &set).unwrap(), new);
    }

    #[test]
    fn call_state_fields_added_later_default_when_absent() {
        let old = r#"{"id":1,"identity":1,"direction":"incoming","phase":"connected",
            "remote_uri":"sip:a@b","remote_name":"","connected_at_ms":null,"codec":null}"#;
        let call: CallState = serde_json::from_str(old).unwrap();
        assert!(!call.held);
        assert_eq!(call.alert_info, None);
        let json = serde_json::to_value(EndReason::AnsweredElsewhere).unwrap();
        assert_eq!(json, "answered_elsewhere");
    }

    #[test]
    fn state_without_device_info_reads_with_defaults() {
        let mut json = serde_json::to_value(PhoneState::default()).unwrap();
        json.as_object_mut().unwrap().remove("device");
        let state: PhoneState = serde_json::from_value(json).unwrap();
        assert_eq!(state.device, DeviceInfo::default());
        let device = serde_json::to_value(DeviceInfo {
            mac: "02:00:00:00:00:01".into(),
            ..DeviceInfo::default()
        })
        .unwrap();
        assert_eq!(device["mac"], "02:00:00:00:00:01");
        assert_eq!(device["started_at_ms"], 0);
    }

    #[test]
    fn client_message_wire_shape() {
        let m: ClientEnvelope =
            serde_json::from_str(r#"{"v":1,"id":7,"type":"key","key":"OFFHOOK"}"#).unwrap();
        assert_eq!(m.id, Some(7));
        assert_eq!(
            m.command,
            Command::Key {
                key: "OFFHOOK".into()
            }
        );
        assert!(serde_json::from_str::<ClientEnvelope>(r#"{"v":1,"type":"fly"}"#).is_err());
        let m: ClientEnvelope = serde_json::from_str(
            r#"{"v":1,"id":8,"type":"reset_settings","keys":["user_realname[1]","vlan_id"]}"#,
        )
        .unwrap();
        assert_eq!(
            m.command,
            Command::ResetSettings {
                keys: vec!["user_realname[1]".into(), "vlan_id".into()]
            }
        );
    }

    #[test]
    fn setting_sources_travel_and_default_when_absent() {
        let mut state = PhoneState::default();
        let mut value = serde_json::to_value(&state).unwrap();
        value.as_object_mut().unwrap().remove("setting_sources");
        assert_eq!(serde_json::from_value::<PhoneState>(value).unwrap(), state);
        state.setting_sources.insert(
            "ntp_server".into(),
            deskphone_settings::Source::Provisioning {
                url: "https://prov.example/x.xml".into(),
            },
        );
        let set = diff(&PhoneState::default(), &state).unwrap();
        assert_eq!(
            serde_json::Value::Object(set.clone()),
            serde_json::json!({"setting_sources": {"ntp_server":
                {"kind": "provisioning", "url": "https://prov.example/x.xml"}}})
        );
        assert_eq!(apply_changes(&PhoneState::default(), &set).unwrap(), state);
    }
}
