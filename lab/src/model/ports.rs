//! The UDP and TCP ports of the lab, in one place: the generated configs, the
//! ports published on the host and the capture filter all read them here, so
//! they cannot drift apart.

use std::fmt;
use std::ops::RangeInclusive;

/// SIP of every Asterisk (the sites' and the operator's) and every softphone,
/// inside its container.
pub const SIP: u16 = 5060;

/// RTP of the operator's Asterisk: room for 2 500 calls through it (each
/// leg takes an even port for RTP and the next one for RTCP).
pub const OPERATOR_RTP: PortRange = PortRange { first: 10000, last: 19999 };

/// RTP of a site's Asterisk when it publishes none on the host (outside
/// phones on the host itself reach its address directly).
pub const IPBX_RTP: PortRange = PortRange { first: 10000, last: 19999 };

/// RTP of the lab's softphones (baresip) in a phones container.
pub const PHONES_RTP: PortRange = PortRange { first: 20000, last: 20999 };

/// baresip's JSON control socket (`ctrl_tcp`, TCP) in a phones container.
pub const PHONES_CONTROL: u16 = 4444;

/// Local SIP ports of the SIPp UAs that act beside baresip in a phones
/// container, plus the account's index: line-state watchers, and senders of
/// instant messages.
pub const WATCHERS_SIP_BASE: u16 = 5100;
pub const SENDERS_SIP_BASE: u16 = 5200;

/// SIPp in a phones container under load (`bench calls`): the UA answering
/// for the site's load accounts, and the one placing the site's calls, with
/// its RTP (a port per call and one for its RTCP) and the answering side's
/// RTP echo (one port for every call).
pub const LOAD_ANSWER_SIP: u16 = 5300;
pub const LOAD_CALL_SIP: u16 = 5301;
pub const LOAD_CALL_RTP: PortRange = PortRange { first: 30000, last: 39999 };
pub const LOAD_ECHO_RTP: u16 = 40000;

/// Where site N's SIP is published on the host when the lab file does not
/// say: this + N (5061 for site 1).
pub const HOST_SIP_BASE: u16 = 5060;

/// Where site N's RTP range starts on the host (and inside its IPBX) when
/// the lab file does not say: this + 100 × N.
pub const HOST_RTP_BASE: u16 = 40000;

/// RTP ports per site published for outside phones on other machines
/// (`lab up --bind <address>`): enough for a classroom's calls through one
/// IPBX (two ports per call leg), few enough to publish each one.
pub const SITE_RTP_PORTS: u16 = 60;

/// Ports from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }

    pub fn ports(&self) -> RangeInclusive<u16> {
        self.first..=self.last
    }
}

/// `first-last`, as baresip's `rtp_ports` and tcpdump's `portrange` write it.
impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_includes_both_ends_and_prints_as_tools_read_it() {
        assert!(PHONES_RTP.contains(20000) && PHONES_RTP.contains(20999) && !PHONES_RTP.contains(21000));
        assert_eq!(OPERATOR_RTP.to_string(), "10000-19999");
        assert_eq!(OPERATOR_RTP.ports().count(), 10_000);
    }
}
