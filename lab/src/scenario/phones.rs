//! Driving softphones: baresip's `ctrl_tcp` JSON socket (netstring framed),
//! reached through `nc` inside each phone container.

use std::cell::Cell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::{broadcast, oneshot, Mutex};

use crate::model::ports;
use crate::runtime::docker::{Engine, EngineError};
use crate::wait;

#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("the softphone in {container} did not answer `{command}` within {secs} s")]
    Timeout { container: String, command: String, secs: u64 },
    #[error("lost the control connection to the softphone in {container}")]
    Closed { container: String },
}

/// What a softphone reported, by baresip's event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `CALL_INCOMING`: a call rings.
    CallIncoming,
    /// `CALL_ESTABLISHED`: a call is answered.
    CallEstablished,
    /// `CALL_CLOSED`: a call ended; the event's `param` holds the reason.
    CallClosed,
    /// `MWI_NOTIFY`: a message-waiting NOTIFY; `param` holds its body.
    MwiNotify,
    /// An instant message received (not an event in baresip 1.1, told apart by the lab).
    Message,
    /// Any other event, by its name.
    Other(String),
}

impl EventKind {
    fn from_baresip(name: &str) -> EventKind {
        match name {
            "CALL_INCOMING" => EventKind::CallIncoming,
            "CALL_ESTABLISHED" => EventKind::CallEstablished,
            "CALL_CLOSED" => EventKind::CallClosed,
            "MWI_NOTIFY" => EventKind::MwiNotify,
            other => EventKind::Other(other.to_string()),
        }
    }
}

/// Something a softphone reported, e.g. `CALL_INCOMING` on `assistant1`.
#[derive(Debug, Clone)]
pub struct Event {
    /// Site name (or `operator`) of the phone container it came from.
    pub site: String,
    pub kind: EventKind,
    /// SIP user of the account (`assistant1`).
    pub account: String,
    pub call_id: Option<String>,
    /// `CALL_CLOSED`'s reason (`404 Not Found`), …
    pub param: String,
    /// The other party's URI.
    pub peer: String,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub ok: bool,
    pub data: String,
}

type Pending = Arc<std::sync::Mutex<HashMap<String, oneshot::Sender<Response>>>>;

/// One control connection to one phone container. When the container's
/// softphone restarts, the connection is lost: a command then fails, it is
/// never sent again, and the connection is made anew only when asked
/// ([`Hub::ensure_connected`], before a later check).
pub struct Hub {
    engine: Engine,
    site: String,
    container: String,
    events: broadcast::Sender<Event>,
    input: Mutex<std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>>,
    pending: Pending,
    next_token: AtomicU64,
    reader: std::sync::Mutex<tokio::task::JoinHandle<()>>,
    /// Counts connections, so that a check can tell whether the one it
    /// started with is still the one in use.
    generation: AtomicU64,
    reconnecting: Mutex<()>,
}

const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a restarted softphone container may take to answer and register.
const RECONNECT_DEADLINE: Duration = Duration::from_secs(40);
const RECONNECT_POLL: Duration = Duration::from_millis(500);

impl Hub {
    /// Connects to the phones of `site` in `container`; events go to `events`.
    pub async fn connect(
        engine: &Engine,
        site: &str,
        container: &str,
        events: broadcast::Sender<Event>,
    ) -> Result<Hub, PhoneError> {
        let attached = attach(engine, container).await?;
        let pending: Pending = Arc::default();
        let reader = tokio::spawn(read_loop(attached.output, site.to_string(), events.clone(), pending.clone()));
        Ok(Hub {
            engine: engine.clone(),
            site: site.to_string(),
            container: container.to_string(),
            events,
            input: Mutex::new(attached.input),
            pending,
            next_token: AtomicU64::new(1),
            reader: std::sync::Mutex::new(reader),
            generation: AtomicU64::new(0),
            reconnecting: Mutex::new(()),
        })
    }

    /// The connection in use: it changes each time the connection is made again.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether the control connection still stands (its reader runs).
    pub fn connected(&self) -> bool {
        !self.reader.lock().expect("not poisoned").is_finished()
    }

    /// Makes the control connection again if it was lost, once the
    /// container's softphone is back (its restart policy starts it again)
    /// and has registered every account. Nothing is re-sent: commands that
    /// failed with the old connection stay failed.
    pub async fn ensure_connected(&self) -> Result<(), PhoneError> {
        let _one_at_a_time = self.reconnecting.lock().await;
        if self.connected() {
            return Ok(());
        }
        // The socket may not listen yet (nc then ends at once): attach again.
        let (this, attach_again) = (self, &Cell::new(true));
        let back =
            wait::until("the softphone's control connection", RECONNECT_DEADLINE, RECONNECT_POLL, move || async move {
                if attach_again.get() {
                    let Ok(attached) = attach(&this.engine, &this.container).await else {
                        return Ok::<_, Infallible>(wait::Poll::Pending("cannot attach".to_string()));
                    };
                    let events = this.events.clone();
                    let reader =
                        tokio::spawn(read_loop(attached.output, this.site.clone(), events, this.pending.clone()));
                    *this.input.lock().await = attached.input;
                    std::mem::replace(&mut *this.reader.lock().expect("not poisoned"), reader).abort();
                    this.generation.fetch_add(1, Ordering::SeqCst);
                    attach_again.set(false);
                }
                Ok(match this.send(&[("reginfo", "")]).await {
                    Ok(r) if all_registered(&r[0].data) => wait::Poll::Ready(()),
                    Ok(_) => wait::Poll::Pending("accounts not all registered".to_string()),
                    Err(_) => {
                        attach_again.set(true);
                        wait::Poll::Pending("the control socket closed".to_string())
                    }
                })
            })
            .await;
        back.map_err(|_| PhoneError::Closed { container: self.container.clone() })
    }

    /// Sends a ctrl_tcp command and waits for its response.
    pub async fn command(&self, command: &str, params: &str) -> Result<Response, PhoneError> {
        let mut responses = self.send(&[(command, params)]).await?;
        Ok(responses.remove(0))
    }

    /// Sends commands in one write, so baresip runs them back to back with no
    /// SIP event in between, and waits for every response. A lost connection
    /// fails them: they are not sent again.
    async fn send(&self, commands: &[(&str, &str)]) -> Result<Vec<Response>, PhoneError> {
        let closed = || PhoneError::Closed { container: self.container.clone() };
        // A connection whose reader ended answers nothing more.
        let gone = || !self.connected();
        if gone() {
            return Err(closed());
        }
        let mut frames = String::new();
        let mut waiting = Vec::new();
        for (command, params) in commands {
            let token = format!("t{}", self.next_token.fetch_add(1, Ordering::Relaxed));
            let (tx, rx) = oneshot::channel();
            self.pending.lock().expect("not poisoned").insert(token.clone(), tx);
            let body = serde_json::json!({ "command": command, "params": params, "token": token }).to_string();
            frames.push_str(&format!("{}:{body},", body.len()));
            waiting.push((format!("{command} {params}"), rx));
        }
        {
            let mut input = self.input.lock().await;
            input.write_all(frames.as_bytes()).await.map_err(|_| closed())?;
            input.flush().await.map_err(|_| closed())?;
        }
        let mut responses = Vec::new();
        for (what, rx) in waiting {
            match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
                Ok(Ok(response)) => responses.push(response),
                Ok(Err(_)) => return Err(closed()),
                Err(_) if gone() => return Err(closed()),
                Err(_) => {
                    return Err(PhoneError::Timeout {
                        container: self.container.clone(),
                        command: what,
                        secs: COMMAND_TIMEOUT.as_secs(),
                    })
                }
            }
        }
        Ok(responses)
    }
}

impl Hub {
    /// Runs a command on one call: `callfind` makes it baresip's current call,
    /// in the same write so that no other call can become current in between.
    pub async fn on_call(&self, call_id: &str, command: &str, params: &str) -> Result<Response, PhoneError> {
        let responses = self.send(&[("callfind", call_id), (command, params)]).await?;
        let found = &responses[0];
        Ok(if found.ok { responses[1].clone() } else { found.clone() })
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.reader.lock().expect("not poisoned").abort();
    }
}

/// A control connection: `nc` to baresip's socket inside the container.
async fn attach(engine: &Engine, container: &str) -> Result<crate::runtime::docker::Attached, EngineError> {
    engine.attach(container, &["nc", "127.0.0.1", &ports::PHONES_CONTROL.to_string()]).await
}

/// Whether baresip's `reginfo` lists every account as registered:
/// `0 - sip:patron1@172.28.1.2  OK  Asterisk table1 Expires 299s`.
fn all_registered(reginfo: &str) -> bool {
    let accounts: Vec<&str> = reginfo.lines().filter(|l| l.contains(" - sip:")).collect();
    !accounts.is_empty() && accounts.iter().all(|l| l.contains("OK "))
}

async fn read_loop(
    mut output: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, EngineError>> + Send>>,
    site: String,
    events: broadcast::Sender<Event>,
    pending: Pending,
) {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(Ok(chunk)) = output.next().await {
        buf.extend_from_slice(&chunk);
        while let Some((message, used)) = netstring(&buf) {
            buf.drain(..used);
            let Ok(value) = serde_json::from_slice::<Value>(&message) else {
                continue;
            };
            let text = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            if value.get("response").is_some() {
                let waiter = pending.lock().expect("not poisoned").remove(&text("token"));
                if let Some(tx) = waiter {
                    let ok = value.get("ok").and_then(Value::as_bool).unwrap_or(false);
                    let _ = tx.send(Response { ok, data: text("data") });
                }
            } else if value.get("message").is_some() {
                // An instant message received: not an event in baresip 1.1.
                let _ = events.send(Event {
                    site: site.clone(),
                    kind: EventKind::Message,
                    account: sip_user(&text("ua")),
                    call_id: None,
                    param: text("body"),
                    peer: text("from"),
                });
            } else if value.get("event").is_some() {
                let _ = events.send(Event {
                    site: site.clone(),
                    kind: EventKind::from_baresip(&text("type")),
                    account: sip_user(&text("accountaor")),
                    call_id: value.get("id").and_then(Value::as_str).map(str::to_string),
                    param: text("param"),
                    peer: text("peeruri"),
                });
            }
        }
    }
    // Connection gone: fail every waiting command at once.
    pending.lock().expect("not poisoned").clear();
}

/// One `len:payload,` frame from the front of `buf`: its payload and its length.
fn netstring(buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let colon = buf.iter().position(|&b| b == b':')?;
    let len: usize = std::str::from_utf8(&buf[..colon]).ok()?.trim().parse().ok()?;
    let end = colon + 1 + len;
    (buf.len() > end).then(|| (buf[colon + 1..end].to_vec(), end + 1))
}

/// Every call baresip's `listcalls` shows, incoming ones too: (SIP user of
/// the account, call id), from blocks such as
/// `User-Agent: patron1@172.28.1.2` / `> [line 1, id d165f7080332e881]  0:00:00  RINGING  sip:12@…`.
pub fn open_calls(listcalls: &str) -> Vec<(String, String)> {
    let mut account = String::new();
    let mut calls = Vec::new();
    for line in listcalls.lines() {
        if let Some(ua) = line.trim().strip_prefix("User-Agent:") {
            account = sip_user(ua.trim());
        } else if let Some((_, rest)) = line.split_once(", id ") {
            if let Some((id, _)) = rest.split_once(']') {
                calls.push((account.clone(), id.trim().to_string()));
            }
        }
    }
    calls
}

/// `sip:patron1@172.28.1.2` -> `patron1`.
pub fn sip_user(uri: &str) -> String {
    let rest = uri.trim_start_matches('<').trim_start_matches("sip:");
    rest.split(['@', ';', '>']).next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netstrings_are_split_as_they_arrive() {
        let buf = b"5:hello,3:abc,2:x";
        let (m, used) = netstring(buf).unwrap();
        assert_eq!((m.as_slice(), used), (&b"hello"[..], 8));
        let (m, used2) = netstring(&buf[used..]).unwrap();
        assert_eq!((m.as_slice(), used2), (&b"abc"[..], 6));
        assert!(netstring(&buf[used + used2..]).is_none(), "an incomplete frame waits for more bytes");
    }

    #[test]
    fn reginfo_tells_when_every_account_is_registered() {
        let ok =
            "\nUser Agents (2):\n0 - sip:patron1@172.28.1.2  \u{1b}[32mOK \u{1b}[;m Asterisk table1 Expires 299s\n\
                  1 - sip:assistant1@172.28.1.2  \u{1b}[32mOK \u{1b}[;m Asterisk table1 Expires 299s\n";
        assert!(all_registered(ok));
        assert!(!all_registered(&ok.replacen("OK ", "ERR ", 1)), "one account is not registered yet");
        assert!(!all_registered(""), "no account listed yet");
    }

    #[test]
    fn open_calls_are_read_from_listcalls() {
        let out = "\nUser-Agent: patron1@172.22.1.2\n--- Active calls (1) ---\n\
> [line 1, id d165f7080332e881]  0:00:00    RINGING             sip:12@172.22.1.2\n\n\n\
User-Agent: assistant1@172.22.1.2\n--- Active calls (1) ---\n\
> [line 1, id cae7cc92-87b8-42ff-9547-34fe3dc1fd32]  0:00:00   INCOMING             sip:11@172.22.1.2\n\n\n\
User-Agent: secretaire1@172.22.1.2\n--- Active calls (0) ---\n\n";
        assert_eq!(
            open_calls(out),
            [
                ("patron1".to_string(), "d165f7080332e881".to_string()),
                ("assistant1".to_string(), "cae7cc92-87b8-42ff-9547-34fe3dc1fd32".to_string())
            ]
        );
    }

    #[test]
    fn sip_users_are_read_from_uris() {
        assert_eq!(sip_user("sip:patron1@172.28.1.2"), "patron1");
        assert_eq!(sip_user("<sip:0320000111@172.28.0.11:5060;transport=udp>"), "0320000111");
    }
}
