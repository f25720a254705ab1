### Textes de l'interface web d'administration (/).

web-title = Administration { -brand-name }
web-brand = { -brand-name }
web-company = { -company-name }
web-logo-alt = Logo { -company-name }
web-connecting = Connexion au téléphone…
web-connected = Connecté
web-nav-label = Sections
web-nav-status = État
web-nav-info = Infos
web-nav-support = Assistance

# Une date et une heure, par exemple sur les pages État et Infos.
# Variables:
#   $year (String) - quatre chiffres
#   $month (String) - 01–12
#   $day (String) - 01–31
#   $hour (String) - 00–23
#   $minute (String) - 00–59
#   $second (String) - 00–59
web-date-time = { $day }/{ $month }/{ $year } { $hour }:{ $minute }:{ $second }

## Page État

web-status-title = État
web-status-phone = Téléphone
web-status-model = Modèle
web-status-display = Écran

# Variables:
#   $width (Number) - largeur de l'écran en pixels
#   $height (Number) - hauteur de l'écran en pixels
#   $colour (String) - "yes" pour un écran couleur, "no" pour monochrome
web-status-display-value = { $width } × { $height } pixels, { $colour ->
    [yes] couleur
   *[no] monochrome
}

web-status-function-keys = Touches de fonction
web-status-display-engine = Moteur d'affichage
web-engine-off = Arrêté
web-engine-starting = Démarrage…
web-engine-running = En marche

web-status-identities = Identités
web-status-no-identities = Aucune identité n'est configurée.
web-col-identity = Identité
web-col-name = Nom
web-col-address = Adresse
web-col-registration = Enregistrement
web-reg-registered = Enregistré
web-reg-registering = Enregistrement…
web-reg-failed = Échec de l'enregistrement
web-reg-not-configured = Pas de registrar (appels IP directs)

web-status-calls = Appels en cours
web-status-no-calls = Aucun appel.
web-col-party = Correspondant
web-col-direction = Sens
web-col-phase = État
web-col-duration = Durée
web-col-codec = Codec
web-call-incoming = Entrant
web-call-outgoing = Sortant
web-phase-calling = Appel
web-phase-ringback = Sonne chez le correspondant
web-phase-ringing = Sonne
web-phase-connected = Connecté
web-phase-ending = Fin
web-none = –

web-status-screen = Écran du téléphone
web-screen-alt = Vue en direct de l'écran du téléphone
web-screen-engine-off = L'écran en direct n'est pas disponible tant que le moteur d'affichage est arrêté.
web-screen-load-failed = L'image de l'écran n'a pas pu être chargée.

## Formulaire des paramètres

web-settings-identity = Identité

# Variables:
#   $index (Number) - numéro d'identité, 1–12
web-settings-identity-option = Identité { $index }
web-settings-key = Touche
# Variables:
#   $index (Number) - numéro de la touche de fonction, P1 est 1
web-settings-key-option = Touche { $index }

# Variables:
#   $label (String) - le libellé du paramètre
#   $index (Number) - numéro d'identité, 1–12
web-settings-indexed-label = { $label } de l'identité { $index }

web-settings-secret-unchanged = inchangé
web-settings-save = Enregistrer
web-settings-saving = Enregistrement…
web-settings-saved = Paramètres enregistrés.
web-settings-nothing = Rien n'a changé.
web-settings-offline = Pas de connexion au téléphone. Réessayez quand la connexion est rétablie.

# Variables:
#   $message (String) - le message d'erreur du téléphone, non traduit
web-settings-error = Le téléphone a refusé les paramètres : { $message }

## Vérifications faites dans le navigateur avant l'enregistrement

# Variables:
#   $label (String) - le libellé du paramètre
#   $max (Number) - la longueur maximale
web-invalid-too-long = { $label } dépasse { $max } caractères.

# Variables:
#   $label (String) - le libellé du paramètre
#   $min (Number) - la plus petite valeur permise
#   $max (Number) - la plus grande valeur permise
web-invalid-out-of-range = { $label } doit être un nombre entier de { $min } à { $max }.

# Variables:
#   $label (String) - le libellé du paramètre
#   $allowed (String) - les valeurs permises, séparées par des virgules
web-invalid-not-a-choice = { $label } doit être l'une des valeurs : { $allowed }.

# Variables:
#   $label (String) - le libellé du paramètre
web-invalid-not-a-bool = { $label } doit être activé ou désactivé.

# Variables:
#   $label (String) - le libellé du paramètre
web-invalid-bad-host = { $label } doit être un nom d'hôte ou une adresse IP, suivi éventuellement de :port.

# Variables:
#   $label (String) - le libellé du paramètre
web-invalid-control-character = { $label } ne doit pas contenir de caractères de contrôle.

# Variables:
#   $label (String) - le libellé du paramètre
web-invalid-other = { $label } n'est pas valide sur ce téléphone.

## Page État : messages texte et messagerie vocale

web-status-messages = Messages texte
web-status-no-messages = Aucun message texte reçu.
web-col-from = De
web-col-message = Message
web-status-voicemail = Messagerie vocale
web-status-no-voicemail = Aucun message vocal en attente.
# Variables:
#   $index (Number) - numéro d'identité
#   $new (Number) - nouveaux messages vocaux
#   $old (Number) - anciens messages vocaux
web-status-voicemail-count = Identité { $index } : { $new } nouveaux, { $old } anciens

## Page État : provisionnement

web-status-provisioning = Provisionnement
web-prov-never = Aucun provisionnement n'a abouti depuis le démarrage du téléphone.
web-prov-running = Récupération des paramètres en cours…
web-prov-url = URL des paramètres
web-prov-time = Terminé le
web-prov-result = Résultat

# Variables:
#   $files (Number) - nombre de fichiers lus
#   $changed (Number) - paramètres qui ont pris une nouvelle valeur
#   $kept (Number) - paramètres conservés car modifiés sur le téléphone
web-prov-ok = { $files ->
    [0] Aucun fichier appliqué
    [one] Un fichier appliqué
   *[other] { $files } fichiers appliqués
} : { $changed } modifiés, { $kept } conservés car modifiés sur le téléphone

web-prov-files = Fichiers
web-prov-error = Échec : rien n'a été appliqué
web-prov-failed-file = Fichier en échec
web-prov-line = Ligne
web-prov-setting = Paramètre
web-prov-reason = Raison (du téléphone, non traduite)

# Variables:
#   $time (String) - date et heure, de web-date-time
web-prov-next-poll = Prochaine récupération : { $time }

## Page Infos

web-info-title = Infos
web-info-software = Logiciel
web-info-firmware = Version du micrologiciel
web-info-build = Compilation
web-info-hardware = Matériel
web-info-model = Modèle
web-info-mac = Adresse MAC
web-info-expansion-modules = Modules d'extension
web-info-network = Réseau
web-info-http-address = Adresse de l'interface web
web-info-sip-address = Adresse SIP
web-info-running = Fonctionnement
web-info-started = Démarré le
web-info-uptime = Durée de fonctionnement

# Variables:
#   $days (Number) - jours entiers
#   $time (String) - le reste en heures:minutes:secondes
web-info-uptime-value = { $days ->
    [0] { $time }
    [one] 1 jour, { $time }
   *[other] { $days } jours, { $time }
}

## Page Assistance

web-support-title = Assistance
web-support-archive = Archive de diagnostic
web-support-archive-help = Pour signaler un problème, joignez cette archive : elle montre à l'assistance ce que faisait le téléphone. C'est un fichier tar.gz contenant :
web-support-member-state = l'état actuel du téléphone (identités, appels, provisionnement)
web-support-member-settings = les paramètres, sans mots de passe
web-support-member-info = micrologiciel, modèle, adresse MAC et durée de fonctionnement
web-support-member-log = le journal récent du téléphone (jusqu'à 2000 lignes)
web-support-no-secrets = Les mots de passe et autres secrets ne sont jamais dans l'archive.
web-support-download = Télécharger l'archive de diagnostic

# Variables:
#   $index (Number) - le numéro de l'identité, de 1 à 12
web-settings-remove-identity = Supprimer l'identité { $index }
# Variables:
#   $index (Number) - le numéro de l'identité, de 1 à 12
web-settings-remove-identity-confirm = Supprimer l'identité { $index } ? Ses paramètres reprennent leurs valeurs par défaut et les touches de fonction qui lui sont liées sont effacées.
