//! The programmable keys `P1`..`Pn` (`fkey`): what a press does and what each key's lamp
//! and label show. BLF and presence lamps come from `notices.rs`.

use deskphone_protocol::{CallPhase, KeyState, Led};
use deskphone_settings::{FunctionKey, keys};

use crate::call::Hold;
use crate::{Action, Key, KeyError, Phone};

impl Phone {
    /// The identity a function key acts for: its `fkey_context` when that names one, else
    /// the selected identity; a line key without a context is the line of its position
    /// among the line keys (the first line key is identity 1).
    pub fn key_identity(&self, n: u16) -> u16 {
        if let Ok(i) = self.settings.value_at(keys::fkey_context, n).parse::<u16>()
            && self.identity_exists(i)
        {
            return i;
        }
        match self.settings.function_key(n) {
            FunctionKey::Line => {
                let position = (1..=n)
                    .filter(|&k| self.settings.function_key(k) == FunctionKey::Line)
                    .count();
                u16::try_from(position).unwrap_or(1)
            }
            _ => self.outgoing_identity(),
        }
    }

    /// The identity the subscriptions of key `n` (BLF, presence) are made from: its
    /// `fkey_context`, else identity 1 (so that selecting another line does not
    /// subscribe anew).
    pub fn subscription_identity(&self, n: u16) -> u16 {
        match self.settings.value_at(keys::fkey_context, n).parse::<u16>() {
            Ok(i) if self.identity_exists(i) => i,
            _ => 1,
        }
    }

    /// A function key: a line key answers its identity's ringing call or selects the
    /// identity (off hook when idle); BLF, presence, speed dial and destination keys dial
    /// their target (in a call, BLF/speed/destination keys transfer the call there, C1);
    /// `keyevent` keys press their key; `dtmf` keys send their digits.
    pub(crate) fn press_function_key(
        &mut self,
        n: u16,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        let identity = self.key_identity(n);
        match self.settings.function_key(n) {
            FunctionKey::Line => {
                if !self.identity_exists(identity) {
                    return Ok(vec![]);
                }
                let ringing = self
                    .calls
                    .iter()
                    .find(|c| c.identity == identity && c.phase == CallPhase::Ringing)
                    .map(|c| c.id);
                if let Some(call) = ringing {
                    self.menu = None;
                    let active = self.active_call();
                    return Ok(self.answer_waiting(active, call));
                }
                self.selected_identity = identity;
                if self.calls.is_empty() {
                    self.off_hook = true;
                }
                Ok(vec![])
            }
            FunctionKey::Blf(target)
            | FunctionKey::Presence(target)
            | FunctionKey::Speed(target)
            | FunctionKey::Dest(target) => {
                if let Some(active) = self.active_call().filter(|a| self.connected_call(*a)) {
                    // C1: transfer by a line key: the connected call goes to the key's
                    // target.
                    let target = self.dial_target(&target, identity)?;
                    self.transfer = Some(crate::call::Transfer::Transferring {
                        call: active,
                        target: target.clone(),
                    });
                    return Ok(vec![Action::Transfer {
                        call: active,
                        target,
                    }]);
                }
                if !self.calls.is_empty() {
                    return Ok(vec![]);
                }
                self.dial_from(identity, &target, now_ms)
            }
            FunctionKey::Other(value) => {
                let (kind, arg) = value.split_once(' ').unwrap_or((value.as_str(), ""));
                match kind.to_ascii_lowercase().as_str() {
                    "keyevent" => {
                        let expansion = 0;
                        match Key::parse(arg.trim(), self.model.function_keys, expansion) {
                            // A key event naming a function key would loop.
                            Some(Key::Function(_)) | None => Ok(vec![]),
                            Some(key) => self.press(key, now_ms),
                        }
                    }
                    "dtmf" => self.send_dtmf(arg.trim()),
                    _ => Ok(vec![]),
                }
            }
        }
    }

    /// An expansion module key `EKn`. The schema has no settings for module keys yet, so
    /// a module key does nothing.
    pub(crate) fn press_expansion_key(
        &mut self,
        _n: u16,
        _now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        Ok(vec![])
    }

    /// Labels and lamps of the function keys. A line key blinks while a call rings or is
    /// held on its identity and is lit while one is active there; other key types are
    /// filled in by `fill_notices`.
    pub(crate) fn function_key_states(&self) -> Vec<KeyState> {
        (1..=u16::try_from(self.model.function_keys).unwrap_or(0))
            .map(|n| {
                let mut state = KeyState {
                    name: format!("P{n}"),
                    label: self.settings.value_at(keys::fkey_label, n).to_owned(),
                    led: Led::Off,
                };
                if self.settings.function_key(n) == FunctionKey::Line {
                    let identity = self.key_identity(n);
                    if self.identity_exists(identity) {
                        if state.label.is_empty() {
                            state.label =
                                self.settings.value_at(keys::user_name, identity).to_owned();
                        }
                        let on_line = self.calls.iter().filter(|c| c.identity == identity);
                        let mut led = Led::Off;
                        for c in on_line {
                            if c.phase == CallPhase::Ringing
                                || matches!(c.hold, Hold::On | Hold::Resuming)
                            {
                                led = Led::Blinking;
                                break;
                            }
                            if c.phase != CallPhase::Ending {
                                led = Led::On;
                            }
                        }
                        state.led = led;
                    }
                }
                state
            })
            .collect()
    }
}
