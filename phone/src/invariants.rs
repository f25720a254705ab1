//! What must always hold of the phone's state, whatever came in: the property tests
//! (`tests/properties.rs`) check it after every input.

use deskphone_protocol::{CallPhase, Led, MAX_HISTORY_PER_KIND};

use crate::Phone;
use crate::call::{Hold, Transfer};

impl Phone {
    /// The first inconsistency found in the state, described; `None` when it is sound.
    pub fn inconsistency(&self) -> Option<String> {
        let active: Vec<_> = self.calls.iter().filter(|c| c.is_active()).collect();
        if active.len() > 1 {
            return Some(format!("{} active calls", active.len()));
        }
        let exists = |id| self.calls.iter().any(|c| c.id == id);
        match &self.transfer {
            Some(Transfer::Dialling { call }) if !exists(*call) => {
                return Some("a blind transfer of a call that is gone".into());
            }
            Some(Transfer::Confirming { held, active }) if !exists(*held) || !exists(*active) => {
                return Some("an attended transfer with a call that is gone".into());
            }
            Some(Transfer::Confirming { held, active }) if held == active => {
                return Some("an attended transfer of a call to itself".into());
            }
            Some(Transfer::Transferring { call, target })
                if !exists(*call) || target.is_empty() =>
            {
                return Some("a transfer to nobody".into());
            }
            _ => {}
        }
        for id in &self.held_order {
            if !self
                .calls
                .iter()
                .any(|c| c.id == *id && matches!(c.hold, Hold::On | Hold::Resuming))
            {
                return Some(format!("call {} in the hold order is not held", id.0));
            }
        }
        let mut ids: Vec<u64> = self.calls.iter().map(|c| c.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.calls.len() {
            return Some("a call twice among the calls".into());
        }
        let entries = &self.history.state().entries;
        let mut ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != entries.len() {
            return Some("a call twice in the history".into());
        }
        if let Some(live) = entries
            .iter()
            .find(|e| self.calls.iter().any(|c| c.id.0 == e.id))
        {
            return Some(format!("call {} in the history while it goes on", live.id));
        }
        for kind in [
            deskphone_protocol::HistoryKind::Missed,
            deskphone_protocol::HistoryKind::Received,
            deskphone_protocol::HistoryKind::Dialled,
        ] {
            if self.history.of_kind(kind).count() > MAX_HISTORY_PER_KIND {
                return Some(format!("more than {MAX_HISTORY_PER_KIND} {kind:?} entries"));
            }
        }
        if !self.identity_exists(self.outgoing_identity()) {
            return Some("the selected identity does not exist".into());
        }
        if self.dial_buffer.chars().count() > crate::MAX_DIAL {
            return Some("the dial buffer overflows".into());
        }
        for (i, key) in self.function_key_states().iter().enumerate() {
            let Ok(n) = u16::try_from(i + 1) else { break };
            if self.settings.function_key(n) != deskphone_settings::FunctionKey::Line {
                continue;
            }
            let identity = self.key_identity(n);
            let on_line = || self.calls.iter().filter(move |c| c.identity == identity);
            let lit_for = match key.led {
                Led::Off => true,
                Led::On => on_line().any(|c| c.phase != CallPhase::Ending),
                Led::Blinking => on_line().any(|c| {
                    c.phase == CallPhase::Ringing || matches!(c.hold, Hold::On | Hold::Resuming)
                }),
            };
            if !lit_for {
                return Some(format!(
                    "line key P{n} says {:?} with no such call on identity {identity}",
                    key.led
                ));
            }
        }
        None
    }
}
