//! AWS shared profiles: the credentials and region of `AWS_PROFILE` (or
//! `default`) from `~/.aws/credentials` and `~/.aws/config`, as the AWS
//! CLI and SDKs read them. The environment's `AWS_*` variables win over
//! them; a missing file is no profile.

use std::path::PathBuf;

/// The keys a profile may set, as object_store names them.
const KEYS: [(&str, &str); 5] = [
    ("aws_access_key_id", "aws_access_key_id"),
    ("aws_secret_access_key", "aws_secret_access_key"),
    ("aws_session_token", "aws_session_token"),
    ("region", "aws_region"),
    ("endpoint_url", "aws_endpoint"),
];

fn home_file(variable: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".aws").join(name))
}

/// The profile's settings: the config file's first, the credentials
/// file's over them.
pub(super) fn settings() -> Vec<(String, String)> {
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let mut found = Vec::new();
    // In the config file a profile's section is `[profile NAME]`, but
    // `[default]`; in the credentials file it is `[NAME]`.
    let config_section = if profile == "default" {
        profile.clone()
    } else {
        format!("profile {profile}")
    };
    for (file, section) in [
        (home_file("AWS_CONFIG_FILE", "config"), config_section),
        (
            home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            profile,
        ),
    ] {
        let Some(ini) = file.and_then(|f| ini::Ini::load_from_file(f).ok()) else {
            continue;
        };
        let Some(values) = ini.section(Some(section.as_str())) else {
            continue;
        };
        for (theirs, ours) in KEYS {
            if let Some(v) = values.get(theirs) {
                found.retain(|(k, _): &(String, String)| k != ours);
                found.push((ours.to_string(), v.to_string()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_profile_from_both_files_the_credentials_winning() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = us-east-1\n[profile demo]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n",
        )
        .unwrap();
        std::fs::write(
            &credentials,
            "[default]\naws_access_key_id = D\n[demo]\naws_access_key_id = AKIDEMO\naws_secret_access_key = s3cr3t\n",
        )
        .unwrap();
        // The variables are this test's own: no other test reads them.
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        std::env::set_var("AWS_PROFILE", "demo");
        let got = settings();
        std::env::remove_var("AWS_PROFILE");
        let got_default = settings();
        std::env::remove_var("AWS_CONFIG_FILE");
        std::env::remove_var("AWS_SHARED_CREDENTIALS_FILE");
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            got,
            pairs(&[
                ("aws_region", "eu-west-1"),
                ("aws_access_key_id", "AKIDEMO"),
                ("aws_secret_access_key", "s3cr3t"),
            ])
        );
        assert_eq!(
            got_default,
            pairs(&[("aws_region", "us-east-1"), ("aws_access_key_id", "D")])
        );
    }
}
