### Connexion : le formulaire de connexion de l'interface web, le bouton de
### déconnexion, le mot de passe généré affiché sur l'écran du téléphone et les
### identifiants du serveur web.

web-login-title = Connexion à { -brand-name }
web-login-user = Nom d'utilisateur
web-login-password = Mot de passe
web-login-submit = Se connecter
web-login-error-wrong = Nom d'utilisateur ou mot de passe incorrect.
# Variables:
#   $seconds (Number) - seconds until the next try is accepted
web-login-error-locked = Trop de mots de passe incorrects. Réessayez dans { $seconds } s.
web-login-error-failed = Le téléphone ne répond pas. Réessayez.
web-logout = Se déconnecter

# Variables:
#   $password (String) - the web admin password the phone generated at its first start
phone-web-password = Mot de passe web : { $password }

