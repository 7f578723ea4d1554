//! What phones hear and what the IPBX records, proven by content: every
//! account sends its own tone and records what it receives.

use std::cell::Cell;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use super::audio::{self, Heard, Wav};
use super::ctx::Ctx;
use super::names::PhoneId;
use super::pcap;
use super::result::{fail, Failure};
use super::runner::CAPTURE;
use crate::gen::phones::recording_path;
use crate::runtime::docker::EngineError;
use crate::wait;

/// Audio of a call analysed for each side's tone. Not 1.5 s any more: the start of a recording
/// may hold 0.1-0.3 s of a feature code's beep (measured under load), and a shorter recording lets
/// it weigh more against the tone.
pub(super) const AUDIO_SECONDS: f64 = 2.0;
/// How long the IPBX's messages (welcome, refusal, menu: 1.5 s tones) must be heard in a row.
/// Measured under load, 1.32 s at least; what is left of the menu's first playing when a key is
/// pressed is at most 0.5 s, since the check of that first playing heard it for 1 s already.
pub(super) const MESSAGE_SECONDS: f64 = 1.0;
/// How long after the answer or the last key a message may take to come. Under load the menu
/// played again up to 1.72 s after the key was sent (the key crosses the softphone's control
/// socket, RFC 4733, then the dialplan), which left 0.7 s of it in the former 1.5 s window. The
/// menu comes back by itself only after its prompt and `WaitExten(5)`, over 7 s later, so a longer
/// window does not mistake that for an answer to the key.
pub(super) const MESSAGE_WITHIN: f64 = 4.0;
const AUDIO_TIMEOUT: Duration = Duration::from_secs(8);
/// How long the run's SIP capture may trail what a phone reports.
const CAPTURE_LAG: Duration = Duration::from_secs(2);
const CAPTURE_POLL: Duration = Duration::from_millis(100);
/// A recording is 8 kHz 16-bit mono after a 44-byte header.
pub(super) const HEADER: u64 = 44;
const BYTES_PER_SECOND: f64 = 16_000.0;

impl Ctx<'_, '_> {
    pub(super) async fn recording_size(&self, phone: &PhoneId) -> u64 {
        let container = self.phone_container(phone);
        let path = recording_path(&phone.account);
        self.shared
            .engine
            .exec(&container, &["stat", "-c", "%s", &path])
            .await
            .ok()
            .and_then(|o| o.output.trim().parse::<u64>().ok())
            .unwrap_or(0)
    }

    /// What `phone` receives from now on, once `seconds` of it exist.
    pub(super) async fn received(&self, phone: &PhoneId, seconds: f64) -> Result<Wav, Failure> {
        let mark = self.recording_size(phone).await;
        self.received_since(phone, mark, seconds).await
    }

    /// `phone`'s received audio after byte `mark` of its recording.
    async fn received_since(&self, phone: &PhoneId, mark: u64, seconds: f64) -> Result<Wav, Failure> {
        let (mark, got) = self.await_audio(phone, mark, seconds, Instant::now() + AUDIO_TIMEOUT).await;
        if got < seconds {
            return Err(fail(
                format!("{phone} receives audio"),
                format!("{got:.1} s of audio in {} s: its audio is not flowing", AUDIO_TIMEOUT.as_secs()),
            ));
        }
        self.read_since(phone, mark).await
    }

    /// Waits until `phone`'s recording holds `seconds` after byte `mark`, or until `deadline`; returns
    /// the mark (moved to the start if the recording restarted) and the seconds it holds.
    async fn await_audio(&self, phone: &PhoneId, mark: u64, seconds: f64, deadline: Instant) -> (u64, f64) {
        let (mark, got) = (&Cell::new(mark.max(HEADER)), &Cell::new(0.0));
        let timeout = deadline.saturating_duration_since(Instant::now());
        let grown = wait::until("audio", timeout, wait::POLL, move || async move {
            let size = self.recording_size(phone).await;
            if size < mark.get() {
                // A re-INVITE (hold, resume) restarts baresip's recording from zero.
                mark.set(HEADER);
            }
            got.set(size.saturating_sub(mark.get()) as f64 / BYTES_PER_SECOND);
            Ok::<_, Infallible>(if got.get() >= seconds { wait::Poll::Ready(()) } else { wait::Poll::Pending(()) })
        });
        // Short of `seconds` at the deadline, the caller judges what came.
        let _ = grown.await;
        (mark.get(), got.get())
    }

    /// `phone`'s recording after byte `mark`, as it is now.
    async fn read_since(&self, phone: &PhoneId, mark: u64) -> Result<Wav, Failure> {
        let bytes = self
            .shared
            .engine
            .exec_bytes(&self.phone_container(phone), &["cat", &recording_path(&phone.account)])
            .await
            .map_err(|e| fail(format!("{phone}'s recording can be read"), e.to_string()))?;
        let mut wav =
            audio::parse_wav(&bytes).map_err(|e| fail(format!("{phone}'s recording is a WAV file"), e.to_string()))?;
        let skip = ((mark - HEADER) / 2) as usize;
        wav.samples.drain(..skip.min(wav.samples.len()));
        Ok(wav)
    }

    /// Each phone hears the other's tone, both listened to over the same time.
    pub(super) async fn audio(&mut self, a: &PhoneId, b: &PhoneId) -> Result<(), Failure> {
        let (mark_a, mark_b) = (self.recording_size(a).await, self.recording_size(b).await);
        let heard_by_a = self.received_since(a, mark_a, AUDIO_SECONDS).await?;
        let heard_by_b = self.received_since(b, mark_b, AUDIO_SECONDS).await?;
        two_way([(a, self.tone(a), &heard_by_a), (b, self.tone(b), &heard_by_b)])
    }

    /// Whether `phone` hears a message of `hz` for [`MESSAGE_SECONDS`] within [`MESSAGE_WITHIN`] after
    /// byte `mark`. Listening stops as soon as it has: a stretch of tone only grows as audio comes,
    /// so stopping early gives the verdict the whole window would. It also stops when the recording
    /// stops growing (the IPBX hung up after the message).
    pub(super) async fn message(&self, phone: &PhoneId, mark: u64, hz: u32) -> Result<(bool, Heard), Failure> {
        let own = self.tone(phone);
        self.listen(phone, mark, |wav| audio::hears_message(wav, hz, &[own], MESSAGE_SECONDS)).await
    }

    /// What `judge` makes of what `phone` hears within [`MESSAGE_WITHIN`] after byte `mark`,
    /// listening until it says yes: `judge` must only grow more sure as audio comes (a stretch of
    /// sound only grows), as [`Ctx::message`]'s does.
    pub(super) async fn listen<T>(
        &self,
        phone: &PhoneId,
        mark: u64,
        judge: impl Fn(&Wav) -> (bool, T),
    ) -> Result<(bool, T), Failure> {
        let deadline = Instant::now() + AUDIO_TIMEOUT;
        let (mut mark, mut seconds) = (mark, MESSAGE_SECONDS);
        loop {
            let (at, _) = self.await_audio(phone, mark, seconds, deadline).await;
            mark = at;
            let mut wav = self.read_since(phone, mark).await?;
            wav.samples.truncate((f64::from(wav.rate) * MESSAGE_WITHIN) as usize);
            let (ok, verdict) = judge(&wav);
            let got = wav.samples.len() as f64 / f64::from(wav.rate.max(1));
            if ok || got >= MESSAGE_WITHIN || Instant::now() > deadline {
                return Ok((ok, verdict));
            }
            seconds = (got + 0.25).min(MESSAGE_WITHIN);
        }
    }

    /// The Alert-Info header of the last INVITE its IPBX sent to `phone`, read
    /// from the run's SIP capture: what the phone received on the wire (baresip
    /// does not report headers). Outer `None`: no INVITE reached it.
    pub(super) async fn alert_info(&self, phone: &PhoneId) -> Option<Option<String>> {
        let (engine, container, account) = (self.shared.engine, &self.ipbx(&phone.site), phone.account.as_str());
        // The capture may trail the phone's own report by a few milliseconds.
        let found = wait::until("an INVITE in the capture", CAPTURE_LAG, CAPTURE_POLL, move || async move {
            let pcap = engine.exec_bytes(container, &["cat", CAPTURE]).await?;
            Ok::<_, EngineError>(match pcap::last_invite_header(&pcap, account, "Alert-Info") {
                Some(header) => wait::Poll::Ready(header),
                None => wait::Poll::Pending(()),
            })
        });
        found.await.ok()
    }
}

/// The `audio` step's verdict on what each side received: (phone, its own tone, its recording).
/// Each must hear the other's tone, not its own coming back: one-way audio fails on the deaf side.
fn two_way(sides: [(&PhoneId, u32, &Wav); 2]) -> Result<(), Failure> {
    let [(a, tone_a, heard_by_a), (b, tone_b, heard_by_b)] = sides;
    for (listener, own, wav, speaker, tone) in [(a, tone_a, heard_by_a, b, tone_b), (b, tone_b, heard_by_b, a, tone_a)]
    {
        let (ok, heard) = audio::hears(wav, tone, &[own]);
        if !ok {
            return Err(fail(format!("{listener} hears {speaker}'s {tone} Hz tone"), heard.to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::audio::synth::{lose, silence, tone, wav};
    use super::*;

    fn phone(account: &str) -> PhoneId {
        PhoneId { site: "table1".into(), account: account.into() }
    }

    /// Dropouts as measured under load, in 2 s: bursts of 1, 2, 4 and 10 packets (17 % lost).
    fn dropouts() -> Vec<usize> {
        [3, 20, 21, 40, 41, 42, 43].into_iter().chain(60..70).collect()
    }

    /// assistant6 sends 700 Hz, secretaire6 725 Hz; what each receives, with the dropouts measured.
    fn call(to_assistant: Vec<f32>, to_secretary: Vec<f32>) -> Result<(), Failure> {
        let (a, b) = (phone("assistant6"), phone("secretaire6"));
        two_way([(&a, 700, &wav(to_assistant)), (&b, 725, &wav(to_secretary))])
    }

    #[test]
    fn both_ways_with_measured_dropouts_pass() {
        let to_a = lose(tone(725.0, 0.5, 2.0), dropouts());
        let to_b = [silence(0.44), lose(tone(700.0, 0.5, 1.6), [5, 6, 20])].concat();
        assert!(call(to_a, to_b).is_ok());
    }

    #[test]
    fn one_way_audio_fails_on_the_deaf_side() {
        let heard = lose(tone(725.0, 0.5, 2.0), dropouts());
        let deaf = silence(2.0);
        let err = call(heard.clone(), deaf).expect_err("secretaire6 hears nothing");
        assert_eq!(err.expected, "table1/secretaire6 hears table1/assistant6's 700 Hz tone");
        assert!(err.observed.starts_with("silence"), "{}", err.observed);
        // The deaf side receiving only its own tone back (an echo 20 dB down) fails the same way.
        let echo = tone(725.0, 0.05, 2.0);
        let err = call(heard, echo).expect_err("secretaire6 hears only itself");
        assert!(err.observed.ends_with("the loudest lab tone is 725 Hz"), "{}", err.observed);
        // And the other way round.
        let err = call(silence(2.0), tone(700.0, 0.5, 2.0)).expect_err("assistant6 hears nothing");
        assert_eq!(err.expected, "table1/assistant6 hears table1/secretaire6's 725 Hz tone");
    }

    #[test]
    fn silence_both_ways_and_a_wrong_tone_fail() {
        assert!(call(silence(2.0), silence(2.0)).is_err());
        // secretaire6 hears a third phone (750 Hz) instead of assistant6.
        assert!(call(tone(725.0, 0.5, 2.0), tone(750.0, 0.5, 2.0)).is_err());
    }
}
