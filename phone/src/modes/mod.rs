//! Keys by the mode the phone is in. A few keys mean the same in every mode (soft keys
//! do what their label says, function keys, DND, volume); the rest go to the file of the
//! current mode: `idle`, `dialling`, `ringing`, `in_call`, `transfer`, `menu`.

use deskphone_protocol::screen::{SoftAction, screen_of, soft_keys};

use crate::call::Transfer;
use crate::{Action, CallId, Key, KeyError, MAX_VOLUME, Phone};

mod dialling;
mod idle;
mod in_call;
pub(crate) mod menu;
mod ringing;
mod transfer;

/// What the keys act on now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Nothing going on.
    Idle,
    /// Off hook or digits typed, no call of ours active (a held call may wait).
    Dialling,
    /// A call rings and no other call is active.
    Ringing(CallId),
    /// A call is active (connected or being set up), or only held calls are left;
    /// another may be waiting.
    InCall(Option<CallId>),
    /// A transfer asks for its target or its confirmation.
    Transfer,
    /// A list is open on the screen.
    Menu,
}

impl Phone {
    pub(crate) fn mode(&self) -> Mode {
        if self.menu.is_some() {
            return Mode::Menu;
        }
        if matches!(
            self.transfer,
            Some(Transfer::Dialling { .. } | Transfer::Confirming { .. })
        ) {
            return Mode::Transfer;
        }
        if let Some(active) = self.active_call() {
            return Mode::InCall(Some(active));
        }
        if let Some(ringing) = self.ringing_call() {
            return Mode::Ringing(ringing);
        }
        if !self.dial_buffer.is_empty() || self.off_hook {
            return Mode::Dialling;
        }
        if self.calls.is_empty() {
            Mode::Idle
        } else {
            Mode::InCall(None)
        }
    }

    /// A key press.
    pub fn press(&mut self, key: Key, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        let actions = self.press_key(key, now_ms)?;
        Ok(self.settle(actions))
    }

    /// What the actions mean for the calls at once: an answered call may become
    /// connected (and only then); a call hung up, turned away or forwarded is ending.
    pub(crate) fn settle(&mut self, actions: Vec<Action>) -> Vec<Action> {
        for action in &actions {
            match action {
                Action::Answer(id) => {
                    if let Some(c) = self.find(*id) {
                        c.answering = true;
                    }
                }
                Action::Hangup(id) | Action::Reject(id, _) | Action::Redirect { call: id, .. } => {
                    if let Some(c) = self.find(*id) {
                        c.phase = deskphone_protocol::CallPhase::Ending;
                        c.no_answer_at_ms = None;
                    }
                }
                _ => {}
            }
        }
        actions
    }

    fn press_key(&mut self, key: Key, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        if self.transfer == Some(Transfer::Failed) {
            // The failure was shown until this key.
            self.transfer = None;
        }
        match key {
            Key::Soft(n) => return self.press_soft_key(n, now_ms),
            Key::Function(n) => return self.press_function_key(n, now_ms),
            Key::Expansion(n) => return self.press_expansion_key(n, now_ms),
            Key::Dnd => return Ok(self.toggle_dnd()),
            Key::VolumeUp => {
                self.volume = (self.volume + 1).min(MAX_VOLUME);
                return Ok(vec![]);
            }
            Key::VolumeDown => {
                self.volume = self.volume.saturating_sub(1);
                return Ok(vec![]);
            }
            _ => {}
        }
        match self.mode() {
            Mode::Menu => self.press_in_menu(key, now_ms),
            Mode::Transfer => self.press_in_transfer(key, now_ms),
            Mode::Ringing(call) => self.press_ringing(call, key),
            Mode::InCall(active) => self.press_in_call(active, key, now_ms),
            Mode::Dialling => self.press_dialling(key, now_ms),
            Mode::Idle => self.press_idle(key),
        }
    }

    /// A long press (the key held about a second). Only CANCEL on a ringing call means
    /// something else than a short press (C3); other keys act as pressed.
    pub fn long_press(&mut self, key: Key, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        match (self.mode(), key) {
            (Mode::Ringing(call), Key::Cancel) => {
                let actions = self.block_ringing(call);
                Ok(self.settle(actions))
            }
            _ => self.press(key, now_ms),
        }
    }

    /// A soft key does what its label on the current screen says; the layout is shared
    /// with the UI that draws the labels.
    fn press_soft_key(&mut self, n: u8, now_ms: u64) -> Result<Vec<Action>, KeyError> {
        let screen = screen_of(&self.snapshot(now_ms), now_ms);
        let layout = soft_keys(screen, self.model.soft_keys as usize);
        let Some(soft) = layout
            .get(usize::from(n).saturating_sub(1))
            .copied()
            .flatten()
        else {
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

    /// A digit typed while dialling.
    fn type_digit(&mut self, c: char) {
        if self.dial_buffer.chars().count() < crate::MAX_DIAL {
            self.dial_buffer.push(c);
        }
    }

    /// `F_REDIAL`/`REDIAL` where no list is open (C5): the dialled calls open; the second
    /// press (in the list) dials the newest.
    fn open_redial_list(&mut self) -> Result<Vec<Action>, KeyError> {
        self.menu = Some(menu::Menu::history(
            deskphone_protocol::HistoryKind::Dialled,
        ));
        Ok(vec![])
    }
}
