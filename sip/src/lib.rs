//! Sans-IO SIP core (in progress).
