//! HTTP Basic (RFC 7617): `Authorization: Basic base64(user:password)`, what `curl -u`
//! sends. Only over a trusted network: the password travels readable.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::credentials::Secret;

/// The user and password of a Basic `Authorization` value (after the scheme), or `None`
/// when it is not valid base64 of UTF-8 `user:password` (RFC 7617 §2).
pub fn parse(credentials: &str) -> Option<(String, Secret)> {
    let bytes = STANDARD.decode(credentials.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    // The user name cannot contain a colon; the password can (RFC 7617 §2).
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Secret::new(password)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_password_with_colons() {
        let encoded = STANDARD.encode("admin:pa:ss wörd");
        let (user, password) = parse(&encoded).unwrap();
        assert_eq!(user, "admin");
        assert_eq!(password.expose(), "pa:ss wörd");
    }

    #[test]
    fn refuses_what_is_not_base64_of_user_colon_password() {
        assert!(parse("!!!").is_none());
        assert!(parse(&STANDARD.encode("no-colon")).is_none());
        assert!(parse(&STANDARD.encode([0xff, 0x3a, 0x41])).is_none());
    }
}
