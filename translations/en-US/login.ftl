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

