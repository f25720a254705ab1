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

setting-http-user-label = Administrateur web
setting-http-user-help = Le nom d'utilisateur de l'administrateur de cette interface web et des scripts (HTTP Basic ou Digest).
setting-http-pass-label = Mot de passe administrateur web
setting-http-pass-help = Le mot de passe de l'administrateur. Il n'est plus jamais affiché ; laissez le champ vide pour le conserver. Le changer déconnecte tout le monde.
setting-http-user-user-label = Utilisateur web
setting-http-user-user-help = Le nom d'utilisateur du rôle utilisateur, qui peut utiliser les touches, composer et modifier les identités et les préférences.
setting-http-user-pass-label = Mot de passe utilisateur web
setting-http-user-pass-help = Le mot de passe du rôle utilisateur. Vide désactive le rôle utilisateur.
