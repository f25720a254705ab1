//! Keys on the idle screen.

use deskphone_protocol::HistoryKind;
use deskphone_settings::keys;

use super::menu::Menu;
use crate::{Action, Key, KeyError, Phone};

impl Phone {
    pub(super) fn press_idle(&mut self, key: Key) -> Result<Vec<Action>, KeyError> {
        match key {
            Key::Digit(c) => {
                self.type_digit(c);
                Ok(vec![])
            }
            Key::OffHook | Key::Speaker | Key::Headset => {
                self.off_hook = true;
                Ok(vec![])
            }
            Key::Redial => self.open_redial_list(),
            // The lists of the history: DOWN the missed calls (which clears the counter),
            // UP the received ones.
            Key::Down => {
                self.menu = Some(Menu::history(HistoryKind::Missed));
                self.history.missed_seen();
                Ok(vec![])
            }
            Key::Up => {
                self.menu = Some(Menu::history(HistoryKind::Received));
                Ok(vec![])
            }
            // LEFT/RIGHT step through the identities for outgoing calls.
            Key::Left | Key::Right => {
                let ids: Vec<u16> = self.identities().collect();
                let at = ids
                    .iter()
                    .position(|&i| i == self.outgoing_identity())
                    .unwrap_or(0);
                let next = if key == Key::Right {
                    (at + 1) % ids.len()
                } else {
                    (at + ids.len() - 1) % ids.len()
                };
                self.selected_identity = ids[next];
                Ok(vec![])
            }
            // C6: with `mute_is_dnd_in_idle`, mute on the idle screen is the DND key.
            Key::Mute if self.settings.is_on(keys::mute_is_dnd_in_idle) => Ok(self.toggle_dnd()),
            Key::Cancel => {
                // S8: on the idle screen CANCEL dismisses the message shown there.
                self.dismiss_messages();
                Ok(vec![])
            }
            // Nothing to act on: ENTER with nothing typed, hang-up keys, hold, transfer,
            // mute without the DND option.
            Key::Enter
            | Key::OnHook
            | Key::Disconnect
            | Key::Hold
            | Key::Transfer
            | Key::Mute
            | Key::Soft(_)
            | Key::Function(_)
            | Key::Expansion(_)
            | Key::Dnd
            | Key::VolumeUp
            | Key::VolumeDown => Ok(vec![]),
        }
    }
}
