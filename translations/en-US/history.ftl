## The call history page of the web UI (history.rs).

web-history-nav = Call history
web-history-title = Call history
# Variables:
#   $count (Number) - missed calls not looked at yet
web-history-missed-count = { $count ->
    [one] { $count } new missed call
   *[other] { $count } new missed calls
}
web-history-missed = Missed calls
web-history-received = Received calls
web-history-dialled = Dialled calls
web-history-empty = None.
web-history-time = Time
web-history-identity = Identity
web-history-party = Caller or callee
web-history-duration = Duration
web-history-note = Note
web-history-answered-elsewhere = Answered elsewhere
# Variables:
#   $target (String) - the SIP address the call went to
web-history-forwarded-to = Forwarded to { $target }
# Variables:
#   $target (String) - the SIP address the call went to
web-history-transferred-to = Transferred to { $target }
web-history-blocked = Blocked callers
web-history-blocked-empty = No caller is blocked.
web-history-unblock = Unblock
