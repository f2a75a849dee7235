//! Secrets: a password or key handed to storesim in any form is never
//! printed, on any message path (input errors, connection errors, the log).
//! The run summary and the live view are checked against a real server in
//! `postgres.rs`.

use super::storesim;

/// The secret every case hands over; it must appear in no output.
const SECRET: &str = "Hunter2-s3cret-9f2c";

/// Runs `args` with the log at debug level (its lines go through the same
/// masking) and returns standard error after checking the exit code, that
/// the last line is one `error:` line naming `names`, and that the secret
/// appears nowhere.
fn refused(args: &[&str], code: i32, names: &str) -> String {
    let out = storesim()
        .args(args)
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        !stderr.contains(SECRET) && !stdout.contains(SECRET),
        "{args:?} printed the secret:\n{stderr}{stdout}"
    );
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "{args:?}: {stderr}");
    assert!(
        last.contains(names),
        "{args:?}: `{last}` does not name `{names}`"
    );
    stderr
}

#[test]
fn a_sink_spec_never_prints_its_secret() {
    let pg_query = format!("postgres://u@127.0.0.1:1/db?password={SECRET}&connect_timeout=1");
    let pg_userinfo = format!("postgresql://u:{SECRET}@127.0.0.1:1/db?connect_timeout=1");
    let pg_ssl = format!("postgres://u@127.0.0.1:1/db?sslpassword={SECRET}&connect_timeout=1");
    let libpq = format!("host=127.0.0.1 port=1 user=u password={SECRET} dbname=x");
    let libpq_quoted = format!("host=127.0.0.1 password = '{SECRET} x' dbname=x");
    let kafka_option = format!("kafka://127.0.0.1:1?sasl.password={SECRET}");
    let kafka_typo = format!("kafka://127.0.0.1:1?sasl.pasword={SECRET}");
    let kafka_userinfo = format!("kafka://alice:{SECRET}@127.0.0.1:1");
    let kafka_bare = format!("kafka://127.0.0.1:1?{SECRET}");
    let files_option = format!("files:out?token={SECRET}");
    for (spec, names) in [
        (&pg_query, "sink `postgres://u@127.0.0.1:1/db?password=***"),
        (&pg_userinfo, "sink `postgresql://u:***@127.0.0.1:1/db"),
        (&pg_ssl, "sslpassword=***"),
        (&libpq, "unknown sink"),
        (&libpq_quoted, "unknown sink"),
        (&kafka_option, "unknown option `sasl.password`"),
        (&kafka_typo, "unknown option `sasl.pasword`"),
        (&kafka_userinfo, "credentials do not go in a Kafka URL"),
        (&kafka_bare, "not key=value"),
        (&files_option, "unknown option `token`"),
    ] {
        refused(&["run", "--stores", "1", "--sink", spec.as_str()], 2, names);
    }
}

#[test]
fn a_kafka_property_never_prints_its_value() {
    let typo = format!("sasl.passwd={SECRET}");
    let unknown = format!("no.such.property={SECRET}");
    let known = format!("ssl.key.password={SECRET}");
    for opt in [&typo, &unknown, &known] {
        // A refused property is named; a known one fails to connect.
        let key = match opt.split('=').next().unwrap() {
            "ssl.key.password" => "127.0.0.1:1",
            key => key,
        };
        refused(
            &[
                "run",
                "--stores",
                "1",
                "--sink",
                "kafka://127.0.0.1:1",
                "--kafka-opt",
                opt,
            ],
            2,
            key,
        );
        refused(
            &["kafka", "check", "kafka://127.0.0.1:1", "--kafka-opt", opt],
            2,
            key,
        );
        refused(
            &[
                "kafka",
                "tail",
                "t",
                "--brokers",
                "127.0.0.1:1",
                "--kafka-opt",
                opt,
            ],
            2,
            key,
        );
    }
    // A value without its key is not echoed either.
    let out = storesim()
        .args(["run", "--sink", "null", "--kafka-opt", SECRET])
        .output()
        .unwrap();
    let err = super::failure(out, 2);
    assert!(
        err.contains("--kafka-opt") && !err.contains(SECRET),
        "{err}"
    );
}

#[test]
fn the_other_commands_never_print_a_database_secret() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("m.json");
    storesim()
        .args(["run", "--stores", "1", "--sink", "null", "-q", "--manifest"])
        .arg(&manifest)
        .assert()
        .success();
    let url = format!("postgres://u@127.0.0.1:1/db?password={SECRET}&connect_timeout=1");
    refused(&["db", "init", &url], 2, "password=***");
    let manifest = manifest.to_str().unwrap();
    refused(
        &["verify", "--manifest", manifest, "--postgres", &url],
        2,
        "password=***",
    );
    let libpq = format!("host=h password={SECRET}");
    refused(&["db", "init", &libpq], 2, "password=***");
    refused(
        &["verify", "--manifest", manifest, "--postgres", &libpq],
        2,
        "password=***",
    );
}
