//! Key names as used by `/command.htm?key=KEY` (R1), the web keypad and the
//! device keypad.

use std::fmt;

/// A key of the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `0`–`9`, `*`, `#`.
    Digit(char),
    Enter,
    Cancel,
    OffHook,
    OnHook,
    Up,
    Down,
    Left,
    Right,
    VolumeUp,
    VolumeDown,
    Redial,
    Dnd,
    Speaker,
    Headset,
    Mute,
    Transfer,
    /// Hold (`F_R`; older scripts send `F_HOLD`).
    Hold,
    Disconnect,
    /// Soft keys under the display, `F1`..`F4`.
    Soft(u8),
    /// Function (line) keys `P1`..`Pn`.
    Function(u16),
    /// Expansion module keys `EK0`..`EKn`.
    Expansion(u16),
}

impl Key {
    /// Reads an established key name; `None` for names the phone does not
    /// have (function keys beyond the model's count, expansion module keys beyond the
    /// `expansion_keys` of the modules connected).
    pub fn parse(name: &str, function_keys: u32, expansion_keys: u32) -> Option<Key> {
        let key = match name {
            "ENTER" => Key::Enter,
            "CANCEL" => Key::Cancel,
            "OFFHOOK" => Key::OffHook,
            "ONHOOK" => Key::OnHook,
            "UP" => Key::Up,
            "DOWN" => Key::Down,
            "LEFT" => Key::Left,
            "RIGHT" => Key::Right,
            "VOLUME_UP" => Key::VolumeUp,
            "VOLUME_DOWN" => Key::VolumeDown,
            "REDIAL" | "F_REDIAL" => Key::Redial,
            "DND" => Key::Dnd,
            "SPEAKER" => Key::Speaker,
            "HEADSET" => Key::Headset,
            "MUTE" => Key::Mute,
            "TRANSFER" => Key::Transfer,
            "F_R" | "F_HOLD" => Key::Hold,
            "DISCONNECT" => Key::Disconnect,
            _ => {
                let mut chars = name.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    if c.is_ascii_digit() || c == '*' || c == '#' {
                        return Some(Key::Digit(c));
                    }
                    return None;
                }
                let number = |prefix: &str| -> Option<u16> {
                    let rest = name.strip_prefix(prefix)?;
                    if rest.is_empty()
                        || rest.starts_with('+')
                        || (rest.len() > 1 && rest.starts_with('0'))
                    {
                        return None;
                    }
                    rest.parse().ok()
                };
                if let Some(n) = number("EK").filter(|n| u32::from(*n) < expansion_keys) {
                    return Some(Key::Expansion(n));
                }
                if let Some(n) = number("F").filter(|n| (1..=4).contains(n)) {
                    return Some(Key::Soft(n as u8));
                }
                if let Some(n) = number("P").filter(|n| *n >= 1 && u32::from(*n) <= function_keys) {
                    return Some(Key::Function(n));
                }
                return None;
            }
        };
        Some(key)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Digit(c) => write!(f, "{c}"),
            Key::Soft(n) => write!(f, "F{n}"),
            Key::Function(n) => write!(f, "P{n}"),
            Key::Expansion(n) => write!(f, "EK{n}"),
            other => {
                let name = match other {
                    Key::Enter => "ENTER",
                    Key::Cancel => "CANCEL",
                    Key::OffHook => "OFFHOOK",
                    Key::OnHook => "ONHOOK",
                    Key::Up => "UP",
                    Key::Down => "DOWN",
                    Key::Left => "LEFT",
                    Key::Right => "RIGHT",
                    Key::VolumeUp => "VOLUME_UP",
                    Key::VolumeDown => "VOLUME_DOWN",
                    Key::Redial => "REDIAL",
                    Key::Dnd => "DND",
                    Key::Speaker => "SPEAKER",
                    Key::Headset => "HEADSET",
                    Key::Mute => "MUTE",
                    Key::Transfer => "TRANSFER",
                    Key::Hold => "F_R",
                    _ => "DISCONNECT",
                };
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn established_names() {
        for name in [
            "0",
            "9",
            "*",
            "#",
            "ENTER",
            "CANCEL",
            "OFFHOOK",
            "ONHOOK",
            "UP",
            "DOWN",
            "LEFT",
            "RIGHT",
            "VOLUME_UP",
            "VOLUME_DOWN",
            "REDIAL",
            "DND",
            "SPEAKER",
            "HEADSET",
            "MUTE",
            "TRANSFER",
            "F_R",
            "DISCONNECT",
            "F1",
            "F4",
            "P1",
            "P12",
            "EK0",
            "EK47",
        ] {
            let key = Key::parse(name, 12, 48).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(key.to_string(), name);
        }
        assert_eq!(Key::parse("F_HOLD", 12, 0), Some(Key::Hold));
        assert_eq!(Key::parse("F_REDIAL", 12, 0), Some(Key::Redial));
    }

    #[test]
    fn bad_names() {
        for name in [
            "", "a", "10", "F0", "F5", "P0", "P13", "P01", "EK", "offhook", "P+1", "ENTER ",
        ] {
            assert_eq!(Key::parse(name, 12, 48), None, "{name:?}");
        }
        // Without an expansion module there are no EK keys; with one, only its own.
        assert_eq!(Key::parse("EK0", 12, 0), None);
        assert_eq!(Key::parse("EK47", 12, 48), Some(Key::Expansion(47)));
        assert_eq!(Key::parse("EK48", 12, 48), None);
    }
}
