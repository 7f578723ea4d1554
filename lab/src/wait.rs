//! Waiting for what a lab takes time to do: a registration, a file, a mail,
//! a channel gone. One loop for all, so every wait has a deadline and says,
//! when it gives up, what it awaited and what it saw last.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How often a wait looks again, unless it has a reason to look more or less often.
pub const POLL: Duration = Duration::from_millis(200);

/// What one look found.
#[derive(Debug)]
pub enum Poll<T, S = String> {
    /// There: the wait ends with this.
    Ready(T),
    /// Not yet; what was seen instead, kept for when time runs out.
    Pending(S),
}

/// A yes or no look: not yet, with nothing more to say.
impl From<bool> for Poll<(), String> {
    fn from(ready: bool) -> Self {
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending(String::new())
        }
    }
}

#[derive(Debug)]
pub enum Error<E, S = String> {
    /// The deadline passed; `last` is what the last look saw.
    TimedOut { what: String, waited: Duration, last: S },
    /// Looking itself failed (Docker, a closed connection): waiting longer would not help.
    Failed(E),
}

impl<E: fmt::Display, S: fmt::Display> fmt::Display for Error<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TimedOut { what, waited, last } => {
                write!(f, "{what}: not within {:.1} s", waited.as_secs_f64())?;
                let last = last.to_string();
                if !last.is_empty() {
                    write!(f, " (last seen: {last})")?;
                }
                Ok(())
            }
            Error::Failed(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display, S: fmt::Debug + fmt::Display> std::error::Error for Error<E, S> {}

/// Looks with `probe` every `poll` until it is ready, it fails, or `timeout`
/// has passed since the first look (which always happens).
pub async fn until<T, S, E, F, Fut>(
    what: &str,
    timeout: Duration,
    poll: Duration,
    mut probe: F,
) -> Result<T, Error<E, S>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T, S>, E>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match probe().await.map_err(Error::Failed)? {
            Poll::Ready(t) => return Ok(t),
            Poll::Pending(seen) => seen,
        };
        if Instant::now() >= deadline {
            return Err(Error::TimedOut { what: what.to_string(), waited: timeout, last });
        }
        tokio::time::sleep(poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ready_after_some_looks() {
        let mut looks = 0;
        let got: Result<u32, Error<String>> = until("three looks", Duration::from_secs(5), POLL, || {
            looks += 1;
            let n = looks;
            async move { Ok(if n == 3 { Poll::Ready(n) } else { Poll::Pending(format!("look {n}")) }) }
        })
        .await;
        assert_eq!(got.unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_says_what_was_awaited_and_seen_last() {
        let got: Result<(), Error<String>> =
            until("table1 registered", Duration::from_secs(1), POLL, || async { Ok(Poll::Pending("2 of 24".into())) })
                .await;
        let e = got.unwrap_err();
        assert_eq!(e.to_string(), "table1 registered: not within 1.0 s (last seen: 2 of 24)");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_look_ends_the_wait_at_once() {
        let mut looks = 0;
        let got: Result<(), Error<String>> = until("x", Duration::from_secs(60), POLL, || {
            looks += 1;
            async { Err("docker is gone".to_string()) }
        })
        .await;
        assert!(matches!(got, Err(Error::Failed(ref e)) if e == "docker is gone"));
        assert_eq!(looks, 1);
    }
}
