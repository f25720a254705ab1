### Anmelden: das Anmeldeformular der Weboberfläche, die Abmeldetaste, das erzeugte
### Passwort auf dem Bildschirm des Telefons und die Zugangsdaten des Webservers.

web-login-title = Bei { -brand-name } anmelden
web-login-user = Benutzername
web-login-password = Passwort
web-login-submit = Anmelden
web-login-error-wrong = Benutzername oder Passwort falsch.
# Variables:
#   $seconds (Number) - seconds until the next try is accepted
web-login-error-locked = Zu viele falsche Passwörter. Nächster Versuch in { $seconds } s.
web-login-error-failed = Das Telefon antwortet nicht. Bitte erneut versuchen.
web-logout = Abmelden

# Variables:
#   $password (String) - the web admin password the phone generated at its first start
phone-web-password = Web-Passwort: { $password }

setting-http-user-label = Web-Administrator
setting-http-user-help = Der Benutzername des Administrators dieser Weboberfläche und von Skripten (HTTP Basic oder Digest).
setting-http-pass-label = Web-Administratorpasswort
setting-http-pass-help = Das Passwort des Administrators. Es wird nie wieder angezeigt; leer lassen, um es zu behalten. Eine Änderung meldet alle ab.
setting-http-user-user-label = Web-Benutzer
setting-http-user-user-help = Der Benutzername der Benutzerrolle, die Tasten drücken, wählen und Identitäts- und Einstellungswerte ändern darf.
setting-http-user-pass-label = Web-Benutzerpasswort
setting-http-user-pass-help = Das Passwort der Benutzerrolle. Leer schaltet die Benutzerrolle ab.
