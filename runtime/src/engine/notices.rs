//! The engine's side of what is not a call: event subscriptions (BLF keys, RFC 4235;
//! presence keys, RFC 3856; message waiting, RFC 3842) kept in line with the settings and
//! the identities' routes, what their NOTIFYs say, check-sync, and text messages (RFC 3428) in and out.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskphone_protocol::Mwi;
use deskphone_settings::FunctionKey;
use deskphone_sip::{
    CallOptions, Event, Notification, OutgoingMessage, Subscription, SubscriptionHandle,
    SubscriptionState,
};

use super::{CommandError, Engine, first, now_ms, resolve_route};

/// Subscription duration we ask for; the notifier may grant less (RFC 6665 §4.1.2.1) and
/// the SIP core refreshes before it ends.
const EXPIRES: u32 = 3600;
/// Wait before subscribing anew after a failure.
const RETRY: Duration = Duration::from_secs(30);

/// What a subscription is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Watch {
    /// The busy lamp of function key `Pn`.
    Blf(u16),
    /// The availability lamp and note of function key `Pn`.
    Presence(u16),
    /// The message waiting indication of an identity.
    Mwi(u16),
}

/// A subscription as the settings want it; any change means subscribing anew.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    event: &'static str,
    accept: &'static str,
    target: String,
    identity: u16,
    /// The identity's next hop and proxy; `None` for direct calls (the target is located).
    route: Option<(SocketAddr, Option<SocketAddr>)>,
}

/// The subscriptions the engine keeps (S7: for keys from the settings at start and from
/// every later settings change or provisioning, each kept alive by the SIP core).
#[derive(Debug, Default)]
pub(super) struct Watches {
    current: BTreeMap<Watch, (Wanted, Option<SubscriptionHandle>)>,
}

impl Watches {
    fn watch_of(&self, handle: SubscriptionHandle) -> Option<Watch> {
        self.current
            .iter()
            .find(|(_, (_, h))| *h == Some(handle))
            .map(|(w, _)| *w)
    }
}

impl Engine {
    /// What the settings and the identities' routes call for now. An identity that
    /// registers subscribes through its registrar once its names are resolved.
    fn wanted_watches(&self) -> BTreeMap<Watch, Wanted> {
        let mut out = BTreeMap::new();
        let route_of = |identity: u16| match self.lines.get(&identity) {
            Some(line) => line.route.as_ref().map(|r| Some((r.next_hop(), r.proxy))),
            None => Some(None),
        };
        for n in 1..=u16::try_from(self.phone.model.function_keys).unwrap_or(0) {
            let identity = self.phone.subscription_identity(n);
            let (watch, event, accept, uri) = match self.phone.settings.function_key(n) {
                FunctionKey::Blf(uri) => {
                    (Watch::Blf(n), "dialog", "application/dialog-info+xml", uri)
                }
                // RFC 3856 §6.5: PIDF is the body every presence watcher must support.
                FunctionKey::Presence(uri) => {
                    (Watch::Presence(n), "presence", "application/pidf+xml", uri)
                }
                _ => continue,
            };
            let (Ok(target), Some(route)) =
                (self.phone.dial_target(&uri, identity), route_of(identity))
            else {
                continue;
            };
            out.insert(
                watch,
                Wanted {
                    event,
                    accept,
                    target,
                    identity,
                    route,
                },
            );
        }
        for (&identity, line) in &self.lines {
            if let Some(route) = &line.route
                && self.phone.settings.mwi_subscribe(identity)
            {
                out.insert(
                    Watch::Mwi(identity),
                    Wanted {
                        event: "message-summary",
                        accept: "application/simple-message-summary",
                        target: self.phone.identity_uri(identity),
                        identity,
                        route: Some((route.next_hop(), route.proxy)),
                    },
                );
            }
        }
        out
    }

    /// Brings the subscriptions in line with [`wanted_watches`](Self::wanted_watches):
    /// cheap when nothing changed, so the engine calls it after every input.
    pub(super) async fn sync_watches(&mut self) {
        let now = Instant::now();
        let wanted = if self.stopping.is_some() {
            BTreeMap::new()
        } else {
            self.wanted_watches()
        };
        let stale: Vec<Watch> = self
            .watches
            .current
            .iter()
            .filter(|(w, (cfg, _))| wanted.get(*w) != Some(cfg))
            .map(|(w, _)| *w)
            .collect();
        for watch in stale {
            if let Some((_, Some(handle))) = self.watches.current.remove(&watch)
                && let Err(e) = self.ua.unsubscribe(now, handle)
            {
                tracing::debug!("{watch:?}: {e}");
            }
            self.forget(watch);
        }
        for (watch, cfg) in wanted {
            if self.watches.current.contains_key(&watch) {
                continue;
            }
            let handle = self.subscribe(&cfg).await;
            self.watches.current.insert(watch, (cfg, handle));
        }
    }

    /// What a key showed from its subscription no longer holds.
    fn forget(&mut self, watch: Watch) {
        match watch {
            Watch::Blf(n) => self.phone.blf_clear(n),
            Watch::Presence(n) => self.phone.presence_clear(n),
            Watch::Mwi(_) => {}
        }
    }

    async fn subscribe(&mut self, cfg: &Wanted) -> Option<SubscriptionHandle> {
        let (dest, proxy) = match cfg.route {
            Some(route) => route,
            None => match first(self.locator.locate(&cfg.target).await) {
                Ok(dest) => (dest, None),
                Err(e) => {
                    tracing::warn!("cannot subscribe to {}: {e}", cfg.target);
                    return None;
                }
            },
        };
        let credentials = self
            .lines
            .get(&cfg.identity)
            .and_then(|l| l.config.credentials());
        let result = self.ua.subscribe(
            Instant::now(),
            Subscription {
                event: cfg.event.to_owned(),
                accept: cfg.accept.to_owned(),
                from_uri: self.phone.identity_uri(cfg.identity),
                from_display: self.phone.identity_display_name(cfg.identity).to_owned(),
                target_uri: cfg.target.clone(),
                contact_user: self.phone.settings.identity_account(cfg.identity).user,
                dest,
                outbound_proxy: proxy,
                expires: EXPIRES,
                credentials,
                retry_after_failure: RETRY,
            },
        );
        result
            .inspect_err(|e| tracing::warn!("cannot subscribe to {}: {e}", cfg.target))
            .ok()
    }

    /// Events of the SIP core about messages and subscriptions.
    pub(super) fn on_notice_event(&mut self, event: Event) {
        match event {
            Event::Message {
                from_uri,
                from_display,
                body,
                call,
                ..
            } => {
                tracing::info!(
                    "text message from {from_uri}{}",
                    if call.is_some() { " in a call" } else { "" }
                );
                self.phone
                    .message_received(from_uri, from_display, body, now_ms());
            }
            Event::MessageSent { message, code } => {
                tracing::info!("text message {}: answered {code:?}", message.0)
            }
            Event::SubscriptionChanged {
                subscription,
                state,
            } => {
                let watch = self.watches.watch_of(subscription);
                tracing::info!("subscription {watch:?}: {state:?}");
                if let Some(w) = watch
                    && matches!(
                        state,
                        SubscriptionState::Failed { .. } | SubscriptionState::Terminated
                    )
                {
                    self.forget(w);
                }
                if state == SubscriptionState::Terminated
                    && let Some(w) = watch
                    && let Some((_, handle)) = self.watches.current.get_mut(&w)
                {
                    // Refused for good: not made again until its settings change.
                    *handle = None;
                }
            }
            Event::Notify {
                subscription,
                to_uri,
                notification,
            } => {
                let watch = subscription.and_then(|s| self.watches.watch_of(s));
                match notification {
                    Notification::Dialog(info) => {
                        if let Some(Watch::Blf(n)) = watch {
                            self.phone.blf_notify(n, &dialog_info(&info));
                        }
                    }
                    Notification::Presence(info) => {
                        if let Some(Watch::Presence(n)) = watch {
                            self.phone.presence_notify(
                                n,
                                &deskphone_phone::PresenceInfo {
                                    open: info.open(),
                                    note: info.note().map(str::to_owned),
                                },
                            );
                        }
                    }
                    Notification::MessageSummary(s) => {
                        let identity = match watch {
                            Some(Watch::Mwi(i)) => i,
                            _ => self.phone.identity_for_uri(&to_uri),
                        };
                        self.phone.set_mwi(
                            identity,
                            Mwi {
                                waiting: s.waiting,
                                new: s.new,
                                old: s.old,
                            },
                        );
                    }
                    Notification::CheckSync { reboot } => {
                        // There is no provisioning client yet: the request is recorded in
                        // the state. A reboot (only when asked) is carried out by
                        // `run`, which watches the state and restarts the program.
                        tracing::info!("check-sync: re-provisioning requested");
                        if reboot {
                            tracing::warn!("check-sync: reboot requested");
                        }
                        self.phone.check_sync(reboot, now_ms());
                    }
                    Notification::Other { event, .. } => {
                        tracing::debug!("NOTIFY of {event} for {watch:?}")
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends a text message from the outgoing identity, routed like a call.
    pub(super) async fn send_text(&mut self, to: &str, text: &str) -> Result<(), CommandError> {
        let identity = self.phone.outgoing_identity();
        let target = self.phone.dial_target(to, identity)?;
        let fail = |reason: String| CommandError::Message {
            target: target.clone(),
            reason,
        };
        let (dest, options) = match self.lines.get(&identity) {
            Some(line) => {
                let route = match &line.route {
                    Some(route) => route.clone(),
                    None => {
                        let a = &line.config.account;
                        resolve_route(&self.locator, &a.host, &a.outbound)
                            .await
                            .map_err(fail)?
                    }
                };
                let options = CallOptions {
                    credentials: line.config.credentials(),
                    outbound_proxy: route.proxy,
                    ..CallOptions::default()
                };
                (route.next_hop(), options)
            }
            None => (
                first(self.locator.locate(&target).await).map_err(fail)?,
                CallOptions::default(),
            ),
        };
        self.ua
            .send_message(
                Instant::now(),
                OutgoingMessage {
                    from_uri: self.phone.identity_uri(identity),
                    from_display: self.phone.identity_display_name(identity).to_owned(),
                    target_uri: target.clone(),
                    dest,
                    content_type: "text/plain;charset=UTF-8".into(),
                    body: text.as_bytes().to_vec(),
                },
                options,
            )
            .map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}

/// What a dialog-info document says, in the phone's terms (RFC 4235 §4.1.2).
fn dialog_info(info: &deskphone_sip::DialogInfo) -> deskphone_phone::DialogInfo {
    use deskphone_phone::DialogState as Phone;
    use deskphone_sip::DialogState as Sip;
    deskphone_phone::DialogInfo {
        full: info.full,
        dialogs: info
            .dialogs
            .iter()
            .map(|d| {
                let state = match d.state {
                    Sip::Trying => Phone::Trying,
                    Sip::Proceeding => Phone::Proceeding,
                    Sip::Early => Phone::Early,
                    Sip::Confirmed => Phone::Confirmed,
                    Sip::Terminated => Phone::Terminated,
                };
                (d.id.clone(), state)
            })
            .collect(),
    }
}
