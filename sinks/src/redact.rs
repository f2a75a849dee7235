//! Masking secrets in anything storesim prints or serves.
//!
//! One set of rules for every message path (errors, the run summary, logs,
//! the live view's pages and metrics):
//!
//! - [`redact`] masks free text: the password of a URL's `user:pass@`, the
//!   value of every `key=value` (or libpq `key = 'value'`) whose key names a
//!   secret ([`is_secret_key`]), and every value handed to [`remember`]
//!   (a secret librdkafka or a server may quote without its key).
//! - [`redact_spec`] masks a sink spec: the URL password, and the value of
//!   every option that is not known to be public ([`is_public_key`]): a
//!   mistyped `sasl.pasword=S` is masked even though no rule names it.
//!
//! The mask is [`MASK`]. Over-masking is the safe direction: a path such as
//! `ssl.key.location` is masked with the keys.

use std::sync::{Mutex, OnceLock};

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// The shortest remembered secret replaced wherever it appears: a shorter
/// one (`pw`) would garble every message that holds those letters; it is
/// still masked wherever its key stands beside it.
const MIN_REMEMBERED_LEN: usize = 3;

fn remembered() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Remembers a secret value for this process: [`redact`] masks it wherever
/// it appears, with or without its key.
pub fn remember(secret: &str) {
    if secret.len() < MIN_REMEMBERED_LEN {
        return;
    }
    let mut secrets = remembered().lock().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Remembers the values of every property whose key is not known to be
/// public ([`is_public_key`]): `--kafka-opt` values, a mistyped key's too.
pub fn remember_properties(properties: &[(String, String)]) {
    for (key, value) in properties {
        if !is_public_key(key) {
            remember(value);
        }
    }
}

/// Whether an option or property key names a secret: any key with
/// `password`, `passwd`, `pwd`, `secret`, `token`, `credential`, `jaas`,
/// `oauthbearer` or `apikey` in it, or a `.`/`_`/`-` separated part `pass`, `key`, `pem` or
/// `pin` (`ssl.key.pem`, `api_key`), except the Kafka sink's own `key`
/// option (the message key field).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.trim().to_ascii_lowercase();
    if is_public_key(&key) {
        // `key`, `key_format`: storesim's options, not keys of a cipher.
        return false;
    }
    const WORDS: [&str; 11] = [
        "user.info",
        "userinfo",
        "oauthbearer",
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "credential",
        "jaas",
        "apikey",
    ];
    const PARTS: [&str; 4] = ["pass", "key", "pem", "pin"];
    WORDS.iter().any(|w| key.contains(w))
        || key.split(['.', '_', '-']).any(|part| PARTS.contains(&part))
}

/// Option keys whose values are printed as given: storesim's own sink
/// options and the common non-secret PostgreSQL and librdkafka settings.
/// Every other value in a spec is masked.
pub fn is_public_key(key: &str) -> bool {
    const PUBLIC: [&str; 56] = [
        // Every sink.
        "kinds",
        // Files and Kafka.
        "envelope",
        "schemas_enable",
        // Files.
        "compression",
        "level",
        "max_events_per_file",
        "row_group_rows",
        "overwrite",
        // Object storage (object_store's names).
        "endpoint",
        "endpoint_url",
        "aws_endpoint",
        "region",
        "aws_region",
        "allow_http",
        "virtual_hosted_style_request",
        "account_name",
        "azure_storage_account_name",
        // Kafka.
        "topic_prefix",
        "key",
        "partitions",
        "replication",
        "linger_ms",
        "message_timeout_ms",
        "format",
        "schema_registry",
        "key_format",
        "subject_strategy",
        "bootstrap.servers",
        "security.protocol",
        "sasl.mechanism",
        "sasl.mechanisms",
        "sasl.username",
        "ssl.ca.location",
        "ssl.endpoint.identification.algorithm",
        "client.id",
        "batch.size",
        "batch.num.messages",
        "linger.ms",
        "acks",
        "compression.type",
        "message.timeout.ms",
        "queue.buffering.max.messages",
        "queue.buffering.max.kbytes",
        "enable.idempotence",
        // PostgreSQL (storesim's and libpq's).
        "schema",
        "retry_timeout",
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "sslmode",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "keepalives",
    ];
    let key = key.trim();
    key.starts_with("topic.") || PUBLIC.contains(&key)
}

/// `text` with every secret masked (see the module docs).
pub fn redact(text: &str) -> String {
    let mut hidden = Vec::new();
    let userinfo_masked = mask_userinfo(text, &mut hidden);
    let mut out = mask_pairs(&userinfo_masked, &|key| is_secret_key(key), &mut hidden);
    let secrets = remembered().lock().unwrap_or_else(|e| e.into_inner());
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

/// A sink spec as it may be printed: the URL password and the value of
/// every option not known to be public masked, then [`redact`].
pub fn redact_spec(spec: &str) -> String {
    redact_spec_hiding(spec).0
}

/// [`redact_spec`], and the parts of `spec` it hid.
fn redact_spec_hiding(spec: &str) -> (String, Vec<String>) {
    let mut hidden = Vec::new();
    // Passwords first: a `?` inside one does not start the query.
    let spec = mask_userinfo(spec, &mut hidden);
    // A query part without `=` may be a pasted secret: masked whole.
    let spec = match spec.split_once('?') {
        Some((base, query)) => {
            let parts: Vec<&str> = query
                .split('&')
                .map(|p| {
                    if p.is_empty() || p.contains('=') {
                        p
                    } else {
                        hidden.push(p.to_string());
                        MASK
                    }
                })
                .collect();
            format!("{base}?{}", parts.join("&"))
        }
        None => spec,
    };
    let masked = mask_pairs(&spec, &|key| !is_public_key(key), &mut hidden);
    (redact(&masked), hidden)
}

/// `text` with URL passwords and the value of every option not known to
/// be public masked; what it hid is added to `hidden`.
fn mask_options(text: &str, hidden: &mut Vec<String>) -> String {
    mask_pairs(
        &mask_userinfo(text, hidden),
        &|key| !is_public_key(key),
        hidden,
    )
}

/// A message about `spec` (which may quote any part of it) with whatever
/// [`redact_spec`] hides of the spec masked, then [`redact`].
pub fn redact_about_spec(message: &str, spec: &str) -> String {
    let (_, mut hidden) = redact_spec_hiding(spec);
    hidden.retain(|h| !h.is_empty());
    // Longest first, so a part that holds another is masked whole.
    hidden.sort_by_key(|h| std::cmp::Reverse(h.len()));
    let mut out = message.to_string();
    for h in &hidden {
        out = out.replace(h.as_str(), MASK);
    }
    // A quoted piece (`...`) of something hidden is hidden too.
    let quoted: Vec<String> = out
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|q| {
            q.len() >= 3
                && hidden.iter().any(|h| {
                    h.contains(*q) || common_run(q.as_bytes(), h.as_bytes()) >= h.len().min(8)
                })
        })
        .map(str::to_string)
        .collect();
    for q in quoted {
        out = out.replace(&format!("`{q}`"), &format!("`{MASK}`"));
    }
    redact(&mask_options(&out, &mut Vec::new()))
}

/// The length of the longest run of bytes `a` and `b` have in common.
fn common_run(a: &[u8], b: &[u8]) -> usize {
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for &x in a {
        let mut row = vec![0usize; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            if x == y {
                row[j + 1] = prev[j] + 1;
                best = best.max(row[j + 1]);
            }
        }
        prev = row;
    }
    best
}

/// Masks the password of every `scheme://user:pass@` in `text`. The
/// userinfo ends at the last `@` before the next space or quote, so a
/// password holding `/`, `?` or `@` is masked whole.
fn mask_userinfo(text: &str, hidden: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '<' | '>'))
            .unwrap_or(tail.len());
        // A URL inside this one's query (`?schema_registry=https://u:p@h`)
        // has user info of its own.
        let end = tail[..end].find("://").unwrap_or(end);
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, password)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(MASK);
                        hidden.push(password.to_string());
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Masks the value of every `key=value` whose key `masked` picks: in a URL
/// query (`&`-separated), a libpq string (space-separated, `key = 'v a l'`
/// quoted with `\'` escapes) or prose.
fn mask_pairs(text: &str, masked: &dyn Fn(&str) -> bool, hidden: &mut Vec<String>) -> String {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        // The key: the key characters before the `=` (spaces allowed between).
        let before = text[..i].trim_end();
        let key_start = before.rfind(|c: char| !is_key_char(c)).map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
        let key = &before[key_start..];
        // The value: after optional spaces, quoted or up to a delimiter.
        let mut v = i + 1;
        while v < bytes.len() && bytes[v] == b' ' {
            v += 1;
        }
        let value_end = if bytes.get(v) == Some(&b'\'') {
            let mut e = v + 1;
            while e < bytes.len() && bytes[e] != b'\'' {
                e += if bytes[e] == b'\\' { 2 } else { 1 };
            }
            (e + 1).min(bytes.len())
        } else {
            text[v..]
                // A value ends where another pair could start (`a=b=c`
                // is `a=b` and `b=c`, each judged by its key).
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '&' | ',' | ';' | '`' | '"' | ')' | '>' | '=')
                })
                .map_or(bytes.len(), |p| v + p)
        };
        if !key.is_empty() && value_end > v && masked(key) {
            out.push_str(&text[copied..v]);
            out.push_str(MASK);
            hidden.push(text[v..value_end].to_string());
            copied = value_end;
            i = value_end;
        } else {
            // A value kept is read on: a pair may hide inside it
            // (`kinds='password=S`).
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_masked_in_every_form() {
        for (text, want) in [
            (
                "postgres://alice:s3cret@db:5432/x",
                "postgres://alice:***@db:5432/x",
            ),
            ("postgres://alice@db/x", "postgres://alice@db/x"),
            ("postgres://db/x", "postgres://db/x"),
            (
                "kafka://u:p4ss@h1:9092,h2:9092",
                "kafka://u:***@h1:9092,h2:9092",
            ),
            ("postgres://u:a/b?c@d@h/x", "postgres://u:***@h/x"),
            (
                "sink `postgres://u:pw@h/x`: refused",
                "sink `postgres://u:***@h/x`: refused",
            ),
            ("a://u:1@h b://v:2@k", "a://u:***@h b://v:***@k"),
            (
                "kafka://h:9092?format=avro&schema_registry=https://u:pw@r:8081&x=1",
                "kafka://h:9092?format=avro&schema_registry=https://u:***@r:8081&x=1",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn secret_options_are_masked_in_every_form() {
        for (text, want) in [
            (
                "postgres://u@h/db?password=S3&sslmode=disable",
                "postgres://u@h/db?password=***&sslmode=disable",
            ),
            (
                "host=h user=u password=S3 dbname=x",
                "host=h user=u password=*** dbname=x",
            ),
            (
                "host=h password = 'a b\\' c' dbname=x",
                "host=h password = *** dbname=x",
            ),
            ("sslpassword=k3y", "sslpassword=***"),
            ("ssl.key.password=k3y, x", "ssl.key.password=***, x"),
            (
                "sasl.oauthbearer.client.secret=abc",
                "sasl.oauthbearer.client.secret=***",
            ),
            ("api_key=abc", "api_key=***"),
            ("key=store_id", "key=store_id"),
            ("a=b==c", "a=b==c"),
            ("dbname=xpassword=S3", "dbname=xpassword=***"),
            ("kinds='password=S3", "kinds='password=***"),
            ("=x", "=x"),
            ("password=", "password="),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_spec_masks_every_option_not_known_public() {
        assert_eq!(
            redact_spec("kafka://h:9092?sasl.pasword=S&partitions=3&topic.scan=pos"),
            "kafka://h:9092?sasl.pasword=***&partitions=3&topic.scan=pos"
        );
        assert_eq!(
            redact_spec("host=h passwrd=S dbname=x"),
            "host=h passwrd=*** dbname=x"
        );
        assert_eq!(
            redact_spec("kafka://h:1?s3cret&partitions=3"),
            "kafka://h:1?***&partitions=3"
        );
        assert_eq!(
            redact_spec("files:out?compression=zstd&kinds=scan"),
            "files:out?compression=zstd&kinds=scan"
        );
    }

    #[test]
    fn remembered_secrets_are_masked_without_their_key() {
        remember("hunter2-xyz");
        remember("pw");
        assert_eq!(
            redact("librdkafka: value \"hunter2-xyz\" is invalid; pw"),
            "librdkafka: value \"***\" is invalid; pw"
        );
    }

    #[test]
    fn secret_keys() {
        for key in [
            "password",
            "sslpassword",
            "sasl.password",
            "sasl.passwd",
            "ssl.keystore.password",
            "ssl.key.pem",
            "ssl_key",
            "sasl.oauthbearer.config",
            "sasl.jaas.config",
            "client_secret",
            "x-api-key",
            "token",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "key",
            "security.protocol",
            "sasl.username",
            "user",
            "schema",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
