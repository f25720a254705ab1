//! Keys while a list is open: the call history's dialled calls (`F_REDIAL`, C5), missed
//! and received calls. UP/DOWN move, ENTER (or `F_REDIAL` again in the dialled list)
//! dials the selected entry, CANCEL closes; a digit closes the list and starts dialling.

use deskphone_protocol::{HistoryKind, MenuState};

use crate::{Action, Key, KeyError, Phone};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Menu {
    kind: HistoryKind,
    selected: usize,
}

impl Menu {
    pub fn history(kind: HistoryKind) -> Menu {
        Menu { kind, selected: 0 }
    }

    pub fn state(&self) -> MenuState {
        MenuState::History {
            kind: self.kind,
            selected: u32::try_from(self.selected).unwrap_or(u32::MAX),
        }
    }
}

impl Phone {
    pub(super) fn press_in_menu(&mut self, key: Key, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        let Some(menu) = self.menu.clone() else {
            return Ok(vec![]);
        };
        let len = self.history.of_kind(menu.kind).count();
        let selected = || {
            self.history
                .of_kind(menu.kind)
                .nth(menu.selected)
                .map(|e| (e.identity, e.remote_uri.clone()))
        };
        match key {
            Key::Up => {
                self.set_selected(menu.selected.saturating_sub(1));
                Ok(vec![])
            }
            Key::Down => {
                self.set_selected((menu.selected + 1).min(len.saturating_sub(1)));
                Ok(vec![])
            }
            Key::Enter | Key::OffHook | Key::Speaker | Key::Headset | Key::Redial => {
                if key == Key::Redial && menu.kind != HistoryKind::Dialled {
                    self.menu = Some(Menu::history(HistoryKind::Dialled));
                    return Ok(vec![]);
                }
                let Some((identity, target)) = selected() else {
                    return Err(KeyError::NothingToDial);
                };
                self.menu = None;
                // Back to whom it was, from the identity it was on.
                let from = if self.identity_exists(identity) {
                    identity
                } else {
                    self.outgoing_identity()
                };
                if self.active_call().is_some() {
                    return Ok(vec![]);
                }
                self.dial_from(from, &target, now_ms)
            }
            Key::Cancel | Key::Left | Key::OnHook | Key::Disconnect => {
                self.menu = None;
                Ok(vec![])
            }
            Key::Right => {
                let next = match menu.kind {
                    HistoryKind::Dialled => HistoryKind::Missed,
                    HistoryKind::Missed => HistoryKind::Received,
                    HistoryKind::Received => HistoryKind::Dialled,
                };
                if next == HistoryKind::Missed {
                    self.history.missed_seen();
                }
                self.menu = Some(Menu::history(next));
                Ok(vec![])
            }
            // Anything else closes the list and acts as without it.
            other => {
                self.menu = None;
                self.press(other, now_ms)
            }
        }
    }

    fn set_selected(&mut self, selected: usize) {
        if let Some(m) = &mut self.menu {
            m.selected = selected;
        }
    }
}
