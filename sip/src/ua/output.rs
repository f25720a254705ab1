//! What every part of the user agent sends and reports through: the queue of messages for
//! the wire (with the transport per peer), the queue of events for the runtime, the
//! configuration and the random source for tags, Call-IDs and branches. The user agent owns
//! one; calls, registrations, subscriptions and messages borrow it while they work, so none
//! of them needs the user agent itself.

use std::collections::VecDeque;

use crate::transaction::Outbox;
use crate::ua::api::{Event, UaConfig};

pub(crate) type Rng = crate::random::Random;

#[derive(Debug)]
pub(crate) struct Output {
    pub config: UaConfig,
    pub rng: Rng,
    pub transmits: Outbox,
    pub events: VecDeque<Event>,
}

impl Output {
    pub(crate) fn new(config: UaConfig) -> Self {
        Output {
            rng: Rng::new(config.rng_seed),
            config,
            transmits: Outbox::default(),
            events: VecDeque::new(),
        }
    }

    pub(crate) fn diagnostic(&mut self, text: String) {
        tracing::debug!("{text}");
        self.events.push_back(Event::Diagnostic(text));
    }
}
