### La page Mise à jour logicielle de l'interface web (F1).

web-update-nav = Mise à jour
web-update-title = Mise à jour logicielle
web-update-running = Micrologiciel en service
web-update-version = Version
web-update-slot = Emplacement
web-update-load-title = Charger un micrologiciel
web-update-load-help = Collez l'adresse d'une image de micrologiciel pour ce modèle. Le téléphone la télécharge, vérifie sa taille, son SHA256 et sa signature, l'installe à côté du micrologiciel en service et redémarre dessus. Si le nouveau micrologiciel ne démarre pas correctement, le téléphone revient de lui-même à l'actuel.
web-update-url = URL de l'image
web-update-load = Charger
# Variables:
#   $reason (String) - the phone's answer, e.g. that an update is already running
web-update-start-refused = La mise à jour n'a pas démarré : { $reason }
web-update-start-unreachable = Le téléphone ne répond pas. Vérifiez la connexion et réessayez.
web-update-progress-title = Progression
web-update-phase-idle = Aucune mise à jour en cours.
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
web-update-phase-downloading = Téléchargement : { $received } Mo
# Variables:
#   $received (String) - megabytes received so far, e.g. 12.4
#   $total (String) - megabytes of the whole image, e.g. 80.1
web-update-phase-downloading-of = Téléchargement : { $received } sur { $total } Mo
web-update-phase-verifying = Vérification de la taille, du SHA256 et de la signature…
web-update-phase-installing = Installation dans l'emplacement libre…
web-update-phase-rebooting = Redémarrage sur le nouveau micrologiciel…
# Variables:
#   $message (String) - what was installed, e.g. "version 0.3.0 installed in slot b"
web-update-outcome-ok = Dernière mise à jour : { $message }
# Variables:
#   $message (String) - why the update was refused or undone
web-update-outcome-failed = Échec de la dernière mise à jour : { $message }
# Variables:
#   $version (String) - the version the phone goes on to, e.g. 1.0.0
web-update-then = Cette version est une étape : le téléphone installera lui-même la version { $version } dès qu'elle fonctionnera correctement.
web-update-recovery = Récupération par le réseau : le micrologiciel installé n'a pas pu démarrer. Le téléphone exécute le programme avec lequel il a été installé et installe l'image de récupération (paramètres de mise à jour, « Image de récupération »).
# Variables:
#   $url (String) - the address of the firmware image provisioning names
web-update-offered = Le provisionnement propose une image de micrologiciel : { $url }
web-update-install-offered = L'installer
