//! `lab capture`: what a site's IPBX (or the operator) sends and receives,
//! SIP and RTP, as a pcap file for Wireshark or sngrep.

use super::{LabError, LabRuntime};
use crate::runtime::topology;

impl LabRuntime<'_> {
    /// Captures `seconds` of a site's (or the operator's) SIP and RTP, on
    /// every network of its running Asterisk: its phones' calls and its
    /// trunk's. Returns the pcap file's bytes.
    pub async fn capture(&self, site: &str, seconds: u32) -> Result<Vec<u8>, LabError> {
        let container = self.running_asterisk(site).await?;
        let filter = topology::capture_filter(&self.lab, site).ok_or_else(|| LabError::NoSuchSite(site.to_string()))?;
        let secs = seconds.to_string();
        let tcpdump = ["timeout", &secs, "tcpdump", "-i", "any", "-U", "-s", "0", "-w", "-", &filter];
        Ok(self.engine.exec_bytes(&container, &tcpdump).await?)
    }
}
