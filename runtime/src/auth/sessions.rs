//! Login sessions of the web UI: a random id in an `HttpOnly; SameSite=Strict` cookie,
//! a CSRF token per session that every state-changing request must echo in
//! `X-CSRF-Token`, an idle timeout, and a reset when the credentials change.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use deskphone_settings::web_access::Role;

use super::credentials::{CredentialError, random_token};

/// The cookie's name.
pub const COOKIE: &str = "deskphone_session";
/// A session unused this long is gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Sessions kept at most; a new one beyond it ends the least recently used.
const MAX_SESSIONS: usize = 64;

/// What a valid session cookie stands for.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub role: Role,
    pub user: String,
    pub csrf: String,
    last_used: Instant,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("user", &self.user)
            .field("csrf", &"***")
            .finish()
    }
}

#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sessions(***)")
    }
}

impl Sessions {
    /// Starts a session; returns its id (for the cookie) and the session.
    pub fn create(
        &self,
        role: Role,
        user: &str,
        now: Instant,
    ) -> Result<(String, Session), CredentialError> {
        let id = random_token(32)?;
        let session = Session {
            role,
            user: user.to_owned(),
            csrf: random_token(32)?,
            last_used: now,
        };
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| now.duration_since(s.last_used) < IDLE_TIMEOUT);
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.last_used)
                .map(|(id, _)| id.clone())
        {
            map.remove(&oldest);
        }
        map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The live session of `id`, marked as used now; an idle one is dropped.
    pub fn get(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        let session = map.get_mut(id)?;
        if now.duration_since(session.last_used) >= IDLE_TIMEOUT {
            map.remove(id);
            return None;
        }
        session.last_used = now;
        Some(session.clone())
    }

    pub fn remove(&self, id: &str) {
        self.by_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Ends every session (the credentials changed).
    pub fn clear(&self) {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4: `a=1; b=2`).
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_live_until_idle_or_cleared() {
        let sessions = Sessions::default();
        let t0 = Instant::now();
        let (id, s) = sessions.create(Role::User, "user", t0).unwrap();
        assert_eq!(s.role, Role::User);
        assert_eq!(id.len(), 64);
        assert_ne!(id, s.csrf);
        let half = t0 + IDLE_TIMEOUT / 2;
        assert_eq!(sessions.get(&id, half).unwrap().csrf, s.csrf);
        // Used at `half`: still alive a bit after t0 + IDLE_TIMEOUT.
        assert!(
            sessions
                .get(&id, t0 + IDLE_TIMEOUT + Duration::from_secs(1))
                .is_some()
        );
        assert!(sessions.get(&id, t0 + IDLE_TIMEOUT * 3).is_none());
        let (id2, _) = sessions.create(Role::Admin, "admin", t0).unwrap();
        sessions.clear();
        assert!(sessions.get(&id2, t0).is_none());
        assert!(sessions.get("not-a-session", t0).is_none());
        assert!(!format!("{s:?}").contains(&s.csrf));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        assert_eq!(
            cookie_value("a=1; deskphone_session=abc; b=2", COOKIE),
            Some("abc")
        );
        assert_eq!(cookie_value("deskphone_session_x=1", COOKIE), None);
    }
}
