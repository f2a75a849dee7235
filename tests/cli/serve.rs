//! The live view: `run --serve`, its metrics and its page in Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::service;

/// A run with `--serve 0` and its standard error, line by line.
struct Served {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("storesim"))
            .arg("run")
            .args(args)
            .args(["--serve", "0"])
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            port: 0,
            lines,
            seen: Vec::new(),
        };
        let line = served.wait_for("live view at http://");
        let addr = line.split("http://").nth(1).unwrap();
        served.port = addr
            .split('/')
            .next()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        served
    }

    /// The first line (from now) that contains `text`.
    fn wait_for(&mut self, text: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(300))
                .unwrap_or_else(|_| panic!("no `{text}` in {:?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "{head}"
        );
        body.to_string()
    }

    /// Stops the process as Ctrl-C would, and returns whether it exited 0.
    fn stop(mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap().success()
    }
}

/// The value of a metric line `name{labels} value`.
fn metric(text: &str, name_and_labels: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no {name_and_labels} in\n{text}")) as u64
}

#[test]
fn the_metrics_match_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("out").display());
    let mut run = Served::start(&["--stores", "12", "--seed", "3", "--sink", &files]);
    // The run ends; its summary is printed and the view stays up.
    let events = run.wait_for("events:");
    let queue = run.wait_for("queue:");
    let sink = run.wait_for(&format!("sink:     {files}: delivered"));
    run.wait_for("the live view stays up");
    let metrics = run.get("/metrics");
    // `events:   460013 scan, 52633 transaction, 2133 item_change (514779 total)`
    let counts = events
        .trim_start_matches("events:")
        .split('(')
        .next()
        .unwrap();
    let mut total = 0;
    for part in counts.split(',') {
        let (n, kind) = part.trim().split_once(' ').unwrap();
        let n: u64 = n.parse().unwrap();
        total += n;
        assert_eq!(
            metric(
                &metrics,
                &format!("storesim_events_total{{kind=\"{kind}\"}}")
            ),
            n,
            "{kind}"
        );
        assert_eq!(
            metric(
                &metrics,
                &format!("storesim_sink_delivered_total{{sink=\"{files}\",kind=\"{kind}\"}}")
            ),
            n,
            "{kind} delivered"
        );
    }
    assert!(total > 10_000, "{events}");
    let delivered: u64 = sink
        .split("delivered ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(delivered, total);
    assert_eq!(
        metric(
            &metrics,
            &format!("storesim_sink_failed_total{{sink=\"{files}\"}}")
        ),
        0
    );
    assert_eq!(metric(&metrics, "storesim_run_finished"), 1);
    assert_eq!(metric(&metrics, "storesim_stores"), 12);
    // The status and the page are served too.
    let status: serde_json::Value = serde_json::from_str(&run.get("/api/status")).unwrap();
    assert_eq!(status["events_total"], total);
    // The stores' own window sums: every receipt's wait, nobody left in line.
    // `queue:    52633 receipts; wait p50 ... max 512.3 s`
    let receipts: u64 = queue
        .trim_start_matches("queue:")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(receipts > 1000, "{queue}");
    assert_eq!(status["receipts"], receipts);
    let max: f64 = queue
        .rsplit("max ")
        .next()
        .unwrap()
        .trim_end_matches(" s")
        .parse()
        .unwrap();
    let got = status["queue_wait_s"][3].as_f64().unwrap();
    assert!(
        (got - max).abs() <= max * 0.01 + 0.1,
        "max wait {got} s, summary {max} s"
    );
    assert_eq!(metric(&metrics, "storesim_queued_shoppers"), 0);
    assert!(run.get("/").contains("<title>storesim live</title>"));
    assert!(run.stop(), "Ctrl-C after the run exits 0");
}

#[test]
fn serve_is_loopback_unless_told_and_a_taken_port_is_an_input_error() {
    let out = super::storesim()
        .args(["run", "--stores", "2", "--sink", "null", "--serve", "nope"])
        .output()
        .unwrap();
    assert!(super::failure(out, 2).contains("--serve"));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = super::storesim()
        .args(["run", "--stores", "2", "--sink", "null", "--serve", &port])
        .output()
        .unwrap();
    let err = super::failure(out, 2);
    assert!(
        err.contains(&format!("--serve 127.0.0.1:{port}: cannot listen")),
        "{err}"
    );
}

/// Headless Chromium driven over the DevTools protocol.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    socket: tungstenite::WebSocket<TcpStream>,
    id: u64,
}

impl Browser {
    /// Opens `url` in a new headless Chromium of `width` x `height`.
    fn open(chromium: &str, url: &str, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID`
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line);
                if let Some(ws) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(ws.to_string());
                }
            }
        });
        let ws = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("Chromium's DevTools address");
        let port: u16 = ws
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // The page's target.
        let page = (0..100)
            .find_map(|_| {
                let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
                write!(s, "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
                // DevTools keeps the connection open: read by Content-Length.
                let mut reader = BufReader::new(s);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).ok()?;
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().ok()?;
                        }
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).ok()?;
                let body = String::from_utf8(body).ok()?;
                let targets: serde_json::Value = serde_json::from_str(&body).ok()?;
                let found = targets
                    .as_array()?
                    .iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string));
                if found.is_none() {
                    std::thread::sleep(Duration::from_millis(100));
                }
                found
            })
            .expect("a page target");
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (socket, _) = tungstenite::client(page.as_str(), stream).unwrap();
        Browser {
            child,
            _profile: profile,
            socket,
            id: 0,
        }
    }

    /// Sends a DevTools command and returns its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.id += 1;
        let id = self.id;
        let message = serde_json::json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let reply = self.socket.read().unwrap();
            let Ok(text) = reply.to_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            if v["id"] == id {
                return v["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page; its value.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true }),
        );
        r["result"]["value"].clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_page_draws_live_data_in_chromium() {
    let Some(chromium) = service("STORESIM_CHROMIUM") else {
        return;
    };
    // A live run at 600x real time (ten virtual minutes a second) from the
    // next Black Friday's morning, when every store is open: from now, the
    // page would have nothing to draw on a night or a Thanksgiving.
    let start = super::wall::next_black_friday_at(chrono::Utc::now(), 14, 0);
    let start = super::wall::arg(start);
    let run = Served::start(&[
        "--stores", "200", "--speed", "600", "--start", &start, "--sink", "null", "-q",
    ]);
    let url = format!("http://127.0.0.1:{}/", run.port);
    let mut browser = Browser::open(&chromium, &url, 1440, 1000);
    // Wait (up to a minute of wall time) for a few snapshots to be drawn.
    let mut data = serde_json::Value::Null;
    for _ in 0..120 {
        data = browser.eval("JSON.stringify(document.body.dataset)");
        let d: serde_json::Value =
            serde_json::from_str(data.as_str().unwrap_or("{}")).unwrap_or_default();
        let n = |k: &str| {
            d[k].as_str()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        if n("updates") >= 4
            && n("ratePoints") >= 2
            && n("salesPoints") >= 1
            && n("activeStores") >= 1
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let d: serde_json::Value = serde_json::from_str(data.as_str().unwrap()).unwrap();
    let n = |k: &str| d[k].as_str().unwrap().parse::<u64>().unwrap();
    // Snapshots arrived, and the charts and the map were given data.
    assert!(n("updates") >= 4, "{d}");
    assert!(n("ratePoints") >= 2, "{d}");
    assert!(n("salesPoints") >= 1, "{d}");
    assert!(n("activeStores") >= 1, "{d}");
    // The charts hold the points (uPlot's data), and the sinks table the sink.
    let drawn = browser.eval(
        "[...document.querySelectorAll('.uplot')].length + ':' + document.getElementById('sinks').textContent",
    );
    let drawn = drawn.as_str().unwrap();
    assert!(drawn.starts_with("3:"), "{drawn}");
    assert!(drawn.contains("null"), "{drawn}");
    let lit = browser.eval(
        "(() => { const c = document.getElementById('map'); const g = c.getContext('2d'); const px = g.getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 0; i < px.length; i += 4) if (px[i + 2] > 150) n++; return n; })()",
    );
    assert!(
        lit.as_u64().unwrap() > 100,
        "the map has no lit store: {lit}"
    );
    // The screenshot of the README (STORESIM_SCREENSHOT=docs/live-view.png).
    if let Ok(path) = std::env::var("STORESIM_SCREENSHOT") {
        // Let the charts fill first.
        std::thread::sleep(Duration::from_secs(25));
        let shot = browser.call(
            "Page.captureScreenshot",
            serde_json::json!({ "format": "png" }),
        );
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
    drop(browser);
    assert!(run.stop());
}
