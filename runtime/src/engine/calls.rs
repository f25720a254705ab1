//! The engine's side of the phone's calls: the phone's call ids against the SIP core's
//! handles, carrying out the phone's actions, its timers, and `/command.htm`'s remote
//! control (R1).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use deskphone_phone::{Action, CallId};
use deskphone_sip::CallHandle;

use super::{CallMedia, CommandError, DTMF_INFO_DURATION_MS, Engine, Remote, now_ms, sip_error};

/// The phone's call ids and the SIP core's handles of the same calls. A phone call has
/// no handle until it reached the SIP core (an outgoing call being placed), and some
/// never do (a local conference leg).
#[derive(Debug, Default)]
pub(super) struct CallIds {
    handles: HashMap<CallId, CallHandle>,
    ids: HashMap<CallHandle, CallId>,
}

impl CallIds {
    pub fn insert(&mut self, id: CallId, handle: CallHandle) {
        self.handles.insert(id, handle);
        self.ids.insert(handle, id);
    }

    pub fn id(&self, handle: CallHandle) -> Option<CallId> {
        self.ids.get(&handle).copied()
    }

    pub fn handle(&self, id: CallId) -> Option<CallHandle> {
        self.handles.get(&id).copied()
    }

    /// The SIP call ended: both directions go.
    pub fn remove_handle(&mut self, handle: CallHandle) -> Option<CallId> {
        let id = self.ids.remove(&handle)?;
        self.handles.remove(&id);
        Some(id)
    }
}

impl Engine {
    /// Whether the phone holds the SIP call `call`.
    pub(super) fn holds(&self, call: CallHandle) -> bool {
        self.ids.id(call).is_some_and(|id| self.phone.holds(id))
    }

    /// When the phone's next timer is due (no-answer forwarding).
    pub(super) fn phone_deadline(&self) -> Option<Instant> {
        let at = self.phone.next_timer_ms()?;
        Some(Instant::now() + Duration::from_millis(at.saturating_sub(now_ms())))
    }

    pub(super) async fn on_phone_timers(&mut self) {
        let actions = self.phone.timer(now_ms());
        if let Err(e) = self.execute(actions).await {
            tracing::warn!("phone timer: {e}");
        }
    }

    /// Dial a number, from the identity whose address is `from` (`outgoing_uri`) or the
    /// selected one.
    pub(super) async fn dial(
        &mut self,
        number: &str,
        from: Option<&str>,
    ) -> Result<(), CommandError> {
        let identity = match from {
            Some(uri) => Some(self.phone.identity_by_uri(uri).ok_or_else(|| {
                CommandError::Key(deskphone_phone::KeyError::UnknownIdentity(uri.to_owned()))
            })?),
            None => None,
        };
        let actions = self.phone.dial_number(number, identity, now_ms())?;
        self.execute(actions).await
    }

    /// `/command.htm` remote control beyond keys (R1).
    pub(super) async fn remote(&mut self, remote: Remote) -> Result<(), CommandError> {
        let actions = match remote {
            Remote::Dtmf(digits) => self.phone.send_dtmf(&digits)?,
            Remote::ReleaseAllCalls => self.phone.release_all_calls(),
            Remote::LogOffAll => self.phone.log_off_all(),
            Remote::Reregister(n) => self.phone.reregister(n)?,
            Remote::Block(uri) => {
                self.phone.block(&uri)?;
                vec![]
            }
            Remote::Unblock(entry) => {
                if !self.phone.unblock(&entry) {
                    return Err(CommandError::BadRequest(format!(
                        "`{entry}` is not on the deny list"
                    )));
                }
                vec![]
            }
        };
        self.execute(actions).await
    }

    /// Carries out the phone's actions on the SIP core and media. An action for a call
    /// the SIP core does not know (any more) fails that action only.
    pub(super) async fn execute(&mut self, actions: Vec<Action>) -> Result<(), CommandError> {
        let now = Instant::now();
        let mut result = Ok(());
        for action in actions {
            let done = self.execute_one(now, action).await;
            if result.is_ok() {
                result = done;
            }
        }
        result
    }

    async fn execute_one(&mut self, now: Instant, action: Action) -> Result<(), CommandError> {
        let handle = |ids: &CallIds, id: CallId| {
            ids.handle(id).ok_or(CommandError::Dial {
                target: format!("call {}", id.0),
                reason: "the call is gone".into(),
            })
        };
        match action {
            Action::Dial {
                call,
                identity,
                target,
            } => {
                let placed = self.place_call(call, identity, target, None).await;
                if placed.is_err() {
                    self.phone.dial_failed(call);
                }
                placed
            }
            Action::Ring(id) => {
                let call = handle(&self.ids, id)?;
                self.ua.ring(now, call).map_err(|e| sip_error(call, e))
            }
            Action::Reject(id, code) => {
                let call = handle(&self.ids, id)?;
                self.offers.remove(&call);
                self.ua
                    .reject(now, call, code)
                    .map_err(|e| sip_error(call, e))
            }
            Action::Redirect { call: id, target } => {
                let call = handle(&self.ids, id)?;
                self.offers.remove(&call);
                self.ua
                    .redirect(now, call, &target)
                    .map_err(|e| sip_error(call, e))
            }
            Action::Answer(id) => {
                let call = handle(&self.ids, id)?;
                self.answer(call).await
            }
            Action::Hangup(id) => {
                let call = handle(&self.ids, id)?;
                self.phone.ending(id);
                self.stop_media(call).await;
                self.ua.hangup(now, call).map_err(|e| sip_error(call, e))
            }
            Action::Hold(id) => {
                let call = handle(&self.ids, id)?;
                self.offer_hold(call, true)
            }
            Action::Resume(id) => {
                let call = handle(&self.ids, id)?;
                self.offer_hold(call, false)
            }
            Action::Mute { call: id, on } => {
                let call = handle(&self.ids, id)?;
                // Muted: nothing of the microphone goes out; the peer keeps sending.
                if let Some(CallMedia::Running(session)) = self.media.get(&call) {
                    session.set_sending(!on && !self.phone.holds(id));
                }
                Ok(())
            }
            Action::Transfer { call: id, target } => {
                let call = handle(&self.ids, id)?;
                let sent = self.ua.refer(now, call, &target);
                self.transfer_sent(call, sent)
            }
            Action::TransferReplacing {
                call: id,
                consultation,
            } => {
                let call = handle(&self.ids, id)?;
                let consultation = handle(&self.ids, consultation)?;
                let sent = self.ua.refer_replacing(now, call, consultation);
                self.transfer_sent(call, sent)
            }
            Action::Dtmf {
                call: id,
                digit,
                info,
                rtp,
            } => {
                let call = handle(&self.ids, id)?;
                if rtp {
                    let sent = match self.media.get(&call) {
                        Some(CallMedia::Running(session)) => session.send_dtmf(digit),
                        _ => false,
                    };
                    if !sent {
                        tracing::info!(
                            "call {}: DTMF {digit} not sent in RTP: no media running",
                            call.0
                        );
                    }
                }
                if info {
                    self.ua
                        .send_dtmf(now, call, digit, DTMF_INFO_DURATION_MS)
                        .map_err(|e| sip_error(call, e))
                } else {
                    Ok(())
                }
            }
            Action::SaveSettings => {
                // The phone changed its own settings (DND, LOGOFFALL): saved first, then
                // followed (registrations).
                let next = self.phone.settings.clone();
                self.store.save(&next)?;
                self.adopt(next);
                Ok(())
            }
            Action::Reregister(identity) => {
                let now = Instant::now();
                let which: Vec<u16> = match identity {
                    Some(n) => vec![n],
                    None => self.lines.keys().copied().collect(),
                };
                for n in which {
                    self.drop_line(now, n);
                }
                self.sync_lines(now);
                Ok(())
            }
        }
    }
}
