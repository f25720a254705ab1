//! Provisioning (P2–P4, P6, P7): settings files fetched from `setting_server` over HTTP(S)
//! at start, on check-sync, by polling and by hand, applied all-or-nothing.
//!
//! The file formats and their validation are pure (`deskphone-provisioning`); this is
//! the IO around them: `fetch` gets bytes from servers, `certs` checks their
//! certificates.

mod certs;
pub mod fetch;
pub mod run;
pub mod schedule;
