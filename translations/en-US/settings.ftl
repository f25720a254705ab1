### Label and help text of every setting in the settings table.
### Ids: setting-<name with _ as ->-label and setting-<name>-help.
### A unit test fails when a setting has no label or help here.

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

setting-user-outbound-label = Outbound proxy
setting-user-outbound-help = Host name or IP address, optionally with :port, of a proxy that all requests of this identity go through. Leave empty to send them to the registrar.

setting-user-expiry-label = Registration interval
setting-user-expiry-help = How long, in seconds, the registrar should keep this identity registered. The phone renews the registration before it runs out.

setting-retry-after-failed-register-label = Retry after failed registration
setting-retry-after-failed-register-help = Seconds to wait before trying again when a registration failed or the registrar granted none, for every identity.

setting-sip-failover-response-label = Failover responses
setting-sip-failover-response-help = SIP responses after which a call tries the server's next address, separated by commas: a code, optionally with its reason phrase (e.g. 503, 500 Server Internal Error). Empty: fail over only when the server does not answer or is unreachable.

setting-sip-failover-response-reg-label = Failover responses to registration
setting-sip-failover-response-reg-help = SIP responses after which a registration tries the registrar's next address, separated by commas: a code, optionally with its reason phrase (e.g. 503, 480 Temporarily Unavailable).

setting-language-label = Language
setting-language-help = Language of the phone's screen and of this web interface.

setting-timezone-label = Time zone
setting-timezone-help = Time zone of the clock on the phone's screen, e.g. UTC or Europe/Berlin.

setting-show-desktop-msg-in-call-screens-label = Show text messages during calls
setting-show-desktop-msg-in-call-screens-help = Also show received text messages on the call screens, not only on the idle screen.

setting-user-mwi-subscribe-label = Subscribe to message waiting
setting-user-mwi-subscribe-help = Ask the server of this identity for voicemail notifications (message waiting indication).

setting-fkey-label = Function
setting-fkey-help = What this key does: line, blf sip:user@host (busy lamp and speed dial), presence sip:user@host (availability and speed dial), speed number, or dest number.

setting-user-dtmf-info-label = DTMF via SIP INFO
setting-user-dtmf-info-help = Send keypad digits during a call as SIP INFO messages: off, on (in addition to RTP events) or sip_info_only.

setting-call-join-xfer-label = Transfer key with a held call
setting-call-join-xfer-help = always: the transfer key connects the held call with the current one at once. off and on: the first press shows the destination, the second transfers; on also transfers when you hang up.

setting-xfer-dest-order-lifo-label = Transfer to the last held call
setting-xfer-dest-order-lifo-help = With several held calls, an attended transfer goes to the call held last (on) or first (off).
