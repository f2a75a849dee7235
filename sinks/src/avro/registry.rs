//! A schema registry client: the one call a producer makes, registering a
//! subject's schema (Confluent's REST API, `POST /subjects/S/versions`),
//! which returns the id the wire format carries.

use std::time::Duration;

/// How long a registry has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Registers `schema` (Avro JSON text) under `subject` at `url`; its id.
/// A refusal (409 incompatible, 401/403, any error body) or an
/// unreachable registry is an error naming the subject and the registry's
/// own message.
pub fn register(url: &str, subject: &str, schema: &str) -> Result<u32, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let body = serde_json::json!({ "schema": schema }).to_string();
    let endpoint = format!("{}/subjects/{subject}/versions", url.trim_end_matches('/'));
    let mut response = agent
        .post(&endpoint)
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .send(&body)
        .map_err(|e| format!("schema registry {url} does not answer: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("schema registry {url}: unreadable answer: {e}"))?;
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if (200..300).contains(&status) {
        return json["id"]
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| {
                format!("schema registry {url}: no id for subject {subject} in `{text}`")
            });
    }
    let message = json["message"].as_str().unwrap_or(text.trim());
    Err(format!(
        "schema registry {url} refused subject {subject} (HTTP {status}): {message}"
    ))
}

/// The Confluent wire format's header: magic byte 0 and the schema id.
pub fn frame(id: u32, out: &mut Vec<u8>) {
    out.push(0);
    out.extend_from_slice(&id.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_is_magic_zero_and_a_big_endian_id() {
        let mut v = Vec::new();
        frame(258, &mut v);
        assert_eq!(v, [0, 0, 0, 1, 2]);
    }

    #[test]
    fn an_unreachable_registry_is_named() {
        let e = register("http://127.0.0.1:9", "t-value", "\"long\"").unwrap_err();
        assert!(
            e.starts_with("schema registry http://127.0.0.1:9 does not answer"),
            "{e}"
        );
    }
}
