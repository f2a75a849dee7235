//! One retry policy for every sink: an operation whose error says a retry
//! can help ([`SinkError::is_retriable`]: a lost connection, a server
//! restarting, an interrupted write) is tried again with exponential
//! backoff until a deadline; any other error returns at once. The
//! scheduler waits meanwhile (backpressure), so nothing is dropped.

use std::time::Duration;

use tokio::time::Instant;

use crate::SinkError;

/// How long and how often to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// How long after the first failure to keep trying.
    pub timeout: Duration,
    /// The first pause.
    pub first: Duration,
    /// The longest pause (each pause doubles up to it).
    pub max: Duration,
}

impl Retry {
    /// Trying again for `timeout`, pausing 100 ms at first and at most 2 s.
    pub fn within(timeout: Duration) -> Retry {
        Retry {
            timeout,
            first: Duration::from_millis(100),
            max: Duration::from_secs(2),
        }
    }

    /// The attempts of one operation (`what`, for the log: `a batch`),
    /// starting now.
    pub fn start(&self, what: &'static str) -> Attempts {
        Attempts {
            what,
            policy: *self,
            deadline: Instant::now() + self.timeout,
            pause: self.first,
        }
    }
}

/// The attempts of one operation: after each failure, [`Attempts::after`]
/// says whether to try again.
#[derive(Debug)]
pub struct Attempts {
    what: &'static str,
    policy: Retry,
    deadline: Instant,
    pause: Duration,
}

impl Attempts {
    /// After a failed attempt: `Ok` once the pause is over if the error is
    /// retriable and time is left (try again); the error otherwise, a
    /// retriable one saying how long it was retried.
    pub async fn after(&mut self, error: SinkError) -> Result<(), SinkError> {
        if !error.is_retriable() {
            return Err(error);
        }
        if Instant::now() >= self.deadline {
            return Err(gave_up(error, self.policy.timeout));
        }
        tracing::warn!(error = %chain(&error), "Retrying {}.", self.what);
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(self.policy.max);
        Ok(())
    }
}

/// `error` and its causes, as `{:#}` prints them: `a: b: c`.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// `error`, saying it was retried for `timeout` (and no longer retriable:
/// the policy has given up on it).
fn gave_up(error: SinkError, timeout: Duration) -> SinkError {
    match error {
        SinkError::Delivery {
            sink,
            message,
            source,
            ..
        } => SinkError::Delivery {
            sink,
            message: format!(
                "gave up after {} s of retries: {message}",
                timeout.as_secs()
            ),
            retriable: false,
            source,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(n: u32) -> SinkError {
        SinkError::Delivery {
            sink: "db".into(),
            message: format!("connection lost ({n})"),
            retriable: true,
            source: Some(Box::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "reset by peer",
            ))),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retriable_errors_are_retried_until_the_deadline_then_given_up() {
        let policy = Retry::within(Duration::from_secs(5));
        let mut attempts = policy.start("a batch");
        let mut tries = 0;
        let last = loop {
            tries += 1;
            if let Err(e) = attempts.after(lost(tries)).await {
                break e;
            }
        };
        // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 2 s of pauses pass 5 s: 7 tries.
        assert_eq!(tries, 7);
        assert!(!last.is_retriable());
        assert_eq!(
            last.to_string(),
            "sink db: gave up after 5 s of retries: connection lost (7)"
        );
        let cause = std::error::Error::source(&last).expect("the cause is kept");
        assert_eq!(cause.to_string(), "reset by peer");
        assert_eq!(
            chain(&last),
            "sink db: gave up after 5 s of retries: connection lost (7): reset by peer"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_return_at_once() {
        let mut attempts = Retry::within(Duration::from_secs(60)).start("a batch");
        let refused = SinkError::delivery("db", "permission denied");
        let before = tokio::time::Instant::now();
        let e = attempts.after(refused).await.unwrap_err();
        assert_eq!(e.to_string(), "sink db: permission denied");
        assert_eq!(before, tokio::time::Instant::now());
    }
}
