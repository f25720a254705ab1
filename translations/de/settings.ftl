### Bezeichnung und Hilfetext jeder Einstellung der Einstellungstabelle.

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

setting-user-outbound-label = Outbound-Proxy
setting-user-outbound-help = Hostname oder IP-Adresse, optional mit :Port, eines Proxys, über den alle Anfragen dieser Identität laufen. Leer lassen, um sie an den Registrar zu senden.

setting-user-expiry-label = Registrierungsintervall
setting-user-expiry-help = Wie lange (in Sekunden) der Registrar diese Identität registriert halten soll. Das Telefon erneuert die Registrierung rechtzeitig vorher.

setting-retry-after-failed-register-label = Neuer Versuch nach fehlgeschlagener Registrierung
setting-retry-after-failed-register-help = Sekunden bis zum nächsten Versuch, wenn eine Registrierung fehlschlug oder der Registrar keine gewährte, für alle Identitäten.

setting-sip-failover-response-label = Antworten für Failover
setting-sip-failover-response-help = SIP-Antworten, nach denen ein Anruf die nächste Adresse des Servers versucht, durch Kommas getrennt: ein Code, wahlweise mit seinem Grundtext (z. B. 503, 500 Server Internal Error). Leer: Failover nur, wenn der Server nicht antwortet oder nicht erreichbar ist.

setting-sip-failover-response-reg-label = Antworten für Failover der Registrierung
setting-sip-failover-response-reg-help = SIP-Antworten, nach denen eine Registrierung die nächste Adresse des Registrars versucht, durch Kommas getrennt: ein Code, wahlweise mit seinem Grundtext (z. B. 503, 480 Temporarily Unavailable).

setting-language-label = Sprache
setting-language-help = Sprache des Telefon-Displays und dieser Web-Oberfläche.

setting-timezone-label = Zeitzone
setting-timezone-help = Zeitzone der Uhr auf dem Display, z. B. UTC oder Europe/Berlin.

setting-show-desktop-msg-in-call-screens-label = Textnachrichten während Gesprächen zeigen
setting-show-desktop-msg-in-call-screens-help = Empfangene Textnachrichten auch auf den Gesprächsbildschirmen zeigen, nicht nur im Ruhebildschirm.

setting-user-mwi-subscribe-label = Nachrichtenanzeige abonnieren
setting-user-mwi-subscribe-help = Beim Server dieser Identität Benachrichtigungen über neue Sprachnachrichten anfordern.

setting-fkey-label = Funktion
setting-fkey-help = Was diese Taste tut: line, blf sip:benutzer@host (Besetztlampe und Kurzwahl), presence sip:benutzer@host (Erreichbarkeit und Kurzwahl), speed Nummer oder dest Nummer.

setting-user-dtmf-info-label = DTMF per SIP INFO
setting-user-dtmf-info-help = Tastenwahl im Gespräch als SIP-INFO-Nachrichten senden: off, on (zusätzlich zu RTP-Ereignissen) oder sip_info_only.

setting-call-join-xfer-label = Transfertaste mit gehaltenem Anruf
setting-call-join-xfer-help = always: Die Transfertaste verbindet den gehaltenen Anruf sofort mit dem aktuellen. off und on: Der erste Druck zeigt das Ziel, der zweite vermittelt; on vermittelt auch beim Auflegen.

setting-xfer-dest-order-lifo-label = An den zuletzt gehaltenen Anruf vermitteln
setting-xfer-dest-order-lifo-help = Bei mehreren gehaltenen Anrufen geht eine Vermittlung mit Rückfrage an den zuletzt (on) oder zuerst (off) gehaltenen Anruf.
