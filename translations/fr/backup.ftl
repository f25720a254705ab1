### La page de sauvegarde de l'interface web : export et import des paramètres (administrateur seulement).

web-nav-backup = Sauvegarde
web-backup-title = Sauvegarde
web-backup-export = Exporter les paramètres
web-backup-export-help = Télécharger tous les paramètres de ce téléphone dans un fichier de paramètres (XML, le format de provisionnement). Les mots de passe et autres secrets n'y figurent pas.
web-backup-export-download = Télécharger le fichier de paramètres
web-backup-import = Importer des paramètres
web-backup-import-help = Choisissez un fichier de paramètres. Le téléphone montre d'abord ce qui changerait ; rien ne change avant que vous appliquiez. Un fichier contenant une seule valeur incorrecte est refusé en entier.
web-backup-file = Fichier de paramètres
web-backup-checking = Vérification du fichier…
web-backup-nothing = Le fichier ne change rien : chaque valeur y est déjà en place.

# Variables:
#   $count (Number) - combien de paramètres le fichier changerait
web-backup-preview = { $count ->
    [one] Le fichier changerait 1 paramètre :
   *[other] Le fichier changerait { $count } paramètres :
}

web-backup-applying = Application…

# Variables:
#   $count (Number) - combien de paramètres ont changé
web-backup-applied = { $count ->
    [one] Appliqué : 1 paramètre modifié.
   *[other] Appliqué : { $count } paramètres modifiés.
}

web-backup-refused = Le fichier a été refusé ; rien n'a été modifié.

# Variables:
#   $status (Number) - le statut HTTP de la réponse du téléphone, 0 sans réponse
web-backup-failed = Le téléphone n'a pas accepté la demande (HTTP { $status }) ; rien n'a été modifié.

web-backup-col-setting = Paramètre
web-backup-col-from = Actuel
web-backup-col-to = Après l'import
web-backup-secret-hidden = (secret)
web-backup-secret-changed = modifié

# Un paramètre dans le tableau d'aperçu.
# Variables:
#   $label (String) - le libellé du paramètre
#   $key (String) - la clé du paramètre, p. ex. user_realname[1]
web-backup-setting = { $label } ({ $key })
web-backup-apply = Appliquer ces modifications

## Carte de provisionnement de la page d'état

web-prov-fetch-now = Récupérer les paramètres maintenant

# Variables:
#   $status (Number) - le statut HTTP de la réponse du téléphone, 0 sans réponse
web-prov-fetch-failed = Le téléphone n'a pas lancé la récupération (HTTP { $status }).
