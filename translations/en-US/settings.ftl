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

setting-language-label = Language
setting-language-help = Language of the phone's screen and of this web interface.

setting-timezone-label = Time zone
setting-timezone-help = Time zone of the clock on the phone's screen, e.g. UTC or Europe/Berlin.
