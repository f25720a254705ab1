//! Keys while the user dials: off hook or digits typed, no active call (a held call may
//! wait for a consultation call).

use crate::{Action, Key, KeyError, Phone};

impl Phone {
    pub(super) fn press_dialling(
        &mut self,
        key: Key,
        now_ms: u64,
    ) -> Result<Vec<Action>, KeyError> {
        match key {
            Key::Digit(c) => {
                self.type_digit(c);
                Ok(vec![])
            }
            Key::Left => {
                self.dial_buffer.pop();
                Ok(vec![])
            }
            Key::Enter | Key::OffHook | Key::Speaker | Key::Headset => {
                if matches!(key, Key::OffHook | Key::Speaker | Key::Headset) {
                    self.off_hook = true;
                }
                if self.dial_buffer.is_empty() {
                    return Ok(vec![]);
                }
                let input = self.dial_buffer.clone();
                self.dial(&input, now_ms)
            }
            Key::Cancel | Key::OnHook | Key::Disconnect => {
                self.dial_buffer.clear();
                if self.calls.is_empty() {
                    self.off_hook = false;
                }
                Ok(vec![])
            }
            Key::Redial => self.open_redial_list(),
            // With a held call waiting, F_R takes it back (the typing is dropped).
            Key::Hold => match self.held_destination() {
                Some(held) => {
                    self.dial_buffer.clear();
                    Ok(self.resume(held))
                }
                None => Ok(vec![]),
            },
            Key::Right
            | Key::Up
            | Key::Down
            | Key::Mute
            | Key::Transfer
            | Key::Soft(_)
            | Key::Function(_)
            | Key::Expansion(_)
            | Key::Dnd
            | Key::VolumeUp
            | Key::VolumeDown => Ok(vec![]),
        }
    }
}
