//! AFL++ target: `deskphone_sip::fuzz::datagram`.

fn main() {
    afl::fuzz!(|data: &[u8]| deskphone_sip::fuzz::datagram(data));
}
