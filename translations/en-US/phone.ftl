### Texts on the phone's own screen (/phone). Keep them short: the smallest
### model has a 128×64 pixel display.

phone-brand = { -brand-name }

## Connecting (no contact with the phone service yet)

phone-connecting = Connecting…
phone-connecting-hint = Waiting for the { -brand-name } service

## Registration state of identity 1 (status bar)

phone-reg-registered = Registered
phone-reg-registering = Registering…
phone-reg-failed = Registration failed
phone-reg-not-configured = Direct IP

## Idle screen

phone-idle-no-identity = No identity configured

# Variables:
#   $hour (String) - hour, 00–23
#   $minute (String) - minute, 00–59
phone-time = { $hour }:{ $minute }

# Variables:
#   $weekday (String) - short weekday name, from phone-weekday-*
#   $day (String) - day of the month, 1–31
#   $month (String) - short month name, from phone-month-*
#   $year (String) - four-digit year
phone-date = { $weekday }, { $month } { $day }, { $year }

phone-weekday-mon = Mon
phone-weekday-tue = Tue
phone-weekday-wed = Wed
phone-weekday-thu = Thu
phone-weekday-fri = Fri
phone-weekday-sat = Sat
phone-weekday-sun = Sun

phone-month-jan = Jan
phone-month-feb = Feb
phone-month-mar = Mar
phone-month-apr = Apr
phone-month-may = May
phone-month-jun = Jun
phone-month-jul = Jul
phone-month-aug = Aug
phone-month-sep = Sep
phone-month-oct = Oct
phone-month-nov = Nov
phone-month-dec = Dec

## Dialling (off hook or typing a number)

phone-dial-title = Dial
phone-dial-hint-empty = Enter a number
phone-dial-hint = Press Dial to call

## Incoming call

phone-incoming-title = Incoming call
phone-unknown-party = Unknown

## In a call

phone-call-calling = Calling…
phone-call-ringback = Ringing…
phone-call-connected = Connected
phone-call-held = On hold
# The lock: the call's audio is encrypted (SRTP) both ways.
phone-call-encrypted = Encrypted
phone-call-ending = Ending call…

# Variables:
#   $count (Number) - how many other calls the phone has
phone-call-more = { $count ->
    [one] +1 other call
   *[other] +{ $count } other calls
}

## Transfer (C1)

# Variables:
#   $target (String) - the transfer target typed so far
phone-transfer-dialling = Transfer to: { $target }
phone-transfer-confirming = Transfer to the held call? Press Transfer
phone-transfer-transferring = Transferring…
phone-transfer-failed = Transfer failed

## Call ended (shown for three seconds)

phone-ended-title = Call ended

# Variables:
#   $duration (String) - talk time, mm:ss or h:mm:ss
phone-ended-duration = Duration { $duration }

phone-ended-reason-local-hangup = You hung up
phone-ended-reason-remote-hangup = The other party hung up
phone-ended-reason-cancelled = Cancelled
phone-ended-reason-answered-elsewhere = Answered elsewhere
phone-ended-reason-rejected = Rejected
phone-ended-reason-busy = Busy
phone-ended-reason-failed = Call failed
phone-ended-reason-timeout = No answer

## Soft keys under the display

phone-key-answer = Answer
phone-key-reject = Reject
phone-key-hangup = Hang up
phone-key-dial = Dial
phone-key-delete = Delete
phone-key-cancel = Cancel

## Text messages (SIP MESSAGE) and message waiting

# Variables:
#   $name (String) - the sender's name or number
phone-message-from = Message from { $name }
phone-message-dismiss = Cancel to dismiss
# Variables:
#   $count (Number) - new voice messages
phone-mwi = ✉ { $count }
