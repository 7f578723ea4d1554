//! The SIPp UAs of the load, as files and command lines for a site's phones
//! container: pure, so that what runs can be read and tested.

use std::net::Ipv4Addr;

use crate::model::ports;

/// Where the load keeps its files in a phones container.
pub const DIR: &str = "/tmp/sae-load";
pub const REGISTER: &str = include_str!("sipp/register.xml");
pub const ANSWER: &str = include_str!("sipp/answer.xml");
pub const CALL: &str = include_str!("sipp/call.xml");
/// The tone every call streams (call.xml names it).
pub const TONE: &str = "tone.ulaw";
/// The answering UA's process id, to stop it (and only it) afterwards.
pub const ANSWER_PID: &str = "answer.pid";
pub const ANSWER_STATS: &str = "answer.csv";
/// How long the answering accounts stay registered: longer than any run.
pub const EXPIRES: &str = "3600";

/// Every file the UAs read, by name under [`DIR`].
pub fn files(callees: &str, targets: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("register.xml", REGISTER.as_bytes().to_vec()),
        ("answer.xml", ANSWER.as_bytes().to_vec()),
        ("call.xml", CALL.as_bytes().to_vec()),
        ("callees.csv", callees.as_bytes().to_vec()),
        ("targets.csv", targets.as_bytes().to_vec()),
        (TONE, tone()),
    ]
}

/// SIPp's injection file: one line per call, fields separated by `;`, used in order.
pub fn injection(lines: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut s = String::from("SEQUENTIAL\n");
    for fields in lines {
        s.push_str(&fields.join(";"));
        s.push_str(";\n");
    }
    s
}

/// One second of a 400 Hz tone at -10 dBFS, G.711 mu-law: looped for the
/// whole of every call.
pub fn tone() -> Vec<u8> {
    (0..8000)
        .map(|i| {
            let t = f64::from(i) / 8000.0;
            ulaw((0.3 * (2.0 * std::f64::consts::PI * 400.0 * t).sin()) as f32)
        })
        .collect()
}

/// G.711 mu-law compression, as in the ITU reference g711.c.
fn ulaw(pcm: f32) -> u8 {
    let m = ((pcm * 32767.0) as i32).abs().min(32635) + 0x84;
    let exponent = (0..8).rev().find(|e| m & (0x80 << e) != 0).unwrap_or(0);
    !(if pcm < 0.0 { 0x80 } else { 0 } | (exponent << 4) as u8 | ((m >> (exponent + 3)) & 0x0F) as u8)
}

/// A shell command writing `bytes` to `path` exactly, whatever they hold:
/// every byte as a printf octal escape, so nothing is left to the shell.
pub fn write_file(path: &str, bytes: &[u8]) -> Vec<String> {
    let escaped: String = bytes.iter().map(|b| format!("\\{b:03o}")).collect();
    vec!["sh".into(), "-c".into(), "printf \"$1\" > \"$0\"".into(), path.into(), escaped]
}

/// Where an IPBX listens for its phones.
fn registrar(ipbx: Ipv4Addr) -> String {
    format!("{ipbx}:{}", ports::SIP)
}

/// Registers (or, with expires `0`, unregisters) the `count` accounts of
/// callees.csv from the answering UA's port, then returns.
pub fn register(address: Ipv4Addr, ipbx: Ipv4Addr, count: usize, expires: &str) -> Vec<String> {
    let mut argv: Vec<String> = [
        "sipp",
        "-sf",
        &format!("{DIR}/register.xml"),
        "-inf",
        &format!("{DIR}/callees.csv"),
        "-key",
        "expires",
        expires,
        "-m",
        &count.to_string(),
        "-l",
        "50",
        "-r",
        "100",
        "-i",
        &address.to_string(),
        "-p",
        &ports::LOAD_ANSWER_SIP.to_string(),
        "-aa",
        "-nostdin",
        "-timeout",
        "30s",
        "-timeout_error",
        "-trace_err",
        "-error_file",
        &format!("{DIR}/register-errors.log"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.push(registrar(ipbx));
    argv
}

/// Starts the answering UA in the background, its process id in
/// [`ANSWER_PID`]; the shell returns at once.
pub fn start_answering(address: Ipv4Addr) -> Vec<String> {
    let a = address.to_string();
    let script = format!(
        "cd {DIR} && rm -f {ANSWER_STATS} answer-errors.log && \
         sipp -sf answer.xml -i {a} -p {sip} -mi {a} -min_rtp_port {echo} -max_rtp_port {echo_end} \
         -rtp_echo -aa -nostdin -trace_stat -stf {ANSWER_STATS} -fd 1 \
         -trace_err -error_file answer-errors.log </dev/null >/dev/null 2>&1 & echo $! > {ANSWER_PID}",
        sip = ports::LOAD_ANSWER_SIP,
        echo = ports::LOAD_ECHO_RTP,
        echo_end = ports::LOAD_ECHO_RTP + 3,
    );
    vec!["sh".into(), "-c".into(), script]
}

/// Stops the answering UA this load started, by its process id.
pub fn stop_answering() -> Vec<String> {
    let script = format!(
        "test -f {DIR}/{ANSWER_PID} && kill $(cat {DIR}/{ANSWER_PID}) 2>/dev/null; rm -f {DIR}/{ANSWER_PID}; true"
    );
    vec!["sh".into(), "-c".into(), script]
}

/// One step's calls of a site: `calls` at `rate` per second, each held
/// `hold_ms`, from `caller` (its digest `password`).
pub struct Calls<'a> {
    pub address: Ipv4Addr,
    pub ipbx: Ipv4Addr,
    pub caller: &'a str,
    pub password: &'a str,
    pub calls: usize,
    pub rate: f64,
    pub hold_ms: u64,
    /// Whole run's deadline: a call still going then fails.
    pub timeout_s: u64,
    pub stats: &'a str,
}

impl Calls<'_> {
    pub fn argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = [
            "sipp",
            "-sf",
            &format!("{DIR}/call.xml"),
            "-inf",
            &format!("{DIR}/targets.csv"),
            "-s",
            self.caller,
            "-au",
            self.caller,
            "-ap",
            self.password,
            "-i",
            &self.address.to_string(),
            "-p",
            &ports::LOAD_CALL_SIP.to_string(),
            "-mi",
            &self.address.to_string(),
            "-min_rtp_port",
            &ports::LOAD_CALL_RTP.first.to_string(),
            "-max_rtp_port",
            &ports::LOAD_CALL_RTP.last.to_string(),
            "-m",
            &self.calls.to_string(),
            "-l",
            &self.calls.to_string(),
            "-r",
            &format!("{:.3}", self.rate),
            "-d",
            &self.hold_ms.to_string(),
            "-recv_timeout",
            "30000",
            "-timeout",
            &format!("{}s", self.timeout_s),
            "-timeout_error",
            "-nostdin",
            "-trace_stat",
            "-stf",
            &format!("{DIR}/{}", self.stats),
            "-fd",
            "1",
            "-trace_err",
            "-error_file",
            &format!("{DIR}/call-errors.log"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        argv.push(registrar(self.ipbx));
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tone_is_a_second_of_mu_law_without_silence() {
        let tone = tone();
        assert_eq!(tone.len(), 8000);
        // 400 Hz crosses zero every 10 samples at 8 kHz, and only there.
        assert!(tone.iter().filter(|&&b| b == 0xFF).count() <= 800, "mostly signal");
        assert!(tone.iter().collect::<std::collections::BTreeSet<_>>().len() > 8, "a waveform, not a constant");
        assert_eq!(ulaw(0.0), 0xFF);
    }

    #[test]
    fn the_call_scenario_streams_the_tone_the_load_writes() {
        assert!(CALL.contains(&format!("rtp_stream=\"{DIR}/{TONE},-1,0\"")));
    }

    #[test]
    fn files_are_written_byte_for_byte() {
        let argv = write_file("/tmp/x", &[0, b'%', b'\\', 255]);
        assert_eq!(argv[4], "\\000\\045\\134\\377");
    }

    #[test]
    fn injection_files_list_one_call_per_line() {
        let csv = injection([vec!["accueil1".into(), "pw".into()], vec!["accueil2".into(), "pw2".into()]]);
        assert_eq!(csv, "SEQUENTIAL\naccueil1;pw;\naccueil2;pw2;\n");
    }

    #[test]
    fn a_step_places_its_calls_at_once_from_the_caller() {
        let argv = Calls {
            address: Ipv4Addr::new(172, 28, 1, 10),
            ipbx: Ipv4Addr::new(172, 28, 1, 2),
            caller: "patron1",
            password: "pw",
            calls: 50,
            rate: 5.0,
            hold_ms: 30000,
            timeout_s: 90,
            stats: "call-50.csv",
        }
        .argv()
        .join(" ");
        assert!(argv.contains("-s patron1 -au patron1 -ap pw"), "{argv}");
        assert!(argv.contains("-m 50 -l 50 -r 5.000 -d 30000"), "{argv}");
        assert!(argv.ends_with("172.28.1.2:5060"), "{argv}");
    }
}
