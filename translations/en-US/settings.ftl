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

setting-user-pass-label = Password
setting-user-pass-help = The SIP password. It is never shown again; leave the field empty to keep it.

setting-language-label = Language
setting-language-help = Language of the phone's screen and of this web interface.

setting-timezone-label = Time zone
setting-timezone-help = Time zone of the clock on the phone's screen, e.g. UTC or Europe/Berlin.
