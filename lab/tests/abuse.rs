//! SIP abuse, with real SIP over UDP: what a stranger sends to the ports the
//! lab publishes is refused whatever identity it claims; a call over the
//! operator's trunk reaches only public numbers (no toll fraud, no voicemail
//! menu, no feature code); malformed datagrams crash nothing.

mod support;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use lab::gen::generate;
use lab::model::{Lab, Site};
use lab::runtime::docker::Engine;
use lab::runtime::topology::{self, Kind, LABEL_LAB};
use lab::secrets::Secrets;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;
use tokio::time::{timeout_at, Instant};

fn lab() -> Lab {
    support::sae_elsewhere("itest-abuse", "172.19.0.0/16", 15360, 53000)
}

/// The trunk endpoint's name in every site's config: what a stranger claims.
const TRUNK: &str = "operator";

/// Where the operator's probes leave from, beside its Asterisk on `ports::SIP`.
const PROBE_PORT: u16 = 5099;

/// One SIP request, written by hand.
struct Request<'a> {
    method: &'a str,
    /// Request-URI user (none for REGISTER: the domain itself).
    target: Option<&'a str>,
    /// The identity the From header claims.
    from: &'a str,
    /// Our address as Via and Contact give it; theirs as the URIs give it.
    local: SocketAddr,
    remote: SocketAddr,
    call_id: String,
    branch: String,
    cseq: u32,
    /// `To` as a previous answer gave it (with its tag), inside a dialog.
    to: Option<String>,
}

impl Request<'_> {
    fn text(&self) -> String {
        let (local, remote) = (self.local, self.remote);
        let uri = match self.target {
            Some(user) => format!("sip:{user}@{remote}"),
            None => format!("sip:{remote}"),
        };
        let to = self.to.clone().unwrap_or_else(|| format!("<sip:{}@{remote}>", self.target.unwrap_or(self.from)));
        let (kind, body) = match self.method {
            "INVITE" => (
                Some("application/sdp"),
                format!(
                    "v=0\r\no=probe 1 1 IN IP4 {ip}\r\ns=probe\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
                     m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
                    ip = local.ip()
                ),
            ),
            "MESSAGE" => (Some("text/plain"), "hello".to_string()),
            _ => (None, String::new()),
        };
        let extra = match self.method {
            "SUBSCRIBE" => "Event: presence\r\nAccept: application/pidf+xml\r\nExpires: 600\r\n",
            "REGISTER" => "Expires: 600\r\n",
            _ => "",
        };
        let content_type = kind.map(|k| format!("Content-Type: {k}\r\n")).unwrap_or_default();
        format!(
            "{method} {uri} SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK{branch}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{from}@{remote}>;tag=probe{call_id}\r\n\
             To: {to}\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: {cseq} {method}\r\n\
             Contact: <sip:{from}@{local}>\r\n\
             User-Agent: abuse probe\r\n\
             {extra}{content_type}Content-Length: {len}\r\n\r\n{body}",
            method = self.method,
            from = self.from,
            branch = self.branch,
            call_id = self.call_id,
            cseq = self.cseq,
            len = body.len(),
        )
    }
}

/// What an answer says, as far as the probes need it.
#[derive(Debug, Clone)]
struct Response {
    code: u16,
    call_id: String,
    cseq_method: String,
    /// The `To` header as sent (with the answerer's tag).
    to: String,
}

fn header<'a>(message: &'a str, names: &[&str]) -> Option<&'a str> {
    message.lines().skip(1).take_while(|l| !l.is_empty()).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        names.iter().any(|n| name.trim().eq_ignore_ascii_case(n)).then(|| value.trim())
    })
}

fn parse(message: &str) -> Option<Response> {
    let code = message.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()?;
    Some(Response {
        code,
        call_id: header(message, &["Call-ID", "i"])?.to_string(),
        cseq_method: header(message, &["CSeq"])?.split_whitespace().nth(1)?.to_string(),
        to: header(message, &["To", "t"])?.to_string(),
    })
}

/// A way to put datagrams on the wire and read what comes back.
enum Wire {
    /// A UDP socket on the host, towards a published port.
    Host(UdpSocket),
    /// `nc -u` in a container, its input and output attached: whatever is
    /// written is one datagram from the container's own address.
    Container {
        input: Pin<Box<dyn AsyncWrite + Send>>,
        output: Pin<Box<dyn Stream<Item = Result<bytes::Bytes, lab::runtime::docker::EngineError>> + Send>>,
        pending: String,
    },
}

impl Wire {
    async fn send(&mut self, bytes: &[u8]) {
        match self {
            Wire::Host(socket) => {
                socket.send(bytes).await.unwrap();
            }
            Wire::Container { input, .. } => {
                input.write_all(bytes).await.unwrap();
                input.flush().await.unwrap();
            }
        }
    }

    /// The next SIP message, or `None` at `deadline`.
    async fn recv(&mut self, deadline: Instant) -> Option<String> {
        match self {
            Wire::Host(socket) => {
                let mut buf = vec![0u8; 65536];
                // An ICMP "unreachable" from an earlier datagram shows as an error: not an answer.
                loop {
                    match timeout_at(deadline, socket.recv(&mut buf)).await {
                        Ok(Ok(n)) => return Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
                        Ok(Err(_)) => continue,
                        Err(_) => return None,
                    }
                }
            }
            Wire::Container { output, pending, .. } => loop {
                if let Some(message) = split_message(pending) {
                    return Some(message);
                }
                match timeout_at(deadline, output.next()).await {
                    Ok(Some(Ok(bytes))) => pending.push_str(&String::from_utf8_lossy(&bytes)),
                    Ok(_) | Err(_) => return None,
                }
            },
        }
    }
}

/// Takes the first whole message (headers, then Content-Length bytes of body)
/// off a stream of concatenated datagrams.
fn split_message(pending: &mut String) -> Option<String> {
    let end = pending.find("\r\n\r\n")? + 4;
    let length: usize = header(&pending[..end], &["Content-Length", "l"]).and_then(|l| l.parse().ok()).unwrap_or(0);
    if pending.len() < end + length {
        return None;
    }
    let rest = pending.split_off(end + length);
    Some(std::mem::replace(pending, rest))
}

/// A prober: sends requests (again after 0.5, 1, 2, 4 s
/// of silence, as SIP over UDP does) and collects the answers.
struct Prober {
    wire: Wire,
    local: SocketAddr,
    remote: SocketAddr,
}

/// Every answer to one request: provisional ones, then the final one (if any).
#[derive(Debug)]
struct Answers {
    codes: Vec<u16>,
    last: Option<Response>,
}

impl Answers {
    fn final_code(&self) -> Option<u16> {
        self.codes.last().copied().filter(|c| *c >= 200)
    }
}

impl Prober {
    /// From the host, to a published port.
    async fn host(port: u16) -> Prober {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        socket.connect(("127.0.0.1", port)).await.unwrap();
        let local = socket.local_addr().unwrap();
        Prober { wire: Wire::Host(socket), local, remote: SocketAddr::from(([127, 0, 0, 1], port)) }
    }

    /// From `container`, whose address is `local`'s, to `remote`.
    async fn container(engine: &Engine, container: &str, local: SocketAddr, remote: SocketAddr) -> Prober {
        let (ip, port, own) = (remote.ip().to_string(), remote.port().to_string(), local.port().to_string());
        let nc = ["nc", "-u", "-q", "0", "-p", &own, &ip, &port];
        let attached = engine.attach(container, &nc).await.expect("nc starts");
        let wire = Wire::Container { input: attached.input, output: attached.output, pending: String::new() };
        Prober { wire, local, remote }
    }

    fn request<'a>(&self, method: &'a str, target: Option<&'a str>, from: &'a str) -> Request<'a> {
        static CALLS: AtomicU32 = AtomicU32::new(0);
        let call_id = format!("abuse{}x{}", std::process::id(), CALLS.fetch_add(1, Ordering::Relaxed));
        Request {
            method,
            target,
            from,
            local: self.local,
            remote: self.remote,
            branch: format!("{call_id}a"),
            call_id,
            cseq: 1,
            to: None,
        }
    }

    /// Sends `request` until a final answer comes (or 20 s pass).
    async fn transact(&mut self, request: &Request<'_>) -> Answers {
        let text = request.text();
        let mut answers = Answers { codes: Vec::new(), last: None };
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut wait = Duration::from_millis(500);
        'send: while Instant::now() < give_up {
            self.wire.send(text.as_bytes()).await;
            let mut resend = (Instant::now() + wait).min(give_up);
            while let Some(message) = self.wire.recv(resend).await {
                let Some(r) = parse(&message) else { continue };
                if r.call_id != request.call_id || r.cseq_method != request.method {
                    continue; // a late answer to an earlier request
                }
                answers.codes.push(r.code);
                answers.last = Some(r.clone());
                if r.code >= 200 {
                    break 'send;
                }
                // Received: wait for the final answer without resending.
                resend = give_up;
            }
            wait = (wait * 2).min(Duration::from_secs(4));
        }
        answers
    }

    /// An INVITE, acknowledged whatever the answer; an answered call is hung up.
    async fn invite(&mut self, target: &str, from: &str) -> Answers {
        let invite = self.request("INVITE", Some(target), from);
        let (call_id, branch) = (invite.call_id.clone(), invite.branch.clone());
        let answers = self.transact(&invite).await;
        let Some(last) = answers.last.clone().filter(|r| r.code >= 200) else {
            return answers;
        };
        let (local, remote) = (self.local, self.remote);
        let in_dialog = |method, cseq, branch: String| Request {
            method,
            target: Some(target),
            from,
            local,
            remote,
            call_id: call_id.clone(),
            branch,
            cseq,
            to: Some(last.to.clone()),
        };
        if last.code >= 300 {
            // Refused: the ACK belongs to the INVITE's transaction (same branch).
            self.wire.send(in_dialog("ACK", 1, branch).text().as_bytes()).await;
        } else {
            self.wire.send(in_dialog("ACK", 1, format!("{branch}ack")).text().as_bytes()).await;
            let bye = self.transact(&in_dialog("BYE", 2, format!("{branch}bye"))).await;
            assert_eq!(bye.final_code(), Some(200), "the answered call to {target} hangs up: {bye:?}");
        }
        answers
    }
}

/// What a stranger may get: a final refusal, and no sign of a call going on.
fn refused(answers: &Answers) -> bool {
    answers.codes.iter().all(|c| *c == 100 || (400..700).contains(c)) && answers.final_code().is_some_and(|c| c != 408)
}

fn describe(answers: &Answers) -> String {
    if answers.codes.is_empty() {
        "no answer at all".into()
    } else {
        answers.codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" ")
    }
}

/// Numbers of every kind, as dialled at `site`: its own extensions, another
/// site's (`*`), public numbers of its own, of another site and of the
/// operator's test phones, voicemail, feature codes, parking, `s`.
fn every_kind_of_number(lab: &Lab, site: &Site) -> Vec<String> {
    let other = lab.sites.iter().find(|s| s.index != site.index).expect("two sites");
    let n = &lab.numbering;
    let mut numbers = vec![
        "11".to_string(),
        "13".to_string(),
        other.intersite_number(n, "11"),
        site.public_number(n, "00"),
        site.public_number(n, "11"),
        other.public_number(n, "11"),
        "888".to_string(),
        "*8".to_string(),
        "700".to_string(),
        "s".to_string(),
    ];
    numbers.extend(lab.operator.test_phones.iter().map(|t| t.number.clone()));
    numbers
}

/// Waits until the container's Asterisk has fully booted.
async fn wait_until_up(engine: &Engine, container: &str) {
    support::eventually(&format!("{container} boots"), || async {
        engine
            .exec(container, &["asterisk", "-rx", "core waitfullybooted"])
            .await
            .is_ok_and(|o| o.output.contains("fully booted"))
    })
    .await;
}

async fn active_calls(engine: &Engine, container: &str) -> String {
    engine.exec(container, &["asterisk", "-rx", "core show channels count"]).await.unwrap().output
}

#[tokio::test]
async fn sip_abuse_is_refused_and_crashes_nothing() {
    let Some(engine) = support::engine_or_skip("sip_abuse_is_refused").await else {
        return;
    };
    let images = support::images(&engine).await;
    let lab = lab();
    support::remove_lab(&lab.name).await;

    // Errors end up in reports: a failed command is named by its program,
    // never with its arguments (SIPp's carry the phone's password).
    let error = engine.exec("itest-abuse-none", &["sipp", "-ap", "hunter2"]).await.expect_err("no such container");
    assert!(!error.to_string().contains("hunter2"), "{error}");

    let tree = generate(&lab, &Secrets::deterministic(&lab));
    let dir = tempfile::tempdir().unwrap();
    tree.write(dir.path()).unwrap();
    // The IPBXs (whose ports are published) and the operator; no phone is
    // needed to be refused.
    let plan = topology::plan(&lab, &images, &tree, dir.path());
    let started: Vec<_> = plan
        .containers
        .iter()
        .filter(|p| matches!(p.kind, Kind::Operator | Kind::SiteNet { .. } | Kind::Ipbx { .. }))
        .collect();
    let _cleanup = support::Cleanup::new(&lab.name);
    support::start_part(&engine, &plan, &started).await;
    let ipbx = |site: &Site| topology::asterisk_container(&lab, &site.name).expect("a site's IPBX");
    for p in started.iter().filter(|p| p.kind.is_asterisk()) {
        wait_until_up(&engine, &p.spec.name).await;
    }
    // Locked down, the trunk still works: each site registers at the operator.
    for site in &lab.sites {
        support::eventually(&format!("{}'s trunk registers", site.name), || async {
            engine
                .exec(&ipbx(site), &["asterisk", "-rx", "pjsip show registrations"])
                .await
                .is_ok_and(|o| o.output.contains("Registered"))
        })
        .await;
    }
    let started_at = Instant::now();
    let operator = topology::container_name(&lab, &Kind::Operator);

    // 1. A stranger on the host, through each site's published port, as the
    //    operator, a phone, a test phone or the site's own trunk account.
    let mut wrong = Vec::new();
    let mut probes = 0;
    for site in &lab.sites {
        let port = site.host_ports.sip;
        let mut prober = Prober::host(port).await;
        let identities = [
            TRUNK,
            site.phones[0].account.as_str(),
            lab.operator.test_phones[0].account.as_str(),
            site.trunk_account(),
        ];
        for from in identities {
            let mut answers = Vec::new();
            for number in every_kind_of_number(&lab, site) {
                answers.push((format!("INVITE {number}"), prober.invite(&number, from).await));
            }
            for (method, target) in [
                ("REGISTER", None),
                ("MESSAGE", Some("11")),
                ("MESSAGE", Some(lab.operator.test_phones[0].number.as_str())),
                ("MESSAGE", Some(&*site.public_number(&lab.numbering, "11"))),
                ("SUBSCRIBE", Some("11")),
                ("OPTIONS", Some("11")),
            ] {
                let request = prober.request(method, target, from);
                answers.push((format!("{method} {}", target.unwrap_or("")), prober.transact(&request).await));
            }
            for (what, a) in answers {
                probes += 1;
                if !refused(&a) {
                    wrong.push(format!("{} port {port}, From {from}: {what} -> {}", site.name, describe(&a)));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {probes} unauthenticated requests were not refused:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("[abuse] {probes} unauthenticated requests from the host: all refused ({:?})", started_at.elapsed());

    // 2. Over the trunk, from the operator's own address: public numbers of
    //    the site answer, nothing else does.
    let operator_address = SocketAddr::from((lab.network.operator(), PROBE_PORT));
    for site in &lab.sites {
        let remote = SocketAddr::from((lab.network.ipbx_backbone(site.index), lab::model::ports::SIP));
        let mut prober = Prober::container(&engine, &operator, operator_address, remote).await;
        let caller = lab.operator.test_phones[0].number.clone();
        let public = [site.public_number(&lab.numbering, "00"), site.public_number(&lab.numbering, "11")];
        for number in &public {
            let answers = prober.invite(number, &caller).await;
            assert_eq!(
                answers.final_code(),
                Some(200),
                "{}: the trunk's call to {number} is answered: {answers:?}",
                site.name
            );
        }
        let mut wrong = Vec::new();
        for number in every_kind_of_number(&lab, site).iter().filter(|n| !public.contains(n)) {
            let answers = prober.invite(number, &caller).await;
            if !answers.final_code().is_some_and(|c| c == 403 || c == 404) || !refused(&answers) {
                wrong.push(format!("INVITE {number} -> {}", describe(&answers)));
            }
        }
        for number in [lab.operator.test_phones[0].number.clone(), "11".to_string()] {
            let request = prober.request("MESSAGE", Some(&number), &caller);
            let answers = prober.transact(&request).await;
            if !answers.final_code().is_some_and(|c| c == 403 || c == 404) {
                wrong.push(format!("MESSAGE {number} -> {}", describe(&answers)));
            }
        }
        assert!(
            wrong.is_empty(),
            "{}: the operator's trunk reaches more than public numbers:\n{}",
            site.name,
            wrong.join("\n")
        );
        support::eventually(&format!("{}'s answered calls are gone", site.name), || async {
            active_calls(&engine, &ipbx(site)).await.contains("0 active calls")
        })
        .await;
    }
    eprintln!(
        "[abuse] over the trunk: public numbers answered, every other number refused ({:?})",
        started_at.elapsed()
    );

    // 3. Malformed datagrams on every SIP and RTP port a host phone uses.
    let invite = |length: &str, body: &str| {
        format!(
            "INVITE sip:11@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\n\
             From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:11@127.0.0.1>\r\nCall-ID: bad\r\nCSeq: 1 INVITE\r\n\
             Content-Length: {length}\r\n\r\n{body}"
        )
        .into_bytes()
    };
    let mut noise = 0x2545_f491_u32;
    let garbage: Vec<u8> = (0..1400)
        .map(|_| {
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            noise.to_le_bytes()[0]
        })
        .collect();
    let whole = invite("4", "v=0\n");
    let malformed: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", garbage),
        ("truncated INVITE", whole[..whole.len() / 2].to_vec()),
        ("60 KB INVITE", invite("61440", &"a".repeat(61440))),
        ("60 KB of nothing", vec![b'A'; 61440]),
        ("Content-Length too long", invite("99999", "v=0\n")),
        ("negative Content-Length", invite("-1", "v=0\n")),
        ("Content-Length not a number", invite("many", "v=0\n")),
        ("NUL bytes", b"INVITE sip:11@x SIP/2.0\r\n\0\0\0Via: \0\r\n\r\n".to_vec()),
        ("a stray answer", b"SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n".to_vec()),
    ];
    for site in &lab.sites {
        // SIP through its published port; RTP straight to the IPBX, as a
        // softphone on the host sends it.
        let ipbx = std::net::IpAddr::V4(lab.network.ipbx_lan(site.index));
        let to = [("127.0.0.1".parse().unwrap(), site.host_ports.sip), (ipbx, lab.ipbx_rtp(site).first)];
        for (address, port) in to {
            let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            for (_, datagram) in &malformed {
                for _ in 0..3 {
                    socket.send_to(datagram, (address, port)).await.unwrap();
                }
            }
        }
    }
    let mut broken = Vec::new();
    for site in &lab.sites {
        let port = site.host_ports.sip;
        let mut prober = Prober::host(port).await;
        let request = prober.request("OPTIONS", None, "probe");
        let answers = prober.transact(&request).await;
        if answers.final_code().is_none() {
            broken.push(format!("{} no longer answers an OPTIONS on port {port}", site.name));
        }
    }
    for c in engine.containers(LABEL_LAB, &lab.name).await.unwrap() {
        let state = engine.run_state(&c.name).await.unwrap().expect("listed");
        if !state.running || state.restart_count != 0 {
            broken.push(format!("{}: running {}, RestartCount {}", c.name, state.running, state.restart_count));
        }
    }
    let kinds: Vec<&str> = malformed.iter().map(|(what, _)| *what).collect();
    assert!(broken.is_empty(), "after malformed datagrams ({}):\n{}", kinds.join(", "), broken.join("\n"));
    eprintln!("[abuse] {} kinds of malformed datagram: every container runs, never restarted", kinds.len());
}
