### The Software Update page of the web UI (F1).

web-update-nav = Software update
web-update-title = Software update
web-update-running = Running firmware
web-update-version = Version
web-update-slot = Slot
web-update-load-title = Load firmware
web-update-load-help = Paste the address of a firmware image for this model. The phone downloads it, checks its size, SHA256 and signature, installs it beside the running firmware and restarts into it. If the new firmware does not start properly, the phone goes back to the current one by itself.
web-update-url = Image URL
web-update-load = Load
# Variables:
#   $reason (String) - the phone's answer, e.g. that an update is already running
web-update-start-refused = The update did not start: { $reason }
web-update-start-unreachable = The phone did not answer. Check the connection and try again.
web-update-progress-title = Progress
web-update-phase-idle = No update is running.
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
web-update-phase-downloading = Downloading: { $received } MB
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
#   $total (String) - megabytes of the whole image, e.g. 80.1
web-update-phase-downloading-of = Downloading: { $received } of { $total } MB
web-update-phase-verifying = Verifying size, SHA256 and signature…
web-update-phase-installing = Installing into the inactive slot…
web-update-phase-rebooting = Restarting into the new firmware…
# Variables:
#   $message (String) - what was installed, e.g. "version 0.3.0 installed in slot b"
web-update-outcome-ok = Last update: { $message }
# Variables:
#   $message (String) - why the update was refused or undone
web-update-outcome-failed = Last update failed: { $message }
# Variables:
#   $version (String) - the version the phone goes on to, e.g. 1.0.0
web-update-then = This version is a step on the way: the phone installs version { $version } by itself once it runs properly.
web-update-recovery = Network recovery: the installed firmware could not start. The phone runs the program it was installed with and installs the recovery image (Update settings, “Recovery image”).
# Variables:
#   $url (String) - the address of the firmware image provisioning names
web-update-offered = Provisioning offers a firmware image: { $url }
web-update-install-offered = Install it
