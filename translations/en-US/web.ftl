### Texts of the administrator's web UI (/).

web-title = { -brand-name } administration
web-brand = { -brand-name }
web-connecting = Connecting to the phone…
web-connected = Connected
web-nav-label = Sections
web-nav-status = Status

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
