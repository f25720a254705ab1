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

