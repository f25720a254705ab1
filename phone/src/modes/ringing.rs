//! Keys while a call rings and no other call is active.

use crate::{Action, CallId, Key, KeyError, Phone};

impl Phone {
    pub(super) fn press_ringing(
        &mut self,
        call: CallId,
        key: Key,
    ) -> Result<Vec<Action>, KeyError> {
        match key {
            Key::Enter | Key::OffHook | Key::Speaker | Key::Headset => {
                self.menu = None;
                Ok(vec![Action::Answer(call)])
            }
            Key::Cancel | Key::Disconnect => Ok(self.decline(call)),
            // With a held call and one ringing, F_R takes the held one back.
            Key::Hold => match self.held_destination() {
                Some(held) => Ok(self.resume(held)),
                None => Ok(vec![]),
            },
            // Digits and the rest wait until the call is answered or gone.
            Key::Digit(_)
            | Key::OnHook
            | Key::Left
            | Key::Right
            | Key::Up
            | Key::Down
            | Key::Redial
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
