//! Keys while a call is active (or only held calls are left), with a second call
//! possibly waiting: DTMF, hold and swap, mute, hang-up, answering the waiting call.

use deskphone_protocol::CallPhase;
use deskphone_settings::keys;

use crate::call::{Hold, Transfer};
use crate::{Action, CallId, Key, KeyError, Phone};

impl Phone {
    pub(super) fn press_in_call(
        &mut self,
        active: Option<CallId>,
        key: Key,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        let waiting = self.ringing_call();
        match key {
            Key::Digit(c) => match active {
                Some(a) if self.connected_call(a) => Ok(self.dtmf(a, c)),
                // Still being set up: nothing to send the digit to.
                Some(_) => Ok(vec![]),
                // Only held calls: the keypad dials a consultation call.
                None => {
                    self.type_digit(c);
                    Ok(vec![])
                }
            },
            Key::Enter | Key::OffHook | Key::Speaker | Key::Headset => {
                if let Some(w) = waiting {
                    return Ok(self.answer_waiting(active, w));
                }
                if active.is_none() && !self.dial_buffer.is_empty() {
                    let input = self.dial_buffer.clone();
                    return self.dial(&input, now_ms);
                }
                // Already talking: the audio path changes, the call goes on.
                Ok(vec![])
            }
            Key::Cancel => {
                if let Some(w) = waiting {
                    return Ok(self.decline(w));
                }
                match active {
                    Some(a) => Ok(self.hang_up(a)),
                    None => {
                        self.dial_buffer.clear();
                        Ok(vec![])
                    }
                }
            }
            Key::OnHook | Key::Disconnect => {
                // C1: `call_join_xfer=on` connects a held and a connected call on hang-up.
                if key == Key::OnHook
                    && self.settings.value(keys::call_join_xfer) == "on"
                    && let Some(a) = active.filter(|a| self.connected_call(*a))
                    && let Some(held) = self.held_destination()
                {
                    return Ok(self.transfer_replacing(held, a));
                }
                self.dial_buffer.clear();
                Ok(active.map(|a| self.hang_up(a)).unwrap_or_default())
            }
            Key::Hold => Ok(self.hold_key(active)),
            Key::Transfer => self.press_transfer(active),
            Key::Mute => match active.filter(|a| self.connected_call(*a)) {
                Some(a) => {
                    let on = !self.muted(a);
                    if let Some(c) = self.find(a) {
                        c.muted = on;
                    }
                    let event = if on {
                        crate::PhoneEvent::Mute
                    } else {
                        crate::PhoneEvent::Unmute
                    };
                    self.fire_for(event, a);
                    Ok(vec![Action::Mute { call: a, on }])
                }
                None => Ok(vec![]),
            },
            Key::Left => {
                self.dial_buffer.pop();
                Ok(vec![])
            }
            Key::Redial
            | Key::Right
            | Key::Up
            | Key::Down
            | Key::Soft(_)
            | Key::Function(_)
            | Key::Expansion(_)
            | Key::Dnd
            | Key::VolumeUp
            | Key::VolumeDown => Ok(vec![]),
        }
    }

    fn hang_up(&mut self, call: CallId) -> Vec<Action> {
        if self.calls.iter().all(|c| c.id == call) {
            self.off_hook = false;
        }
        vec![Action::Hangup(call)]
    }

    /// Answers a ringing call; an active call is held first (call waiting), or given up
    /// when it is still unanswered.
    pub(crate) fn answer_waiting(
        &mut self,
        active: Option<CallId>,
        waiting: CallId,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(a) = active {
            if self.connected_call(a) {
                // The active call must be on hold before the waiting one is answered. While
                // its resume is still being negotiated no new re-INVITE may start (RFC 3261
                // §14.1), so the waiting call keeps ringing until the user presses again.
                if self.find(a).is_some_and(|c| c.hold == Hold::Resuming) {
                    return actions;
                }
                actions.extend(self.hold(a));
            } else {
                actions.push(Action::Hangup(a));
            }
        }
        actions.push(Action::Answer(waiting));
        actions
    }

    pub(crate) fn hold(&mut self, call: CallId) -> Vec<Action> {
        match self.find(call) {
            Some(c) if c.phase == CallPhase::Connected && c.hold == Hold::Off => {
                c.hold = Hold::Holding;
                vec![Action::Hold(call)]
            }
            _ => vec![],
        }
    }

    pub(crate) fn resume(&mut self, call: CallId) -> Vec<Action> {
        match self.find(call) {
            Some(c) if c.phase == CallPhase::Connected && c.hold == Hold::On => {
                c.hold = Hold::Resuming;
                vec![Action::Resume(call)]
            }
            _ => vec![],
        }
    }

    /// F_R (`F_HOLD`): holds the active call; with a held call as well, swaps them (the
    /// active one is held, the held one taken back); with only held calls, takes one back
    /// (by `xfer_dest_order_lifo`). A press while the last one is being agreed does nothing.
    fn hold_key(&mut self, active: Option<CallId>) -> Vec<Action> {
        let held = self.held_destination();
        match active {
            Some(a) if self.connected_call(a) => {
                if self.call(a).is_some_and(|c| c.hold != Hold::Off) {
                    return vec![];
                }
                let mut actions = self.hold(a);
                if let Some(h) = held {
                    actions.extend(self.resume(h));
                }
                actions
            }
            Some(_) => vec![],
            None => held.map(|h| self.resume(h)).unwrap_or_default(),
        }
    }

    pub(crate) fn transfer_replacing(&mut self, held: CallId, active: CallId) -> Vec<Action> {
        let target = self
            .call(active)
            .map(|c| c.remote_uri.clone())
            .unwrap_or_default();
        self.transfer = Some(Transfer::Transferring { call: held, target });
        vec![Action::TransferReplacing {
            call: held,
            consultation: active,
        }]
    }
}
