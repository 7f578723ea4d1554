//! What phones hear and what the IPBX records, proven by content: every
//! account sends its own tone and records what it receives.

use std::time::{Duration, Instant};

use super::audio::{self, Wav};
use super::check::{fail, Ctx, RING_TIMEOUT};
use super::pcap;
use super::runner::{Failure, CAPTURE};
use super::{PhoneId, Sound};
use crate::gen::phones::recording_path;
use crate::gen::sounds;

/// Audio needed before tones are analysed.
const AUDIO_SECONDS: f64 = 1.5;
/// Long enough for a menu's first sentence.
const SPEECH_SECONDS: f64 = 3.0;
const AUDIO_TIMEOUT: Duration = Duration::from_secs(8);
/// A recording is 8 kHz 16-bit mono after a 44-byte header.
const HEADER: u64 = 44;
const BYTES_PER_SECOND: f64 = 16_000.0;
/// Where MixMonitor (one-touch recording) writes.
const MONITOR_DIR: &str = "/var/spool/asterisk/monitor";

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
    async fn received(&self, phone: &PhoneId, seconds: f64) -> Result<Wav, Failure> {
        let mark = self.recording_size(phone).await;
        self.received_since(phone, mark, seconds).await
    }

    /// `phone`'s received audio after byte `mark` of its recording.
    async fn received_since(&self, phone: &PhoneId, mark: u64, seconds: f64) -> Result<Wav, Failure> {
        let mut mark = mark.max(HEADER);
        let deadline = Instant::now() + AUDIO_TIMEOUT;
        loop {
            let size = self.recording_size(phone).await;
            if size < mark {
                // A re-INVITE (hold, resume) restarts baresip's recording from zero.
                mark = HEADER;
            }
            if size >= mark + (seconds * BYTES_PER_SECOND) as u64 {
                break;
            }
            if Instant::now() > deadline {
                let got = size.saturating_sub(mark) as f64 / BYTES_PER_SECOND;
                return Err(fail(
                    format!("{phone} receives audio"),
                    format!("{got:.1} s of audio in {} s: its audio is not flowing", AUDIO_TIMEOUT.as_secs()),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
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

    /// Each phone hears the other's tone.
    pub(super) async fn audio(&mut self, a: &PhoneId, b: &PhoneId) -> Result<(), Failure> {
        for (listener, speaker) in [(a, b), (b, a)] {
            let wav = self.received(listener, AUDIO_SECONDS).await?;
            let (ok, heard) = audio::hears(&wav, self.tone(speaker), &[self.tone(listener)]);
            if !ok {
                return Err(fail(
                    format!("{listener} hears {speaker}'s {} Hz tone", self.tone(speaker)),
                    heard.to_string(),
                ));
            }
        }
        Ok(())
    }

    pub(super) async fn hears(&mut self, phone: &PhoneId, what: &Sound) -> Result<(), Failure> {
        match what {
            Sound::Music { site } => {
                let lab = self.shared.lab;
                let site = lab.site(site).expect("checked site");
                let hz = sounds::moh_hz(site);
                let wav = self.received(phone, AUDIO_SECONDS).await?;
                let others: Vec<u32> =
                    std::iter::once(self.tone(phone)).chain(self.peers.get(phone).map(|p| self.tone(p))).collect();
                let (ok, heard) = audio::hears(&wav, hz, &others);
                if ok {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears {}'s music on hold ({hz} Hz)", site.name), heard.to_string()))
                }
            }
            Sound::Speech => {
                let wav = self.received(phone, SPEECH_SECONDS).await?;
                let (own, heard) = audio::hears(&wav, self.tone(phone), &[]);
                if heard.seconds >= audio::MIN_SECONDS && !own {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears spoken prompts"), heard.to_string()))
                }
            }
            Sound::ToneOf(other) => {
                // A prompt may come first ("premier message").
                let wav = self.received(phone, 3.5).await?;
                let (ok, heard) = audio::hears(&wav, self.tone(other), &[self.tone(phone)]);
                if ok {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears {other}'s {} Hz tone", self.tone(other)), heard.to_string()))
                }
            }
            Sound::Refusal | Sound::Menu => {
                let (what, hz) = match what {
                    Sound::Refusal => ("the refusal message", sounds::REFUSED_HZ),
                    _ => ("the menu", sounds::MENU_HZ),
                };
                if self.wait_seen(RING_TIMEOUT, |e| Self::is(e, phone, "CALL_ESTABLISHED")).await.is_none() {
                    return Err(fail(format!("{phone} hears {what}"), "the call was not answered"));
                }
                // From the answer, or from the last key pressed: what follows it.
                let since = self.keyed_at.get(phone).copied().unwrap_or(HEADER);
                let mut wav = self.received_since(phone, since, 1.0).await?;
                wav.samples.truncate(wav.rate as usize * 3 / 2);
                let (ok, heard) = audio::hears(&wav, hz, &[self.tone(phone)]);
                if ok {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears {what} ({hz} Hz)"), heard.to_string()))
                }
            }
            Sound::Welcome | Sound::NoWelcome => {
                // The IPBX answers trunk calls to play the message: the caller's
                // call is established before any phone rings.
                self.drain();
                let answered_early = match what {
                    Sound::Welcome => {
                        self.wait_seen(RING_TIMEOUT, |e| Self::is(e, phone, "CALL_ESTABLISHED")).await.is_some()
                    }
                    _ => self.log.iter().any(|e| Self::is(e, phone, "CALL_ESTABLISHED")),
                };
                if *what == Sound::NoWelcome {
                    return if answered_early {
                        Err(fail(
                            format!("{phone}'s call is not answered before the phone rings"),
                            "the IPBX answered it first",
                        ))
                    } else {
                        Ok(())
                    };
                }
                if !answered_early {
                    return Err(fail(
                        format!("{phone} hears the welcome message before the phone rings"),
                        "the call was not answered before ringing: no message was played",
                    ));
                }
                let mut wav = self.received_since(phone, HEADER, 1.0).await?;
                wav.samples.truncate(wav.rate as usize * 3 / 2);
                let (ok, heard) = audio::hears(&wav, sounds::WELCOME_HZ, &[self.tone(phone)]);
                if ok {
                    Ok(())
                } else {
                    Err(fail(format!("{phone} hears the {} Hz welcome message", sounds::WELCOME_HZ), heard.to_string()))
                }
            }
        }
    }

    /// The newest one-touch recording of `a`'s IPBX holds both parties' tones.
    pub(super) async fn recorded(&mut self, a: &PhoneId, b: &PhoneId) -> Result<(), Failure> {
        let container = self.ipbx(&a.site);
        let expected = format!("{}'s IPBX recorded the call of {a} and {b}", a.site);
        let since = self.started.elapsed().as_secs() + 1;
        // Recordings of this check: modified within its lifetime.
        let list = format!(
            "find {MONITOR_DIR} -name '*.wav' -mmin -{} -printf '%T@ %p\\n' | sort -n | tail -1",
            since / 60 + 1
        );
        let out = self
            .shared
            .engine
            .exec(&container, &["sh", "-c", &list])
            .await
            .map_err(|e| fail(expected.clone(), e.to_string()))?
            .output;
        let Some(path) = out.split_whitespace().nth(1) else {
            return Err(fail(expected, format!("no recording in {MONITOR_DIR}")));
        };
        let bytes = self
            .shared
            .engine
            .exec_bytes(&container, &["cat", path])
            .await
            .map_err(|e| fail(expected.clone(), e.to_string()))?;
        let wav = audio::parse_wav(&bytes).map_err(|e| fail(expected.clone(), format!("{path}: {e}")))?;
        for (who, hz) in [(a, self.tone(a)), (b, self.tone(b))] {
            let (ok, heard) = audio::holds(&wav, hz);
            if !ok {
                return Err(fail(format!("{path} holds {who}'s {hz} Hz tone"), heard));
            }
        }
        Ok(())
    }

    /// The Alert-Info header of the last INVITE its IPBX sent to `phone`, read
    /// from the run's SIP capture: what the phone received on the wire (baresip
    /// does not report headers). Outer `None`: no INVITE reached it.
    pub(super) async fn alert_info(&self, phone: &PhoneId) -> Option<Option<String>> {
        let container = self.ipbx(&phone.site);
        // The capture may trail the phone's own report by a few milliseconds.
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let pcap = self.shared.engine.exec_bytes(&container, &["cat", CAPTURE]).await.ok()?;
            let found = pcap::last_invite_header(&pcap, &phone.account, "Alert-Info");
            if found.is_some() || Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
