### Logging in: the login form of the web UI, the logout button, the generated
### password on the phone's own screen, and the web server's credential settings.

web-login-title = Log in to { -brand-name }
web-login-user = User name
web-login-password = Password
web-login-submit = Log in
web-login-error-wrong = Wrong user name or password.
# Variables:
#   $seconds (Number) - seconds until the next try is accepted
web-login-error-locked = Too many wrong passwords. Try again in { $seconds } s.
web-login-error-failed = The phone did not answer. Try again.
web-logout = Log out

# Variables:
#   $password (String) - the web admin password the phone generated at its first start
phone-web-password = Web password: { $password }

setting-http-user-label = Web admin user
setting-http-user-help = The user name of the administrator of this web interface and of scripts (HTTP Basic or Digest).
setting-http-pass-label = Web admin password
setting-http-pass-help = The administrator's password. It is never shown again; leave the field empty to keep it. Changing it logs everybody out.
setting-http-user-user-label = Web user
setting-http-user-user-help = The user name of the user role, who may use the keys, dial and change identity and preference settings.
setting-http-user-pass-label = Web user password
setting-http-user-pass-help = The user role's password. Empty turns the user role off.
