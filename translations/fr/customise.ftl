### La page « Personnalisation » de l'interface web (F3).

web-custom-nav = Personnalisation
web-custom-title = Personnalisation
web-custom-in-use = En service
web-custom-defaults = L'apparence d'origine du produit (aucun paquet)
# Variables:
#   $source (String) - where the package came from: "web upload", a provisioning URL or custom_bg_image_url
#   $message (String) - what was installed
web-custom-last-ok = Dernier changement ({ $source }) : { $message }
# Variables:
#   $source (String) - where the package came from
#   $message (String) - why it was refused
web-custom-last-failed = Dernier paquet refusé ({ $source }) : { $message }
web-custom-default = Télécharger les fichiers par défaut
web-custom-reset = Revenir aux valeurs par défaut
web-custom-upload = Envoyer un paquet
web-custom-upload-help = Un paquet est une archive .tar.gz contenant un manifest.json et les fichiers qu'il nomme : logo (PNG ou SVG), fond d'écran (PNG ou JPEG, au plus la taille de l'écran), nom de l'entreprise, couleurs, sonneries (WAV) et fichiers de langue. Partez des fichiers par défaut. Le téléphone vérifie d'abord chaque fichier et affiche le résultat ci-dessous ; rien ne change avant que vous l'appliquiez, et un paquet contenant un fichier incorrect ne change rien.
web-custom-file = Paquet
web-custom-checking = Vérification du paquet…
# Variables:
#   $name (String) - the package's name from its manifest
web-custom-checked = « { $name } » a passé toutes les vérifications. L'aperçu le montre ; appliquez-le pour l'utiliser.
web-custom-applying = Application…
web-custom-applied = Terminé : le téléphone utilise la nouvelle apparence.
# Variables:
#   $reason (String) - the phone's reason, e.g. which file is too large
web-custom-refused = Refusé, rien n'a changé : { $reason }
# Variables:
#   $status (Number) - the HTTP status, 0 when the phone did not answer
web-custom-failed = Le téléphone n'a pas accepté le paquet (HTTP { $status }).
web-custom-apply = Appliquer
web-custom-preview = Aperçu de l'écran du téléphone
# Variables:
#   $names (String) - the ringers replaced, e.g. "Ringer1, Ringer2"
web-custom-ringtones = Sonneries : { $names }
# Variables:
#   $files (String) - the language files replaced, e.g. "de/phone.ftl"
web-custom-languages = Fichiers de langue : { $files }
