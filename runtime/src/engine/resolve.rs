//! Name resolution beside the engine. The engine task never waits on DNS: a call, a text
//! message or a subscription whose destination needs a lookup is handed to a spawned task
//! that asks the [`Locator`](crate::locate::Locator) and reports the route back through
//! the engine's [`Beside`] channel, where the engine finishes what it started. Requests of
//! an identity that registers follow the identity's one route (its registrar or outbound
//! proxy, resolved when it registers); only while that route is unknown, and for direct
//! calls to a name, is a lookup made for the request itself. Numeric destinations need
//! no lookup and are handled at once.

use std::net::SocketAddr;

use deskphone_phone::CallId;
use deskphone_sip::locate::{self, Plan};
use deskphone_sip::{Referral, Transport};
use tokio::sync::oneshot;

use super::notices::{Wanted, Watch};
use super::save::Saved;
use super::{CommandError, Engine, LineRoute, Resolved, resolve_route};

/// What reports to the engine from beside it.
pub(super) enum Beside {
    /// An identity's registrar and outbound proxy (`Engine::resolve`).
    Line(Resolved),
    /// The destination of a call, message or subscription.
    Lookup(Box<Looked>),
    /// Settings written to disk (`engine/save.rs`).
    Saved(Box<Saved>),
}

/// Where a request goes.
#[derive(Clone, Debug)]
pub(super) enum Route {
    /// Through the identity's registrar or outbound proxy.
    Line(LineRoute),
    /// Straight to the target's addresses (best first), over this transport.
    Direct(Vec<SocketAddr>, Transport),
}

/// What waits for a route.
pub(super) enum Pending {
    /// The phone's call `id`, shown as being placed meanwhile.
    Call {
        id: CallId,
        identity: u16,
        target: String,
        referral: Option<Referral>,
    },
    Message {
        identity: u16,
        target: String,
        text: String,
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    Subscription {
        watch: Watch,
        wanted: Wanted,
    },
}

pub(super) struct Looked {
    pending: Pending,
    result: Result<Route, String>,
}

impl Engine {
    /// The route for `target` from `identity` if it is known without asking DNS: the
    /// identity's resolved route, or a target with a numeric host.
    pub(super) fn known_route(&self, identity: u16, target: &str) -> Option<Route> {
        match self.lines.get(&identity) {
            Some(line) => line.route.clone().map(Route::Line),
            None => match locate::plan(target).ok()? {
                Plan::Address(ip, port) => Some(Route::Direct(
                    vec![SocketAddr::new(ip, port)],
                    locate::uri_transport(target).unwrap_or(Transport::Udp),
                )),
                Plan::Name(..) | Plan::Domain(_) => None,
            },
        }
    }

    /// Looks up where `target` from `identity` goes, beside the engine; `pending` is
    /// carried out when the answer comes ([`on_looked`](Self::on_looked)).
    pub(super) fn look_up(&self, identity: u16, target: &str, pending: Pending) {
        let locator = self.locator.clone();
        let account = self.lines.get(&identity).map(|l| {
            (
                l.config.account.host.clone(),
                l.config.account.outbound.clone(),
            )
        });
        let target = target.to_owned();
        let beside = self.beside.clone();
        tokio::spawn(async move {
            let result = match account {
                Some((host, outbound)) => resolve_route(&locator, &host, &outbound)
                    .await
                    .map(Route::Line),
                None => locator
                    .locate_with_transport(&target)
                    .await
                    .map(|(found, transport)| Route::Direct(found, transport)),
            };
            let _ = beside
                .send(Beside::Lookup(Box::new(Looked { pending, result })))
                .await;
        });
    }

    /// A lookup answered: the call, message or subscription goes out now, or fails.
    pub(super) async fn on_looked(&mut self, looked: Looked) {
        let Looked { pending, result } = looked;
        match pending {
            Pending::Call {
                id,
                identity,
                target,
                referral,
            } => {
                // The user may have given up on the call while it was looked up.
                if !self.phone.calls().any(|c| c == id) {
                    return;
                }
                let transfer = referral.as_ref().map(|r| r.call);
                let placed = match result {
                    Ok(route) => {
                        self.place_routed_call(id, identity, target.clone(), referral, route)
                            .await
                    }
                    Err(reason) => Err(CommandError::Dial {
                        target: target.clone(),
                        reason,
                    }),
                };
                if let Err(e) = placed {
                    tracing::warn!("{e}");
                    self.phone.dial_failed(id);
                    // RFC 3515 §2.4.5: the transferor hears that the transfer failed.
                    if let Some(call) = transfer {
                        self.ua
                            .referral_failed(std::time::Instant::now(), call, 503);
                    }
                }
            }
            Pending::Message {
                identity,
                target,
                text,
                reply,
            } => {
                let sent = match result {
                    Ok(route) => self.send_routed_text(identity, &target, &text, route),
                    Err(reason) => Err(CommandError::Message { target, reason }),
                };
                let _ = reply.send(sent);
            }
            Pending::Subscription { watch, wanted } => match result {
                Ok(route) => self.subscribe_routed(watch, wanted, route),
                Err(e) => tracing::warn!("cannot subscribe to {}: {e}", wanted.target),
            },
        }
    }

    /// Everything that reports from beside the engine.
    pub(super) async fn on_beside(&mut self, beside: Beside) {
        match beside {
            Beside::Line(resolved) => self.on_resolved(resolved),
            Beside::Lookup(looked) => self.on_looked(*looked).await,
            Beside::Saved(saved) => self.on_saved(*saved),
        }
    }
}
