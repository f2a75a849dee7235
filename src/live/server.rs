//! The live view's HTTP server (axum), on a thread and runtime of its own.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use storesim_sinks::redact::redact;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Live;

/// Connections served at once; one more is closed as soon as it is
/// accepted. A page holds two (the page and its event stream), so this
/// is room for dozens of viewers and a Prometheus scraper.
pub(crate) const MAX_CONNECTIONS: usize = 64;

/// The cookie that carries the token after `/?token=...`.
const COOKIE: &str = "storesim_token";

/// Who may see the live view.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    /// Required of every request (bearer header, cookie or `?token=`),
    /// when set.
    pub(crate) token: Option<String>,
    /// Whether the view listens on loopback only: then the Host header
    /// must be a loopback name (which stops DNS rebinding).
    pub(crate) loopback: bool,
    /// Host names it answers to beyond loopback names and IP literals.
    pub(crate) hosts: Vec<String>,
}

impl Access {
    /// Whether a request's Host header (without its port) is one the view
    /// answers to.
    fn host_allowed(&self, host: &str) -> bool {
        let name = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        }
        .trim_end_matches('.')
        .to_ascii_lowercase();
        let loopback_name = name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if self.loopback {
            return loopback_name;
        }
        loopback_name
            || name.parse::<IpAddr>().is_ok()
            || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(&name))
    }

    /// Whether a request carries the token (when one is required).
    fn authorized(&self, headers: &HeaderMap, query: Option<&str>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let bearer = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.strip_prefix("Bearer "));
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='));
        let param = query_token(query).into_iter();
        bearer
            .chain(cookie)
            .chain(param)
            .any(|given| same(given.trim().as_bytes(), token.as_bytes()))
    }
}

/// `token=...` in a query string.
fn query_token(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

/// Compares in time independent of where the two differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Checks the Host header and the token of every request. `/?token=T`
/// sets the cookie and redirects to `/`, so the token leaves the address
/// bar and the page's own requests carry it.
async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !access.host_allowed(host) {
        return (
            StatusCode::FORBIDDEN,
            "host not allowed: open the view by its address or a name given with --serve-host\n",
        )
            .into_response();
    }
    let query = request.uri().query();
    if !access.authorized(request.headers(), query) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "token required: open /?token=TOKEN, or send Authorization: Bearer TOKEN\n",
        )
            .into_response();
    }
    if let (Some(token), "/", Some(_)) = (&access.token, request.uri().path(), query_token(query)) {
        return (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/".to_string()),
                (
                    header::SET_COOKIE,
                    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
                ),
            ],
        )
            .into_response();
    }
    next.run(request).await
}

/// A TCP listener that serves at most [`MAX_CONNECTIONS`] at once.
struct Bounded {
    listener: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
}

/// An accepted connection, holding its permit until it closes.
struct Held {
    stream: tokio::net::TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl axum::serve::Listener for Bounded {
    type Io = Held;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Held, SocketAddr) {
        loop {
            let (stream, addr) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of descriptors, say: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match Arc::clone(&self.permits).try_acquire_owned() {
                Ok(permit) => {
                    return (
                        Held {
                            stream,
                            _permit: permit,
                        },
                        addr,
                    )
                }
                // Full: closed at once (dropped).
                Err(_) => drop(stream),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for Held {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Held {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

const PAGE: &str = include_str!("page.html");
const UPLOT_JS: &str = include_str!("assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("assets/uPlot.min.css");

/// Binds `addr` now (so a taken port is an input error before the run)
/// and serves the live view from a thread of its own; returns the address
/// bound (its port, when `addr` asked for port 0).
pub(crate) fn serve(
    addr: SocketAddr,
    live: Arc<Live>,
    access: Access,
) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("storesim-serve".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let listener = Bounded {
                    listener,
                    permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
                };
                let app = Router::new()
                    .route("/", get(page))
                    .route("/uPlot.iife.min.js", get(uplot_js))
                    .route("/uPlot.min.css", get(uplot_css))
                    .route("/metrics", get(metrics))
                    .route("/api/status", get(status))
                    .route("/api/stores", get(stores))
                    .route("/api/events", get(events))
                    .with_state(live)
                    .layer(axum::middleware::from_fn_with_state(
                        Arc::new(access),
                        guard,
                    ));
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::warn!("live view: {e}");
                }
            });
        })?;
    Ok(bound)
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn uplot_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript")], UPLOT_JS)
}

async fn uplot_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css")], UPLOT_CSS)
}

async fn metrics(State(live): State<Arc<Live>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        redact(&live.metrics()),
    )
}

async fn status(State(live): State<Arc<Live>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        snapshot_json(&live),
    )
}

/// The snapshot as JSON, every secret masked.
fn snapshot_json(live: &Live) -> String {
    redact(&serde_json::to_string(&live.snapshot()).unwrap_or_default())
}

async fn stores(State(live): State<Arc<Live>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        redact(&live.stores_json()),
    )
}

/// A snapshot every second, as server-sent events.
async fn events(
    State(live): State<Arc<Live>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let ticks = tokio::time::interval(Duration::from_secs(1));
    let stream = futures_util::stream::unfold((ticks, live), |(mut ticks, live)| async move {
        ticks.tick().await;
        let data = snapshot_json(&live);
        Some((
            Ok(Event::default().event("snapshot").data(data)),
            (ticks, live),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
