//! `kafka://...?format=avro|protobuf|json_schema&key_format=...&schema_registry=URL`:
//! value and key schemas registered under each subject strategy's subjects
//! before anything is produced, every key and value in the Confluent wire
//! format, decoded by confluent-kafka's
//! deserializers (fastavro, protoc's classes, jsonschema; not storesim's
//! code) to the same records as the files sink wrote, field by field; and
//! the registry's refusals as one-line errors.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use super::demos::{python, reader};
use super::{json_cents, service, storesim, unique};

struct Services {
    py: String,
    brokers: String,
    registry: String,
}

fn services() -> Option<Services> {
    Some(Services {
        py: python()?,
        brokers: service("STORESIM_KAFKA_BROKERS")?,
        registry: service("STORESIM_REGISTRY_URL")?,
    })
}

/// `GET` or `POST` on the registry with Python's urllib (not storesim's
/// client): the status and the body.
fn registry(py: &str, method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    let script = r#"
import sys, json, urllib.request, urllib.error
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
    headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
try:
    with urllib.request.urlopen(req) as r:
        print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())
"#;
    let mut cmd = Command::new(py);
    cmd.args(["-c", script, method, url]);
    if let Some(b) = body {
        cmd.arg(b);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (status, body) = text.split_once('\n').unwrap();
    (
        status.trim().parse().unwrap(),
        serde_json::from_str(body.trim()).unwrap_or_default(),
    )
}

fn run(args: &[&str]) -> std::process::Output {
    storesim().args(args).output().unwrap()
}

/// Milliseconds of an RFC 3339 text.
fn millis(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap_or_else(|e| panic!("{v}: {e}"))
        .timestamp_millis()
}

/// `decoded` equals the files sink's `record`, field by field: money
/// exact, times to the ms, nulls as nulls, nested records likewise.
fn same(at: &str, fields: &[storesim_sim::schema::Field], record: &Value, decoded: &Value) {
    use storesim_sim::schema::Type;
    for f in fields {
        let (a, b) = (&record[f.name], &decoded[f.name]);
        let at = format!("{at}.{}", f.name);
        match (a, f.ty) {
            (Value::Null, _) => assert_eq!(b, &Value::Null, "{at}"),
            (_, Type::Decimal { .. }) => assert_eq!(json_cents(a), json_cents(b), "{at}"),
            (_, Type::Timestamp(_)) => assert_eq!(millis(a), millis(b), "{at}"),
            (_, Type::Record(inner)) => same(&at, inner, a, b),
            (Value::Number(x), Type::Float64) => assert_eq!(x.as_f64(), b.as_f64(), "{at}"),
            _ => assert_eq!(a, b, "{at}"),
        }
    }
}

/// The files sink's records of `dir`, in order per kind.
fn file_records(dir: &std::path::Path) -> BTreeMap<String, Vec<Value>> {
    let mut records: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (path, bytes) in super::tree(dir) {
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::str::from_utf8(&bytes).unwrap().lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                records
                    .entry(v["kind"].as_str().unwrap().to_string())
                    .or_default()
                    .push(v);
            }
        }
    }
    records
}

#[test]
fn every_schema_format_decodes_to_the_files_records() {
    let Some(s) = services() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    let args = [
        "run",
        "--scenario",
        "chain",
        "--stores",
        "2",
        "--seed",
        "5",
        "-q",
        "--start",
        "2026-11-27T14:00:00Z",
        "--until",
        "2026-11-27T15:30:00Z",
    ];
    let files_sink = format!("files:{}?compression=none", files.display());
    let mut records = None;
    // Each format with typed keys of its own, under each subject strategy.
    for (format, strategy) in [
        ("avro", "topic"),
        ("protobuf", "topic_record"),
        ("json_schema", "record"),
    ] {
        let prefix = format!("{}.", unique(format));
        let kafka = format!(
            "kafka://{}?topic_prefix={prefix}&format={format}&key_format={format}&subject_strategy={strategy}&schema_registry={}",
            s.brokers, s.registry
        );
        // The files once: the same seed writes the same records each run.
        let mut sinks = vec!["--sink", &kafka];
        if records.is_none() {
            sinks.extend(["--sink", &files_sink]);
        }
        let out = run(&[&args[..], &sinks].concat());
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let records = records.get_or_insert_with(|| file_records(&files));
        decodes_to(&s, format, strategy, &prefix, records);
        // A second run of the same scenario registers nothing new.
        let out = run(&[&args[..], &["--sink", &kafka]].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (t, record) in TOPICS {
            for subject in subjects(format, strategy, &format!("{prefix}{t}"), record) {
                let (_, versions) = registry(
                    &s.py,
                    "GET",
                    &format!("{}/subjects/{subject}/versions", s.registry),
                    None,
                );
                assert_eq!(versions, serde_json::json!([1]), "{format} {subject}");
            }
        }
    }
}

/// The chain's topics (after the prefix) and their records' names.
const TOPICS: [(&str, &str); 3] = [
    ("scans", "scan"),
    ("transactions", "transaction"),
    ("item_changes", "item_change"),
];

/// The value's and the key's subject of `record` on `topic` under
/// `strategy`, as Confluent's serializers name them: the Avro record's and
/// Protobuf message's full name, the JSON Schema's title.
fn subjects(format: &str, strategy: &str, topic: &str, record: &str) -> [String; 2] {
    let full = |name: &str| match format {
        "json_schema" => name.to_string(),
        _ => format!("storesim.{name}"),
    };
    let key = format!("{record}_key");
    match strategy {
        "topic" => [format!("{topic}-value"), format!("{topic}-key")],
        "record" => [full(record), full(&key)],
        _ => [
            format!("{topic}-{}", full(record)),
            format!("{topic}-{}", full(&key)),
        ],
    }
}

/// The registry's latest version of `subject`: its id, after checking it
/// is version 1 of `format`'s schema type.
fn latest(s: &Services, format: &str, subject: &str) -> u64 {
    let (status, body) = registry(
        &s.py,
        "GET",
        &format!("{}/subjects/{subject}/versions/latest", s.registry),
        None,
    );
    assert_eq!(status, 200, "{subject}: {body}");
    assert_eq!(body["version"], 1);
    let schema_type = match format {
        "protobuf" => Value::from("PROTOBUF"),
        "json_schema" => Value::from("JSON"),
        _ => Value::Null,
    };
    assert_eq!(body["schemaType"], schema_type, "{subject}: {body}");
    body["id"].as_u64().unwrap()
}

/// The topics under `prefix`, written in `format` with keys in `format`:
/// their subjects under `strategy` at version 1, of the format's schema
/// type, and every message's key and value decoded by the registry's
/// reader, the values to `records`, per kind and key in order.
fn decodes_to(
    s: &Services,
    format: &str,
    strategy: &str,
    prefix: &str,
    records: &BTreeMap<String, Vec<Value>>,
) {
    let topics: Vec<String> = TOPICS.iter().map(|(t, _)| format!("{prefix}{t}")).collect();
    let mut ids = BTreeMap::new();
    for (t, (_, record)) in topics.iter().zip(TOPICS) {
        let [value, key] = subjects(format, strategy, t, record);
        ids.insert(
            t.clone(),
            (latest(s, format, &value), latest(s, format, &key)),
        );
    }
    let total: usize = records.values().map(Vec::len).sum();
    assert!(total > 1000, "{total}");
    let out = Command::new(&s.py)
        .arg(reader("registry_read.py"))
        .args(["--key-format", format])
        .args([format, &s.brokers, &s.registry, &(total + 1).to_string()])
        .args(&topics)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "registry_read {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(messages.len(), total, "{format}");
    // Per key (store) and kind, the same records in the same order.
    let mut by_key: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for m in &messages {
        let topic = m["topic"].as_str().unwrap().to_string();
        let (value_id, key_id) = ids[&topic];
        assert_eq!(m["schema_id"].as_u64(), Some(value_id), "{m}");
        assert_eq!(m["key_schema_id"].as_u64(), Some(key_id), "{m}");
        let store = m["key"]["store_id"]
            .as_u64()
            .unwrap_or_else(|| panic!("{m}"));
        by_key
            .entry((
                m["value"]["kind"].as_str().unwrap().to_string(),
                store.to_string(),
            ))
            .or_default()
            .push(&m["value"]);
    }
    let mut want: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for (kind, rs) in records {
        for r in rs {
            // Chain-wide records (item changes) are keyed by store 0.
            let store = r["store_id"].as_u64().unwrap_or(0);
            want.entry((kind.clone(), store.to_string()))
                .or_default()
                .push(r);
        }
    }
    assert_eq!(
        by_key.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (key, decoded) in &by_key {
        let expected = &want[key];
        assert_eq!(decoded.len(), expected.len(), "{format} {key:?}");
        let kind: storesim_sim::EventKind = key.0.parse().unwrap();
        for (r, d) in expected.iter().zip(decoded) {
            assert_eq!(r["kind"], d["kind"]);
            same(&format!("{format} {kind}"), kind.schema().fields, r, d);
        }
    }
}

/// Ten virtual minutes of one store.
const SHORT_RUN: [&str; 10] = [
    "run",
    "--scenario",
    "chain",
    "--stores",
    "1",
    "-q",
    "--start",
    "2026-11-27T14:00:00Z",
    "--until",
    "2026-11-27T14:10:00Z",
];

/// One line on standard error, exit 2, and nothing produced.
fn refused(args: &[&str], want: &str) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(want), "{err}");
}

#[test]
fn a_registry_that_refuses_or_is_missing_is_a_one_line_input_error() {
    let Some(s) = services() else { return };
    let prefix = format!("{}.", unique("avro_bad"));
    let base = SHORT_RUN;
    let sink = |q: &str| format!("kafka://{}?topic_prefix={prefix}&{q}", s.brokers);
    refused(
        &[&base[..], &["--sink", &sink("format=avro")]].concat(),
        "format=avro needs schema_registry=http://HOST:PORT",
    );
    refused(
        &[&base[..], &["--sink", &sink("key_format=avro")]].concat(),
        "key_format=avro needs schema_registry=http://HOST:PORT",
    );
    refused(
        &[
            &base[..],
            &[
                "--sink",
                &sink(&format!(
                    "key_format=protobuf&key=none&schema_registry={}",
                    s.registry
                )),
            ],
        ]
        .concat(),
        "key_format=protobuf needs a key (the key is none)",
    );
    refused(
        &[&base[..], &["--sink", &sink("format=xml")]].concat(),
        "unknown format `xml` (known: json, avro, protobuf, json_schema)",
    );
    refused(
        &[&base[..], &["--sink", &sink("format=protobuf")]].concat(),
        "format=protobuf needs schema_registry=http://HOST:PORT",
    );
    refused(
        &[
            &base[..],
            &[
                "--sink",
                &sink("format=avro&schema_registry=http://127.0.0.1:9"),
            ],
        ]
        .concat(),
        "schema registry http://127.0.0.1:9 does not answer",
    );
    // A subject already holding a schema the new one cannot replace: the
    // registry's 409 and its message, and no message on the topic.
    let subject = format!("{prefix}scans-value");
    let old = serde_json::json!({
        "schema": r#"{"type":"record","name":"scan","namespace":"storesim","fields":[{"name":"kind","type":"long"}]}"#
    })
    .to_string();
    let (status, _) = registry(
        &s.py,
        "POST",
        &format!("{}/subjects/{subject}/versions", s.registry),
        Some(&old),
    );
    assert_eq!(status, 200);
    refused(
        &[
            &base[..],
            &[
                "--sink",
                &sink(&format!("format=avro&schema_registry={}", s.registry)),
            ],
        ]
        .concat(),
        &format!("refused subject {subject} (HTTP 409): Schema being registered is incompatible"),
    );
    let out = Command::new(&s.py)
        .arg(reader("kafka_read.py"))
        .args([&s.brokers, "1", &format!("{prefix}scans")])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "produced after a refusal"
    );
}

/// A registry of the tests' own on its own port, serving https with a
/// certificate from a CA made for the test, and wanting basic auth;
/// stopped when dropped.
struct TlsRegistry {
    child: std::process::Child,
    port: u16,
    ca: std::path::PathBuf,
}

impl Drop for TlsRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_registry(py: &str, dir: &std::path::Path, user: &str) -> TlsRegistry {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
        "-out",
        "leaf.pem",
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/registry.py");
    let child = Command::new(py)
        .arg(script)
        .args(["--port", &port.to_string(), "--user", user])
        .arg("--cert")
        .arg(dir.join("leaf.pem"))
        .arg("--key")
        .arg(dir.join("leaf.key"))
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 20,
            "the https registry did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    TlsRegistry {
        child,
        port,
        ca: dir.join("ca.pem"),
    }
}

#[test]
fn an_https_registry_with_basic_auth_takes_confluents_settings_and_no_secret_is_printed() {
    let Some(s) = services() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let password = "s3cret-Pw9";
    let r = tls_registry(&s.py, tmp.path(), &format!("alice:{password}"));
    let prefix = format!("{}.", unique("tls"));
    let base = SHORT_RUN;
    let ca = r.ca.display().to_string();
    let sink = |registry: &str, more: &str| {
        format!(
            "kafka://{}?topic_prefix={prefix}&format=avro&key_format=avro&schema_registry={registry}{more}",
            s.brokers
        )
    };
    let https = format!("https://127.0.0.1:{}", r.port);
    let with_ca = format!("&ssl.ca.location={ca}");
    let user_info = format!("basic.auth.user.info=alice:{password}");
    // The password by --registry-opt, the CA in the URL.
    let out = run(&[
        &base[..],
        &[
            "--sink",
            &sink(&https, &with_ca),
            "--registry-opt",
            &user_info,
        ],
    ]
    .concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The password in the registry URL (basic.auth.credentials.source=URL).
    let in_url = format!("https://alice:{password}@127.0.0.1:{}", r.port);
    let out = run(&[&base[..], &["--sink", &sink(&in_url, &with_ca)]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong password, a missing CA, a CA file that is not there: one
    // line each, exit 2, and never the password.
    let wrong = "basic.auth.user.info=alice:not-the-Pw7";
    for (args, want) in [
        (
            vec![
                "--sink".to_string(),
                sink(&https, &with_ca),
                "--registry-opt".into(),
                wrong.into(),
            ],
            "(HTTP 401)".to_string(),
        ),
        (
            vec![
                "--sink".into(),
                sink(&https, ""),
                "--registry-opt".into(),
                user_info.clone(),
            ],
            format!("schema registry {https} does not answer"),
        ),
        (
            vec![
                "--sink".into(),
                sink(&https, "&ssl.ca.location=/nonexistent/ca.pem"),
                "--registry-opt".into(),
                user_info.clone(),
            ],
            "ssl.ca.location /nonexistent/ca.pem".to_string(),
        ),
        (
            vec![
                "--sink".into(),
                sink(
                    &format!("https://alice:not-the-Pw7@127.0.0.1:{}", r.port),
                    &with_ca,
                ),
            ],
            "(HTTP 401)".to_string(),
        ),
        (
            vec![
                "--sink".into(),
                sink(&https, &with_ca),
                "--registry-opt".into(),
                "bearer.auth.token=t0ken-Xy".into(),
            ],
            "unknown registry option `bearer.auth.token`".to_string(),
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&[&base[..], &args].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&want), "{want}: {err}");
        for secret in [password, "not-the-Pw7", "t0ken-Xy"] {
            assert!(!err.contains(secret), "{secret} printed: {err}");
        }
    }
    // --registry-opt with no Kafka sink to use it.
    let out = run(&[&base[..], &["--sink", "null", "--registry-opt", &user_info]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--registry-opt: no Kafka sink") && !err.contains(password),
        "{err}"
    );
}
