//! The transfer key (C1) and the keys while a transfer asks for its target (blind) or
//! its confirmation (attended).

use deskphone_settings::keys;

use crate::call::Transfer;
use crate::{Action, CallId, Key, KeyError, Phone};

impl Phone {
    /// TRANSFER in a call: blind transfer of the connected call (type the target, ENTER),
    /// or with a held call, attended transfer of the held call to the connected one
    /// (`call_join_xfer=always` at once, else on the second press).
    pub(super) fn press_transfer(
        &mut self,
        active: Option<CallId>,
    ) -> Result<Vec<Action>, KeyError> {
        if matches!(self.transfer, Some(Transfer::Transferring { .. })) {
            return Ok(vec![]);
        }
        let Some(active) = active.filter(|a| self.connected_call(*a)) else {
            return Ok(vec![]);
        };
        match self.held_destination() {
            Some(held) if self.settings.value(keys::call_join_xfer) == "always" => {
                Ok(self.transfer_replacing(held, active))
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

    fn transfer_blind(&mut self, call: CallId) -> Result<Vec<Action>, KeyError> {
        let identity = self.call(call).map_or(1, |c| c.identity);
        let target = self.dial_target(&self.dial_buffer, identity)?;
        self.dial_buffer.clear();
        self.transfer = Some(Transfer::Transferring {
            call,
            target: target.clone(),
        });
        Ok(vec![Action::Transfer { call, target }])
    }

    /// Keys while a transfer is being set up: digits and ENTER belong to it, CANCEL leaves
    /// it (the calls go on); hang-up keys end the call being transferred.
    pub(super) fn press_in_transfer(
        &mut self,
        key: Key,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        let Some(transfer) = self.transfer.clone() else {
            return Ok(vec![]);
        };
        match (transfer, key) {
            (Transfer::Dialling { .. }, Key::Digit(c)) => {
                self.type_digit(c);
                Ok(vec![])
            }
            (Transfer::Dialling { .. }, Key::Left) => {
                self.dial_buffer.pop();
                Ok(vec![])
            }
            (Transfer::Dialling { call }, Key::Enter | Key::Transfer) => {
                if self.dial_buffer.is_empty() {
                    // TRANSFER again with nothing typed: the transfer is off.
                    self.transfer = None;
                    return Ok(vec![]);
                }
                self.transfer_blind(call)
            }
            (Transfer::Confirming { held, active }, Key::Enter | Key::Transfer) => {
                Ok(self.transfer_replacing(held, active))
            }
            (Transfer::Dialling { .. } | Transfer::Confirming { .. }, Key::Cancel) => {
                self.transfer = None;
                self.dial_buffer.clear();
                Ok(vec![])
            }
            // Anything else leaves the transfer and acts as in the call.
            (_, key) => {
                self.transfer = None;
                self.dial_buffer.clear();
                self.press(key, now_ms)
            }
        }
    }
}
