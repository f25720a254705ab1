### Texts of the administrator's web UI (/).

web-title = { -brand-name } administration
web-brand = { -brand-name }
web-company = { -company-name }
web-logo-alt = { -company-name } logo
web-connecting = Connecting to the phone…
web-connected = Connected
web-nav-label = Sections
web-nav-status = Status
web-nav-info = Info
web-nav-support = Support

# A date and time, e.g. on the status and info pages.
# Variables:
#   $year (String) - four digits
#   $month (String) - 01–12
#   $day (String) - 01–31
#   $hour (String) - 00–23
#   $minute (String) - 00–59
#   $second (String) - 00–59
web-date-time = { $year }-{ $month }-{ $day } { $hour }:{ $minute }:{ $second }

## Status page

web-status-title = Status
web-status-phone = Phone
web-status-model = Model
web-status-display = Display

# Variables:
#   $width (Number) - display width in pixels
#   $height (Number) - display height in pixels
#   $colour (String) - "yes" for a colour display, "no" for monochrome
web-status-display-value = { $width } × { $height } pixels, { $colour ->
    [yes] colour
   *[no] monochrome
}

web-status-function-keys = Function keys
web-status-display-engine = Display engine
web-engine-off = Off
web-engine-starting = Starting…
web-engine-running = Running

web-status-identities = Identities
web-status-no-identities = No identity is configured.
web-col-identity = Identity
web-col-name = Name
web-col-address = Address
web-col-registration = Registration
web-reg-registered = Registered
web-reg-registering = Registering…
web-reg-failed = Registration failed
web-reg-not-configured = No registrar (direct IP calls)

web-status-calls = Current calls
web-status-no-calls = No calls.
web-col-party = Party
web-col-direction = Direction
web-col-phase = State
web-col-duration = Duration
web-col-codec = Codec
web-call-incoming = Incoming
web-call-outgoing = Outgoing
web-phase-calling = Calling
web-phase-ringback = Ringing at the other end
web-phase-ringing = Ringing
web-phase-connected = Connected
web-phase-ending = Ending
web-none = –

web-status-screen = Phone screen
web-screen-alt = Live view of the phone's screen
web-screen-engine-off = The live screen is not available while the display engine is off.
web-screen-load-failed = The screen image could not be loaded.

## Settings form

web-settings-identity = Identity

# Variables:
#   $index (Number) - identity number, 1–12
web-settings-identity-option = Identity { $index }
web-settings-key = Key
# Variables:
#   $index (Number) - the function key's number, P1 is 1
web-settings-key-option = Key { $index }

# Variables:
#   $label (String) - the setting's label
#   $index (Number) - identity number, 1–12
web-settings-indexed-label = { $label } of identity { $index }

web-settings-secret-unchanged = unchanged
web-settings-save = Save
web-settings-saving = Saving…
web-settings-saved = Settings saved.
web-settings-nothing = Nothing has changed.
web-settings-offline = Not connected to the phone. Try again when the connection is back.

# Variables:
#   $message (String) - the phone's own error message, untranslated
web-settings-error = The phone refused the settings: { $message }

## Checks done in the browser before saving

# Variables:
#   $label (String) - the setting's label
#   $max (Number) - the longest allowed length
web-invalid-too-long = { $label } is longer than { $max } characters.

# Variables:
#   $label (String) - the setting's label
#   $min (Number) - the smallest allowed value
#   $max (Number) - the largest allowed value
web-invalid-out-of-range = { $label } must be a whole number from { $min } to { $max }.

# Variables:
#   $label (String) - the setting's label
#   $allowed (String) - the allowed values, comma-separated
web-invalid-not-a-choice = { $label } must be one of: { $allowed }.

# Variables:
#   $label (String) - the setting's label
web-invalid-not-a-bool = { $label } must be on or off.

# Variables:
#   $label (String) - the setting's label
web-invalid-bad-host = { $label } must be a host name or IP address, optionally followed by :port.

# Variables:
#   $label (String) - the setting's label
web-invalid-control-character = { $label } must not contain control characters.

# Variables:
#   $label (String) - the setting's label
web-invalid-other = { $label } is not valid on this phone.

## Status page: text messages and voicemail

web-status-messages = Text messages
web-status-no-messages = No text messages received.
web-col-from = From
web-col-message = Message
web-status-voicemail = Voicemail
web-status-no-voicemail = No voice messages waiting.
# Variables:
#   $index (Number) - identity number
#   $new (Number) - new voice messages
#   $old (Number) - old voice messages
web-status-voicemail-count = Identity { $index }: { $new } new, { $old } old

## Status page: provisioning

web-status-provisioning = Provisioning
web-prov-never = No provisioning run has finished since the phone started.
web-prov-running = Fetching the settings now…
web-prov-url = Settings URL
web-prov-time = Finished
web-prov-result = Result

# Variables:
#   $files (Number) - how many files were read
#   $changed (Number) - settings that took a new value
#   $kept (Number) - settings kept because they were changed on the phone
web-prov-ok = Applied { $files ->
    [one] one file
   *[other] { $files } files
}: { $changed } changed, { $kept } kept as changed on the phone

web-prov-files = Files
web-prov-error = Failed: nothing was applied
web-prov-failed-file = File that failed
web-prov-line = Line
web-prov-setting = Setting
web-prov-reason = Reason (from the phone, untranslated)

# Variables:
#   $time (String) - date and time, from web-date-time
web-prov-next-poll = Next fetch: { $time }

## Info page

web-info-title = Info
web-info-software = Software
web-info-firmware = Firmware version
web-info-build = Build
web-info-hardware = Hardware
web-info-model = Model
web-info-mac = MAC address
web-info-expansion-modules = Expansion modules
web-info-network = Network
web-info-http-address = Web interface address
web-info-sip-address = SIP address
web-info-running = Running
web-info-started = Started
web-info-uptime = Uptime

# Variables:
#   $days (Number) - whole days
#   $time (String) - the rest as hours:minutes:seconds
web-info-uptime-value = { $days ->
    [0] { $time }
    [one] 1 day, { $time }
   *[other] { $days } days, { $time }
}

## Support page

web-support-title = Support
web-support-archive = Diagnostic archive
web-support-archive-help = When you report a problem, attach this archive: it shows support what the phone was doing. It is a tar.gz file with:
web-support-member-state = the phone's current state (identities, calls, provisioning)
web-support-member-settings = the settings, without passwords
web-support-member-info = firmware, model, MAC address and uptime
web-support-member-log = the phone's recent log (up to 2000 lines)
web-support-no-secrets = Passwords and other secrets are never in the archive.
web-support-download = Download diagnostic archive

# Variables:
#   $index (Number) - the identity's number, 1 to 12
web-settings-remove-identity = Remove identity { $index }
# Variables:
#   $index (Number) - the identity's number, 1 to 12
web-settings-remove-identity-confirm = Remove identity { $index }? Its settings go back to their defaults and the function keys bound to it are cleared.
