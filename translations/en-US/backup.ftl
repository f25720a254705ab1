### The web UI's backup page: settings export and import (administrator only).

web-nav-backup = Backup
web-backup-title = Backup
web-backup-export = Export settings
web-backup-export-help = Download every setting of this phone as a settings file (XML, the provisioning format). Passwords and other secrets are not in it.
web-backup-export-download = Download settings file
web-backup-import = Import settings
web-backup-import-help = Choose a settings file. The phone first shows what it would change; nothing changes until you apply it. A file with one bad value is refused as a whole.
web-backup-file = Settings file
web-backup-checking = Checking the file…
web-backup-nothing = The file changes nothing: every value in it is already set.

# Variables:
#   $count (Number) - how many settings the file would change
web-backup-preview = { $count ->
    [one] The file would change 1 setting:
   *[other] The file would change { $count } settings:
}

web-backup-applying = Applying…

# Variables:
#   $count (Number) - how many settings were changed
web-backup-applied = { $count ->
    [one] Applied: 1 setting changed.
   *[other] Applied: { $count } settings changed.
}

web-backup-refused = The file was refused; nothing was changed.

# Variables:
#   $status (Number) - the HTTP status of the phone's answer, 0 when it did not answer
web-backup-failed = The phone did not accept the request (HTTP { $status }); nothing was changed.

web-backup-col-setting = Setting
web-backup-col-from = Now
web-backup-col-to = After import
web-backup-secret-hidden = (secret)
web-backup-secret-changed = changed

# A setting in the preview table.
# Variables:
#   $label (String) - the setting's label
#   $key (String) - the setting's key, e.g. user_realname[1]
web-backup-setting = { $label } ({ $key })
web-backup-apply = Apply these changes

## Provisioning card of the status page

web-prov-fetch-now = Fetch settings now

# Variables:
#   $status (Number) - the HTTP status of the phone's answer, 0 when it did not answer
web-prov-fetch-failed = The phone did not start fetching (HTTP { $status }).
