### Texte der Einstellungstabelle und ihres Formulars.

## Seiten

web-page-identity = Identitäten
web-page-identity-help = SIP-Konten dieses Telefons. Identität 1 wird auf dem Display des Telefons angezeigt.
web-page-preferences = Einstellungen
web-page-preferences-help = Wie das Telefon Anrufe behandelt, was Display und Lampen zeigen, und seine Uhr.
web-page-function-keys = Funktionstasten
web-page-function-keys-help = Was die programmierbaren Tasten neben dem Display und die festen Tasten tun.
web-page-network = Netzwerk
web-page-network-help = Adressen, VLAN, Zeitserver und die Dienste, die das Telefon im Netzwerk anbietet.
web-page-sip-rtp = SIP/RTP
web-page-sip-rtp-help = Signalisierung und Medien, gemeinsam für alle Identitäten.
web-page-qos-security = QoS/Sicherheit
web-page-qos-security-help = Verkehrsprioritäten, Zugang zu dieser Web-Oberfläche und Zertifikatsprüfung.
web-page-provisioning = Provisionierung
web-page-provisioning-help = Woher das Telefon seine Einstellungen holt und wie oft.
web-page-update = Aktualisierung
web-page-update-help = Wann und woher das Telefon seine Software aktualisiert.
web-page-language = Sprache
web-page-language-help = Sprachen des Telefon-Displays und dieser Web-Oberfläche.
web-page-audio = Audio
web-page-audio-help = Lautstärken, Töne, Klingelmelodien, Headset und Multicast-Durchsagen.
web-page-action-urls = Aktions-URLs
web-page-action-urls-help = Web-Adressen, die das Telefon bei Ereignissen aufruft, z. B. um einen Kundendatensatz zu öffnen.

## Abschnitte

web-section-identity-login = Anmeldung
web-section-identity-sip = SIP
web-section-identity-rtp = Medien
web-section-identity-ringing = Klingeln
web-section-preferences-call-features = Anruffunktionen
web-section-preferences-redirection = Rufumleitung
web-section-preferences-keyboard-lock = Tastensperre
web-section-preferences-messages = Nachrichten
web-section-preferences-time = Datum und Uhrzeit
web-section-preferences-display = Display
web-section-preferences-leds = Lampen
web-section-function-keys-programmable = Programmierbare Tasten
web-section-function-keys-fixed-keys = Feste Tasten
web-section-network-ip = IP
web-section-network-vlan = VLAN
web-section-network-time = Zeitserver
web-section-network-services = Dienste
web-section-network-diagnostics = Diagnose
web-section-network-wifi = WLAN
web-section-sip-rtp-sip = SIP
web-section-sip-rtp-nat = NAT
web-section-sip-rtp-rtp = RTP
web-section-qos-security-qos = Dienstgüte
web-section-qos-security-web-access = Web-Zugang
web-section-qos-security-certificates = Zertifikate
web-section-provisioning-server = Server
web-section-provisioning-polling = Abfrage
web-section-update-firmware = Firmware
web-section-language-language = Sprache
web-section-audio-volume = Lautstärke
web-section-audio-tones = Töne
web-section-audio-ringers = Klingelmelodien
web-section-audio-devices = Geräte
web-section-audio-multicast = Multicast-Durchsagen
web-section-action-urls-calls = Anrufe
web-section-action-urls-status = Status

## Das Einstellungsformular

web-settings-source-default = Standardwert
# Variables:
#   $url (String) - the provisioning file the value came from
web-settings-source-provisioned = provisioniert von { $url }
web-settings-source-local = lokal geändert
web-settings-index = Nummer
# Variables:
#   $index (Number) - the index, from 1
web-settings-index-option = Nummer { $index }
web-settings-reset = Zurücksetzen
# Variables:
#   $label (String) - the setting's label
web-settings-reset-title = { $label } auf den Standardwert zurücksetzen
web-settings-not-implemented = Diese Einstellung wird gespeichert, wirkt aber noch nicht.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-ip = { $label } muss eine IPv4- oder IPv6-Adresse sein.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-port = { $label } muss ein Port von 1 bis 65535 sein.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-url = { $label } muss eine http-, https-, ftp- oder tftp-Adresse sein.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-zone = { $label } muss eine Zeitzone aus der Liste sein.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-time-of-day = { $label } muss eine Uhrzeit im Format HH:MM sein.
# Variables:
#   $label (String) - the setting's label
#   $allowed (String) - the codec names
web-invalid-bad-codec-list = { $label } muss Codecs durch Kommas getrennt aufzählen, jeden einmal, aus: { $allowed }.
# Variables:
#   $label (String) - the setting's label
web-invalid-bad-response-list = { $label } muss SIP-Antworten durch Kommas getrennt aufzählen, z. B. 503, 500 Server Internal Error.
# Variables:
#   $label (String) - the setting's label
web-invalid-read-only = { $label } wurde von der Provisionierung schreibgeschützt gesetzt.

## Identität: Anmeldung

setting-user-active-label = Aktiv
setting-user-active-help = Diese Identität verwenden: registrieren (wenn ein Registrar eingetragen ist) und Anrufe für sie annehmen.
setting-user-realname-label = Anzeigename
setting-user-realname-help = Der Name auf dem Display des Telefons, der auch an Ihre Gesprächspartner gesendet wird.
setting-user-name-label = Benutzername
setting-user-name-help = Der SIP-Benutzername (der Teil vor dem @ Ihrer Adresse).
setting-user-host-label = Registrar
setting-user-host-help = Hostname oder IP-Adresse des SIP-Servers, optional mit :Port. Leer lassen für Direktwahl per IP.
setting-user-pname-label = Authentifizierungsname
setting-user-pname-help = Der Benutzername, den der SIP-Server bei der Passwortprüfung verlangt. Leer lassen, um den Benutzernamen zu verwenden.
setting-user-pass-label = Passwort
setting-user-pass-help = Das SIP-Passwort. Es wird nie wieder angezeigt; Feld leer lassen, um es zu behalten.
setting-user-hash-label = Passwort-Hash
setting-user-hash-help = Der MD5-Hash aus Benutzername, Realm und Passwort, der statt des Passworts verwendet wird. Er wird nie wieder angezeigt.
setting-user-outbound-label = Outbound-Proxy
setting-user-outbound-help = Hostname oder IP-Adresse, optional mit :Port, eines Proxys, über den alle Anfragen dieser Identität laufen. Leer lassen, um sie an den Registrar zu senden.
setting-user-mailbox-label = Mailbox
setting-user-mailbox-help = Die Nummer oder Adresse, die die Nachrichtentaste wählt, um Ihre Sprachbox zu erreichen.
setting-user-idle-text-label = Text im Ruhebildschirm
setting-user-idle-text-help = Text, der im Ruhebildschirm statt des Namens der Identität erscheint.
setting-user-hidden-label = Verborgen
setting-user-hidden-help = Diese Identität nicht in der Identitätenliste des Displays zeigen; sie registriert sich trotzdem und nimmt Anrufe an.

## Identität: SIP

setting-user-expiry-label = Registrierungsintervall
setting-user-expiry-help = Wie lange (in Sekunden) der Registrar diese Identität registriert halten soll. Das Telefon erneuert die Registrierung rechtzeitig vorher.
setting-user-mwi-subscribe-label = Nachrichtenanzeige abonnieren
setting-user-mwi-subscribe-help = Beim Server dieser Identität Benachrichtigungen über neue Sprachnachrichten anfordern.
setting-user-dtmf-info-label = DTMF per SIP INFO
setting-user-dtmf-info-help = Tastenwahl im Gespräch als SIP-INFO-Nachrichten senden: off, on (zusätzlich zu RTP-Ereignissen) oder sip_info_only.
setting-user-proxy-require-label = Proxy-Require
setting-user-proxy-require-help = Erweiterungen, die in einem Proxy-Require-Header jeder Anfrage stehen; leer für keine.
setting-user-sipusername-as-line-label = Benutzername als Leitungsname
setting-user-sipusername-as-line-help = Auf den Leitungstasten den SIP-Benutzernamen statt des Anzeigenamens zeigen.
setting-user-q-label = Kontaktpriorität
setting-user-q-help = Der q-Wert des Kontakts dieses Telefons, wenn sich mehrere Geräte die Identität teilen, von 0.0 bis 1.0.
setting-user-failover-identity-label = Ersatzidentität
setting-user-failover-identity-help = Die Identität für Anrufe, solange diese nicht registriert ist.
setting-user-subscription-expiry-label = Abonnementintervall
setting-user-subscription-expiry-help = Wie lange (in Sekunden) Ereignisabonnements (Lampen, Sprachbox) dieser Identität gelten, bevor sie erneuert werden.
setting-user-server-type-label = Servertyp
setting-user-server-type-help = Die Art des SIP-Servers, für seine Besonderheiten; default für einen Standardserver.
setting-user-descr-contact-label = Name im Contact
setting-user-descr-contact-help = Den Anzeigenamen auch in den Contact-Header schreiben.
setting-user-shared-line-label = Geteilte Leitung
setting-user-shared-line-help = Diese Identität wird mit anderen Telefonen geteilt: deren Anrufe zeigen und übernehmen lassen.
setting-user-event-list-subscription-label = Ereignisliste abonnieren
setting-user-event-list-subscription-help = Die Lampen vieler Benutzer mit einem Abonnement einer Liste auf dem Server beobachten.
setting-user-event-list-uri-label = Adresse der Ereignisliste
setting-user-event-list-uri-help = Die SIP-Adresse der Liste der zu beobachtenden Benutzer auf dem Server.
setting-user-dp-exp-label = Wählplan-Ausdruck
setting-user-dp-exp-help = Ein Muster für Nummern, die gewählt werden, sobald sie vollständig sind, ohne die Wähltaste zu drücken.
setting-user-dp-label = Wählplan
setting-user-dp-help = Regeln, die gewählte Nummern vor dem Senden umschreiben.

## Identität: Medien

setting-user-srtp-label = Verschlüsselte Medien (SRTP)
setting-user-srtp-help = Bei Anrufen dieser Identität verschlüsselte Sprache anbieten.
setting-user-savp-label = Verschlüsselung verlangen
setting-user-savp-help = Ob verschlüsselte Sprache im Verbindungsaufbau aus ist, angeboten (optional) oder verlangt (mandatory) wird.
setting-user-auth-tag-label = 32-Bit-SRTP-Authentifizierungskennung
setting-user-auth-tag-help = AES_CM_128_HMAC_SHA1_32 (4 Oktette weniger je Paket) der 80-Bit-Kennung vorziehen, wenn verschlüsselte Sprache angeboten oder angenommen wird.
setting-user-symmetrical-rtp-label = Symmetrisches RTP
setting-user-symmetrical-rtp-help = Sprache an die Adresse senden, von der die Sprache der Gegenseite kommt; hilft hinter NAT.
setting-user-full-sdp-answer-label = Vollständige SDP-Antwort
setting-user-full-sdp-answer-help = Mit allen angebotenen Codecs antworten, die das Telefon kann, nicht nur mit dem gewählten.
setting-user-ice-label = ICE
setting-user-ice-help = Mit ICE-Kandidaten einen funktionierenden Medienweg durch NAT finden.
setting-user-codec-priority-list-label = Codecs
setting-user-codec-priority-list-help = Codecs dieser Identität nach Vorrang, durch Kommas getrennt; leer für die gemeinsame Liste.
setting-user-moh-label = Wartemusik
setting-user-moh-help = Die SIP-Adresse eines Wartemusik-Servers für gehaltene Anrufe; leer für Stille.

## Identität: Klingeln

setting-user-auto-connect-label = Automatisch annehmen
setting-user-auto-connect-help = Anrufe an diese Identität sofort über den Lautsprecher annehmen.
setting-user-ringer-label = Klingelmelodie
setting-user-ringer-help = Die Melodie für Anrufe an diese Identität.
setting-user-custom-label = Eigene Melodie
setting-user-custom-help = Die Adresse einer Tondatei, die gespielt wird, wenn die Klingelmelodie Custom ist.
setting-user-alert-info-label = Alert-Info-Melodie
setting-user-alert-info-help = Die Adresse einer Tondatei für Anrufe, die ein besonderes Klingeln verlangen.

## Einstellungen: Anruffunktionen

setting-call-join-xfer-label = Transfertaste mit gehaltenem Anruf
setting-call-join-xfer-help = always: Die Transfertaste verbindet den gehaltenen Anruf sofort mit dem aktuellen. off und on: Der erste Druck zeigt das Ziel, der zweite vermittelt; on vermittelt auch beim Auflegen.
setting-xfer-dest-order-lifo-label = An den zuletzt gehaltenen Anruf vermitteln
setting-xfer-dest-order-lifo-help = Bei mehreren gehaltenen Anrufen geht eine Vermittlung mit Rückfrage an den zuletzt (on) oder zuerst (off) gehaltenen Anruf.
setting-transfer-on-hangup-label = Vermitteln beim Auflegen
setting-transfer-on-hangup-help = Auflegen während einer Vermittlung schließt sie ab.
setting-call-waiting-label = Anklopfen
setting-call-waiting-help = Wie ein zweiter Anruf im Gespräch erscheint: on (Ton und Display), visual (nur Display), ringer oder off (besetzt).
setting-dnd-mode-label = Nicht stören
setting-dnd-mode-help = Ankommende Anrufe als besetzt abweisen.
setting-mute-is-dnd-in-idle-label = Stummtaste ist Nicht stören
setting-mute-is-dnd-in-idle-help = Die Stummtaste schaltet Nicht stören ein und aus, wenn kein Anruf besteht.
setting-long-cancel-is-blocking-caller-label = Langes Abbrechen sperrt den Anrufer
setting-long-cancel-is-blocking-caller-help = Langes Drücken der Abbruchtaste bei einem klingelnden Anruf weist ihn ab und sperrt den Anrufer.
setting-auto-redial-label = Wahlwiederholung bei besetzt
setting-auto-redial-help = Eine besetzte Nummer automatisch erneut anrufen.
setting-auto-redial-value-label = Wahlwiederholung nach
setting-auto-redial-value-help = Sekunden bis zur erneuten Wahl einer besetzten Nummer.
setting-call-completion-label = Rückruf bei besetzt
setting-call-completion-help = Anbieten, eine besetzte oder nicht antwortende Nummer zurückzurufen, sobald sie frei ist.
setting-intercom-enabled-label = Gegensprechen
setting-intercom-enabled-help = Gegensprechanrufe automatisch über den Lautsprecher annehmen.
setting-privacy-out-label = Meine Nummer unterdrücken
setting-privacy-out-help = Das Netz bitten, Ihre Nummer den Angerufenen nicht anzuzeigen.
setting-privacy-in-label = Anonyme Anrufe abweisen
setting-privacy-in-help = Anrufe abweisen, die die Nummer des Anrufers nicht zeigen.
setting-block-url-dialing-label = Nur Nummern
setting-block-url-dialing-help = Nur Nummern wählen lassen, keine SIP-Adressen mit Buchstaben.
setting-emergency-numbers-label = Notrufnummern
setting-emergency-numbers-help = Nummern, durch Leerzeichen getrennt, die immer gewählt werden können, auch bei gesperrter Tastatur.
setting-action-blacklist-url-label = Adresse der Sperrliste
setting-action-blacklist-url-help = Eine Web-Adresse, die das Telefon aufruft, um einen gesperrten Anrufer in eine Sperrliste auf einem Server einzutragen.
setting-remote-blacklist-action-timer-label = Sperrliste aktualisieren
setting-remote-blacklist-action-timer-help = Sekunden zwischen zwei Abrufen der Sperrliste des Servers; 0 nie.

## Einstellungen: Rufumleitung

setting-redirect-event-label = Anrufe umleiten
setting-redirect-event-help = Wann Anrufe umgeleitet werden: nie, immer, bei besetzt, nach einer Zeit oder bei besetzt und nach einer Zeit.
setting-redirect-always-label = Alle Anrufe umleiten
setting-redirect-always-help = Jeden Anruf sofort an die Umleitungsnummer weiterleiten.
setting-redirect-number-label = Umleitungsnummer
setting-redirect-number-help = Wohin alle Anrufe umgeleitet werden.
setting-redirect-busy-label = Bei besetzt umleiten an
setting-redirect-busy-help = Wohin Anrufe umgeleitet werden, während Sie telefonieren.
setting-redirect-time-label = Umleiten nach
setting-redirect-time-help = Sekunden, die ein Anruf klingelt, bevor er umgeleitet wird.
setting-redirect-time-number-label = Unbeantwortete Anrufe umleiten an
setting-redirect-time-number-help = Wohin Anrufe umgeleitet werden, die Sie nicht rechtzeitig annehmen.
setting-redirect-ringing-label = Beim Umleiten kurz klingeln
setting-redirect-ringing-help = Bei einem umgeleiteten Anruf kurz klingeln, damit Sie ihn bemerken.

## Einstellungen: Tastensperre

setting-keyboard-lock-label = Tastensperre
setting-keyboard-lock-help = Die Tasten sperren; bis zur Eingabe der PIN können nur Notrufnummern gewählt werden.
setting-keyboard-lock-pw-label = Entsperr-PIN
setting-keyboard-lock-pw-help = Die PIN, die die Tasten entsperrt. Sie wird nie wieder angezeigt.

## Einstellungen: Nachrichten

setting-show-desktop-msg-in-call-screens-label = Textnachrichten während Gesprächen zeigen
setting-show-desktop-msg-in-call-screens-help = Empfangene Textnachrichten auch auf den Gesprächsbildschirmen zeigen, nicht nur im Ruhebildschirm.
setting-mwi-notification-label = Hinweis auf neue Sprachnachrichten
setting-mwi-notification-help = Wie neue Sprachnachrichten gemeldet werden: still, mit einem Piepton oder mit wiederholter Erinnerung.
setting-mwi-dialtone-label = Wählton bei Sprachnachrichten
setting-mwi-dialtone-help = Der Wählton, solange neue Sprachnachrichten vorliegen: normal oder unterbrochen (stutter).

## Einstellungen: Datum und Uhrzeit

setting-timezone-label = Zeitzone
setting-timezone-help = Zeitzone der Uhr auf dem Display, z. B. UTC oder Europe/Berlin.
setting-time-24-format-label = 24-Stunden-Uhr
setting-time-24-format-help = Uhrzeiten im 24-Stunden-Format statt mit AM/PM zeigen.
setting-date-us-format-label = US-Datumsformat
setting-date-us-format-help = Daten als Monat/Tag statt Tag.Monat zeigen.

## Einstellungen: Display

setting-display-contrast-label = Kontrast
setting-display-contrast-help = Kontrast des Displays, von 1 bis 15.
setting-backlight-label = Beleuchtung
setting-backlight-help = Helligkeit des Displays bei Benutzung, von 0 (aus) bis 15.
setting-backlight-idle-label = Beleuchtung in Ruhe
setting-backlight-idle-help = Helligkeit des Displays in Ruhe, von 0 (aus) bis 15.
setting-backlight-idle-timeout-label = Abdunkeln nach
setting-backlight-idle-timeout-help = Sekunden ohne Benutzung, bis das Display auf die Ruhehelligkeit abdunkelt.
setting-display-method-label = Anruferanzeige
setting-display-method-help = Was das Display von einem Anrufer zeigt: den ganzen Kontakt, den Namen, die Nummer oder beides in einer der beiden Reihenfolgen.
setting-custom-bg-image-url-label = Hintergrundbild
setting-custom-bg-image-url-help = Die Adresse eines Bildes für den Hintergrund des Ruhebildschirms.
setting-encode-display-name-label = Anzeigenamen kodieren
setting-encode-display-name-help = Anzeigenamen mit Sonderzeichen in Anführungszeichen und maskiert senden.

## Einstellungen: Lampen

setting-led-on-new-message-label = Lampe bei neuen Nachrichten
setting-led-on-new-message-help = Die Nachrichtenlampe leuchten lassen, solange neue Sprach- oder ungelesene Textnachrichten vorliegen.
setting-led-on-missed-call-label = Lampe bei verpassten Anrufen
setting-led-on-missed-call-help = Die Nachrichtenlampe leuchten lassen, solange verpasste Anrufe vorliegen.
setting-led-on-dnd-label = Lampe bei Nicht stören
setting-led-on-dnd-help = Die Lampe der Nicht-stören-Taste leuchten lassen, solange es eingeschaltet ist.
setting-blf-led-color-label = Farbe der Besetztlampe
setting-blf-led-color-help = Die Farbe einer Besetztlampen-Taste, während der beobachtete Benutzer telefoniert.

## Funktionstasten

setting-fkey-label = Funktion
setting-fkey-help = Was diese Taste tut: line, blf sip:benutzer@host (Besetztlampe und Kurzwahl), presence sip:benutzer@host (Erreichbarkeit und Kurzwahl), speed Nummer oder dest Nummer.
setting-fkey-label-label = Beschriftung
setting-fkey-label-help = Der Text neben der Taste; leer für den des Telefons.
setting-fkey-context-label = Identität
setting-fkey-context-help = Für welche Identität die Taste handelt: die aktive oder eine feste Identität.
setting-fkey-longpress-label = Langes Drücken
setting-fkey-longpress-help = Langes Drücken der Taste öffnet ihre Einstellungen.
setting-dkey-hold-label = Haltetaste
setting-dkey-hold-help = Was die Haltetaste tut, z. B. keyevent F_R.
setting-dkey-transfer-label = Transfertaste
setting-dkey-transfer-help = Was die Transfertaste tut, z. B. keyevent F_TRANSFER.
setting-dkey-dnd-label = Nicht-stören-Taste
setting-dkey-dnd-help = Was die Nicht-stören-Taste tut, z. B. keyevent F_DND.
setting-dkey-redial-label = Wahlwiederholungstaste
setting-dkey-redial-help = Was die Wahlwiederholungstaste tut, z. B. keyevent F_REDIAL.
setting-dkey-conf-label = Konferenztaste
setting-dkey-conf-help = Was die Konferenztaste tut, z. B. keyevent F_CONFERENCE.
setting-dkey-directory-label = Verzeichnistaste
setting-dkey-directory-help = Was die Verzeichnistaste tut, z. B. keyevent F_ADR_BOOK.
setting-dkey-menu-label = Menütaste
setting-dkey-menu-help = Was die Menütaste tut, z. B. keyevent F_SETTINGS.
setting-dkey-retrieve-label = Sprachboxtaste
setting-dkey-retrieve-help = Was die Sprachboxtaste tut, z. B. keyevent F_RETRIEVE.

## Netzwerk

setting-dhcp-label = DHCP
setting-dhcp-help = Adresse, Netzmaske, Gateway und DNS-Server von einem DHCP-Server beziehen.
setting-ip-adr-label = IP-Adresse
setting-ip-adr-help = Die IP-Adresse des Telefons, wenn DHCP aus ist.
setting-netmask-label = Netzmaske
setting-netmask-help = Die Netzmaske, wenn DHCP aus ist, z. B. 255.255.255.0.
setting-gateway-label = Gateway
setting-gateway-help = Die IP-Adresse des Routers, wenn DHCP aus ist.
setting-dns-server1-label = DNS-Server
setting-dns-server1-help = Die IP-Adresse des ersten DNS-Servers, wenn DHCP aus ist.
setting-dns-server2-label = Zweiter DNS-Server
setting-dns-server2-help = Die IP-Adresse eines DNS-Servers, der gefragt wird, wenn der erste nicht antwortet.
setting-dns-domain-label = DNS-Domäne
setting-dns-domain-help = Die Domäne, die an Hostnamen ohne Punkt angehängt wird.
setting-ethernet-detect-label = Kabel erkennen
setting-ethernet-detect-help = Auf dem Display warnen, wenn das Netzwerkkabel abgezogen ist.
setting-http-proxy-label = HTTP-Proxy
setting-http-proxy-help = Hostname oder Adresse, optional mit :Port, eines Proxys für die Web-Anfragen des Telefons; leer für keinen.
setting-vlan-id-label = VLAN-ID
setting-vlan-id-help = Das VLAN des Telefons, von 1 bis 4094; leer für keines.
setting-vlan-qos-label = VLAN-Priorität
setting-vlan-qos-help = Die 802.1p-Priorität der Rahmen des Telefons, von 0 bis 7.
setting-vlan-pc-id-label = VLAN-ID des PC-Anschlusses
setting-vlan-pc-id-help = Das VLAN des Computeranschlusses, von 1 bis 4094; leer für keines.
setting-vlan-pc-priority-label = VLAN-Priorität des PC-Anschlusses
setting-vlan-pc-priority-help = Die 802.1p-Priorität der Rahmen des Computeranschlusses, von 0 bis 7.
setting-lldp-enable-label = LLDP
setting-lldp-enable-help = Das Telefon per LLDP bekannt machen und das VLAN übernehmen, das der Switch anbietet.
setting-ntp-server-label = Zeitserver
setting-ntp-server-help = Der NTP-Server, nach dem das Telefon seine Uhr stellt.
setting-ntp-refresh-timer-label = Zeitabgleich
setting-ntp-refresh-timer-help = Sekunden zwischen zwei Abfragen des Zeitservers.
setting-http-server-label = Webserver (HTTP)
setting-http-server-help = Diese Web-Oberfläche über unverschlüsseltes HTTP anbieten.
setting-http-port-label = HTTP-Port
setting-http-port-help = Der TCP-Port der Web-Oberfläche über HTTP.
setting-https-server-label = Webserver (HTTPS)
setting-https-server-help = Diese Web-Oberfläche über HTTPS anbieten.
setting-https-port-label = HTTPS-Port
setting-https-port-help = Der TCP-Port der Web-Oberfläche über HTTPS.
setting-tr69-enable-label = TR-069
setting-tr69-enable-help = Einen Autokonfigurationsserver das Telefon per TR-069 verwalten lassen; ausgeschaltet bleibt der Port geschlossen.
setting-tr69-acs-url-label = TR-069-Server
setting-tr69-acs-url-help = Die Adresse des Autokonfigurationsservers.
setting-tr69-user-label = TR-069-Benutzername
setting-tr69-user-help = Der Benutzername, mit dem sich das Telefon beim Autokonfigurationsserver anmeldet.
setting-tr69-pass-label = TR-069-Passwort
setting-tr69-pass-help = Das Passwort für den Autokonfigurationsserver. Es wird nie wieder angezeigt.
setting-tr69-port-label = TR-069-Port
setting-tr69-port-help = Der TCP-Port, über den der Server das Telefon zum Verbindungsaufbau auffordern kann.
setting-syslog-server-label = Syslog-Server
setting-syslog-server-help = Hostname oder Adresse, optional mit :Port, die das Protokoll des Telefons empfängt; leer für keinen.
setting-log-level-label = Protokollstufe
setting-log-level-help = Wie viel das Telefon protokolliert, von 0 (nichts) bis 9 (alles).
setting-wifi-enable-label = WLAN
setting-wifi-enable-help = Über WLAN statt über das Kabel mit dem Netzwerk verbinden.
setting-wifi-ssid-label = Netzwerkname
setting-wifi-ssid-help = Der Name (SSID) des WLANs.
setting-wifi-security-label = WLAN-Sicherheit
setting-wifi-security-help = Wie das WLAN geschützt ist.
setting-wifi-psk-label = WLAN-Passwort
setting-wifi-psk-help = Das Passwort des WLANs. Es wird nie wieder angezeigt.
setting-wifi-dhcp-label = DHCP im WLAN
setting-wifi-dhcp-help = Die Adresse im WLAN von einem DHCP-Server beziehen.

## SIP/RTP

setting-local-sip-port-label = Lokaler SIP-Port
setting-local-sip-port-help = Der UDP- und TCP-Port, auf dem das Telefon SIP empfängt.
setting-sip-retry-t1-label = Wiederholungstimer T1
setting-sip-retry-t1-help = Millisekunden bis zur ersten Wiederholung einer Anfrage über UDP.
setting-sip-retry-t2-label = Wiederholungstimer T2
setting-sip-retry-t2-help = Die längste Zeit in Millisekunden zwischen Wiederholungen über UDP.
setting-retry-after-failed-register-label = Neuer Versuch nach fehlgeschlagener Registrierung
setting-retry-after-failed-register-help = Sekunden bis zum nächsten Versuch, wenn eine Registrierung fehlschlug oder der Registrar keine gewährte, für alle Identitäten.
setting-sip-failover-response-label = Antworten für Failover
setting-sip-failover-response-help = SIP-Antworten, nach denen ein Anruf die nächste Adresse des Servers versucht, durch Kommas getrennt: ein Code, wahlweise mit seinem Grundtext (z. B. 503, 500 Server Internal Error). Leer: Failover nur, wenn der Server nicht antwortet oder nicht erreichbar ist.
setting-sip-failover-response-reg-label = Antworten für Failover der Registrierung
setting-sip-failover-response-reg-help = SIP-Antworten, nach denen eine Registrierung die nächste Adresse des Registrars versucht, durch Kommas getrennt: ein Code, wahlweise mit seinem Grundtext (z. B. 503, 480 Temporarily Unavailable).
setting-session-timer-label = Sitzungstimer
setting-session-timer-help = Sekunden, nach denen ein Gespräch aufgefrischt wird, um zu prüfen, ob es noch besteht; 0 für keinen.
setting-support-100rel-label = Zuverlässige vorläufige Antworten
setting-support-100rel-help = 100rel (PRACK) für Klingeln und frühe Medien unterstützen.
setting-filter-registrar-label = Anrufe nur vom Registrar
setting-filter-registrar-help = Ankommende Anrufe nur vom Registrar einer Identität annehmen.
setting-sip-user-agent-label = User-Agent
setting-sip-user-agent-help = Der User-Agent-Header, den das Telefon sendet; leer für seinen eigenen Namen und seine Version.
setting-keepalive-interval-label = Keep-Alive-Intervall
setting-keepalive-interval-help = Sekunden zwischen Keep-Alive-Paketen, die NAT-Zuordnungen offen halten; 0 für keine.
setting-stun-server-label = STUN-Server
setting-stun-server-help = Hostname oder Adresse, optional mit :Port, eines STUN-Servers, der dem Telefon seine öffentliche Adresse nennt.
setting-stun-interval-label = STUN-Intervall
setting-stun-interval-help = Sekunden zwischen zwei STUN-Abfragen.
setting-rtp-port-start-label = Erster RTP-Port
setting-rtp-port-start-help = Der niedrigste UDP-Port für Sprache.
setting-rtp-port-end-label = Letzter RTP-Port
setting-rtp-port-end-help = Der höchste UDP-Port für Sprache.
setting-codec-priority-list-label = Codecs
setting-codec-priority-list-help = Codecs nach Vorrang, durch Kommas getrennt.
setting-codec-size-label = Paketgröße
setting-codec-size-help = Millisekunden Sprache pro RTP-Paket.
setting-dtmf-payload-type-label = DTMF-Payload-Typ
setting-dtmf-payload-type-help = Der RTP-Payload-Typ für Tastenereignisse, von 96 bis 127.
setting-rtcp-xr-label = RTCP-Erweiterte Berichte
setting-rtcp-xr-help = Während Gesprächen Berichte zur Gesprächsqualität (RTCP XR) senden.

## QoS/Sicherheit

setting-tos-rtp-label = TOS für Sprache
setting-tos-rtp-help = Das TOS-Byte der Sprachpakete, von 0 bis 255 (184 ist DSCP EF).
setting-tos-sip-label = TOS für SIP
setting-tos-sip-help = Das TOS-Byte der SIP-Pakete, von 0 bis 255 (160 ist DSCP CS5).
setting-http-user-label = Benutzername des Administrators
setting-http-user-help = Der Benutzername für die Anmeldung des Administrators an dieser Web-Oberfläche.
setting-http-pass-label = Passwort des Administrators
setting-http-pass-help = Das Passwort des Administrators für diese Web-Oberfläche. Es wird nie wieder angezeigt.
setting-http-user-user-label = Anmeldename des Benutzers
setting-http-user-user-help = Der Benutzername für die Anmeldung des Benutzers, der nur die Benutzereinstellungen ändern darf.
setting-http-user-pass-label = Passwort des Benutzers
setting-http-user-pass-help = Das Passwort für die Anmeldung des Benutzers. Es wird nie wieder angezeigt.
setting-http-scheme-label = Anmeldeverfahren
setting-http-scheme-help = Wie die Web-Oberfläche nach dem Passwort fragt: Basic- oder Digest-Authentifizierung.
setting-admin-mode-password-label = Administrator-PIN
setting-admin-mode-password-help = Die PIN, die das Administratormenü am Telefon öffnet. Sie wird nie wieder angezeigt.
setting-host-name-validation-flags-label = Namensprüfung der Zertifikate
setting-host-name-validation-flags-help = Wie genau der Name im Zertifikat eines Servers passen muss; 0 akzeptiert Wildcard-Zertifikate.
setting-https-validation-ignore-label = Zertifikatsfehler ignorieren
setting-https-validation-ignore-help = HTTPS-Server akzeptieren, deren Zertifikat sich nicht prüfen lässt. Unsicher.

## Provisionierung

setting-setting-server-label = Provisionierungsserver
setting-setting-server-help = Die Adresse der Einstellungsdatei; {"{"}mac{"}"} und {"{"}model{"}"} werden durch die des Telefons ersetzt.
setting-pnp-config-label = Plug and Play
setting-pnp-config-help = Im Netzwerk nach einem Provisionierungsserver fragen, wenn keiner eingetragen ist.
setting-swupd-curl-timeouts-label = Zeitlimit für Downloads
setting-swupd-curl-timeouts-help = Sekunden, die auf eine Serveradresse gewartet wird, bevor die nächste versucht wird.
setting-settings-refresh-timer-label = Aktualisierungsintervall
setting-settings-refresh-timer-help = Sekunden zwischen zwei Abrufen der Einstellungsdatei; 0 nie.
setting-prov-polling-enabled-label = Regelmäßige Abfrage
setting-prov-polling-enabled-help = Die Einstellungsdatei regelmäßig abrufen.
setting-prov-polling-mode-label = Abfragemodus
setting-prov-polling-mode-help = rel: nach jedem Abfragezeitraum; abs: einmal täglich zur Abfragezeit.
setting-prov-polling-period-label = Abfragezeitraum
setting-prov-polling-period-help = Sekunden zwischen zwei Abrufen im Modus rel.
setting-prov-polling-time-label = Abfragezeit
setting-prov-polling-time-help = Die Uhrzeit (HH:MM) des täglichen Abrufs im Modus abs.

## Aktualisierung

setting-update-policy-label = Aktualisierungsregel
setting-update-policy-help = Ob das Telefon seine Software selbst aktualisiert, vorher fragt oder nie aktualisiert.
setting-firmware-status-label = Firmware-Statusdatei
setting-firmware-status-help = Die Adresse der Datei, die die aktuelle Software nennt.
setting-firmware-label = Firmware
setting-firmware-help = Die Adresse eines zu installierenden Software-Abbilds.
setting-firmware-interval-label = Prüfintervall
setting-firmware-interval-help = Minuten zwischen zwei Prüfungen der Firmware-Statusdatei; 0 nie.

## Sprache

setting-language-label = Sprache
setting-language-help = Sprache des Telefon-Displays.
setting-web-language-label = Sprache der Web-Oberfläche
setting-web-language-help = Sprache dieser Web-Oberfläche.

## Audio

setting-ringer-volume-label = Klingellautstärke
setting-ringer-volume-help = Lautstärke der Klingelmelodie, von 0 bis 15.
setting-handset-volume-label = Hörerlautstärke
setting-handset-volume-help = Lautstärke im Hörer, von 0 bis 15.
setting-speaker-volume-label = Lautsprecherlautstärke
setting-speaker-volume-help = Lautstärke des Lautsprechers, von 0 bis 15.
setting-headset-volume-label = Headset-Lautstärke
setting-headset-volume-help = Lautstärke im Headset, von 0 bis 15.
setting-increased-ringer-volume-label = Ansteigendes Klingeln
setting-increased-ringer-volume-help = Leise zu klingeln beginnen und lauter werden.
setting-vol-handset-mic-label = Hörermikrofon
setting-vol-handset-mic-help = Verstärkung des Hörermikrofons, von 1 bis 8.
setting-vol-headset-mic-label = Headset-Mikrofon
setting-vol-headset-mic-help = Verstärkung des Headset-Mikrofons, von 1 bis 8.
setting-vol-speaker-mic-label = Freisprechmikrofon
setting-vol-speaker-mic-help = Verstärkung des Mikrofons beim Freisprechen, von 1 bis 8.
setting-tone-scheme-label = Tonschema
setting-tone-scheme-help = Das Land, dessen Wähl-, Ruf- und Besetzttöne das Telefon spielt.
setting-cw-dialtone-label = Anklopfton
setting-cw-dialtone-help = Einen Ton spielen, wenn im Gespräch ein zweiter Anruf kommt.
setting-keytones-label = Tastentöne
setting-keytones-help = Beim Drücken einer Taste einen kurzen Ton spielen.
setting-ring-sound-label = Klingelmelodie
setting-ring-sound-help = Die Melodie für Anrufe, die keine bestimmte verlangen.
setting-alert-internal-ring-sound-label = Melodie für interne Anrufe
setting-alert-internal-ring-sound-help = Die Melodie für Anrufe, die der Server als intern kennzeichnet.
setting-alert-external-ring-sound-label = Melodie für externe Anrufe
setting-alert-external-ring-sound-help = Die Melodie für Anrufe, die der Server als extern kennzeichnet.
setting-alert-group-ring-sound-label = Melodie für Gruppenanrufe
setting-alert-group-ring-sound-help = Die Melodie für Anrufe an eine Gruppe, die der Server so kennzeichnet.
setting-headset-device-label = Headset
setting-headset-device-help = Welches Headset angeschlossen ist: keines, eines an der Headset-Buchse oder ein USB-Headset.
setting-mc-address-label = Multicast-Adresse
setting-mc-address-help = IP-Adresse und Port, auf denen das Telefon auf Durchsagen hört.
setting-mc-priority-label = Multicast-Priorität
setting-mc-priority-help = Priorität der Durchsagen auf dieser Adresse, von 1 (höchste) bis 10.

## Aktions-URLs

setting-action-setup-url-label = Start abgeschlossen
setting-action-setup-url-help = Wird aufgerufen, wenn das Telefon gestartet ist.
setting-action-incoming-url-label = Ankommender Anruf
setting-action-incoming-url-help = Wird aufgerufen, wenn ein Anruf ankommt.
setting-action-outgoing-url-label = Abgehender Anruf
setting-action-outgoing-url-help = Wird aufgerufen, wenn Sie einen Anruf beginnen.
setting-action-offhook-url-label = Abgehoben
setting-action-offhook-url-help = Wird aufgerufen, wenn der Hörer abgehoben wird.
setting-action-onhook-url-label = Aufgelegt
setting-action-onhook-url-help = Wird aufgerufen, wenn der Hörer aufgelegt wird.
setting-action-connected-url-label = Verbunden
setting-action-connected-url-help = Wird aufgerufen, wenn ein Gespräch zustande kommt.
setting-action-disconnected-url-label = Getrennt
setting-action-disconnected-url-help = Wird aufgerufen, wenn ein Gespräch endet.
setting-action-missed-url-label = Verpasster Anruf
setting-action-missed-url-help = Wird aufgerufen, wenn ein Anruf verpasst wurde.
setting-action-hold-url-label = Halten
setting-action-hold-url-help = Wird aufgerufen, wenn ein Gespräch gehalten wird.
setting-action-unhold-url-label = Fortsetzen
setting-action-unhold-url-help = Wird aufgerufen, wenn ein gehaltenes Gespräch fortgesetzt wird.
setting-action-transfer-url-label = Vermitteln
setting-action-transfer-url-help = Wird aufgerufen, wenn ein Gespräch vermittelt wird.
setting-action-mute-url-label = Stumm
setting-action-mute-url-help = Wird aufgerufen, wenn das Mikrofon stummgeschaltet wird.
setting-action-unmute-url-label = Stumm aus
setting-action-unmute-url-help = Wird aufgerufen, wenn das Mikrofon wieder eingeschaltet wird.
setting-action-dnd-on-url-label = Nicht stören ein
setting-action-dnd-on-url-help = Wird aufgerufen, wenn Nicht stören eingeschaltet wird.
setting-action-dnd-off-url-label = Nicht stören aus
setting-action-dnd-off-url-help = Wird aufgerufen, wenn Nicht stören ausgeschaltet wird.
setting-action-redirection-on-url-label = Umleitung ein
setting-action-redirection-on-url-help = Wird aufgerufen, wenn die Rufumleitung eingeschaltet wird.
setting-action-redirection-off-url-label = Umleitung aus
setting-action-redirection-off-url-help = Wird aufgerufen, wenn die Rufumleitung ausgeschaltet wird.
setting-action-reg-on-url-label = Registriert
setting-action-reg-on-url-help = Wird aufgerufen, wenn sich eine Identität registriert hat.
setting-action-reg-failed-url-label = Registrierung fehlgeschlagen
setting-action-reg-failed-url-help = Wird aufgerufen, wenn eine Registrierung fehlschlug.
setting-action-log-on-url-label = Angemeldet
setting-action-log-on-url-help = Wird aufgerufen, wenn sich ein Benutzer am Telefon anmeldet.
setting-action-log-off-url-label = Abgemeldet
setting-action-log-off-url-help = Wird aufgerufen, wenn sich ein Benutzer vom Telefon abmeldet.
