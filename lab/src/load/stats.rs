//! Reading what the UAs and the Asterisks counted: SIPp's statistics file,
//! Asterisk's RTP statistics and its channels.

/// SIPp's counters, from the last line of its `-trace_stat` file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SippCounts {
    pub created: u64,
    pub successful: u64,
    pub failed: u64,
}

impl SippCounts {
    /// `text` is the file's header line and its last line (the file may hold
    /// a line a second in between). Columns are found by name.
    pub fn parse(text: &str) -> Option<SippCounts> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines.next()?.split(';').collect();
        let last: Vec<&str> = lines.next_back()?.split(';').collect();
        let field = |name: &str| -> Option<u64> {
            let at = header.iter().position(|h| h.trim() == name)?;
            last.get(at)?.trim().parse().ok()
        };
        Some(SippCounts {
            created: field("TotalCallCreated")?,
            successful: field("SuccessfulCall(C)")?,
            failed: field("FailedCall(C)")?,
        })
    }
}

/// RTP packets an Asterisk received on its channels, and those it found
/// missing (sequence numbers that never came), as `pjsip show channelstats`
/// reports them (updated at each RTCP report, every 5 s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RtpCounts {
    pub received: u64,
    pub lost: u64,
}

impl RtpCounts {
    /// Rows end with nine columns: receive count, lost, %, jitter, then
    /// the same for transmit, and the round trip; a count over 100000 is
    /// printed in thousands (`123K`).
    pub fn parse_channelstats(text: &str) -> RtpCounts {
        let count = |s: &str| -> Option<u64> {
            match s.strip_suffix('K') {
                Some(k) => k.parse::<u64>().ok().map(|k| k * 1000),
                None => s.parse().ok(),
            }
        };
        let mut total = RtpCounts::default();
        for line in text.lines() {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // Channel, up time, codec and the nine (a bridge id may lead).
            if cols.len() < 12 {
                continue;
            }
            let tail = &cols[cols.len() - 9..];
            if let (Some(received), Some(lost)) = (count(tail[0]), count(tail[1])) {
                if tail[3].parse::<f64>().is_ok() {
                    total.received += received;
                    total.lost += lost;
                }
            }
        }
        total
    }

    /// Lost packets in percent of those expected.
    pub fn loss_percent(&self) -> f64 {
        let expected = self.received + self.lost;
        if expected == 0 {
            0.0
        } else {
            100.0 * self.lost as f64 / expected as f64
        }
    }
}

impl std::ops::Add for RtpCounts {
    type Output = RtpCounts;

    fn add(self, other: RtpCounts) -> RtpCounts {
        RtpCounts { received: self.received + other.received, lost: self.lost + other.lost }
    }
}

/// Answered calls of a site's phones, from `core show channels concise`:
/// the phone's leg of a Dial (`AppDial`) is up once the phone answered. The
/// trunk's (`PJSIP/operator-…`) is up as soon as the other IPBX answers
/// (its welcome message), so it does not count.
pub fn answered_phone_legs(concise: &str) -> usize {
    concise
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split('!').collect();
            f.len() > 5 && !f[0].starts_with("PJSIP/operator-") && f[4] == "Up" && f[5] == "AppDial"
        })
        .count()
}

/// Channels open, from `core show channels count` ("12 active channels").
pub fn active_channels(text: &str) -> Option<usize> {
    text.lines()
        .find_map(|l| l.trim().strip_suffix("active channels").or_else(|| l.trim().strip_suffix("active channel")))?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipp_counters_are_read_by_column_name() {
        let header = "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;CallRate(P);\
                      CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);TotalCallCreated;\
                      CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);";
        let line = "a;b;c;00:00:00;00:00:09;3.000;0.000;0.332;0;0;0;3;3;0;0;3;0;1;";
        let text = format!("{header}\n{line}\n");
        assert_eq!(SippCounts::parse(&text), Some(SippCounts { created: 3, successful: 3, failed: 1 }));
        assert_eq!(SippCounts::parse(header), None, "no line yet");
    }

    #[test]
    fn rtp_counts_add_up_every_channel_received() {
        let text = "
                                             ...........Receive......... .........Transmit..........
 BridgeId ChannelId ........ UpTime.. Codec.   Count    Lost Pct  Jitter   Count    Lost Pct  Jitter RTT....
 ===========================================================================================================

 5af2a073 accueil3-00000011  00:00:10 ulaw      523       0    0   0.000    523       0    0   0.003   0.000
 5af2a073 operator-0000000e  00:00:12 ulaw      599       3    0   0.001    598       0    0   0.003   0.001
          operator-00000006  00:00:12 ulaw  123K      10    0   0.000    589       0    0   0.003   0.001
 PJSIP/secretaire9-0000000b not valid

Objects found: 4
";
        let rtp = RtpCounts::parse_channelstats(text);
        assert_eq!(rtp, RtpCounts { received: 523 + 599 + 123_000, lost: 13 });
        assert!((rtp.loss_percent() - 100.0 * 13.0 / 124_135.0).abs() < 1e-9);
    }

    #[test]
    fn answered_calls_are_the_phones_dialled_legs_that_are_up() {
        let concise = "PJSIP/accueil1-0000000f!from-trunk!!1!Up!AppDial!(Outgoing Line)!!!!3!10!!\n\
                       PJSIP/operator-0000000c!extensions!19!2!Up!Dial!PJSIP/accueil1,10!!!!3!12!!\n\
                       PJSIP/accueil2-00000010!from-trunk!!1!Ringing!AppDial!(Outgoing Line)!!!!3!0!!\n\
                       PJSIP/operator-00000007!to-operator!!1!Up!AppDial!(Outgoing Line)!!!!3!11!!\n";
        assert_eq!(answered_phone_legs(concise), 1);
    }

    #[test]
    fn active_channels_are_counted() {
        assert_eq!(active_channels("6 active channels\n3 active calls\n9 calls processed\n"), Some(6));
        assert_eq!(active_channels("1 active channel\n1 active call\n"), Some(1));
        assert_eq!(active_channels("garbage"), None);
    }
}
