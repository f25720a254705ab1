//! The call history (S9, W1): missed, received and dialled calls per identity, newest
//! first, at most [`MAX_HISTORY_PER_KIND`] of each kind. Every call lands in it once,
//! when it ends (or at once, when the phone turned it away without ringing).

use deskphone_protocol::{
    CallDirection, CallHistory, EndReason, HistoryEntry, HistoryKind, MAX_HISTORY_PER_KIND,
};

use crate::call::Call;

#[derive(Clone, Debug, Default)]
pub struct History {
    state: CallHistory,
    /// Changes with every change (the runtime saves the history then).
    revision: u64,
}

impl History {
    /// A saved history; entries beyond the bound of their kind and repeated ids go.
    pub fn restore(mut saved: CallHistory) -> History {
        let mut seen = std::collections::HashSet::new();
        let mut count = std::collections::HashMap::new();
        saved.entries.retain(|e| {
            let n = count.entry(e.kind).or_insert(0usize);
            *n += 1;
            seen.insert(e.id) && *n <= MAX_HISTORY_PER_KIND
        });
        History {
            state: saved,
            revision: 0,
        }
    }

    pub fn state(&self) -> &CallHistory {
        &self.state
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub(crate) fn max_id(&self) -> u64 {
        self.state.entries.iter().map(|e| e.id).max().unwrap_or(0)
    }

    /// The entries of one kind, newest first.
    pub fn of_kind(&self, kind: HistoryKind) -> impl Iterator<Item = &HistoryEntry> {
        self.state.entries.iter().filter(move |e| e.kind == kind)
    }

    /// The user looked at the missed calls: the counter goes back to zero.
    pub(crate) fn missed_seen(&mut self) {
        if self.state.missed_unseen != 0 {
            self.state.missed_unseen = 0;
            self.revision += 1;
        }
    }

    fn push(&mut self, entry: HistoryEntry) {
        if self.state.entries.iter().any(|e| e.id == entry.id) {
            // A call is in the history once.
            return;
        }
        if entry.kind == HistoryKind::Missed {
            self.state.missed_unseen = self.state.missed_unseen.saturating_add(1);
        }
        let kind = entry.kind;
        self.state.entries.insert(0, entry);
        let mut n = 0;
        self.state.entries.retain(|e| {
            if e.kind != kind {
                return true;
            }
            n += 1;
            n <= MAX_HISTORY_PER_KIND
        });
        self.revision += 1;
    }

    /// A call ended: an outgoing one was dialled; an incoming one was received when it
    /// was answered here or elsewhere (S9: "Call completed elsewhere" is not a missed
    /// call), else missed.
    pub(crate) fn record_ended(&mut self, call: &Call, reason: EndReason, now_ms: u64) {
        if call.replacing || call.blocked {
            // RFC 3891: the call it replaced is in the history already; a blocked caller
            // leaves no trace.
            return;
        }
        let kind = match call.direction {
            CallDirection::Outgoing => HistoryKind::Dialled,
            CallDirection::Incoming
                if call.connected_at_ms.is_some() || reason == EndReason::AnsweredElsewhere =>
            {
                HistoryKind::Received
            }
            CallDirection::Incoming => HistoryKind::Missed,
        };
        self.push(HistoryEntry {
            id: call.id.0,
            kind,
            identity: call.identity,
            remote_uri: call.remote_uri.clone(),
            remote_name: call.remote_name.clone(),
            started_at_ms: call.started_at_ms,
            duration_ms: call.connected_at_ms.map_or(0, |t| now_ms.saturating_sub(t)),
            answered_elsewhere: reason == EndReason::AnsweredElsewhere
                && call.connected_at_ms.is_none(),
            transferred_to: call.transferred_to.clone(),
            forwarded_to: call.forwarded_to.clone(),
        });
    }

    /// An incoming call the phone turned away without ringing (DND, busy, forwarded).
    pub(crate) fn record_turned_away(&mut self, call: &Call) {
        self.push(HistoryEntry {
            id: call.id.0,
            kind: HistoryKind::Missed,
            identity: call.identity,
            remote_uri: call.remote_uri.clone(),
            remote_name: call.remote_name.clone(),
            started_at_ms: call.started_at_ms,
            duration_ms: 0,
            answered_elsewhere: false,
            transferred_to: None,
            forwarded_to: call.forwarded_to.clone(),
        });
    }
}
