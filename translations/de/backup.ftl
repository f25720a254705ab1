### Die Sicherungsseite der Weboberfläche: Einstellungen exportieren und importieren (nur Administrator).

web-nav-backup = Sicherung
web-backup-title = Sicherung
web-backup-export = Einstellungen exportieren
web-backup-export-help = Alle Einstellungen dieses Telefons als Einstellungsdatei herunterladen (XML, das Provisionierungsformat). Passwörter und andere Geheimnisse sind nicht enthalten.
web-backup-export-download = Einstellungsdatei herunterladen
web-backup-import = Einstellungen importieren
web-backup-import-help = Wählen Sie eine Einstellungsdatei. Das Telefon zeigt zuerst, was sich ändern würde; nichts ändert sich, bevor Sie übernehmen. Eine Datei mit einem ungültigen Wert wird als Ganzes abgelehnt.
web-backup-file = Einstellungsdatei
web-backup-checking = Datei wird geprüft…
web-backup-nothing = Die Datei ändert nichts: Jeder Wert darin ist bereits gesetzt.

# Variables:
#   $count (Number) - wie viele Einstellungen die Datei ändern würde
web-backup-preview = { $count ->
    [one] Die Datei würde 1 Einstellung ändern:
   *[other] Die Datei würde { $count } Einstellungen ändern:
}

web-backup-applying = Wird übernommen…

# Variables:
#   $count (Number) - wie viele Einstellungen geändert wurden
web-backup-applied = { $count ->
    [one] Übernommen: 1 Einstellung geändert.
   *[other] Übernommen: { $count } Einstellungen geändert.
}

web-backup-refused = Die Datei wurde abgelehnt; nichts wurde geändert.

# Variables:
#   $status (Number) - der HTTP-Status der Antwort des Telefons, 0 ohne Antwort
web-backup-failed = Das Telefon hat die Anfrage nicht angenommen (HTTP { $status }); nichts wurde geändert.

web-backup-col-setting = Einstellung
web-backup-col-from = Jetzt
web-backup-col-to = Nach dem Import
web-backup-secret-hidden = (geheim)
web-backup-secret-changed = geändert

# Eine Einstellung in der Vorschautabelle.
# Variables:
#   $label (String) - die Bezeichnung der Einstellung
#   $key (String) - der Schlüssel der Einstellung, z. B. user_realname[1]
web-backup-setting = { $label } ({ $key })
web-backup-apply = Diese Änderungen übernehmen

## Provisionierungskarte der Statusseite

web-prov-fetch-now = Einstellungen jetzt abrufen

# Variables:
#   $status (Number) - der HTTP-Status der Antwort des Telefons, 0 ohne Antwort
web-prov-fetch-failed = Das Telefon hat den Abruf nicht gestartet (HTTP { $status }).
