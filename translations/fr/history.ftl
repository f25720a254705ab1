## The call history page of the web UI (history.rs).

web-history-nav = Journal des appels
web-history-title = Journal des appels
# Variables:
#   $count (Number) - missed calls not looked at yet
web-history-missed-count = { $count ->
    [one] { $count } nouvel appel manqué
   *[other] { $count } nouveaux appels manqués
}
web-history-missed = Appels manqués
web-history-received = Appels reçus
web-history-dialled = Appels émis
web-history-empty = Aucun.
web-history-time = Heure
web-history-identity = Identité
web-history-party = Correspondant
web-history-duration = Durée
web-history-note = Remarque
web-history-answered-elsewhere = Répondu ailleurs
# Variables:
#   $target (String) - the SIP address the call went to
web-history-forwarded-to = Renvoyé vers { $target }
# Variables:
#   $target (String) - the SIP address the call went to
web-history-transferred-to = Transféré vers { $target }
web-history-blocked = Appelants bloqués
web-history-blocked-empty = Aucun appelant n’est bloqué.
web-history-unblock = Débloquer
