//! `storesim verify` and `storesim manifest`: a run's aggregates checked
//! downstream; manifests merged and exported.

use crate::*;

/// The largest manifest read: a 1000-store week's is a few MB.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// Reads a manifest; errors name the file.
pub(crate) fn read_manifest(
    path: &std::path::Path,
) -> anyhow::Result<storesim_sim::truth::Manifest> {
    let text = storesim_scenarios::read_bounded(path, MAX_MANIFEST_BYTES)
        .with_context(|| format!("cannot read the manifest {}", path.display()))?;
    let manifest: storesim_sim::truth::Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a storesim manifest", path.display()))?;
    if manifest.format != storesim_sim::truth::FORMAT {
        anyhow::bail!(
            "{}: format `{}`; this storesim reads `{}`",
            path.display(),
            manifest.format,
            storesim_sim::truth::FORMAT
        );
    }
    Ok(manifest)
}

/// Refuses a manifest another storesim made: its events and aggregates
/// are that version's, which this one need not make or compute alike.
pub(crate) fn same_version(
    path: &std::path::Path,
    m: &storesim_sim::truth::Manifest,
) -> anyhow::Result<()> {
    let this = env!("CARGO_PKG_VERSION");
    if m.run.version != this {
        anyhow::bail!(
            "{}: made by storesim {}; this is storesim {this}: use the storesim that made it",
            path.display(),
            m.run.version
        );
    }
    Ok(())
}

pub(crate) fn manifest_merge(
    files: &[std::path::PathBuf],
    out: Option<&std::path::Path>,
) -> Result<ExitCode, Failure> {
    if files.len() < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "manifest merge: one manifest is nothing to merge: give the manifests of the run's shards"
        )));
    }
    let mut parts = Vec::new();
    for f in files {
        let m = input(read_manifest(f))?;
        input(same_version(f, &m))?;
        parts.push((f.display().to_string(), m));
    }
    let merged = input(storesim_sim::truth::Manifest::merge(&parts))?;
    if merged.run.shard != "1/1" {
        eprintln!(
            "storesim: shard {} only: the merged manifest is not the whole run's (give every shard's to get it)",
            merged.run.shard
        );
    }
    match out {
        Some(path) => storesim_sinks::manifest::write_manifest(path, &merged)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Runtime)?,
        None => {
            let text =
                serde_json::to_string_pretty(&merged).map_err(|e| Failure::Runtime(e.into()))?;
            println!("{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn manifest_csv(
    file: &std::path::Path,
    out: &std::path::Path,
    overwrite: bool,
) -> Result<ExitCode, Failure> {
    let manifest = input(read_manifest(file))?;
    let written = input(
        storesim_sinks::manifest::write_csv(out, &manifest, overwrite)
            .with_context(|| format!("-o {}: cannot write the CSV files", out.display())),
    )?;
    eprintln!("wrote {} CSV files to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    use storesim_readers::verify;
    let manifest = input(read_manifest(&args.manifest))?;
    input(same_version(&args.manifest, &manifest))?;
    let run = &manifest.run;
    let (target, observed) = if let Some(url) = &args.postgres {
        let spec: SinkSpec = input(url.parse())?;
        let SinkKind::Postgres(config) = &spec.kind else {
            return Err(Failure::Input(anyhow::anyhow!(
                "--postgres `{}` is not a postgres:// URL",
                storesim_sinks::redact::redact_spec(url)
            )));
        };
        let (origin, text) = match &args.query_file {
            Some(path) => (
                path.display().to_string(),
                input(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("--query-file {}: cannot read", path.display())),
                )?,
            ),
            None => {
                if run.schema != "storesim" {
                    return Err(Failure::Input(anyhow::anyhow!(
                        "the run wrote scenario `{}`'s mapped records ([output]); storesim's queries read its own tables: pass --query-file over the mapped ones",
                        run.schema
                    )));
                }
                let Some((_, text)) = verify::postgres::QUERIES
                    .iter()
                    .find(|(model, _)| *model == run.model)
                else {
                    return Err(Failure::Input(anyhow::anyhow!(
                        "storesim has no queries for the model `{}`; pass --query-file",
                        run.model
                    )));
                };
                (
                    format!("the built-in {} queries", run.model),
                    text.to_string(),
                )
            }
        };
        let queries = input(verify::postgres::parse_queries(
            &text,
            &origin,
            &verify::checks(&manifest),
        ))?;
        (
            spec.to_string(),
            input(
                verify::postgres::observe(config, &queries, &manifest.groups)
                    .with_context(|| format!("--postgres `{spec}`")),
            )?,
        )
    } else {
        let given = args.files.clone().unwrap_or_default();
        let scenario = input(
            Scenario::load(&run.scenario)
                .with_context(|| format!("the manifest's scenario `{}`", run.scenario)),
        )?;
        if scenario.digest() != run.scenario_digest {
            return Err(Failure::Input(anyhow::anyhow!(
                "the scenario `{}` has changed since the run (digest {}, the manifest says {})",
                run.scenario,
                &scenario.digest()[..16],
                &run.scenario_digest[..run.scenario_digest.len().min(16)]
            )));
        }
        let world = input(scenario.build_world(&Overrides {
            stores: Some(run.stores),
            items: Some(run.items),
        }))?;
        // A tree on object storage is read from a copy of it.
        let url = given.to_string_lossy().to_string();
        let copy;
        let dir = if storesim_sinks::files::Scheme::of(&url).is_some() {
            copy = input(tempfile::tempdir().context("a directory for the store's copy"))?;
            input(
                storesim_sinks::files::download(&url, copy.path())
                    .map_err(|e| anyhow::anyhow!("--files: {e}")),
            )?;
            copy.path().to_path_buf()
        } else {
            given.clone()
        };
        (
            storesim_sinks::redact::redact_spec(&format!("files:{url}")),
            input(verify::files::observe(
                &dir,
                &world,
                run,
                scenario.mapping(),
            ))?,
        )
    };
    let checks = verify::compare(
        &verify::expected(&manifest),
        &observed,
        &verify::CHAIN_CHECKS,
    );
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "verify: {} (scenario {}, seed {}, {} stores, shard {}, {} .. {}) against {target}",
        args.manifest.display(),
        run.scenario,
        run.seed,
        run.stores,
        run.shard,
        run.start,
        run.end
    );
    let why_skipped = if args.postgres.is_some() {
        "no query"
    } else {
        "not in the mapped output"
    };
    let _ = verify::report(&checks, why_skipped, &mut out);
    let failed = checks.iter().filter(|c| !c.passed()).count();
    let skipped = checks.iter().filter(|c| c.skipped).count();
    let _ = writeln!(
        out,
        "verify: {} of {} checks passed{}{}",
        checks.len() - failed - skipped,
        checks.len(),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        if failed > 0 {
            format!(", {failed} FAILED")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
