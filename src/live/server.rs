//! The live view's HTTP server (axum), on a thread and runtime of its own.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::Live;

const PAGE: &str = include_str!("page.html");
const UPLOT_JS: &str = include_str!("assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("assets/uPlot.min.css");

/// Binds `addr` now (so a taken port is an input error before the run)
/// and serves the live view from a thread of its own; returns the address
/// bound (its port, when `addr` asked for port 0).
pub(crate) fn serve(addr: SocketAddr, live: Arc<Live>) -> std::io::Result<SocketAddr> {
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
                let app = Router::new()
                    .route("/", get(page))
                    .route("/uPlot.iife.min.js", get(uplot_js))
                    .route("/uPlot.min.css", get(uplot_css))
                    .route("/metrics", get(metrics))
                    .route("/api/status", get(status))
                    .route("/api/stores", get(stores))
                    .route("/api/events", get(events))
                    .with_state(live);
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
        live.metrics(),
    )
}

async fn status(State(live): State<Arc<Live>>) -> impl IntoResponse {
    axum::Json(live.snapshot())
}

async fn stores(State(live): State<Arc<Live>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        live.stores_json(),
    )
}

/// A snapshot every second, as server-sent events.
async fn events(
    State(live): State<Arc<Live>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let ticks = tokio::time::interval(Duration::from_secs(1));
    let stream = futures_util::stream::unfold((ticks, live), |(mut ticks, live)| async move {
        ticks.tick().await;
        let data = serde_json::to_string(&live.snapshot()).unwrap_or_default();
        Some((
            Ok(Event::default().event("snapshot").data(data)),
            (ticks, live),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
