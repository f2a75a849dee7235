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
        Served::spawn(args, "0", None)
    }

    /// A run with `--serve serve`, and `STORESIM_SERVE_TOKEN` set to
    /// `token` (unset when `None`).
    fn spawn(args: &[&str], serve: &str, token: Option<&str>) -> Served {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("storesim"));
        match token {
            Some(t) => cmd.env("STORESIM_SERVE_TOKEN", t),
            None => cmd.env_remove("STORESIM_SERVE_TOKEN"),
        };
        let mut child = cmd
            .arg("run")
            .args(args)
            .args(["--serve", serve])
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
        let (head, body) = self.request(path, "Host: localhost\r\n");
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "{head}"
        );
        body
    }

    /// `GET path` with `headers` (each line ending in CRLF): the response's
    /// head and body.
    fn request(&self, path: &str, headers: &str) -> (String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        // A connection the view closes at once may fail either way: its
        // answer is then empty.
        let _ = write!(s, "GET {path} HTTP/1.0\r\n{headers}\r\n");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        (head.to_string(), body.to_string())
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

/// The run the access tests serve: two stores, done at once, then the
/// view stays up until Ctrl-C.
const SMALL_RUN: [&str; 5] = ["--stores", "2", "--sink", "null", "-q"];

#[test]
fn a_view_on_loopback_answers_only_to_loopback_host_names() {
    let mut run = Served::spawn(&SMALL_RUN, "127.0.0.1:0", None);
    run.wait_for("run finished");
    for host in ["localhost", "127.0.0.1:8080", "storesim.localhost", "[::1]"] {
        let (head, _) = run.request("/metrics", &format!("Host: {host}\r\n"));
        assert!(head.contains(" 200 "), "{host}: {head}");
    }
    // DNS rebinding: a page on another site whose name now points here.
    for host in ["evil.example", "evil.example:8080", "10.0.0.7", ""] {
        let (head, body) = run.request("/api/status", &format!("Host: {host}\r\n"));
        assert!(head.contains(" 403 "), "{host}: {head}");
        assert!(body.contains("host not allowed"), "{body}");
    }
    assert!(run.stop());
}

#[test]
fn a_view_beyond_loopback_takes_a_token() {
    let mut run = Served::spawn(&SMALL_RUN, "0.0.0.0:0", None);
    let line = run.seen.last().unwrap().clone();
    run.wait_for("run finished");
    let token = line
        .split("?token=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_else(|| panic!("no token in `{line}`"))
        .to_string();
    assert_eq!(token.len(), 32, "{line}");
    let host = "Host: localhost\r\n";
    for path in ["/", "/metrics", "/api/status", "/api/stores", "/api/events"] {
        let (head, _) = run.request(path, host);
        assert!(head.contains(" 401 "), "{path} without a token: {head}");
        let (head, _) = run.request(
            path,
            &format!("{host}Authorization: Bearer {}x\r\n", &token[1..]),
        );
        assert!(head.contains(" 401 "), "{path} with a wrong token: {head}");
    }
    let (head, _) = run.request(
        "/metrics",
        &format!("{host}Authorization: Bearer {token}\r\n"),
    );
    assert!(head.contains(" 200 "), "{head}");
    // The page's link sets a cookie and drops the token from the address.
    let (head, _) = run.request(&format!("/?token={token}"), host);
    assert!(head.contains(" 303 "), "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap_or_else(|| panic!("no cookie in {head}"));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let (head, body) = run.request("/", &format!("{host}Cookie: theme=dark; {pair}\r\n"));
    assert!(head.contains(" 200 ") && body.contains("<title>"), "{head}");
    // Beyond loopback, IP addresses and the names given are answered.
    let (head, _) = run.request(
        "/metrics",
        &format!("Host: 192.0.2.1\r\nAuthorization: Bearer {token}\r\n"),
    );
    assert!(head.contains(" 200 "), "{head}");
    let (head, _) = run.request(
        "/metrics",
        &format!("Host: evil.example\r\nAuthorization: Bearer {token}\r\n"),
    );
    assert!(head.contains(" 403 "), "{head}");
    assert!(run.stop());

    // A chosen token is never printed; a weak one is refused.
    let token = "a-chosen-token-0123456789";
    let mut run = Served::spawn(&SMALL_RUN, "0.0.0.0:0", Some(token));
    run.wait_for("run finished");
    assert!(
        run.seen.iter().all(|l| !l.contains(token)),
        "{:?}",
        run.seen
    );
    assert!(run
        .seen
        .iter()
        .any(|l| l.contains("token from STORESIM_SERVE_TOKEN")));
    let (head, _) = run.request(
        "/metrics",
        &format!("{host}Authorization: Bearer {token}\r\n"),
    );
    assert!(head.contains(" 200 "), "{head}");
    assert!(run.stop());
    let out = super::storesim()
        .arg("run")
        .args(SMALL_RUN)
        .args(["--serve", "0.0.0.0:0"])
        .env("STORESIM_SERVE_TOKEN", "short")
        .output()
        .unwrap();
    let err = super::failure(out, 2);
    assert!(
        err.contains("STORESIM_SERVE_TOKEN") && !err.contains("short"),
        "{err}"
    );
}

#[test]
fn the_view_serves_a_bounded_number_of_connections() {
    let mut run = Served::spawn(&SMALL_RUN, "127.0.0.1:0", None);
    run.wait_for("run finished");
    // Each holds a connection open with a request it never finishes.
    let held: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", run.port)).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n")
                .unwrap();
            s
        })
        .collect();
    // The next is closed without an answer, once the held ones are in.
    let refused = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        let (head, _) = run.request("/metrics", "Host: localhost\r\n");
        head.is_empty()
    });
    assert!(refused, "a 65th connection was served");
    drop(held);
    let served = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        run.request("/metrics", "Host: localhost\r\n")
            .0
            .contains(" 200 ")
    });
    assert!(served, "no connection served after the held ones closed");
    assert!(run.stop());
}

#[test]
fn the_summary_and_the_view_mask_a_database_password_given_as_an_option() {
    let Some(url) = service("STORESIM_POSTGRES_URL") else {
        return;
    };
    // The suite's URL with its password moved to `?password=`.
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, host) = rest.rsplit_once('@').unwrap();
    let (user, password) = userinfo.split_once(':').unwrap();
    let schema = super::postgres::schema("mask");
    let sink = format!("{scheme}://{user}@{host}?password={password}&schema={schema}");
    let leaked = format!("password={password}");
    let mut run = Served::spawn(&["--stores", "2", "--sink", &sink], "127.0.0.1:0", None);
    run.wait_for("run finished");
    let summary = run
        .seen
        .iter()
        .find(|l| l.starts_with("sink:"))
        .unwrap_or_else(|| panic!("no sink line in {:?}", run.seen))
        .clone();
    assert!(
        summary.contains("password=***") && summary.contains("failed 0"),
        "{summary}"
    );
    for path in ["/metrics", "/api/status", "/api/stores"] {
        let body = run.get(path);
        assert!(
            !body.contains(&leaked),
            "{path} shows the password:\n{body}"
        );
    }
    assert!(run.get("/metrics").contains("password=***"));
    assert!(run.get("/api/status").contains("password=***"));
    assert!(
        run.seen.iter().all(|l| !l.contains(&leaked)),
        "{:?}",
        run.seen
    );
    assert!(run.stop());
    super::postgres::psql(&url, &format!("DROP SCHEMA {schema} CASCADE"));
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
