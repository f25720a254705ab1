### The Customisation page of the web UI (F3).

web-custom-nav = Customisation
web-custom-title = Customisation
web-custom-in-use = In use
web-custom-defaults = The product's own look (no package)
# Variables:
#   $source (String) - where the package came from: "web upload", a provisioning URL or custom_bg_image_url
#   $message (String) - what was installed
web-custom-last-ok = Last change ({ $source }): { $message }
# Variables:
#   $source (String) - where the package came from
#   $message (String) - why it was refused
web-custom-last-failed = Last package refused ({ $source }): { $message }
web-custom-default = Download the default files
web-custom-reset = Back to the defaults
web-custom-upload = Upload a package
web-custom-upload-help = A package is a .tar.gz archive with a manifest.json and the files it names: logo (PNG or SVG), wallpaper (PNG or JPEG, at most the display's size), company name, colours, ringtones (WAV) and language files. Start from the default files. The phone checks every file first and shows the result below; nothing changes until you apply it, and a package with any bad file changes nothing.
web-custom-file = Package
web-custom-checking = Checking the package…
# Variables:
#   $name (String) - the package's name from its manifest
web-custom-checked = “{ $name }” passed every check. The preview shows it; apply it to use it.
web-custom-applying = Applying…
web-custom-applied = Done: the phone uses the new look.
# Variables:
#   $reason (String) - the phone's reason, e.g. which file is too large
web-custom-refused = Refused, nothing changed: { $reason }
# Variables:
#   $status (Number) - the HTTP status, 0 when the phone did not answer
web-custom-failed = The phone did not take the package (HTTP { $status }).
web-custom-apply = Apply
web-custom-preview = Preview of the phone's screen
# Variables:
#   $names (String) - the ringers replaced, e.g. "Ringer1, Ringer2"
web-custom-ringtones = Ringtones: { $names }
# Variables:
#   $files (String) - the language files replaced, e.g. "de/phone.ftl"
web-custom-languages = Language files: { $files }
