//! Who may use the phone's web server (R3): the credentials of its two roles and
//! which settings the user role may change. The runtime reads the web server's
//! settings only through this module, never by name.

use std::fmt;

pub use crate::Role;
use crate::{Setting, SettingError, SettingKey, SettingValues, keys, setting};

/// The web server's credentials. `Debug` shows the passwords as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebCredentials {
    pub admin_user: String,
    /// Empty until the runtime generates or is given one.
    pub admin_password: String,
    pub user_user: String,
    /// Empty: the user role is off.
    pub user_password: String,
}

impl WebCredentials {
    /// The password and role of `user`, if that user may log in. An account with an
    /// empty password does not exist: nobody logs in without a password.
    pub fn account(&self, user: &str) -> Option<(Role, &str)> {
        if user == self.admin_user && !self.admin_password.is_empty() {
            Some((Role::Admin, &self.admin_password))
        } else if user == self.user_user && !self.user_password.is_empty() {
            Some((Role::User, &self.user_password))
        } else {
            None
        }
    }
}

impl fmt::Debug for WebCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebCredentials")
            .field("admin_user", &self.admin_user)
            .field("admin_password", &"***")
            .field("user_user", &self.user_user)
            .field("user_password", &"***")
            .finish()
    }
}

impl SettingValues {
    /// The web server's credentials (`http_user`, `http_pass`, `http_user_user`,
    /// `http_user_pass`).
    pub fn web_credentials(&self) -> WebCredentials {
        WebCredentials {
            admin_user: self.value(keys::http_user).to_owned(),
            admin_password: self.value(keys::http_pass).to_owned(),
            user_user: self.value(keys::http_user_user).to_owned(),
            user_password: self.value(keys::http_user_pass).to_owned(),
        }
    }

    /// Sets the admin password (validated like any other change; nothing changes on
    /// error).
    pub fn set_admin_password(&mut self, password: &str, model: &str) -> Result<(), SettingError> {
        self.apply([(keys::http_pass.wire(), password)], model)
    }
}

/// Whether the user role may change `setting`: the table marks it `user`.
pub fn user_may_edit(setting: &Setting) -> bool {
    setting.editable_by == Role::User
}

/// Whether the user role may change the setting `key` (`name` or `name[idx]`); an unknown
/// or malformed key is refused.
pub fn user_may_edit_key(key: &str) -> bool {
    SettingKey::parse(key)
        .ok()
        .and_then(|k| setting(&k.name))
        .is_some_and(user_may_edit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_default_to_admin_without_password_and_no_user_role() {
        let c = SettingValues::default().web_credentials();
        assert_eq!(c.admin_user, "admin");
        assert_eq!(c.admin_password, "");
        assert_eq!(c.account("admin"), None);
        assert_eq!(c.account("user"), None);
    }

    #[test]
    fn accounts_resolve_to_their_role() {
        let mut v = SettingValues::default();
        v.apply(
            [("http_pass", "a-secret"), ("http_user_pass", "u-secret")],
            "DP480C",
        )
        .unwrap();
        let c = v.web_credentials();
        assert_eq!(c.account("admin"), Some((Role::Admin, "a-secret")));
        assert_eq!(c.account("user"), Some((Role::User, "u-secret")));
        assert_eq!(c.account("nobody"), None);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut v = SettingValues::default();
        v.set_admin_password("hunter2-x", "DP480C").unwrap();
        v.apply(
            [("user_pass[1]", "sip-secret"), ("user_realname[1]", "Zoë")],
            "DP480C",
        )
        .unwrap();
        let shown = format!("{v:?} {:?}", v.web_credentials());
        assert!(!shown.contains("hunter2-x"), "{shown}");
        assert!(!shown.contains("sip-secret"), "{shown}");
        assert!(shown.contains("Zoë"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn the_user_role_may_not_touch_the_web_servers_credentials() {
        assert!(user_may_edit_key("user_realname[1]"));
        assert!(user_may_edit_key("language"));
        assert!(!user_may_edit_key("http_pass"));
        assert!(!user_may_edit_key("http_user"));
        assert!(!user_may_edit_key("http_user_pass"));
        assert!(!user_may_edit_key("fkey[1]"));
        assert!(!user_may_edit_key("no_such_setting"));
    }
}
