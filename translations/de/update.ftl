### Die Seite Software-Update der Weboberfläche (F1).

web-update-nav = Software-Update
web-update-title = Software-Update
web-update-running = Laufende Firmware
web-update-version = Version
web-update-slot = Slot
web-update-load-title = Firmware laden
web-update-load-help = Geben Sie die Adresse eines Firmware-Images für dieses Modell ein. Das Telefon lädt es herunter, prüft Größe, SHA256 und Signatur, installiert es neben der laufenden Firmware und startet damit neu. Startet die neue Firmware nicht richtig, kehrt das Telefon von selbst zur bisherigen zurück.
web-update-url = Image-URL
web-update-load = Laden
# Variables:
#   $reason (String) - the phone's answer, e.g. that an update is already running
web-update-start-refused = Das Update wurde nicht gestartet: { $reason }
web-update-start-unreachable = Das Telefon antwortet nicht. Prüfen Sie die Verbindung und versuchen Sie es erneut.
web-update-progress-title = Fortschritt
web-update-phase-idle = Es läuft kein Update.
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
web-update-phase-downloading = Download: { $received } MB
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
#   $total (String) - megabytes of the whole image, e.g. 80.1
web-update-phase-downloading-of = Download: { $received } von { $total } MB
web-update-phase-verifying = Größe, SHA256 und Signatur werden geprüft …
web-update-phase-installing = Installation in den freien Slot …
web-update-phase-rebooting = Neustart mit der neuen Firmware …
# Variables:
#   $message (String) - what was installed, e.g. "version 0.3.0 installed in slot b"
web-update-outcome-ok = Letztes Update: { $message }
# Variables:
#   $message (String) - why the update was refused or undone
web-update-outcome-failed = Letztes Update fehlgeschlagen: { $message }
# Variables:
#   $version (String) - the version the phone goes on to, e.g. 1.0.0
web-update-then = Diese Version ist ein Zwischenschritt: Das Telefon installiert Version { $version } selbst, sobald sie einwandfrei läuft.
web-update-recovery = Netzwerk-Wiederherstellung: Die installierte Firmware konnte nicht starten. Das Telefon führt das Programm aus, mit dem es installiert wurde, und installiert das Wiederherstellungs-Abbild (Update-Einstellungen, „Wiederherstellungs-Abbild“).
# Variables:
#   $url (String) - the address of the firmware image provisioning names
web-update-offered = Die Provisionierung bietet ein Firmware-Abbild an: { $url }
web-update-install-offered = Installieren
