### Texts of the settings table and its form.
### Setting ids: setting-<name with _ as ->-label and setting-<name>-help.
### Pages: web-page-<id> (navigation and heading) and web-page-<id>-help.
### Sections: web-section-<page id>-<section>.
### A unit test in settings-schema fails when one is missing or unused.

## Pages

web-page-identity = Identities
web-page-identity-help = SIP accounts of this phone. Identity 1 is the one shown on the phone's screen.
web-page-preferences = Preferences
web-page-preferences-help = How the phone handles calls, what its screen and lamps show, and its clock.
web-page-function-keys = Function keys
web-page-function-keys-help = What the programmable keys next to the display and the fixed keys do.
web-page-network = Network
web-page-network-help = Addresses, VLAN, time server and the services the phone offers on the network.
web-page-sip-rtp = SIP/RTP
web-page-sip-rtp-help = Signalling and media settings shared by all identities.
web-page-qos-security = QoS/Security
web-page-qos-security-help = Traffic priorities, access to this web interface and certificate checks.
web-page-provisioning = Provisioning
web-page-provisioning-help = Where the phone fetches its settings from and how often.
web-page-update = Update
web-page-update-help = When and from where the phone updates its software.
web-page-language = Language
web-page-language-help = Languages of the phone's screen and of this web interface.
web-page-audio = Audio
web-page-audio-help = Volumes, tones, ring melodies, headset and multicast paging.
web-page-action-urls = Action URLs
web-page-action-urls-help = Web addresses the phone calls when something happens, e.g. to open a customer record.

## Sections

web-section-identity-login = Login
web-section-identity-sip = SIP
web-section-identity-rtp = Media
web-section-identity-ringing = Ringing
web-section-preferences-call-features = Call features
web-section-preferences-redirection = Call forwarding
web-section-preferences-keyboard-lock = Keyboard lock
web-section-preferences-messages = Messages
web-section-preferences-time = Date and time
web-section-preferences-display = Display
web-section-preferences-leds = Lamps
web-section-function-keys-programmable = Programmable keys
web-section-function-keys-fixed-keys = Fixed keys
web-section-network-ip = IP
web-section-network-vlan = VLAN
web-section-network-time = Time server
web-section-network-services = Services
web-section-network-diagnostics = Diagnostics
web-section-network-wifi = Wi-Fi
web-section-sip-rtp-sip = SIP
web-section-sip-rtp-nat = NAT
web-section-sip-rtp-rtp = RTP
web-section-qos-security-qos = Quality of service
web-section-qos-security-web-access = Web access
web-section-qos-security-certificates = Certificates
web-section-provisioning-server = Server
web-section-provisioning-polling = Polling
web-section-update-firmware = Firmware
web-section-language-language = Language
web-section-audio-volume = Volume
web-section-audio-tones = Tones
web-section-audio-ringers = Ring melodies
web-section-audio-devices = Devices
web-section-audio-multicast = Multicast paging
web-section-action-urls-calls = Calls
web-section-action-urls-status = Status

## The settings form

web-settings-source-default = default
# Variables:
#   $url (String) - the provisioning file the value came from
web-settings-source-provisioned = provisioned from { $url }
web-settings-source-local = changed locally
web-settings-index = Number
# Variables:
#   $index (Number) - the index, from 1
web-settings-index-option = Number { $index }
web-settings-reset = Reset
# Variables:
#   $label (String) - the setting's label
web-settings-reset-title = Reset { $label } to its default
web-settings-not-implemented = This setting is stored but has no effect yet.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-ip = { $label } must be an IPv4 or IPv6 address.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-port = { $label } must be a port from 1 to 65535.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-url = { $label } must be an http, https, ftp or tftp address.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-zone = { $label } must be a time zone from the list.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-of-day = { $label } must be a time as HH:MM.
# Variables:
#   $label (String) - the setting's label
#   $allowed (String) - the codec names
web-invalid-bad-codec-list = { $label } must list codecs separated by commas, each once, from: { $allowed }.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-response-list = { $label } must list SIP responses separated by commas, e.g. 503, 500 Server Internal Error.
# Variables:
#   $label (String) - the setting's label
web-invalid-read-only = { $label } was set read-only by provisioning.

## Identity: login

setting-user-active-label = Active
setting-user-active-help = Use this identity: register it (when a registrar is set) and accept calls for it.
setting-user-realname-label = Display name
setting-user-realname-help = The name shown on the phone's screen and sent to the people you call.
setting-user-name-label = User name
setting-user-name-help = The SIP user name (the part before @ in your address).
setting-user-host-label = Registrar
setting-user-host-help = Host name or IP address of the SIP server, optionally with :port. Leave empty for direct IP calls.
setting-user-pname-label = Authentication user name
setting-user-pname-help = The user name the SIP server asks for when it checks your password. Leave empty to use the user name.
setting-user-pass-label = Password
setting-user-pass-help = The SIP password. It is never shown again; leave the field empty to keep it.
setting-user-hash-label = Password hash
setting-user-hash-help = The MD5 hash of user name, realm and password, used instead of the password. It is never shown again.
setting-user-outbound-label = Outbound proxy
setting-user-outbound-help = Host name or IP address, optionally with :port, of a proxy that all requests of this identity go through. Leave empty to send them to the registrar.
setting-user-mailbox-label = Mailbox
setting-user-mailbox-help = The number or address that the message key dials to reach your voicemail.
setting-user-idle-text-label = Idle screen text
setting-user-idle-text-help = Text shown on the idle screen instead of the identity's name.
setting-user-hidden-label = Hidden
setting-user-hidden-help = Keep this identity off the screen's identity list; it still registers and takes calls.

## Identity: SIP

setting-user-expiry-label = Registration interval
setting-user-expiry-help = How long, in seconds, the registrar should keep this identity registered. The phone renews the registration before it runs out.
setting-user-mwi-subscribe-label = Subscribe to message waiting
setting-user-mwi-subscribe-help = Ask the server of this identity for voicemail notifications (message waiting indication).
setting-user-dtmf-info-label = DTMF via SIP INFO
setting-user-dtmf-info-help = Send keypad digits during a call as SIP INFO messages: off, on (in addition to RTP events) or sip_info_only.
setting-user-proxy-require-label = Proxy-Require
setting-user-proxy-require-help = Extensions to name in a Proxy-Require header of every request; empty for none.
setting-user-sipusername-as-line-label = User name as line name
setting-user-sipusername-as-line-help = Show the SIP user name instead of the display name on the line keys.
setting-user-q-label = Contact priority
setting-user-q-help = The q value of this phone's contact when several devices share the identity, from 0.0 to 1.0.
setting-user-failover-identity-label = Failover identity
setting-user-failover-identity-help = The identity to use for calls while this one is not registered.
setting-user-subscription-expiry-label = Subscription interval
setting-user-subscription-expiry-help = How long, in seconds, event subscriptions (lamps, voicemail) of this identity last before they are renewed.
setting-user-server-type-label = Server type
setting-user-server-type-help = The kind of SIP server, for its particular behaviour; default for a standard server.
setting-user-descr-contact-label = Name in Contact
setting-user-descr-contact-help = Put the display name into the Contact header too.
setting-user-shared-line-label = Shared line
setting-user-shared-line-help = This identity is shared with other phones: show their calls and let you pick them up.
setting-user-event-list-subscription-label = Subscribe to an event list
setting-user-event-list-subscription-help = Watch the lamps of many users with one subscription to a list on the server.
setting-user-event-list-uri-label = Event list address
setting-user-event-list-uri-help = The SIP address of the server's list of users to watch.
setting-user-dp-exp-label = Dial plan expression
setting-user-dp-exp-help = A pattern of numbers that are dialled as soon as they are complete, without pressing the dial key.
setting-user-dp-label = Dial plan
setting-user-dp-help = Rules that rewrite dialled numbers before they are sent.

## Identity: media

setting-user-srtp-label = Encrypted media (SRTP)
setting-user-srtp-help = Offer encrypted audio on calls of this identity.
setting-user-savp-label = Require encryption
setting-user-savp-help = Whether encrypted audio is off, offered (optional) or required (mandatory) in the call setup.
setting-user-auth-tag-label = 32-bit SRTP authentication tag
setting-user-auth-tag-help = Prefer AES_CM_128_HMAC_SHA1_32 (4 octets less per packet) to the 80-bit tag when offering or accepting encrypted audio.
setting-user-symmetrical-rtp-label = Symmetric RTP
setting-user-symmetrical-rtp-help = Send audio to the address the other side's audio comes from, which helps behind NAT.
setting-user-full-sdp-answer-label = Full SDP answer
setting-user-full-sdp-answer-help = Answer with every offered codec the phone supports, not only the chosen one.
setting-user-ice-label = ICE
setting-user-ice-help = Find a working media path through NAT with ICE candidates.
setting-user-codec-priority-list-label = Codecs
setting-user-codec-priority-list-help = Codecs of this identity in order of preference, separated by commas; empty to use the common list.
setting-user-moh-label = Music on hold
setting-user-moh-help = The SIP address of a music on hold server for calls you put on hold; empty for silence.

## Identity: ringing

setting-user-auto-connect-label = Answer automatically
setting-user-auto-connect-help = Answer calls to this identity at once on the speaker.
setting-user-ringer-label = Ring melody
setting-user-ringer-help = The melody for calls to this identity.
setting-user-custom-label = Custom melody
setting-user-custom-help = The address of a sound file to play when the ring melody is Custom.
setting-user-alert-info-label = Alert-Info melody
setting-user-alert-info-help = The address of a sound file to play when a call asks for a special ring.

## Preferences: call features

setting-call-join-xfer-label = Transfer key with a held call
setting-call-join-xfer-help = always: the transfer key connects the held call with the current one at once. off and on: the first press shows the destination, the second transfers; on also transfers when you hang up.
setting-xfer-dest-order-lifo-label = Transfer to the last held call
setting-xfer-dest-order-lifo-help = With several held calls, an attended transfer goes to the call held last (on) or first (off).
setting-transfer-on-hangup-label = Transfer on hang-up
setting-transfer-on-hangup-help = Hanging up during a transfer completes it.
setting-call-waiting-label = Call waiting
setting-call-waiting-help = How a second call shows during a call: on (tone and screen), visual (screen only), ringer, or off (busy).
setting-dnd-mode-label = Do not disturb
setting-dnd-mode-help = Reject incoming calls as busy.
setting-mute-is-dnd-in-idle-label = Mute key is do not disturb
setting-mute-is-dnd-in-idle-help = The mute key turns do not disturb on and off when there is no call.
setting-long-cancel-is-blocking-caller-label = Long cancel blocks the caller
setting-long-cancel-is-blocking-caller-help = Holding the cancel key on a ringing call rejects it and blocks the caller.
setting-auto-redial-label = Redial when busy
setting-auto-redial-help = Call a busy number again automatically.
setting-auto-redial-value-label = Redial after
setting-auto-redial-value-help = Seconds to wait before redialling a busy number.
setting-call-completion-label = Call completion
setting-call-completion-help = Offer to call back a busy or unanswered number when it becomes free.
setting-intercom-enabled-label = Intercom
setting-intercom-enabled-help = Answer intercom calls automatically on the speaker.
setting-privacy-out-label = Hide my number
setting-privacy-out-help = Ask the network not to show your number to the people you call.
setting-privacy-in-label = Reject anonymous calls
setting-privacy-in-help = Reject calls that do not show the caller's number.
setting-block-url-dialing-label = Numbers only
setting-block-url-dialing-help = Allow dialling numbers only, no SIP addresses with letters.
setting-emergency-numbers-label = Emergency numbers
setting-emergency-numbers-help = Numbers, separated by blanks, that can always be dialled, also with the keyboard locked.
setting-action-blacklist-url-label = Block list address
setting-action-blacklist-url-help = A web address the phone calls to add a blocked caller to a block list on a server.
setting-remote-blacklist-action-timer-label = Block list refresh
setting-remote-blacklist-action-timer-help = Seconds between fetches of the server's block list; 0 never.

## Preferences: call forwarding

setting-redirect-event-label = Forward calls
setting-redirect-event-help = When to forward calls: none, all, when busy, after a time, or when busy and after a time.
setting-redirect-always-label = Forward all calls
setting-redirect-always-help = Forward every call to the forwarding number at once.
setting-redirect-number-label = Forwarding number
setting-redirect-number-help = Where all calls are forwarded.
setting-redirect-busy-label = Forward when busy to
setting-redirect-busy-help = Where calls are forwarded while you are busy.
setting-redirect-time-label = Forward after
setting-redirect-time-help = Seconds a call rings before it is forwarded.
setting-redirect-time-number-label = Forward unanswered calls to
setting-redirect-time-number-help = Where calls are forwarded that you do not answer in time.
setting-redirect-ringing-label = Ring briefly when forwarding
setting-redirect-ringing-help = Ring shortly for a call that is forwarded, so you notice it.

## Preferences: keyboard lock

setting-keyboard-lock-label = Keyboard lock
setting-keyboard-lock-help = Lock the keys; only emergency numbers can be dialled until the PIN is entered.
setting-keyboard-lock-pw-label = Unlock PIN
setting-keyboard-lock-pw-help = The PIN that unlocks the keys. It is never shown again.

## Preferences: messages

setting-show-desktop-msg-in-call-screens-label = Show text messages during calls
setting-show-desktop-msg-in-call-screens-help = Also show received text messages on the call screens, not only on the idle screen.
setting-mwi-notification-label = New voicemail alert
setting-mwi-notification-help = How new voicemail is announced: silently, with a beep, or with a repeated reminder.
setting-mwi-dialtone-label = Dial tone with voicemail
setting-mwi-dialtone-help = The dial tone while there is new voicemail: normal or stutter.

## Preferences: date and time

setting-timezone-label = Time zone
setting-timezone-help = Time zone of the clock on the phone's screen, e.g. UTC or Europe/Berlin.
setting-time-24-format-label = 24-hour clock
setting-time-24-format-help = Show times on the 24-hour clock instead of AM/PM.
setting-date-us-format-label = US date format
setting-date-us-format-help = Show dates as month/day instead of day.month.

## Preferences: display

setting-display-contrast-label = Contrast
setting-display-contrast-help = Contrast of the display, from 1 to 15.
setting-backlight-label = Backlight
setting-backlight-help = Brightness of the display while in use, from 0 (off) to 15.
setting-backlight-idle-label = Idle backlight
setting-backlight-idle-help = Brightness of the display while idle, from 0 (off) to 15.
setting-backlight-idle-timeout-label = Dim after
setting-backlight-idle-timeout-help = Seconds without use before the display dims to the idle brightness.
setting-display-method-label = Caller display
setting-display-method-help = What the screen shows of a caller: the full contact, the name, the number, or both in either order.
setting-custom-bg-image-url-label = Background image
setting-custom-bg-image-url-help = The address of an image for the idle screen's background.
setting-encode-display-name-label = Encode display names
setting-encode-display-name-help = Send display names with special characters in quoted, escaped form.

## Preferences: lamps

setting-led-on-new-message-label = Lamp for new messages
setting-led-on-new-message-help = Light the message lamp while there is new voicemail or an unread message.
setting-led-on-missed-call-label = Lamp for missed calls
setting-led-on-missed-call-help = Light the message lamp while there are missed calls.
setting-led-on-dnd-label = Lamp for do not disturb
setting-led-on-dnd-help = Light the do not disturb key's lamp while it is on.
setting-blf-led-color-label = Busy lamp colour
setting-blf-led-color-help = The colour of a busy lamp key while the watched user is on a call.

## Function keys

setting-fkey-label = Function
setting-fkey-help = What this key does: line, blf sip:user@host (busy lamp and speed dial), presence sip:user@host (availability and speed dial), speed number, or dest number.
setting-fkey-label-label = Label
setting-fkey-label-help = The text shown next to the key; empty for the phone's own.
setting-fkey-context-label = Identity
setting-fkey-context-help = Which identity the key acts for: the active one or a fixed identity.
setting-fkey-longpress-label = Long press
setting-fkey-longpress-help = Holding the key down opens its settings.
setting-dkey-hold-label = Hold key
setting-dkey-hold-help = What the hold key does, e.g. keyevent F_R.
setting-dkey-transfer-label = Transfer key
setting-dkey-transfer-help = What the transfer key does, e.g. keyevent F_TRANSFER.
setting-dkey-dnd-label = Do not disturb key
setting-dkey-dnd-help = What the do not disturb key does, e.g. keyevent F_DND.
setting-dkey-redial-label = Redial key
setting-dkey-redial-help = What the redial key does, e.g. keyevent F_REDIAL.
setting-dkey-conf-label = Conference key
setting-dkey-conf-help = What the conference key does, e.g. keyevent F_CONFERENCE.
setting-dkey-directory-label = Directory key
setting-dkey-directory-help = What the directory key does, e.g. keyevent F_ADR_BOOK.
setting-dkey-menu-label = Menu key
setting-dkey-menu-help = What the menu key does, e.g. keyevent F_SETTINGS.
setting-dkey-retrieve-label = Voicemail key
setting-dkey-retrieve-help = What the voicemail key does, e.g. keyevent F_RETRIEVE.

## Network

setting-dhcp-label = DHCP
setting-dhcp-help = Get the address, netmask, gateway and DNS servers from a DHCP server.
setting-ip-adr-label = IP address
setting-ip-adr-help = The phone's IP address when DHCP is off.
setting-netmask-label = Netmask
setting-netmask-help = The network mask when DHCP is off, e.g. 255.255.255.0.
setting-gateway-label = Gateway
setting-gateway-help = The IP address of the router when DHCP is off.
setting-dns-server1-label = DNS server
setting-dns-server1-help = The IP address of the first DNS server when DHCP is off.
setting-dns-server2-label = Second DNS server
setting-dns-server2-help = The IP address of a DNS server to ask when the first does not answer.
setting-dns-domain-label = DNS domain
setting-dns-domain-help = The domain added to host names without a dot.
setting-ethernet-detect-label = Detect cable
setting-ethernet-detect-help = Warn on the screen when the network cable is unplugged.
setting-http-proxy-label = HTTP proxy
setting-http-proxy-help = Host name or address, optionally with :port, of a proxy for the phone's web requests; empty for none.
setting-vlan-id-label = VLAN id
setting-vlan-id-help = The VLAN of the phone, from 1 to 4094; empty for none.
setting-vlan-qos-label = VLAN priority
setting-vlan-qos-help = The 802.1p priority of the phone's frames, from 0 to 7.
setting-vlan-pc-id-label = PC port VLAN id
setting-vlan-pc-id-help = The VLAN of the computer port, from 1 to 4094; empty for none.
setting-vlan-pc-priority-label = PC port VLAN priority
setting-vlan-pc-priority-help = The 802.1p priority of the computer port's frames, from 0 to 7.
setting-lldp-enable-label = LLDP
setting-lldp-enable-help = Announce the phone with LLDP and take the VLAN the switch offers.
setting-ntp-server-label = Time server
setting-ntp-server-help = The NTP server the phone sets its clock from.
setting-ntp-refresh-timer-label = Time refresh
setting-ntp-refresh-timer-help = Seconds between two queries of the time server.
setting-http-server-label = Web server (HTTP)
setting-http-server-help = Offer this web interface over plain HTTP.
setting-http-port-label = HTTP port
setting-http-port-help = The TCP port of the web interface over HTTP.
setting-https-server-label = Web server (HTTPS)
setting-https-server-help = Offer this web interface over HTTPS.
setting-https-port-label = HTTPS port
setting-https-port-help = The TCP port of the web interface over HTTPS.
setting-tr69-enable-label = TR-069
setting-tr69-enable-help = Let an auto-configuration server manage the phone over TR-069; the port stays closed when off.
setting-tr69-acs-url-label = TR-069 server
setting-tr69-acs-url-help = The address of the auto-configuration server.
setting-tr69-user-label = TR-069 user name
setting-tr69-user-help = The user name the phone logs in to the auto-configuration server with.
setting-tr69-pass-label = TR-069 password
setting-tr69-pass-help = The password for the auto-configuration server. It is never shown again.
setting-tr69-port-label = TR-069 port
setting-tr69-port-help = The TCP port on which the server may ask the phone to connect.
setting-syslog-server-label = Syslog server
setting-syslog-server-help = Host name or address, optionally with :port, that receives the phone's log; empty for none.
setting-log-level-label = Log level
setting-log-level-help = How much the phone logs, from 0 (nothing) to 9 (everything).
setting-wifi-enable-label = Wi-Fi
setting-wifi-enable-help = Connect to the network over Wi-Fi instead of the cable.
setting-wifi-ssid-label = Network name
setting-wifi-ssid-help = The name (SSID) of the Wi-Fi network.
setting-wifi-security-label = Wi-Fi security
setting-wifi-security-help = How the Wi-Fi network is protected.
setting-wifi-psk-label = Wi-Fi password
setting-wifi-psk-help = The password of the Wi-Fi network. It is never shown again.
setting-wifi-dhcp-label = DHCP on Wi-Fi
setting-wifi-dhcp-help = Get the address over Wi-Fi from a DHCP server.

## SIP/RTP

setting-local-sip-port-label = Local SIP port
setting-local-sip-port-help = The UDP and TCP port the phone receives SIP on.
setting-sip-retry-t1-label = Retransmission timer T1
setting-sip-retry-t1-help = Milliseconds before the first retransmission of a request over UDP.
setting-sip-retry-t2-label = Retransmission timer T2
setting-sip-retry-t2-help = The longest time in milliseconds between retransmissions over UDP.
setting-retry-after-failed-register-label = Retry after failed registration
setting-retry-after-failed-register-help = Seconds to wait before trying again when a registration failed or the registrar granted none, for every identity.
setting-sip-failover-response-label = Failover responses
setting-sip-failover-response-help = SIP responses after which a call tries the server's next address, separated by commas: a code, optionally with its reason phrase (e.g. 503, 500 Server Internal Error). Empty: fail over only when the server does not answer or is unreachable.
setting-sip-failover-response-reg-label = Failover responses to registration
setting-sip-failover-response-reg-help = SIP responses after which a registration tries the registrar's next address, separated by commas: a code, optionally with its reason phrase (e.g. 503, 480 Temporarily Unavailable).
setting-session-timer-label = Session timer
setting-session-timer-help = Seconds after which a call is refreshed to check it still exists; 0 for none.
setting-support-100rel-label = Reliable provisional responses
setting-support-100rel-help = Support 100rel (PRACK) for ringing and early media.
setting-filter-registrar-label = Calls only from the registrar
setting-filter-registrar-help = Accept incoming calls only from the registrar of an identity.
setting-sip-user-agent-label = User-Agent
setting-sip-user-agent-help = The User-Agent header the phone sends; empty for its own name and version.
setting-keepalive-interval-label = Keep-alive interval
setting-keepalive-interval-help = Seconds between keep-alive packets that hold NAT bindings open; 0 for none.
setting-stun-server-label = STUN server
setting-stun-server-help = Host name or address, optionally with :port, of a STUN server that tells the phone its public address.
setting-stun-interval-label = STUN interval
setting-stun-interval-help = Seconds between two STUN queries.
setting-rtp-port-start-label = First RTP port
setting-rtp-port-start-help = The lowest UDP port for audio.
setting-rtp-port-end-label = Last RTP port
setting-rtp-port-end-help = The highest UDP port for audio.
setting-codec-priority-list-label = Codecs
setting-codec-priority-list-help = Codecs in order of preference, separated by commas.
setting-codec-size-label = Packet size
setting-codec-size-help = Milliseconds of audio per RTP packet.
setting-dtmf-payload-type-label = DTMF payload type
setting-dtmf-payload-type-help = The RTP payload type of keypad events, from 96 to 127.
setting-rtcp-xr-label = RTCP extended reports
setting-rtcp-xr-help = Send call quality reports (RTCP XR) during calls.

## QoS/Security

setting-tos-rtp-label = TOS for audio
setting-tos-rtp-help = The TOS byte of audio packets, from 0 to 255 (184 is DSCP EF).
setting-tos-sip-label = TOS for SIP
setting-tos-sip-help = The TOS byte of SIP packets, from 0 to 255 (160 is DSCP CS5).
setting-http-user-label = Administrator user name
setting-http-user-help = The user name for the administrator's login to this web interface.
setting-http-pass-label = Administrator password
setting-http-pass-help = The administrator's password for this web interface. It is never shown again.
setting-http-user-user-label = User login name
setting-http-user-user-help = The user name for the user's login, which may change only the user's settings.
setting-http-user-pass-label = User password
setting-http-user-pass-help = The password for the user's login. It is never shown again.
setting-http-scheme-label = Login method
setting-http-scheme-help = How the web interface asks for the password: basic or digest authentication.
setting-admin-mode-password-label = Administrator PIN
setting-admin-mode-password-help = The PIN that opens the administrator menu on the phone. It is never shown again.
setting-host-name-validation-flags-label = Certificate name checks
setting-host-name-validation-flags-help = How strictly a server certificate's name must match; 0 accepts wildcard certificates.
setting-https-validation-ignore-label = Ignore certificate errors
setting-https-validation-ignore-help = Accept HTTPS servers whose certificate cannot be verified. Unsafe.

## Provisioning

setting-setting-server-label = Provisioning server
setting-setting-server-help = The address of the settings file; {"{"}mac{"}"} and {"{"}model{"}"} are replaced by the phone's.
setting-pnp-config-label = Plug and play
setting-pnp-config-help = Ask the network for a provisioning server when none is set.
setting-swupd-curl-timeouts-label = Download timeout
setting-swupd-curl-timeouts-help = Seconds to wait for one server address before trying the next.
setting-settings-refresh-timer-label = Refresh interval
setting-settings-refresh-timer-help = Seconds between two fetches of the settings file; 0 never.
setting-prov-polling-enabled-label = Polling
setting-prov-polling-enabled-help = Fetch the settings file regularly.
setting-prov-polling-mode-label = Polling mode
setting-prov-polling-mode-help = rel: every polling period; abs: once a day at the polling time.
setting-prov-polling-period-label = Polling period
setting-prov-polling-period-help = Seconds between two fetches in mode rel.
setting-prov-polling-time-label = Polling time
setting-prov-polling-time-help = The time of day, HH:MM, of the daily fetch in mode abs.

## Update

setting-update-policy-label = Update policy
setting-update-policy-help = Whether the phone updates its software by itself, asks first, or never updates.
setting-firmware-status-label = Firmware status file
setting-firmware-status-help = The address of the file that names the current software.
setting-firmware-label = Firmware
setting-firmware-help = The address of a software image to install.
setting-firmware-interval-label = Update check interval
setting-firmware-interval-help = Minutes between two checks of the firmware status file; 0 never.

## Language

setting-language-label = Language
setting-language-help = Language of the phone's screen.
setting-web-language-label = Web language
setting-web-language-help = Language of this web interface.

## Audio

setting-ringer-volume-label = Ringer volume
setting-ringer-volume-help = Volume of the ring melody, from 0 to 15.
setting-handset-volume-label = Handset volume
setting-handset-volume-help = Volume in the handset, from 0 to 15.
setting-speaker-volume-label = Speaker volume
setting-speaker-volume-help = Volume of the loudspeaker, from 0 to 15.
setting-headset-volume-label = Headset volume
setting-headset-volume-help = Volume in the headset, from 0 to 15.
setting-increased-ringer-volume-label = Rising ring
setting-increased-ringer-volume-help = Start ringing quietly and get louder.
setting-vol-handset-mic-label = Handset microphone
setting-vol-handset-mic-help = Gain of the handset's microphone, from 1 to 8.
setting-vol-headset-mic-label = Headset microphone
setting-vol-headset-mic-help = Gain of the headset's microphone, from 1 to 8.
setting-vol-speaker-mic-label = Speakerphone microphone
setting-vol-speaker-mic-help = Gain of the microphone for hands-free calls, from 1 to 8.
setting-tone-scheme-label = Tone scheme
setting-tone-scheme-help = The country whose dial, ring and busy tones the phone plays.
setting-cw-dialtone-label = Call waiting tone
setting-cw-dialtone-help = Play a tone when a second call arrives during a call.
setting-keytones-label = Key tones
setting-keytones-help = Play a short tone when a key is pressed.
setting-ring-sound-label = Ring melody
setting-ring-sound-help = The melody for calls that ask for no particular one.
setting-alert-internal-ring-sound-label = Internal ring melody
setting-alert-internal-ring-sound-help = The melody for calls the server marks as internal.
setting-alert-external-ring-sound-label = External ring melody
setting-alert-external-ring-sound-help = The melody for calls the server marks as external.
setting-alert-group-ring-sound-label = Group ring melody
setting-alert-group-ring-sound-help = The melody for calls to a group the server marks as such.
setting-headset-device-label = Headset
setting-headset-device-help = Which headset is connected: none, one on the headset jack, or a USB headset.
setting-mc-address-label = Multicast address
setting-mc-address-help = IP address and port on which the phone listens for paging announcements.
setting-mc-priority-label = Multicast priority
setting-mc-priority-help = Priority of announcements on this address, from 1 (highest) to 10.

## Action URLs

setting-action-setup-url-label = Setup finished
setting-action-setup-url-help = Called when the phone has started.
setting-action-incoming-url-label = Incoming call
setting-action-incoming-url-help = Called when a call comes in.
setting-action-outgoing-url-label = Outgoing call
setting-action-outgoing-url-help = Called when you place a call.
setting-action-offhook-url-label = Off hook
setting-action-offhook-url-help = Called when the handset is lifted.
setting-action-onhook-url-label = On hook
setting-action-onhook-url-help = Called when the handset is put down.
setting-action-connected-url-label = Connected
setting-action-connected-url-help = Called when a call is connected.
setting-action-disconnected-url-label = Disconnected
setting-action-disconnected-url-help = Called when a call ends.
setting-action-missed-url-label = Missed call
setting-action-missed-url-help = Called when a call was missed.
setting-action-hold-url-label = Hold
setting-action-hold-url-help = Called when a call is put on hold.
setting-action-unhold-url-label = Resume
setting-action-unhold-url-help = Called when a held call is resumed.
setting-action-transfer-url-label = Transfer
setting-action-transfer-url-help = Called when a call is transferred.
setting-action-mute-url-label = Mute
setting-action-mute-url-help = Called when the microphone is muted.
setting-action-unmute-url-label = Unmute
setting-action-unmute-url-help = Called when the microphone is turned back on.
setting-action-dnd-on-url-label = Do not disturb on
setting-action-dnd-on-url-help = Called when do not disturb is turned on.
setting-action-dnd-off-url-label = Do not disturb off
setting-action-dnd-off-url-help = Called when do not disturb is turned off.
setting-action-redirection-on-url-label = Forwarding on
setting-action-redirection-on-url-help = Called when call forwarding is turned on.
setting-action-redirection-off-url-label = Forwarding off
setting-action-redirection-off-url-help = Called when call forwarding is turned off.
setting-action-reg-on-url-label = Registered
setting-action-reg-on-url-help = Called when an identity has registered.
setting-action-reg-failed-url-label = Registration failed
setting-action-reg-failed-url-help = Called when a registration failed.
setting-action-log-on-url-label = Logged on
setting-action-log-on-url-help = Called when a user logs on to the phone.
setting-action-log-off-url-label = Logged off
setting-action-log-off-url-help = Called when a user logs off the phone.
