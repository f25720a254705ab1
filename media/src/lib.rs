//! Media (in progress).
