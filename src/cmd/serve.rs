//! The live view's access (`--serve`): who may look, and waiting for the last
//! look after a run.

use crate::*;

/// The environment variable that gives the live view's token.
pub(crate) const SERVE_TOKEN_VAR: &str = "STORESIM_SERVE_TOKEN";

/// Who may see the live view at `addr`, and what the start line says of
/// its token: a view on loopback is open unless `STORESIM_SERVE_TOKEN`
/// sets a token; any other address always takes one, made here (and
/// printed once) when that variable is unset.
pub(crate) fn serve_access(
    addr: std::net::SocketAddr,
    hosts: &[String],
) -> Result<(live::Access, String), Failure> {
    let loopback = addr.ip().is_loopback();
    let given = std::env::var(SERVE_TOKEN_VAR)
        .ok()
        .filter(|t| !t.is_empty());
    if let Some(token) = &given {
        if token.len() < 16 || !token.chars().all(|c| c.is_ascii_graphic() && c != ';') {
            return Err(Failure::Input(anyhow::anyhow!(
                "{SERVE_TOKEN_VAR}: use at least 16 printable characters without spaces or ';'"
            )));
        }
        storesim_sinks::redact::remember(token);
    }
    let (token, note) = match (given, loopback) {
        (Some(t), _) => (Some(t), format!(" (token from {SERVE_TOKEN_VAR})")),
        (None, true) => (None, String::new()),
        (None, false) => {
            let t = format!("{:032x}", rand::random::<u128>());
            let note =
                format!("?token={t} (made for this run; set {SERVE_TOKEN_VAR} to choose it)");
            (Some(t), note)
        }
    };
    let mut hosts = hosts.to_vec();
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        hosts.push(name.trim().to_string());
    }
    Ok((
        live::Access {
            token,
            loopback,
            hosts,
        },
        note,
    ))
}

/// A wait for SIGINT (Ctrl-C) or SIGTERM, as a run's stop does: armed
/// before the line that invites it is printed, so a signal sent just after
/// that line is never missed.
pub(crate) struct StopWait {
    runtime: tokio::runtime::Runtime,
    signal: tokio::task::JoinHandle<()>,
}

impl StopWait {
    /// Listens for the signals from now on.
    pub(crate) fn arm() -> Option<StopWait> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let signal = runtime.spawn(storesim_actors::wait_for_signal());
        // Runs the task to its first wait: the listeners are registered.
        runtime.block_on(tokio::task::yield_now());
        Some(StopWait { runtime, signal })
    }

    /// Blocks until a signal arrives.
    pub(crate) fn wait(self) {
        let _ = self.runtime.block_on(self.signal);
    }
}
