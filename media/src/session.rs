//! One call's RTP stream: audio out every packet time, audio in to the speaker
//! through the jitter buffer, RFC 4733 telephone-events both ways, and RTCP
//! reports (RFC 3550 §6) on the next port with the call's quality figures.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::backend::{AudioSink, AudioSource};
use crate::codec::{Codec, Decoder, Encoder, FormatParams};
use crate::dtmf::{self, DtmfEvent};
use crate::jitter::{Concealer, JitterBuffer, JitterConfig, JitterStats, Playout};
use crate::rtcp::{self, ReportBlock, RtcpPacket, SenderInfo};
use crate::rtp::RtpPacket;
use crate::srtp::{Srtp, SrtpError, SrtpPlan};

/// Longest sending backlog caught up in a burst (five packets).
const MAX_CATCH_UP: Duration = Duration::from_millis(100);
/// Largest datagram we accept; RTP over Ethernet stays below 1500.
const MAX_DATAGRAM: usize = 2048;

/// Where and how to send and what to accept: the media plan of a call.
#[derive(Clone, Copy, Debug)]
pub struct RtpConfig {
    pub remote: SocketAddr,
    pub codec: Codec,
    /// The payload type we put on our packets (the number the peer's
    /// description gave the codec, RFC 3264 §5.1).
    pub send_payload_type: u8,
    /// The payload type the peer's audio arrives with (our description's number).
    pub receive_payload_type: u8,
    /// RFC 4733 telephone-event payload types (send, receive), if negotiated.
    pub telephone_event: Option<(u8, u8)>,
    /// Packet time in milliseconds.
    pub ptime_ms: u32,
    /// Our synchronisation source; random if `None` (RFC 3550 §8.1).
    pub ssrc: Option<u32>,
    /// Where the peer takes RTCP: its `a=rtcp` (RFC 3605), else the RTP
    /// port plus one (RFC 3550 §11).
    pub remote_rtcp: Option<SocketAddr>,
    /// The average RTCP report interval: 5 s, the minimum of RFC 3550
    /// §6.2, which a two-party voice call always falls under.
    pub rtcp_interval: Duration,
    /// SRTP and SRTCP both ways (RFC 3711) with these keys; `None`: plain RTP.
    pub crypto: Option<SrtpPlan>,
    /// The peer's format parameters for our encoder (Opus FEC, DTX).
    pub send_params: FormatParams,
}

/// RFC 3550 §6.2: the recommended minimum report interval.
pub const RTCP_INTERVAL: Duration = Duration::from_secs(5);

/// The call's quality as RTCP measures it (RFC 3550 §6.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallQuality {
    /// Of the packets the peer sent us, lost since the call started, per mille.
    pub loss_received_permille: u32,
    /// Interarrival jitter of what we receive, in ms.
    pub jitter_ms: u32,
    /// The fraction of ours the peer reports lost in its last report, per mille.
    pub loss_sent_permille: Option<u32>,
    /// The jitter the peer reports for our stream, in ms.
    pub remote_jitter_ms: Option<u32>,
    /// Round trip from the peer's last report (LSR/DLSR, §6.4.1), in ms.
    pub round_trip_ms: Option<u32>,
    /// Mean time played frames waited in the jitter buffer, in ms.
    pub buffer_delay_ms: u32,
    /// Of the frames played, those concealed, per mille.
    pub concealed_permille: u32,
}

/// What the media task reports to its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaEvent {
    /// A DTMF digit arrived as an RFC 4733 event (reported once per event).
    Dtmf(char),
    /// New quality figures, after each RTCP report sent or received.
    Quality(CallQuality),
}

/// Counters since the session started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtpStats {
    pub packets_sent: u64,
    /// Valid packets of a negotiated payload type (duplicates included).
    pub packets_received: u64,
    /// Datagrams that were not RTP or carried a payload type not negotiated.
    pub packets_invalid: u64,
    pub rtcp_sent: u64,
    pub rtcp_received: u64,
    /// Datagrams on the RTCP port that were no valid compound packet.
    pub rtcp_invalid: u64,
    /// SRTP and SRTCP datagrams dropped because their authentication tag did not
    /// verify (forged, corrupted, plain RTP while SRTP was agreed, another key).
    pub srtp_auth_failed: u64,
    /// SRTP and SRTCP datagrams dropped as replays (RFC 3711 §3.3.2).
    pub srtp_replayed: u64,
}

/// State shared between the handle and its task.
struct Shared {
    remote: Mutex<SocketAddr>,
    /// Where RTCP goes; follows `remote` unless the peer named its own.
    remote_rtcp: Mutex<SocketAddr>,
    explicit_rtcp: bool,
    /// False while the negotiated direction does not let us send (hold, RFC 3264 §8.4):
    /// frames are still read, so the clock runs on, but not sent.
    sending: AtomicBool,
    /// Digits waiting to go out as RFC 4733 events.
    dtmf: Mutex<VecDeque<char>>,
    sent: AtomicU64,
    received: AtomicU64,
    invalid: AtomicU64,
    rtcp_sent: AtomicU64,
    rtcp_received: AtomicU64,
    rtcp_invalid: AtomicU64,
    srtp_auth_failed: AtomicU64,
    srtp_replayed: AtomicU64,
    /// The SRTP keys in force: the task picks up a change before its next datagram.
    crypto: Mutex<(u64, Option<SrtpPlan>)>,
    /// The generation of `crypto` the task runs with (so a change is seen at once
    /// without locking on every packet).
    crypto_generation: AtomicU64,
    /// The jitter buffer's view, refreshed every packet time.
    reception: Mutex<Reception>,
}

/// What the receiving side measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reception {
    pub jitter: JitterStats,
    /// Interarrival jitter in ms (RFC 3550 §6.4.1).
    pub jitter_ms: f64,
    /// The jitter buffer's current target delay in ms.
    pub target_delay_ms: u32,
}

/// Called by the media task for each [`MediaEvent`].
pub type EventHandler = Box<dyn FnMut(MediaEvent) + Send>;

/// A running RTP session. Stopping it (explicitly with [`RtpSession::stop`],
/// or by dropping it) ends the task, which then calls `sink.finish()`.
pub struct RtpSession {
    shared: Arc<Shared>,
    config: RtpConfig,
    /// Dropping this wakes the task and makes it stop.
    stop_tx: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RtpSession {
    /// Spawns the media task on the current tokio runtime; `socket` is already
    /// bound by the caller and is used for both directions (symmetric RTP,
    /// RFC 4961), which is what NATs and most phones expect. `rtcp`, bound to
    /// the RTP port plus one, carries the reports (none without it). `source`
    /// and `sink` work at the codec's sample rate.
    pub fn start(
        socket: UdpSocket,
        rtcp: Option<UdpSocket>,
        config: RtpConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
        events: EventHandler,
    ) -> RtpSession {
        let shared = Arc::new(Shared {
            remote: Mutex::new(config.remote),
            remote_rtcp: Mutex::new(
                config
                    .remote_rtcp
                    .unwrap_or_else(|| rtcp_next_to(config.remote)),
            ),
            explicit_rtcp: config.remote_rtcp.is_some(),
            sending: AtomicBool::new(true),
            dtmf: Mutex::new(VecDeque::new()),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
            rtcp_sent: AtomicU64::new(0),
            rtcp_received: AtomicU64::new(0),
            rtcp_invalid: AtomicU64::new(0),
            srtp_auth_failed: AtomicU64::new(0),
            srtp_replayed: AtomicU64::new(0),
            crypto: Mutex::new((0, config.crypto)),
            crypto_generation: AtomicU64::new(0),
            reception: Mutex::new(Reception::default()),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let ssrc = config.ssrc.unwrap_or_else(|| fastrand::u32(..));
        let local = socket.local_addr().ok();
        tracing::debug!(?local, remote = %config.remote,
            codec = config.codec.name(), ssrc, "RTP session starting");
        // RFC 3550 §6.5.1: CNAME user@host; the host is our address.
        let cname = local.map_or_else(
            || format!("{ssrc:08x}"),
            |a| format!("deskphone@{}", a.ip()),
        );
        let task = tokio::spawn(run(
            Sockets { rtp: socket, rtcp },
            Packetiser::new(&config, ssrc),
            Depacketiser::new(&config),
            Reporter::new(
                ssrc,
                cname,
                config.codec.sdp().rtp_clock_rate,
                config.rtcp_interval,
            ),
            Audio { source, sink },
            events,
            shared.clone(),
            stop_rx,
            Duration::from_millis(u64::from(config.ptime_ms)),
        ));
        RtpSession {
            shared,
            config,
            stop_tx: Some(stop_tx),
            task: Some(task),
        }
    }

    /// The configuration the session started with (codec, payload types).
    pub fn config(&self) -> &RtpConfig {
        &self.config
    }

    /// Changes where we send (e.g. after an answer with a new address);
    /// RTCP follows to the next port unless the peer named its own.
    pub fn set_remote(&self, remote: SocketAddr) {
        *self
            .shared
            .remote
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = remote;
        if !self.shared.explicit_rtcp {
            *self
                .shared
                .remote_rtcp
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = rtcp_next_to(remote);
        }
    }

    /// Changes the SRTP keys (a re-INVITE rekeyed, or fell back to plain RTP, or moved
    /// to SRTP): from the next datagram on, both directions use the new plan. An
    /// unchanged plan keeps the running contexts (rollover counters, replay lists).
    pub fn set_crypto(&self, crypto: Option<SrtpPlan>) {
        let mut current = self
            .shared
            .crypto
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if current.1 != crypto {
            current.0 += 1;
            current.1 = crypto;
            self.shared
                .crypto_generation
                .store(current.0, Ordering::Release);
        }
    }

    /// Whether both directions are SRTP now.
    pub fn encrypted(&self) -> bool {
        self.shared
            .crypto
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .is_some()
    }

    /// Sends our audio or stops sending it (the stream is held or inactive); receiving
    /// goes on either way.
    pub fn set_sending(&self, sending: bool) {
        self.shared.sending.store(sending, Ordering::Relaxed);
    }

    /// Queues a digit to go out as an RFC 4733 event, or in-band as dual tones when
    /// telephone-event was not negotiated. False (and nothing queued) when `digit` is
    /// not DTMF.
    pub fn send_dtmf(&self, digit: char) -> bool {
        // Without telephone-event the digit goes in-band, as dual tones (Q.23).
        if dtmf::event_code(digit).is_none() {
            return false;
        }
        self.shared
            .dtmf
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(digit);
        true
    }

    /// The jitter buffer's counters and estimates.
    pub fn reception(&self) -> Reception {
        *self
            .shared
            .reception
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn stats(&self) -> RtpStats {
        RtpStats {
            packets_sent: self.shared.sent.load(Ordering::Relaxed),
            packets_received: self.shared.received.load(Ordering::Relaxed),
            packets_invalid: self.shared.invalid.load(Ordering::Relaxed),
            rtcp_sent: self.shared.rtcp_sent.load(Ordering::Relaxed),
            rtcp_received: self.shared.rtcp_received.load(Ordering::Relaxed),
            rtcp_invalid: self.shared.rtcp_invalid.load(Ordering::Relaxed),
            srtp_auth_failed: self.shared.srtp_auth_failed.load(Ordering::Relaxed),
            srtp_replayed: self.shared.srtp_replayed.load(Ordering::Relaxed),
        }
    }

    /// Stops the task, which calls `sink.finish()`, and waits for it. Idempotent.
    pub async fn stop(&mut self) {
        self.stop_tx.take();
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "RTP task ended abnormally");
        }
    }
}

/// RFC 3550 §11: RTCP on the port after RTP's.
fn rtcp_next_to(rtp: SocketAddr) -> SocketAddr {
    SocketAddr::new(rtp.ip(), rtp.port().wrapping_add(1))
}

struct Sockets {
    rtp: UdpSocket,
    rtcp: Option<UdpSocket>,
}

struct Audio {
    source: Box<dyn AudioSource>,
    sink: Box<dyn AudioSink>,
}

/// Receives on an optional socket; without one, waits forever.
async fn recv_maybe(
    socket: Option<&UdpSocket>,
    buf: &mut [u8],
) -> std::io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

fn wall_clock() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)] // one task, spawned from one place
async fn run(
    sockets: Sockets,
    mut packetiser: Packetiser,
    mut depacketiser: Depacketiser,
    mut reporter: Reporter,
    audio: Audio,
    mut events: EventHandler,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
    ptime: Duration,
) {
    let Audio {
        mut source,
        mut sink,
    } = audio;
    let socket = sockets.rtp;
    let mut ticker = tokio::time::interval(ptime);
    // Burst: the microphone keeps producing samples whatever the scheduler
    // does, and the far end plays out at that rate. After a stall, sending
    // the missed frames at once keeps our packet clock equal to the audio
    // clock; Delay would shift the schedule for good, so the capture buffer
    // would overflow and the RTP timestamps would lag real time. The burst is
    // capped below so a suspended laptop does not flood the network with
    // minutes of audio on resume.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut datagram = vec![0u8; MAX_DATAGRAM];
    let mut control = vec![0u8; MAX_DATAGRAM];
    let mut out = Vec::with_capacity(4);
    let start = Instant::now();
    let now_ms = || start.elapsed().as_millis() as u64;
    let report_timer = tokio::time::sleep(reporter.first_interval());
    tokio::pin!(report_timer);
    // Generation 0 is the plan the session started with; u64::MAX makes the
    // first refresh take it up.
    let mut crypto = Crypto {
        generation: u64::MAX,
        srtp: None,
    };
    loop {
        crypto.refresh(&shared);
        tokio::select! {
            biased;
            _ = &mut stop => break,
            scheduled = ticker.tick() => {
                if scheduled.elapsed() > MAX_CATCH_UP {
                    tracing::debug!(late = ?scheduled.elapsed(), "RTP sender stalled; skipping the backlog");
                    ticker.reset();
                }
                // The send clock is also the playout clock: one frame each way.
                if let Some(digit) = depacketiser.playout(now_ms(), sink.as_mut()) {
                    events(MediaEvent::Dtmf(digit));
                }
                *shared.reception.lock().unwrap_or_else(PoisonError::into_inner) =
                    depacketiser.reception();
                if packetiser.idle() {
                    let next = shared.dtmf.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
                    if let Some(digit) = next {
                        packetiser.start_dtmf(digit);
                    }
                }
                out.clear();
                packetiser.next_packets(source.as_mut(), &mut out);
                if !shared.sending.load(Ordering::Relaxed) {
                    continue;
                }
                let to = *shared.remote.lock().unwrap_or_else(PoisonError::into_inner);
                for packet in &mut out {
                    if let Some(srtp) = crypto.srtp.as_mut() {
                        match srtp.protect_rtp(packet) {
                            Ok(sealed) => *packet = sealed,
                            Err(e) => {
                                tracing::warn!(error = %e, "SRTP protect failed; packet not sent");
                                continue;
                            }
                        }
                    }
                    match socket.send_to(packet, to).await {
                        Ok(_) => {
                            shared.sent.fetch_add(1, Ordering::Relaxed);
                            packetiser.count_sent(packet.len());
                        }
                        // Transient (no route yet, ICMP feedback): the next packet may work.
                        Err(e) => tracing::debug!(%to, error = %e, "RTP send failed"),
                    }
                }
            }
            received = socket.recv_from(&mut datagram) => match received {
                Ok((len, _from)) => {
                    // The source address is not checked: with NAT or a changed
                    // answer it legitimately differs from `remote`.
                    let opened;
                    let plain = match crypto.srtp.as_mut() {
                        None => &datagram[..len],
                        Some(srtp) => match srtp.unprotect_rtp(&datagram[..len]) {
                            Ok(p) => {
                                opened = p;
                                &opened[..]
                            }
                            Err(e) => {
                                count_srtp_error(&shared, &e);
                                continue;
                            }
                        },
                    };
                    let counter = match depacketiser.handle(plain, now_ms()) {
                        Received::Audio | Received::Nothing => &shared.received,
                        Received::Dtmf(digit) => {
                            events(MediaEvent::Dtmf(digit));
                            &shared.received
                        }
                        Received::Invalid => &shared.invalid,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                // E.g. ICMP port unreachable surfacing on Linux; keep going.
                Err(e) => tracing::debug!(error = %e, "RTP receive failed"),
            },
            () = &mut report_timer, if sockets.rtcp.is_some() => {
                report_timer.as_mut().reset(Instant::now() + reporter.next_interval());
                let Some(rtcp) = sockets.rtcp.as_ref() else { continue };
                let report = reporter.report(
                    Instant::now(),
                    wall_clock(),
                    packetiser.sender_info(),
                    depacketiser.jitter.reception(),
                    depacketiser.jitter.jitter(),
                );
                let to = *shared.remote_rtcp.lock().unwrap_or_else(PoisonError::into_inner);
                let report = match crypto.srtp.as_mut().map(|s| s.protect_rtcp(&report)) {
                    None => report,
                    Some(Ok(sealed)) => sealed,
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "SRTCP protect failed; report not sent");
                        continue;
                    }
                };
                if shared.sending.load(Ordering::Relaxed) || !to.ip().is_unspecified() {
                    match rtcp.send_to(&report, to).await {
                        Ok(_) => { shared.rtcp_sent.fetch_add(1, Ordering::Relaxed); }
                        Err(e) => tracing::debug!(%to, error = %e, "RTCP send failed"),
                    }
                }
                events(MediaEvent::Quality(depacketiser.quality(reporter.quality())));
            }
            received = recv_maybe(sockets.rtcp.as_ref(), &mut control) => match received {
                Ok((len, _from)) => {
                    let opened;
                    let plain = match crypto.srtp.as_mut() {
                        None => &control[..len],
                        Some(srtp) => match srtp.unprotect_rtcp(&control[..len]) {
                            Ok(p) => {
                                opened = p;
                                &opened[..]
                            }
                            Err(e) => {
                                count_srtp_error(&shared, &e);
                                continue;
                            }
                        },
                    };
                    match reporter.receive(plain, Instant::now(), wall_clock()) {
                        Ok(()) => {
                            shared.rtcp_received.fetch_add(1, Ordering::Relaxed);
                            events(MediaEvent::Quality(depacketiser.quality(reporter.quality())));
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "RTCP datagram dropped");
                            shared.rtcp_invalid.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Err(e) => tracing::debug!(error = %e, "RTCP receive failed"),
            },
        }
    }
    sink.finish();
    tracing::debug!("RTP session stopped");
}

/// The task's SRTP contexts and the generation of the plan they were made from.
struct Crypto {
    generation: u64,
    srtp: Option<Srtp>,
}

impl Crypto {
    /// Takes up a changed plan (cheap when nothing changed: one atomic load).
    fn refresh(&mut self, shared: &Shared) {
        if shared.crypto_generation.load(Ordering::Acquire) == self.generation {
            return;
        }
        let (generation, plan) = *shared.crypto.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation = generation;
        self.srtp = plan.and_then(|plan| match Srtp::new(plan) {
            Ok(srtp) => Some(srtp),
            Err(e) => {
                // Cannot happen with the suites we negotiate (key lengths are fixed);
                // sending plain RTP instead would be worse than silence.
                tracing::warn!(error = %e, "SRTP context not created");
                None
            }
        });
        tracing::debug!(srtp = self.srtp.is_some(), "media protection set");
    }
}

fn count_srtp_error(shared: &Shared, e: &SrtpError) {
    let counter = match e {
        SrtpError::Replayed => &shared.srtp_replayed,
        _ => &shared.srtp_auth_failed,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The RTCP side of a session (RFC 3550 §6): builds our reports and reads
/// the peer's, keeping the figures of [`CallQuality`].
struct Reporter {
    ssrc: u32,
    cname: String,
    clock_rate: u32,
    interval: Duration,
    /// (expected, received) at the previous report (A.3).
    prior: (u64, u64),
    /// Packets we had sent at the previous report: an SR only if we sent since.
    sent_before: u32,
    /// LSR of the peer's last SR and when it arrived (for our DLSR).
    last_sr: Option<(u32, Instant)>,
    quality: CallQuality,
}

impl Reporter {
    fn new(ssrc: u32, cname: String, clock_rate: u32, interval: Duration) -> Self {
        Reporter {
            ssrc,
            cname,
            clock_rate: clock_rate.max(1),
            interval,
            prior: (0, 0),
            sent_before: 0,
            last_sr: None,
            quality: CallQuality::default(),
        }
    }

    /// §6.2: the first report after half the interval; §6.3.1: every
    /// interval randomised to 0.5–1.5 times, so that sources do not
    /// synchronise.
    fn first_interval(&self) -> Duration {
        self.next_interval() / 2
    }

    fn next_interval(&self) -> Duration {
        self.interval.mul_f64(0.5 + fastrand::f64())
    }

    fn quality(&self) -> CallQuality {
        self.quality
    }

    fn report(
        &mut self,
        now: Instant,
        wall: Duration,
        sent: SenderInfo,
        reception: Option<(u32, rtcp::ReceptionCounts)>,
        jitter: u32,
    ) -> Vec<u8> {
        let ntp = rtcp::ntp_from_unix(wall);
        let block = reception.map(|(ssrc, counts)| {
            let (fraction_lost, prior) = rtcp::fraction_lost(&counts, self.prior);
            self.prior = prior;
            let (last_sr, delay_since_last_sr) = match self.last_sr {
                Some((lsr, at)) => (
                    lsr,
                    (now.saturating_duration_since(at).as_secs_f64() * 65_536.0) as u32,
                ),
                None => (0, 0),
            };
            let expected = counts.expected().max(1);
            self.quality.loss_received_permille =
                (counts.lost().max(0) as u64 * 1000 / expected) as u32;
            self.quality.jitter_ms = (u64::from(jitter) * 1000 / u64::from(self.clock_rate)) as u32;
            ReportBlock {
                ssrc,
                fraction_lost,
                cumulative_lost: counts.lost().clamp(-0x80_0000, 0x7F_FFFF) as i32,
                highest_sequence: counts.highest as u32,
                jitter,
                last_sr,
                delay_since_last_sr,
            }
        });
        let sender = (sent.packets != self.sent_before).then_some(SenderInfo { ntp, ..sent });
        self.sent_before = sent.packets;
        let mut out = Vec::with_capacity(80);
        rtcp::write_report(&mut out, self.ssrc, sender, block.as_ref(), &self.cname);
        out
    }

    fn receive(
        &mut self,
        datagram: &[u8],
        now: Instant,
        wall: Duration,
    ) -> Result<(), rtcp::RtcpError> {
        let arrival = rtcp::ntp_from_unix(wall);
        for packet in rtcp::parse_compound(datagram)? {
            let reports = match packet {
                RtcpPacket::SenderReport { info, reports, .. } => {
                    self.last_sr = Some((rtcp::ntp_middle(info.ntp), now));
                    reports
                }
                RtcpPacket::ReceiverReport { reports, .. } => reports,
                _ => continue,
            };
            for block in reports.iter().filter(|b| b.ssrc == self.ssrc) {
                self.quality.loss_sent_permille = Some(u32::from(block.fraction_lost) * 1000 / 256);
                self.quality.remote_jitter_ms =
                    Some((u64::from(block.jitter) * 1000 / u64::from(self.clock_rate)) as u32);
                if let Some(rtt) = rtcp::round_trip(arrival, block) {
                    self.quality.round_trip_ms = Some(rtt.as_millis() as u32);
                }
            }
        }
        Ok(())
    }
}

/// Builds outgoing packets (RFC 3550 §5.1): audio, or RFC 4733 events while
/// a digit is being sent.
struct Packetiser {
    encoder: Box<dyn Encoder>,
    payload_type: u8,
    telephone_event: Option<u8>,
    timestamp_step: u32,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    first: bool,
    /// The digit being sent, if any.
    event: Option<dtmf::Sender>,
    /// The digit being sent in-band, without telephone-event.
    tone: Option<crate::inband::ToneSender>,
    /// The audio rate, for in-band tones.
    sample_rate: u32,
    /// Packets and payload octets sent (the SR's sender info, §6.4.1).
    packets_sent: u32,
    octets_sent: u32,
    frame: Vec<i16>,
    payload: Vec<u8>,
}

impl Packetiser {
    fn new(config: &RtpConfig, ssrc: u32) -> Self {
        let samples_per_packet = config.codec.frame_samples(config.ptime_ms);
        Packetiser {
            encoder: config.codec.encoder_for(config.send_params),
            payload_type: config.send_payload_type,
            telephone_event: config.telephone_event.map(|(send, _)| send),
            timestamp_step: config.codec.timestamp_step(config.ptime_ms),
            ssrc,
            // Random initial values make known-plaintext attacks on encrypted
            // streams harder (RFC 3550 §5.1).
            sequence: fastrand::u16(..),
            timestamp: fastrand::u32(..),
            first: true,
            event: None,
            tone: None,
            sample_rate: config.codec.sample_rate(),
            packets_sent: 0,
            octets_sent: 0,
            frame: vec![0; samples_per_packet],
            payload: Vec::with_capacity(samples_per_packet),
        }
    }

    fn count_sent(&mut self, datagram_len: usize) {
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self
            .octets_sent
            .wrapping_add(datagram_len.saturating_sub(crate::rtp::HEADER_LEN) as u32);
    }

    /// The SR's sender info but the NTP time, which the report adds: the
    /// RTP timestamp is that of the next packet, i.e. now.
    fn sender_info(&self) -> SenderInfo {
        SenderInfo {
            ntp: 0,
            rtp_timestamp: self.timestamp,
            packets: self.packets_sent,
            octets: self.octets_sent,
        }
    }

    /// No digit is being sent.
    fn idle(&self) -> bool {
        self.event.is_none() && self.tone.is_none()
    }

    fn start_dtmf(&mut self, digit: char) {
        if self.telephone_event.is_some() {
            self.event = dtmf::Sender::new(digit, self.timestamp, self.timestamp_step);
        } else {
            self.tone = crate::inband::ToneSender::new(digit);
        }
    }

    /// Reads one frame and appends the datagrams for this packet time to `out`
    /// (one, or up to three at the end of an event). The counters advance
    /// even if the send later fails: the receiver sees a lost packet.
    fn next_packets(&mut self, source: &mut dyn AudioSource, out: &mut Vec<Vec<u8>>) {
        source.read_frame(&mut self.frame);
        // In-band DTMF replaces the microphone's audio while the digit lasts.
        if let Some(tone) = self.tone.as_mut()
            && !tone.next_frame(&mut self.frame, self.sample_rate)
        {
            self.tone = None;
        }
        if let (Some(sender), Some(pt)) = (self.event.as_mut(), self.telephone_event) {
            // RFC 4733 §2.5.1: while an event lasts, its packets replace the
            // audio; the microphone is still read so the clock runs on.
            let start = sender.start_timestamp();
            let (marker, event, done) = sender.next_packet();
            let mut payload = [0u8; 4];
            event.write(&mut payload);
            if done {
                self.event = None;
            }
            out.push(self.datagram(pt, marker, start, &payload));
        } else {
            self.payload.clear();
            self.encoder.encode(&self.frame, &mut self.payload);
            if self.payload.is_empty() {
                // Discontinuous transmission (Opus DTX): nothing goes out for this
                // frame; the next packet starts a talkspurt (RFC 3551 §4.1).
                self.first = true;
            } else {
                // Marks the start of a talkspurt: the first packet, and the first
                // after a DTX pause (RFC 3551 §4.1).
                let marker = self.first;
                let payload = std::mem::take(&mut self.payload);
                out.push(self.datagram(self.payload_type, marker, self.timestamp, &payload));
                self.payload = payload;
                self.first = false;
            }
        }
        // The timestamp counts at the RTP clock rate (RFC 3550 §5.1), which
        // for G.722 is half the audio rate (RFC 3551 §4.5.2).
        self.timestamp = self.timestamp.wrapping_add(self.timestamp_step);
    }

    fn datagram(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut datagram = Vec::with_capacity(12 + payload.len());
        RtpPacket {
            marker,
            payload_type,
            sequence: self.sequence,
            timestamp,
            ssrc: self.ssrc,
            payload,
        }
        .write(&mut datagram);
        self.sequence = self.sequence.wrapping_add(1);
        datagram
    }
}

/// What one incoming datagram was.
#[derive(Debug, PartialEq, Eq)]
enum Received {
    Audio,
    /// The first packet of a new telephone-event.
    Dtmf(char),
    /// A valid packet that changes nothing (a repeated event packet, a duplicate).
    Nothing,
    Invalid,
}

/// Turns incoming datagrams into audio for the sink through the jitter
/// buffer: packets go in as they arrive, one frame comes out per packet time
/// (decoded, or concealed when its packet is missing).
struct Depacketiser {
    decoder: Box<dyn Decoder>,
    payload_type: u8,
    telephone_event: Option<u8>,
    dtmf: dtmf::Receiver,
    jitter: JitterBuffer,
    concealer: Concealer,
    frame_samples: usize,
    pcm: Vec<i16>,
    /// In-band DTMF detection, when no telephone-event was negotiated.
    detector: Option<crate::inband::Detector>,
    sample_rate: u32,
}

impl Depacketiser {
    fn new(config: &RtpConfig) -> Self {
        Depacketiser {
            decoder: config.codec.decoder(),
            payload_type: config.receive_payload_type,
            telephone_event: config.telephone_event.map(|(_, receive)| receive),
            dtmf: dtmf::Receiver::default(),
            jitter: JitterBuffer::new(JitterConfig::new(
                config.ptime_ms,
                config.codec.sdp().rtp_clock_rate,
            )),
            concealer: Concealer::default(),
            frame_samples: config.codec.frame_samples(config.ptime_ms),
            detector: config
                .telephone_event
                .is_none()
                .then(crate::inband::Detector::default),
            sample_rate: config.codec.sample_rate(),
            pcm: Vec::new(),
        }
    }

    /// A datagram arrived at `now_ms`.
    fn handle(&mut self, datagram: &[u8], now_ms: u64) -> Received {
        let Ok(packet) = RtpPacket::parse(datagram) else {
            return Received::Invalid;
        };
        if Some(packet.payload_type) == self.telephone_event {
            let Some(event) = DtmfEvent::parse(packet.payload) else {
                return Received::Invalid;
            };
            // Events share the audio's sequence space and replace its packets
            // (RFC 4733 §2.1, §2.5.1): their places play as silence.
            self.jitter
                .push_filler(now_ms, packet.ssrc, packet.sequence);
            return match self.dtmf.receive(packet.ssrc, packet.timestamp, &event) {
                Some(digit) => Received::Dtmf(digit),
                None => Received::Nothing,
            };
        }
        if packet.payload_type != self.payload_type {
            return Received::Invalid;
        }
        let before = self.jitter.stats();
        self.jitter.push(
            now_ms,
            packet.ssrc,
            packet.sequence,
            packet.timestamp,
            packet.payload,
        );
        let after = self.jitter.stats();
        if after.late > before.late || after.duplicates > before.duplicates {
            Received::Nothing
        } else {
            Received::Audio
        }
    }

    /// One packet time: plays the next frame, conceals a missing one, or plays nothing
    /// while the buffer fills. Returns a DTMF digit heard in-band (only when no
    /// telephone-event was negotiated).
    fn playout(&mut self, now_ms: u64, sink: &mut dyn AudioSink) -> Option<char> {
        self.pcm.clear();
        match self.jitter.pop(now_ms) {
            Playout::Waiting => return None,
            Playout::Frame(payload) if payload.is_empty() => {
                self.pcm.resize(self.frame_samples, 0);
                self.concealer.played(&self.pcm);
            }
            Playout::Frame(payload) => {
                self.decoder.decode(&payload, &mut self.pcm);
                self.concealer.played(&self.pcm);
            }
            Playout::Conceal => {
                // The codec's own concealment first (Opus: FEC from the next packet,
                // libopus PLC), else the generic fade.
                let next = self.jitter.peek_next();
                if self
                    .decoder
                    .conceal(next, self.frame_samples, &mut self.pcm)
                {
                    self.concealer.played(&self.pcm);
                } else {
                    self.pcm.clear();
                    self.concealer.conceal(self.frame_samples, &mut self.pcm);
                }
            }
        }
        if self.pcm.is_empty() {
            return None;
        }
        sink.write_frame(&self.pcm);
        let rate = self.sample_rate;
        self.detector
            .as_mut()
            .and_then(|d| d.frame(&self.pcm, rate))
    }

    /// RTCP's figures with the jitter buffer's own.
    fn quality(&self, mut q: CallQuality) -> CallQuality {
        let stats = self.jitter.stats();
        let frames = stats.played + stats.concealed;
        q.buffer_delay_ms = self.jitter.mean_delay_ms().round() as u32;
        q.concealed_permille = (stats.concealed * 1000).checked_div(frames).unwrap_or(0) as u32;
        q
    }

    fn reception(&self) -> Reception {
        Reception {
            jitter: self.jitter.stats(),
            jitter_ms: self.jitter.jitter_ms(),
            target_delay_ms: self.jitter.target_delay_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the length of each frame: the tests tag packets by payload length.
    #[derive(Default)]
    struct Lengths(Vec<usize>);
    impl AudioSink for Lengths {
        fn write_frame(&mut self, frame: &[i16]) {
            self.0.push(frame.len());
        }
    }

    /// A packet whose payload is `seq % 1000 + 1` bytes long.
    fn datagram(seq: u16, ssrc: u32, pt: u8) -> Vec<u8> {
        let payload = vec![0xFF; usize::from(seq % 1000) + 1];
        let mut out = Vec::new();
        RtpPacket {
            marker: false,
            payload_type: pt,
            sequence: seq,
            timestamp: 0,
            ssrc,
            payload: &payload,
        }
        .write(&mut out);
        out
    }

    use crate::RTCP_INTERVAL;

    fn config(codec: &str, pt: u8) -> RtpConfig {
        RtpConfig {
            remote: "127.0.0.1:9".parse().unwrap(),
            codec: Codec::by_id(codec).unwrap(),
            send_payload_type: pt,
            receive_payload_type: pt,
            telephone_event: Some((101, 96)),
            ptime_ms: 20,
            ssrc: None,
            crypto: None,
            send_params: FormatParams::default(),
            remote_rtcp: None,
            rtcp_interval: RTCP_INTERVAL,
        }
    }

    /// Feeds packets with these sequence numbers at once, then plays until
    /// the buffer is empty; returns what played (`None`: concealed).
    fn run_sequence(seqs: &[u16]) -> Vec<Option<u16>> {
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        for &s in seqs {
            assert_ne!(d.handle(&datagram(s, 7, 0), 0), Received::Invalid);
        }
        let mut now = 0;
        while d.jitter.depth() > 0 {
            d.playout(now, &mut sink);
            now += 20;
        }
        sink.0
            .iter()
            .map(|&len| {
                seqs.iter()
                    .copied()
                    .find(|s| usize::from(s % 1000) + 1 == len)
            })
            .collect()
    }

    #[test]
    fn in_order_duplicates_and_reordering() {
        let all = |v: &[u16]| v.iter().map(|&s| Some(s)).collect::<Vec<_>>();
        assert_eq!(run_sequence(&[1, 2, 3, 4]), all(&[1, 2, 3, 4]));
        assert_eq!(
            run_sequence(&[1, 2, 2, 3, 1]),
            all(&[1, 2, 3]),
            "duplicates dropped"
        );
        assert_eq!(
            run_sequence(&[1, 3, 2, 4]),
            all(&[1, 2, 3, 4]),
            "swap is undone"
        );
        assert_eq!(
            run_sequence(&[1, 3, 4]),
            [Some(1), None, Some(3), Some(4)],
            "a lost packet is concealed"
        );
        assert_eq!(
            run_sequence(&[65_534, 65_535, 0, 1]),
            all(&[65_534, 65_535, 0, 1]),
            "wraps"
        );
        assert_eq!(
            run_sequence(&[500, 501, 40_000, 40_001]),
            all(&[40_000, 40_001]),
            "a jump is a restart"
        );
    }

    #[test]
    fn rejects_other_payload_types_and_garbage() {
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        assert_eq!(d.handle(&datagram(1, 7, 8), 0), Received::Invalid);
        assert_eq!(d.handle(b"not rtp at all", 0), Received::Invalid);
        assert_eq!(d.handle(&[], 0), Received::Invalid);
        // A telephone-event payload too short for an event.
        assert_eq!(d.handle(&datagram(999, 7, 96)[..14], 0), Received::Invalid);
        d.playout(0, &mut sink);
        assert!(sink.0.is_empty());
    }

    #[test]
    fn packetiser_follows_rfc3550() {
        struct Ramp(i16);
        impl AudioSource for Ramp {
            fn read_frame(&mut self, frame: &mut [i16]) {
                frame.fill(self.0);
                self.0 += 1000;
            }
        }
        let mut p = Packetiser::new(&config("pcma", 8), 0x1234_5678);
        let mut source = Ramp(0);
        let mut out = Vec::new();
        p.next_packets(&mut source, &mut out);
        p.next_packets(&mut source, &mut out);
        let [first, second] = &out[..] else {
            panic!("{out:?}")
        };
        let (a, b) = (
            RtpPacket::parse(first).unwrap(),
            RtpPacket::parse(second).unwrap(),
        );
        assert!(a.marker && !b.marker);
        assert_eq!(
            (a.payload_type, a.ssrc, a.payload.len()),
            (8, 0x1234_5678, 160)
        );
        assert_eq!(b.sequence, a.sequence.wrapping_add(1));
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160));
        assert_eq!(a.payload[0], crate::g711::alaw_encode(0));
        assert_eq!(b.payload[0], crate::g711::alaw_encode(1000));
    }

    #[test]
    fn g722_packets_count_time_at_8000_and_carry_320_samples() {
        let mut p = Packetiser::new(&config("g722", 9), 1);
        let mut d = Depacketiser::new(&config("g722", 9));
        struct Silence;
        impl AudioSource for Silence {
            fn read_frame(&mut self, frame: &mut [i16]) {
                assert_eq!(frame.len(), 320, "20 ms at 16 kHz");
                frame.fill(0);
            }
        }
        let mut out = Vec::new();
        p.next_packets(&mut Silence, &mut out);
        p.next_packets(&mut Silence, &mut out);
        let (a, b) = (
            RtpPacket::parse(&out[0]).unwrap(),
            RtpPacket::parse(&out[1]).unwrap(),
        );
        assert_eq!(a.payload.len(), 160);
        // RFC 3551 §4.5.2: the RTP clock of G.722 runs at 8000 Hz.
        assert_eq!(b.timestamp.wrapping_sub(a.timestamp), 160);
        let mut sink = Lengths::default();
        d.handle(&out[0], 0);
        d.playout(0, &mut sink);
        assert_eq!(sink.0, [320]);
    }

    #[test]
    fn dtmf_goes_out_as_rfc4733_events_and_comes_back_as_one_digit() {
        struct Zeros;
        impl AudioSource for Zeros {
            fn read_frame(&mut self, frame: &mut [i16]) {
                frame.fill(0);
            }
        }
        let mut p = Packetiser::new(&config("pcmu", 0), 5);
        let mut out = Vec::new();
        p.next_packets(&mut Zeros, &mut out);
        p.start_dtmf('#');
        assert!(!p.idle());
        let mut ticks = 0;
        while !p.idle() {
            p.next_packets(&mut Zeros, &mut out);
            ticks += 1;
        }
        p.next_packets(&mut Zeros, &mut out);
        assert_eq!(ticks, 7, "5 event packets and 2 repeats of the end");
        let packets: Vec<RtpPacket<'_>> =
            out.iter().map(|d| RtpPacket::parse(d).unwrap()).collect();
        let events = &packets[1..8];
        assert!(events.iter().all(|e| e.payload_type == 101));
        assert!(events.iter().all(|e| e.timestamp == events[0].timestamp));
        assert_eq!(events[0].timestamp, packets[0].timestamp.wrapping_add(160));
        assert!(events[0].marker && !events[1].marker);
        for w in packets.windows(2) {
            assert_eq!(
                w[1].sequence,
                w[0].sequence.wrapping_add(1),
                "one sequence space"
            );
        }
        assert_eq!(packets[8].payload_type, 0, "audio resumes");
        assert_eq!(
            packets[8].timestamp,
            packets[0].timestamp.wrapping_add(8 * 160),
            "the clock ran on during the event"
        );

        // The far end receives the same datagrams with its own numbers: 101 → 96.
        let mut d = Depacketiser::new(&config("pcmu", 0));
        let mut sink = Lengths::default();
        let mut digits = Vec::new();
        for datagram in &out {
            let mut bytes = datagram.clone();
            if bytes[1] & 0x7F == 101 {
                bytes[1] = (bytes[1] & 0x80) | 96;
            }
            if let Received::Dtmf(digit) = d.handle(&bytes, 0) {
                digits.push(digit);
            }
        }
        assert_eq!(digits, ['#'], "seven packets, one digit");
        let mut now = 0;
        while d.jitter.depth() > 0 {
            d.playout(now, &mut sink);
            now += 20;
        }
        assert_eq!(
            sink.0, [160; 9],
            "audio, the event's places as silence, audio: no concealment"
        );
        assert_eq!(d.jitter.stats().concealed, 0);
    }

    #[test]
    fn random_datagrams_never_panic_and_are_counted_invalid() {
        let mut rng = fastrand::Rng::with_seed(4733);
        let mut d = Depacketiser::new(&config("g722", 9));
        let mut sink = Lengths::default();
        let mut invalid = 0;
        for _ in 0..20_000 {
            let len = rng.usize(0..80);
            let mut buf: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
            if !buf.is_empty() && rng.bool() {
                buf[0] = (buf[0] & 0x3F) | 0x80;
            }
            if d.handle(&buf, 0) == Received::Invalid {
                invalid += 1;
            }
            d.playout(0, &mut sink);
        }
        assert!(invalid > 15_000, "{invalid}");
    }

    #[test]
    fn reports_carry_loss_jitter_and_give_the_round_trip() {
        // B received 90 of 100 packets from A and got A's SR 250 ms ago.
        let t0 = Instant::now();
        let wall = Duration::from_secs(1_000_000);
        let mut a = Reporter::new(1, "a@x".into(), 8000, RTCP_INTERVAL);
        let mut b = Reporter::new(2, "b@x".into(), 8000, RTCP_INTERVAL);
        let sr = a.report(
            t0,
            wall,
            SenderInfo {
                ntp: 0,
                rtp_timestamp: 16_000,
                packets: 100,
                octets: 16_000,
            },
            None,
            0,
        );
        assert!(matches!(
            rtcp::parse_compound(&sr).unwrap()[0],
            RtcpPacket::SenderReport { ssrc: 1, .. }
        ));
        // The SR takes 40 ms to B; B reports 250 ms later; that takes 40 ms.
        b.receive(
            &sr,
            t0 + Duration::from_millis(40),
            wall + Duration::from_millis(40),
        )
        .unwrap();
        let counts = rtcp::ReceptionCounts {
            base: 1 << 20,
            highest: (1 << 20) + 99,
            received: 90,
        };
        let rr = b.report(
            t0 + Duration::from_millis(290),
            wall + Duration::from_millis(290),
            SenderInfo::default(),
            Some((1, counts)),
            160,
        );
        assert!(
            matches!(
                rtcp::parse_compound(&rr).unwrap()[0],
                RtcpPacket::ReceiverReport { ssrc: 2, .. }
            ),
            "B sent nothing: RR, not SR"
        );
        assert_eq!(b.quality().loss_received_permille, 100);
        assert_eq!(b.quality().jitter_ms, 20);
        a.receive(
            &rr,
            t0 + Duration::from_millis(330),
            wall + Duration::from_millis(330),
        )
        .unwrap();
        let q = a.quality();
        assert_eq!(q.loss_sent_permille, Some(97), "25/256 of our packets lost");
        assert_eq!(q.remote_jitter_ms, Some(20));
        let rtt = q.round_trip_ms.unwrap();
        assert!(
            (79..=81).contains(&rtt),
            "round trip {rtt} ms, 2 × 40 expected"
        );
        // Garbage changes nothing.
        assert!(a.receive(b"\x80\xc8junk", t0, wall).is_err());
        assert_eq!(a.quality(), q);
    }
}
