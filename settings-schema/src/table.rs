//! The table: every setting in one line.
//!
//! ```text
//! name: Kind = "default", Page/section, option, option(arg), …;
//! ```
//!
//! Kinds: `Text(max_len)`, `Int(min..=max)`, `IntOrEmpty(min..=max)`, `Bool`,
//! `Choice["a", "b"]`, `Host`, `IpAddr`, `Port`, `Url`, `TimeZone`, `TimeOfDay`,
//! `CodecList`, `SipResponses(max_len)`. Options: `idx(identity)`, `idx(fkey)` or
//! `idx(n)` for indexed settings, `models(LIST)` when not every model has it,
//! `secret` (write-only), `user` (the user role may change it, not only the
//! administrator), `implemented` (code acts on the value; without it the reference
//! says the setting has no effect yet). The label and help texts are
//! `setting-<name>-label` and `-help` in `translations/*/settings.ftl`, the section
//! heading `web-section-<page>-<section>`. The order is the order on each page.
//!
//! The macro also generates [`keys`]: a typed constant per setting (`keys::user_name`,
//! an [`IndexedKey`]; `keys::language`, a [`Key`]), so that no code outside this crate
//! spells a setting name.

use crate::{IndexKind, IndexedKey, Key, Kind, Models, Page, Setting};

/// Models with Wi-Fi (see `models::Model::wifi`).
const WIFI: Models = Models::Only(&["DP480C"]);
/// Models with a colour display (see `models::Model::colour`).
const COLOUR: Models = Models::Only(&["DP480C", "DP320C"]);

macro_rules! kind {
    (Text($n:literal)) => { Kind::Text { max_len: $n } };
    (SipResponses($n:literal)) => { Kind::SipResponses { max_len: $n } };
    (Int($a:literal ..= $b:literal)) => { Kind::Int { min: $a, max: $b } };
    (IntOrEmpty($a:literal ..= $b:literal)) => { Kind::IntOrEmpty { min: $a, max: $b } };
    (Choice[$($c:literal),* $(,)?]) => { Kind::Choice(&[$($c),*]) };
    ($k:ident) => { Kind::$k };
}

macro_rules! option {
    ($s:ident, idx(identity)) => {
        $s.idx(IndexKind::Identity)
    };
    ($s:ident, idx(fkey)) => {
        $s.idx(IndexKind::FunctionKey)
    };
    ($s:ident, idx($n:literal)) => {
        $s.idx(IndexKind::Count($n))
    };
    ($s:ident, models($m:ident)) => {
        $s.models($m)
    };
    ($s:ident, secret) => {
        $s.secret()
    };
    ($s:ident, user) => {
        $s.user()
    };
    ($s:ident, implemented) => {
        $s.implemented()
    };
}

macro_rules! key {
    ($name:ident;) => {
        #[doc = concat!("`", stringify!($name), "`")]
        pub const $name: Key = Key::new(stringify!($name));
    };
    ($name:ident; idx(identity) $($rest:tt)*) => {
        #[doc = concat!("`", stringify!($name), "[identity]`")]
        pub const $name: IndexedKey = IndexedKey::new(stringify!($name), IndexKind::Identity);
    };
    ($name:ident; idx(fkey) $($rest:tt)*) => {
        #[doc = concat!("`", stringify!($name), "[function key]`")]
        pub const $name: IndexedKey = IndexedKey::new(stringify!($name), IndexKind::FunctionKey);
    };
    ($name:ident; idx($n:literal) $($rest:tt)*) => {
        #[doc = concat!("`", stringify!($name), "[1..=", stringify!($n), "]`")]
        pub const $name: IndexedKey = IndexedKey::new(stringify!($name), IndexKind::Count($n));
    };
    ($name:ident; $other:tt $($rest:tt)*) => { key!($name; $($rest)*); };
}

macro_rules! settings {
    ($(
        $name:ident : $kind:ident $(($($karg:tt)*))? $([$($choice:tt)*])?
            = $default:literal, $page:ident / $section:ident
            $(, $opt:ident $(($($optarg:tt)*))?)* ;
    )*) => {
        /// The table. Order is the order of fields on each page.
        pub const SETTINGS: &[Setting] = &[$({
            let s = Setting::new(
                stringify!($name),
                kind!($kind $(($($karg)*))? $([$($choice)*])?),
                $default,
                Page::$page,
                stringify!($section),
            );
            $(let s = option!(s, $opt $(($($optarg)*))?);)*
            s
        }),*];

        /// A typed key per setting, named like the setting: [`Key`] for plain settings,
        /// [`IndexedKey`] for indexed ones.
        #[allow(non_upper_case_globals)]
        pub mod keys {
            use super::*;
            $(key!($name; $($opt $(($($optarg)*))?)*);)*
        }
    };
}

settings! {
    // ── Identity: one SIP account per index ────────────────────────────────────────
    user_active: Bool = "off", Identity/login, idx(identity), implemented;
    user_realname: Text(64) = "", Identity/login, idx(identity), user, implemented;
    user_name: Text(64) = "", Identity/login, idx(identity), implemented;
    user_host: Host = "", Identity/login, idx(identity), implemented;
    user_pname: Text(64) = "", Identity/login, idx(identity), implemented;
    user_pass: Text(128) = "", Identity/login, idx(identity), secret, implemented;
    // MD5(user:realm:password) instead of the password (RFC 2617 §3.2.2.2 HA1).
    user_hash: Text(64) = "", Identity/login, idx(identity), secret;
    user_outbound: Host = "", Identity/login, idx(identity), implemented;
    user_mailbox: Text(64) = "", Identity/login, idx(identity), user;
    user_idle_text: Text(64) = "", Identity/login, idx(identity), user;
    user_hidden: Bool = "off", Identity/login, idx(identity);
    // Seconds; RFC 3261 §10.2.1.1 suggests 3600, which vendors also ship.
    user_expiry: Int(60..=604_800) = "3600", Identity/sip, idx(identity), implemented;
    // S7: subscribe to the identity's own message summary (RFC 3842) for the message
    // waiting lamp. Unsolicited NOTIFYs are taken either way.
    user_mwi_subscribe: Bool = "off", Identity/sip, idx(identity), implemented;
    // M1: DTMF in SIP INFO (`application/dtmf-relay`): `on` sends INFO as well as
    // RFC 4733 events, `sip_info_only` INFO alone (the vendor's spelling of the values).
    user_dtmf_info: Choice["off", "on", "sip_info_only"] = "off", Identity/sip, idx(identity), implemented;
    user_proxy_require: Text(128) = "", Identity/sip, idx(identity);
    user_sipusername_as_line: Bool = "off", Identity/sip, idx(identity);
    user_q: Text(5) = "1.0", Identity/sip, idx(identity);
    user_failover_identity: Choice["none", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"] = "none", Identity/sip, idx(identity);
    user_subscription_expiry: Int(60..=86_400) = "3600", Identity/sip, idx(identity);
    user_server_type: Choice["default", "asterisk", "broadsoft", "metaswitch", "pbxnsip", "sipxecs", "sylantro", "telepo"] = "default", Identity/sip, idx(identity);
    user_descr_contact: Bool = "on", Identity/sip, idx(identity);
    user_shared_line: Bool = "off", Identity/sip, idx(identity);
    user_event_list_subscription: Bool = "off", Identity/sip, idx(identity);
    user_event_list_uri: Text(256) = "", Identity/sip, idx(identity);
    user_dp_exp: Text(256) = "", Identity/sip, idx(identity);
    user_dp: Text(1024) = "", Identity/sip, idx(identity);
    user_srtp: Bool = "off", Identity/rtp, idx(identity), implemented;
    user_savp: Choice["off", "optional", "mandatory"] = "off", Identity/rtp, idx(identity), implemented;
    user_auth_tag: Bool = "off", Identity/rtp, idx(identity), implemented;
    user_symmetrical_rtp: Bool = "off", Identity/rtp, idx(identity);
    user_full_sdp_answer: Bool = "on", Identity/rtp, idx(identity);
    user_ice: Bool = "off", Identity/rtp, idx(identity);
    user_codec_priority_list: CodecList = "", Identity/rtp, idx(identity);
    user_moh: Text(256) = "", Identity/rtp, idx(identity);
    user_auto_connect: Bool = "off", Identity/ringing, idx(identity), user;
    user_ringer: Choice["Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8", "Ringer9", "Ringer10", "Silent", "Custom"] = "Ringer1", Identity/ringing, idx(identity), user;
    user_custom: Url = "", Identity/ringing, idx(identity);
    user_alert_info: Url = "", Identity/ringing, idx(identity);

    // ── Preferences ───────────────────────────────────────────────────────────────
    // C1: the transfer key with a held and a connected call: `always` transfers at
    // once; `off` and `on` first show the destination and transfer on the second press;
    // `on` also transfers when the handset is put down with a held and a connected call.
    call_join_xfer: Choice["off", "on", "always"] = "off", Preferences/call_features, implemented;
    // C1: which held call an attended transfer connects to: the last one held (on) or
    // the first (off).
    xfer_dest_order_lifo: Bool = "off", Preferences/call_features, implemented;
    transfer_on_hangup: Bool = "off", Preferences/call_features;
    call_waiting: Choice["on", "off", "visual", "ringer"] = "on", Preferences/call_features, user;
    dnd_mode: Bool = "off", Preferences/call_features, user;
    mute_is_dnd_in_idle: Bool = "off", Preferences/call_features;
    long_cancel_is_blocking_caller: Bool = "off", Preferences/call_features;
    auto_redial: Bool = "off", Preferences/call_features, user;
    auto_redial_value: Int(1..=300) = "10", Preferences/call_features, user;
    call_completion: Bool = "off", Preferences/call_features;
    intercom_enabled: Bool = "on", Preferences/call_features;
    privacy_out: Bool = "off", Preferences/call_features, user;
    privacy_in: Bool = "off", Preferences/call_features, user;
    block_url_dialing: Bool = "off", Preferences/call_features;
    // Numbers that can always be dialled, also with the keyboard locked: the European,
    // North American and Chinese/German police numbers.
    emergency_numbers: Text(128) = "112 911 110", Preferences/call_features;
    action_blacklist_url: Url = "", Preferences/call_features;
    remote_blacklist_action_timer: Int(0..=86_400) = "0", Preferences/call_features;
    redirect_event: Choice["none", "all", "busy", "time", "busy_time"] = "none", Preferences/redirection, user;
    redirect_always: Bool = "off", Preferences/redirection, user;
    redirect_number: Text(128) = "", Preferences/redirection, user;
    redirect_busy: Text(128) = "", Preferences/redirection, user;
    redirect_time: Int(0..=600) = "20", Preferences/redirection, user;
    redirect_time_number: Text(128) = "", Preferences/redirection, user;
    redirect_ringing: Bool = "off", Preferences/redirection;
    keyboard_lock: Bool = "off", Preferences/keyboard_lock, user;
    keyboard_lock_pw: Text(32) = "", Preferences/keyboard_lock, secret, user;
    // S8: text messages (SIP MESSAGE) pop up on the idle screen; over a call only when
    // this allows it, as on the vendor's firmware (off there too).
    show_desktop_msg_in_call_screens: Bool = "off", Preferences/messages, user, implemented;
    mwi_notification: Choice["silent", "beep", "reminder"] = "silent", Preferences/messages, user;
    mwi_dialtone: Choice["normal", "stutter"] = "stutter", Preferences/messages;
    timezone: TimeZone = "UTC", Preferences/time, user, implemented;
    time_24_format: Bool = "on", Preferences/time, user;
    date_us_format: Bool = "off", Preferences/time, user;
    display_contrast: Int(1..=15) = "8", Preferences/display, user;
    backlight: Int(0..=15) = "10", Preferences/display, user;
    backlight_idle: Int(0..=15) = "3", Preferences/display, user;
    backlight_idle_timeout: Int(0..=3600) = "60", Preferences/display, user;
    display_method: Choice["full_contact", "display_name", "display_number", "display_name_number", "display_number_name"] = "display_name_number", Preferences/display, user;
    custom_bg_image_url: Url = "", Preferences/display, models(COLOUR);
    encode_display_name: Bool = "on", Preferences/display;
    led_on_new_message: Bool = "on", Preferences/leds;
    led_on_missed_call: Bool = "on", Preferences/leds;
    led_on_dnd: Bool = "on", Preferences/leds;
    blf_led_color: Choice["red", "green", "orange"] = "red", Preferences/leds, models(COLOUR);

    // ── Function keys ─────────────────────────────────────────────────────────────
    // P1..Pn as the vendor writes them: `line`, `blf <sip:bob@pbx>`,
    // `presence <sip:bob@pbx>`, `speed 123`, `dest sip:123@pbx`; empty is a line key.
    fkey: Text(256) = "", FunctionKeys/programmable, idx(fkey), implemented;
    fkey_label: Text(32) = "", FunctionKeys/programmable, idx(fkey), user;
    // Which identity the key acts for: `active` (the one in use) or an identity index.
    fkey_context: Choice["active", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"] = "active", FunctionKeys/programmable, idx(fkey);
    fkey_longpress: Bool = "on", FunctionKeys/programmable, idx(fkey);
    dkey_hold: Text(128) = "keyevent F_R", FunctionKeys/fixed_keys;
    dkey_transfer: Text(128) = "keyevent F_TRANSFER", FunctionKeys/fixed_keys;
    dkey_dnd: Text(128) = "keyevent F_DND", FunctionKeys/fixed_keys;
    dkey_redial: Text(128) = "keyevent F_REDIAL", FunctionKeys/fixed_keys;
    dkey_conf: Text(128) = "keyevent F_CONFERENCE", FunctionKeys/fixed_keys;
    dkey_directory: Text(128) = "keyevent F_ADR_BOOK", FunctionKeys/fixed_keys;
    dkey_menu: Text(128) = "keyevent F_SETTINGS", FunctionKeys/fixed_keys;
    dkey_retrieve: Text(128) = "keyevent F_RETRIEVE", FunctionKeys/fixed_keys;

    // ── Network ───────────────────────────────────────────────────────────────────
    dhcp: Bool = "on", Network/ip;
    ip_adr: IpAddr = "", Network/ip;
    netmask: IpAddr = "", Network/ip;
    gateway: IpAddr = "", Network/ip;
    dns_server1: IpAddr = "", Network/ip;
    dns_server2: IpAddr = "", Network/ip;
    dns_domain: Text(253) = "", Network/ip;
    ethernet_detect: Bool = "on", Network/ip;
    http_proxy: Host = "", Network/ip;
    // IEEE 802.1Q: VLAN ids 1 to 4094 (0 and 4095 are reserved); empty for none.
    vlan_id: IntOrEmpty(1..=4094) = "", Network/vlan;
    vlan_qos: Int(0..=7) = "0", Network/vlan;
    vlan_pc_id: IntOrEmpty(1..=4094) = "", Network/vlan;
    vlan_pc_priority: Int(0..=7) = "0", Network/vlan;
    lldp_enable: Bool = "on", Network/vlan;
    ntp_server: Host = "pool.ntp.org", Network/time;
    ntp_refresh_timer: Int(60..=86_400) = "3600", Network/time;
    http_server: Bool = "on", Network/services;
    http_port: Port = "80", Network/services;
    https_server: Bool = "on", Network/services;
    https_port: Port = "443", Network/services;
    // N2: the TR-069 port (7547) stays closed unless this is on.
    tr69_enable: Bool = "off", Network/services;
    tr69_acs_url: Url = "", Network/services;
    tr69_user: Text(64) = "", Network/services;
    tr69_pass: Text(128) = "", Network/services, secret;
    tr69_port: Port = "7547", Network/services;
    syslog_server: Host = "", Network/diagnostics;
    log_level: Int(0..=9) = "5", Network/diagnostics;
    wifi_enable: Bool = "off", Network/wifi, models(WIFI);
    wifi_ssid: Text(32) = "", Network/wifi, models(WIFI);
    wifi_security: Choice["none", "wpa2", "wpa3"] = "wpa2", Network/wifi, models(WIFI);
    wifi_psk: Text(63) = "", Network/wifi, models(WIFI), secret;
    wifi_dhcp: Bool = "on", Network/wifi, models(WIFI);

    // ── SIP/RTP ───────────────────────────────────────────────────────────────────
    local_sip_port: Port = "5060", SipRtp/sip;
    // RFC 3261 §17.1.1.1: T1 500 ms, T2 4 s.
    sip_retry_t1: Int(100..=4000) = "500", SipRtp/sip;
    sip_retry_t2: Int(1000..=16_000) = "4000", SipRtp/sip;
    // S1: seconds until a failed registration is tried again, for every identity.
    retry_after_failed_register: Int(10..=86_400) = "300", SipRtp/sip, implemented;
    // S2: final responses after which a request tries the server's next address
    // (RFC 3263 §4.3), for INVITE and other requests, and for REGISTER. RFC 3263 §4.3
    // names 503; Snom and Gigaset firmware ship these empty (pipe-separated there).
    sip_failover_response: SipResponses(256) = "503", SipRtp/sip, implemented;
    sip_failover_response_reg: SipResponses(256) = "503", SipRtp/sip, implemented;
    // RFC 4028 §4: seconds; 0 turns session timers off.
    session_timer: Int(0..=86_400) = "3600", SipRtp/sip;
    support_100rel: Bool = "on", SipRtp/sip;
    filter_registrar: Bool = "off", SipRtp/sip;
    sip_user_agent: Text(128) = "", SipRtp/sip;
    keepalive_interval: Int(0..=3600) = "30", SipRtp/nat;
    stun_server: Host = "", SipRtp/nat;
    stun_interval: Int(0..=3600) = "60", SipRtp/nat;
    rtp_port_start: Port = "49152", SipRtp/rtp;
    rtp_port_end: Port = "65534", SipRtp/rtp;
    codec_priority_list: CodecList = "pcmu,pcma,g722,telephone-event", SipRtp/rtp, implemented;
    codec_size: Choice["10", "20", "30", "40", "60"] = "20", SipRtp/rtp;
    // RFC 4733 §2.1: a dynamic payload type, 96 to 127.
    dtmf_payload_type: Int(96..=127) = "101", SipRtp/rtp;
    rtcp_xr: Bool = "off", SipRtp/rtp;

    // ── QoS/Security ──────────────────────────────────────────────────────────────
    // DSCP EF (46) and CS5 (40) in the TOS byte: 184 and 160.
    tos_rtp: Int(0..=255) = "184", QosSecurity/qos;
    tos_sip: Int(0..=255) = "160", QosSecurity/qos;
    http_user: Text(64) = "admin", QosSecurity/web_access;
    // Empty: the runtime generates a password on first start.
    http_pass: Text(128) = "", QosSecurity/web_access, secret;
    http_user_user: Text(64) = "user", QosSecurity/web_access;
    http_user_pass: Text(128) = "", QosSecurity/web_access, secret;
    http_scheme: Choice["basic", "digest"] = "digest", QosSecurity/web_access;
    admin_mode_password: Text(128) = "", QosSecurity/web_access, secret;
    // P7: 0 accepts wildcard certificates.
    host_name_validation_flags: Int(0..=31) = "0", QosSecurity/certificates, implemented;
    https_validation_ignore: Bool = "off", QosSecurity/certificates;

    // ── Provisioning ──────────────────────────────────────────────────────────────
    setting_server: Url = "", Provisioning/server, implemented;
    pnp_config: Bool = "on", Provisioning/server;
    // P3: seconds per try of one server address.
    swupd_curl_timeouts: Int(1..=300) = "30", Provisioning/server, implemented;
    settings_refresh_timer: Int(0..=2_592_000) = "0", Provisioning/server;
    // P4: poll every period (rel) or once a day at a time (abs).
    prov_polling_enabled: Bool = "off", Provisioning/polling, implemented;
    prov_polling_mode: Choice["abs", "rel"] = "rel", Provisioning/polling, implemented;
    prov_polling_period: Int(10..=2_592_000) = "86400", Provisioning/polling, implemented;
    prov_polling_time: TimeOfDay = "03:00", Provisioning/polling, implemented;

    // ── Update ────────────────────────────────────────────────────────────────────
    update_policy: Choice["auto_update", "ask_for_update", "never_update_firm", "never_update_boot", "settings_only"] = "auto_update", Update/firmware;
    firmware_status: Url = "", Update/firmware;
    firmware: Url = "", Update/firmware;
    // Minutes between checks of `firmware_status`; 0 never.
    firmware_interval: Int(0..=44_640) = "2880", Update/firmware;

    // ── Language ──────────────────────────────────────────────────────────────────
    language: Choice["English", "Deutsch", "Français"] = "English", Language/language, user, implemented;
    web_language: Choice["English", "Deutsch", "Français"] = "English", Language/language, user, implemented;

    // ── Audio ─────────────────────────────────────────────────────────────────────
    ringer_volume: Int(0..=15) = "8", Audio/volume, user;
    handset_volume: Int(0..=15) = "8", Audio/volume, user;
    speaker_volume: Int(0..=15) = "8", Audio/volume, user;
    headset_volume: Int(0..=15) = "8", Audio/volume, user;
    increased_ringer_volume: Bool = "off", Audio/volume, user;
    vol_handset_mic: Int(1..=8) = "4", Audio/volume;
    vol_headset_mic: Int(1..=8) = "4", Audio/volume;
    vol_speaker_mic: Int(1..=8) = "4", Audio/volume;
    // Call progress tones of a country (ITU-T E.180 Supplement 2), by the vendor's codes.
    tone_scheme: Choice["AUS", "AUT", "CHN", "DNK", "FRA", "GER", "GBR", "IND", "ITA", "JPN", "MEX", "NLD", "NOR", "NZL", "ESP", "SWE", "SWI", "USA"] = "USA", Audio/tones;
    cw_dialtone: Bool = "on", Audio/tones;
    keytones: Bool = "on", Audio/tones, user;
    ring_sound: Choice["Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8", "Ringer9", "Ringer10", "Silent"] = "Ringer1", Audio/ringers, user;
    alert_internal_ring_sound: Choice["Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8", "Ringer9", "Ringer10", "Silent"] = "Ringer2", Audio/ringers;
    alert_external_ring_sound: Choice["Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8", "Ringer9", "Ringer10", "Silent"] = "Ringer1", Audio/ringers;
    alert_group_ring_sound: Choice["Ringer1", "Ringer2", "Ringer3", "Ringer4", "Ringer5", "Ringer6", "Ringer7", "Ringer8", "Ringer9", "Ringer10", "Silent"] = "Ringer3", Audio/ringers;
    headset_device: Choice["none", "headset_rj", "headset_usb"] = "none", Audio/devices, user;
    // Multicast paging: listen on up to ten address:port pairs, lower index first.
    mc_address: Host = "", Audio/multicast, idx(10);
    mc_priority: Int(1..=10) = "5", Audio/multicast, idx(10);

    // ── Action URLs: the phone fetches these on events; `$remote`, `$local`, … ───
    action_setup_url: Url = "", ActionUrls/calls;
    action_incoming_url: Url = "", ActionUrls/calls;
    action_outgoing_url: Url = "", ActionUrls/calls;
    action_offhook_url: Url = "", ActionUrls/calls;
    action_onhook_url: Url = "", ActionUrls/calls;
    action_connected_url: Url = "", ActionUrls/calls;
    action_disconnected_url: Url = "", ActionUrls/calls;
    action_missed_url: Url = "", ActionUrls/calls;
    action_hold_url: Url = "", ActionUrls/calls;
    action_unhold_url: Url = "", ActionUrls/calls;
    action_transfer_url: Url = "", ActionUrls/calls;
    action_mute_url: Url = "", ActionUrls/calls;
    action_unmute_url: Url = "", ActionUrls/calls;
    action_dnd_on_url: Url = "", ActionUrls/status;
    action_dnd_off_url: Url = "", ActionUrls/status;
    action_redirection_on_url: Url = "", ActionUrls/status;
    action_redirection_off_url: Url = "", ActionUrls/status;
    action_reg_on_url: Url = "", ActionUrls/status;
    action_reg_failed_url: Url = "", ActionUrls/status;
    action_log_on_url: Url = "", ActionUrls/status;
    action_log_off_url: Url = "", ActionUrls/status;
}
