//! CPU per call per codec: encodes and decodes 60 s of a speech-band signal
//! (a 300 Hz–3.4 kHz tone sweep with noise) in 20 ms frames, both ways as a
//! call does, and prints the share of one core. Run in release:
//! `cargo run --release -p deskphone-media --example codec_cpu`.

use std::time::Instant;

use deskphone_media::Codec;

fn main() {
    const SECONDS: usize = 60;
    for codec in Codec::all() {
        let rate = codec.sample_rate() as usize;
        let frame = codec.frame_samples(20);
        let mut rng = fastrand::Rng::with_seed(722);
        let signal: Vec<i16> = (0..rate * SECONDS)
            .map(|n| {
                let t = n as f64 / rate as f64;
                let hz = 300.0 + 3100.0 * (t % 4.0) / 4.0;
                let tone = 8000.0 * (std::f64::consts::TAU * hz * t).sin();
                (tone + f64::from(rng.i16(-500..500))) as i16
            })
            .collect();
        let (mut encoder, mut decoder) = (codec.encoder(), codec.decoder());
        let (mut payload, mut pcm) = (Vec::new(), Vec::new());
        let started = Instant::now();
        for chunk in signal.chunks_exact(frame) {
            payload.clear();
            encoder.encode(chunk, &mut payload);
            pcm.clear();
            decoder.decode(&payload, &mut pcm);
            std::hint::black_box(&pcm);
        }
        let spent = started.elapsed();
        println!(
            "{:5}: {:6.3} % of one core per call (encode + decode, {} s of audio in {:.1} ms)",
            codec.name(),
            spent.as_secs_f64() / SECONDS as f64 * 100.0,
            SECONDS,
            spent.as_secs_f64() * 1000.0
        );
    }
}
