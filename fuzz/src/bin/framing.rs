//! AFL++ target: `deskphone_sip::fuzz::framing`.

fn main() {
    afl::fuzz!(|data: &[u8]| deskphone_sip::fuzz::framing(data));
}
