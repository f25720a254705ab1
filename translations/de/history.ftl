## The call history page of the web UI (history.rs).

web-history-nav = Anrufliste
web-history-title = Anrufliste
# Variables:
#   $count (Number) - missed calls not looked at yet
web-history-missed-count = { $count ->
    [one] { $count } neuer verpasster Anruf
   *[other] { $count } neue verpasste Anrufe
}
web-history-missed = Verpasste Anrufe
web-history-received = Angenommene Anrufe
web-history-dialled = Gewählte Nummern
web-history-empty = Keine.
web-history-time = Zeit
web-history-identity = Identität
web-history-party = Anrufer oder Angerufener
web-history-duration = Dauer
web-history-note = Hinweis
web-history-answered-elsewhere = Anderswo angenommen
# Variables:
#   $target (String) - the SIP address the call went to
web-history-forwarded-to = Weitergeleitet an { $target }
# Variables:
#   $target (String) - the SIP address the call went to
web-history-transferred-to = Vermittelt an { $target }
web-history-blocked = Gesperrte Anrufer
web-history-blocked-empty = Kein Anrufer ist gesperrt.
web-history-unblock = Freigeben
