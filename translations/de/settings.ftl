### Bezeichnung und Hilfetext jeder Einstellung der Einstellungstabelle.

setting-user-active-label = Aktiv
setting-user-active-help = Diese Identität verwenden: registrieren (wenn ein Registrar eingetragen ist) und Anrufe für sie annehmen.

setting-user-realname-label = Anzeigename
setting-user-realname-help = Der Name auf dem Display des Telefons, der auch an Ihre Gesprächspartner gesendet wird.

setting-user-name-label = Benutzername
setting-user-name-help = Der SIP-Benutzername (der Teil vor dem @ Ihrer Adresse).

setting-user-host-label = Registrar
setting-user-host-help = Hostname oder IP-Adresse des SIP-Servers, optional mit :Port. Leer lassen für Direktwahl per IP.

setting-user-pass-label = Passwort
setting-user-pass-help = Das SIP-Passwort. Es wird nie wieder angezeigt; Feld leer lassen, um es zu behalten.

setting-language-label = Sprache
setting-language-help = Sprache des Telefon-Displays und dieser Web-Oberfläche.

setting-timezone-label = Zeitzone
setting-timezone-help = Zeitzone der Uhr auf dem Display, z. B. UTC oder Europe/Berlin.
