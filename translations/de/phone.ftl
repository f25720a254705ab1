### Texte auf dem Display des Telefons (/phone). Kurz halten: das kleinste
### Modell hat ein Display mit 128×64 Pixeln.

phone-brand = { -brand-name }

## Verbindungsaufbau

phone-connecting = Verbinde…
phone-connecting-hint = Warte auf den { -brand-name }-Dienst

## Registrierungsstatus von Identität 1 (Statuszeile)

phone-reg-registered = Registriert
phone-reg-registering = Registriere…
phone-reg-failed = Registrierung fehlgeschlagen
phone-reg-not-configured = Direkt-IP

## Ruhebildschirm

phone-idle-no-identity = Keine Identität eingerichtet

# Variables:
#   $hour (String) - Stunde, 00–23
#   $minute (String) - Minute, 00–59
phone-time = { $hour }:{ $minute }

# Variables:
#   $weekday (String) - kurzer Wochentag, aus phone-weekday-*
#   $day (String) - Tag im Monat, 1–31
#   $month (String) - kurzer Monatsname, aus phone-month-*
#   $year (String) - vierstelliges Jahr
phone-date = { $weekday }, { $day }. { $month } { $year }

phone-weekday-mon = Mo.
phone-weekday-tue = Di.
phone-weekday-wed = Mi.
phone-weekday-thu = Do.
phone-weekday-fri = Fr.
phone-weekday-sat = Sa.
phone-weekday-sun = So.

phone-month-jan = Jan.
phone-month-feb = Feb.
phone-month-mar = März
phone-month-apr = Apr.
phone-month-may = Mai
phone-month-jun = Juni
phone-month-jul = Juli
phone-month-aug = Aug.
phone-month-sep = Sep.
phone-month-oct = Okt.
phone-month-nov = Nov.
phone-month-dec = Dez.

## Wählen

phone-dial-title = Wählen
phone-dial-hint-empty = Nummer eingeben
phone-dial-hint = Mit „Wählen“ anrufen

## Eingehender Anruf

phone-incoming-title = Eingehender Anruf
phone-unknown-party = Unbekannt

## Im Gespräch

phone-call-calling = Rufe an…
phone-call-ringback = Es klingelt…
phone-call-connected = Verbunden
phone-call-held = Gehalten
# The lock: the call's audio is encrypted (SRTP) both ways.
phone-call-encrypted = Verschlüsselt
phone-call-ending = Beende Anruf…

# Variables:
#   $count (Number) - wie viele weitere Anrufe das Telefon hat
phone-call-more = { $count ->
    [one] +1 weiterer Anruf
   *[other] +{ $count } weitere Anrufe
}

## Vermitteln (C1)

# Variables:
#   $target (String) - das bisher eingegebene Vermittlungsziel
phone-transfer-dialling = Vermitteln an: { $target }
phone-transfer-confirming = An den gehaltenen Anruf vermitteln? Transfer drücken
phone-transfer-transferring = Vermittle…
phone-transfer-failed = Vermittlung fehlgeschlagen

## Anruf beendet (drei Sekunden lang)

phone-ended-title = Anruf beendet

# Variables:
#   $duration (String) - Gesprächsdauer, mm:ss oder h:mm:ss
phone-ended-duration = Dauer { $duration }

phone-ended-reason-local-hangup = Sie haben aufgelegt
phone-ended-reason-remote-hangup = Gegenseite hat aufgelegt
phone-ended-reason-cancelled = Abgebrochen
phone-ended-reason-answered-elsewhere = Anderswo angenommen
phone-ended-reason-rejected = Abgewiesen
phone-ended-reason-busy = Besetzt
phone-ended-reason-failed = Anruf fehlgeschlagen
phone-ended-reason-timeout = Keine Antwort

## Softkeys unter dem Display

phone-key-answer = Annehmen
phone-key-reject = Abweisen
phone-key-hangup = Auflegen
phone-key-dial = Wählen
phone-key-delete = Löschen
phone-key-cancel = Abbrechen

## Textnachrichten (SIP MESSAGE) und Nachrichtenanzeige

# Variables:
#   $name (String) - the sender's name or number
phone-message-from = Nachricht von { $name }
phone-message-dismiss = Abbrechen zum Schließen
# Variables:
#   $count (Number) - new voice messages
phone-mwi = ✉ { $count }
