### Texte der Web-Oberfläche für Administratoren (/).

web-title = { -brand-name } Verwaltung
web-brand = { -brand-name }
web-company = { -company-name }
web-logo-alt = Logo von { -company-name }
web-connecting = Verbinde mit dem Telefon…
web-connected = Verbunden
web-nav-label = Bereiche
web-nav-status = Status
web-nav-info = Info
web-nav-support = Support

# Variables:
#   $year (String) - vierstellig
#   $month (String) - 01–12
#   $day (String) - 01–31
#   $hour (String) - 00–23
#   $minute (String) - 00–59
#   $second (String) - 00–59
web-date-time = { $day }.{ $month }.{ $year } { $hour }:{ $minute }:{ $second }

## Statusseite

web-status-title = Status
web-status-phone = Telefon
web-status-model = Modell
web-status-display = Display

# Variables:
#   $width (Number) - Breite des Displays in Pixeln
#   $height (Number) - Höhe des Displays in Pixeln
#   $colour (String) - "yes" für ein Farbdisplay, "no" für monochrom
web-status-display-value = { $width } × { $height } Pixel, { $colour ->
    [yes] farbig
   *[no] monochrom
}

web-status-function-keys = Funktionstasten
web-status-display-engine = Display-Engine
web-engine-off = Aus
web-engine-starting = Startet…
web-engine-running = Läuft

web-status-identities = Identitäten
web-status-no-identities = Keine Identität eingerichtet.
web-col-identity = Identität
web-col-name = Name
web-col-address = Adresse
web-col-registration = Registrierung
web-reg-registered = Registriert
web-reg-registering = Registriere…
web-reg-failed = Registrierung fehlgeschlagen
web-reg-not-configured = Kein Registrar (Direktwahl per IP)

web-status-calls = Aktuelle Anrufe
web-status-no-calls = Keine Anrufe.
web-col-party = Gegenstelle
web-col-direction = Richtung
web-col-phase = Zustand
web-col-duration = Dauer
web-col-codec = Codec
web-call-incoming = Eingehend
web-call-outgoing = Ausgehend
web-phase-calling = Ruft an
web-phase-ringback = Klingelt bei der Gegenstelle
web-phase-ringing = Klingelt
web-phase-connected = Verbunden
web-phase-ending = Wird beendet
web-none = –

web-status-screen = Display des Telefons
web-screen-alt = Live-Ansicht des Telefon-Displays
web-screen-engine-off = Die Live-Ansicht ist nicht verfügbar, solange die Display-Engine aus ist.
web-screen-load-failed = Das Bild des Displays konnte nicht geladen werden.

## Einstellungsformular

web-settings-identity = Identität

# Variables:
#   $index (Number) - Nummer der Identität, 1–12
web-settings-identity-option = Identität { $index }
web-settings-key = Taste
# Variables:
#   $index (Number) - the function key's number, P1 is 1
web-settings-key-option = Taste { $index }

# Variables:
#   $label (String) - Bezeichnung der Einstellung
#   $index (Number) - Nummer der Identität, 1–12
web-settings-indexed-label = { $label } von Identität { $index }

web-settings-secret-unchanged = unverändert
web-settings-save = Speichern
web-settings-saving = Speichere…
web-settings-saved = Einstellungen gespeichert.
web-settings-nothing = Es wurde nichts geändert.
web-settings-offline = Keine Verbindung zum Telefon. Bitte erneut versuchen, sobald die Verbindung wieder besteht.

# Variables:
#   $message (String) - die Fehlermeldung des Telefons, unübersetzt
web-settings-error = Das Telefon hat die Einstellungen abgelehnt: { $message }

## Prüfungen im Browser vor dem Speichern

# Variables:
#   $label (String) - Bezeichnung der Einstellung
#   $max (Number) - größte erlaubte Länge
web-invalid-too-long = { $label } ist länger als { $max } Zeichen.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
#   $min (Number) - kleinster erlaubter Wert
#   $max (Number) - größter erlaubter Wert
web-invalid-out-of-range = { $label } muss eine ganze Zahl von { $min } bis { $max } sein.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
#   $allowed (String) - die erlaubten Werte, durch Kommas getrennt
web-invalid-not-a-choice = { $label } muss einer dieser Werte sein: { $allowed }.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
web-invalid-not-a-bool = { $label } muss ein- oder ausgeschaltet sein.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
web-invalid-bad-host = { $label } muss ein Hostname oder eine IP-Adresse sein, optional gefolgt von :Port.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
web-invalid-control-character = { $label } darf keine Steuerzeichen enthalten.

# Variables:
#   $label (String) - Bezeichnung der Einstellung
web-invalid-other = { $label } ist auf diesem Telefon nicht gültig.

## Statusseite: Textnachrichten und Sprachnachrichten

web-status-messages = Textnachrichten
web-status-no-messages = Keine Textnachrichten empfangen.
web-col-from = Von
web-col-message = Nachricht
web-status-voicemail = Sprachnachrichten
web-status-no-voicemail = Keine Sprachnachrichten.
# Variables:
#   $index (Number) - identity number
#   $new (Number) - new voice messages
#   $old (Number) - old voice messages
web-status-voicemail-count = Identität { $index }: { $new } neu, { $old } alt

## Statusseite: Provisionierung

web-status-provisioning = Provisionierung
web-prov-never = Seit dem Start des Telefons wurde keine Provisionierung abgeschlossen.
web-prov-running = Einstellungen werden gerade abgerufen…
web-prov-url = Einstellungs-URL
web-prov-time = Beendet
web-prov-result = Ergebnis

# Variables:
#   $files (Number) - wie viele Dateien gelesen wurden
#   $changed (Number) - Einstellungen mit neuem Wert
#   $kept (Number) - Einstellungen, die behalten wurden, weil sie am Telefon geändert wurden
web-prov-ok = { $files ->
    [one] Eine Datei angewendet
   *[other] { $files } Dateien angewendet
}: { $changed } geändert, { $kept } wie am Telefon geändert behalten

web-prov-files = Dateien
web-prov-error = Fehlgeschlagen: nichts wurde angewendet
web-prov-failed-file = Fehlerhafte Datei
web-prov-line = Zeile
web-prov-setting = Einstellung
web-prov-reason = Grund (vom Telefon, unübersetzt)

# Variables:
#   $time (String) - Datum und Uhrzeit, aus web-date-time
web-prov-next-poll = Nächster Abruf: { $time }

## Infoseite

web-info-title = Info
web-info-software = Software
web-info-firmware = Firmware-Version
web-info-build = Build
web-info-hardware = Hardware
web-info-model = Modell
web-info-mac = MAC-Adresse
web-info-expansion-modules = Erweiterungsmodule
web-info-network = Netzwerk
web-info-http-address = Adresse der Web-Oberfläche
web-info-sip-address = SIP-Adresse
web-info-running = Betrieb
web-info-started = Gestartet
web-info-uptime = Laufzeit

# Variables:
#   $days (Number) - ganze Tage
#   $time (String) - der Rest als Stunden:Minuten:Sekunden
web-info-uptime-value = { $days ->
    [0] { $time }
    [one] 1 Tag, { $time }
   *[other] { $days } Tage, { $time }
}

## Supportseite

web-support-title = Support
web-support-archive = Diagnosearchiv
web-support-archive-help = Hängen Sie dieses Archiv an, wenn Sie ein Problem melden: Es zeigt dem Support, was das Telefon getan hat. Es ist eine tar.gz-Datei mit:
web-support-member-state = dem aktuellen Zustand des Telefons (Identitäten, Anrufe, Provisionierung)
web-support-member-settings = den Einstellungen, ohne Passwörter
web-support-member-info = Firmware, Modell, MAC-Adresse und Laufzeit
web-support-member-log = dem jüngsten Protokoll des Telefons (bis zu 2000 Zeilen)
web-support-no-secrets = Passwörter und andere Geheimnisse sind nie im Archiv.
web-support-download = Diagnosearchiv herunterladen

# Variables:
#   $index (Number) - die Nummer der Identität, 1 bis 12
web-settings-remove-identity = Identität { $index } entfernen
# Variables:
#   $index (Number) - die Nummer der Identität, 1 bis 12
web-settings-remove-identity-confirm = Identität { $index } entfernen? Ihre Einstellungen kehren zu den Vorgaben zurück, und die an sie gebundenen Funktionstasten werden geleert.
