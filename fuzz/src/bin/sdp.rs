//! AFL++ target: `deskphone_sip::fuzz::sdp`.

fn main() {
    afl::fuzz!(|data: &[u8]| deskphone_sip::fuzz::sdp(data));
}
