### Die Seite „Anpassung“ der Weboberfläche (F3).

web-custom-nav = Anpassung
web-custom-title = Anpassung
web-custom-in-use = In Gebrauch
web-custom-defaults = Das eigene Aussehen des Produkts (kein Paket)
# Variables:
#   $source (String) - where the package came from: "web upload", a provisioning URL or custom_bg_image_url
#   $message (String) - what was installed
web-custom-last-ok = Letzte Änderung ({ $source }): { $message }
# Variables:
#   $source (String) - where the package came from
#   $message (String) - why it was refused
web-custom-last-failed = Letztes Paket abgelehnt ({ $source }): { $message }
web-custom-default = Standarddateien herunterladen
web-custom-reset = Zurück zum Standard
web-custom-upload = Paket hochladen
web-custom-upload-help = Ein Paket ist ein .tar.gz-Archiv mit einer manifest.json und den Dateien, die sie nennt: Logo (PNG oder SVG), Hintergrundbild (PNG oder JPEG, höchstens so groß wie das Display), Firmenname, Farben, Klingeltöne (WAV) und Sprachdateien. Beginnen Sie mit den Standarddateien. Das Telefon prüft zuerst jede Datei und zeigt das Ergebnis unten; nichts ändert sich, bevor Sie es anwenden, und ein Paket mit einer fehlerhaften Datei ändert nichts.
web-custom-file = Paket
web-custom-checking = Paket wird geprüft…
# Variables:
#   $name (String) - the package's name from its manifest
web-custom-checked = „{ $name }“ hat alle Prüfungen bestanden. Die Vorschau zeigt es; wenden Sie es an, um es zu verwenden.
web-custom-applying = Wird angewendet…
web-custom-applied = Fertig: Das Telefon verwendet das neue Aussehen.
# Variables:
#   $reason (String) - the phone's reason, e.g. which file is too large
web-custom-refused = Abgelehnt, nichts geändert: { $reason }
# Variables:
#   $status (Number) - the HTTP status, 0 when the phone did not answer
web-custom-failed = Das Telefon hat das Paket nicht angenommen (HTTP { $status }).
web-custom-apply = Anwenden
web-custom-preview = Vorschau des Telefondisplays
# Variables:
#   $names (String) - the ringers replaced, e.g. "Ringer1, Ringer2"
web-custom-ringtones = Klingeltöne: { $names }
# Variables:
#   $files (String) - the language files replaced, e.g. "de/phone.ftl"
web-custom-languages = Sprachdateien: { $files }
