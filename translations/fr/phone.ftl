### Textes de l'écran du téléphone (/phone). Les garder courts : le plus petit
### modèle a un écran de 128×64 pixels.

phone-brand = { -brand-name }

## Connexion (pas encore de contact avec le service du téléphone)

phone-connecting = Connexion…
phone-connecting-hint = En attente du service { -brand-name }

## État d'enregistrement de l'identité 1 (barre d'état)

phone-reg-registered = Enregistré
phone-reg-registering = Enregistrement…
phone-reg-failed = Échec de l'enregistrement
phone-reg-not-configured = IP directe

## Écran de repos

phone-idle-no-identity = Aucune identité configurée

# Variables:
#   $hour (String) - heure, 00–23
#   $minute (String) - minute, 00–59
phone-time = { $hour }:{ $minute }

# Variables:
#   $weekday (String) - jour de la semaine abrégé, de phone-weekday-*
#   $day (String) - jour du mois, 1–31
#   $month (String) - mois abrégé, de phone-month-*
#   $year (String) - année sur quatre chiffres
phone-date = { $weekday } { $day } { $month } { $year }

phone-weekday-mon = lun.
phone-weekday-tue = mar.
phone-weekday-wed = mer.
phone-weekday-thu = jeu.
phone-weekday-fri = ven.
phone-weekday-sat = sam.
phone-weekday-sun = dim.

phone-month-jan = janv.
phone-month-feb = févr.
phone-month-mar = mars
phone-month-apr = avr.
phone-month-may = mai
phone-month-jun = juin
phone-month-jul = juil.
phone-month-aug = août
phone-month-sep = sept.
phone-month-oct = oct.
phone-month-nov = nov.
phone-month-dec = déc.

## Numérotation (décroché ou saisie d'un numéro)

phone-dial-title = Appeler
phone-dial-hint-empty = Saisir un numéro
phone-dial-hint = Appuyer sur Appeler

## Appel entrant

phone-incoming-title = Appel entrant
phone-unknown-party = Inconnu

## En communication

phone-call-calling = Appel en cours…
phone-call-ringback = Sonnerie…
phone-call-connected = Connecté
phone-call-held = En attente
# The lock: the call's audio is encrypted (SRTP) both ways.
phone-call-encrypted = Chiffré
phone-call-ending = Fin de l'appel…

# Variables:
#   $count (Number) - nombre d'autres appels du téléphone
phone-call-more = { $count ->
    [one] +1 autre appel
   *[other] +{ $count } autres appels
}

## Transfert (C1)

# Variables:
#   $target (String) - la cible du transfert saisie jusqu'ici
phone-transfer-dialling = Transférer à : { $target }
phone-transfer-confirming = Transférer vers l'appel en attente ? Appuyer sur Transfert
phone-transfer-transferring = Transfert…
phone-transfer-failed = Échec du transfert

## Appel terminé (affiché trois secondes)

phone-ended-title = Appel terminé

# Variables:
#   $duration (String) - durée de conversation, mm:ss ou h:mm:ss
phone-ended-duration = Durée { $duration }

phone-ended-reason-local-hangup = Vous avez raccroché
phone-ended-reason-remote-hangup = Le correspondant a raccroché
phone-ended-reason-cancelled = Annulé
phone-ended-reason-answered-elsewhere = Répondu ailleurs
phone-ended-reason-rejected = Refusé
phone-ended-reason-busy = Occupé
phone-ended-reason-failed = Échec de l'appel
phone-ended-reason-timeout = Pas de réponse

## Touches programmables sous l'écran

phone-key-answer = Répondre
phone-key-reject = Refuser
phone-key-hangup = Raccrocher
phone-key-dial = Appeler
phone-key-delete = Effacer
phone-key-cancel = Annuler

## Messages texte (SIP MESSAGE) et messages en attente

# Variables:
#   $name (String) - le nom ou le numéro de l'expéditeur
phone-message-from = Message de { $name }
phone-message-dismiss = Annuler pour fermer
# Variables:
#   $count (Number) - nouveaux messages vocaux
phone-mwi = ✉ { $count }
