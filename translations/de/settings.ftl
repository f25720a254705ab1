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

setting-language-label = Sprache
setting-language-help = Sprache des Telefon-Displays und dieser Web-Oberfläche.

setting-timezone-label = Zeitzone
setting-timezone-help = Zeitzone der Uhr auf dem Display, z. B. UTC oder Europe/Berlin.
