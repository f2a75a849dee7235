//! `storesim scenarios`: list, show and validate scenarios.

use crate::*;

pub(crate) fn scenarios(action: ScenariosAction) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    match action {
        ScenariosAction::List => {
            let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0);
            for b in BUILTINS {
                let s = input(Scenario::load(b.name))?;
                let _ = writeln!(out, "{:<width$}  {}", b.name, s.config.description);
            }
        }
        ScenariosAction::Show { name } => {
            let s = input(Scenario::load(&name))?;
            let world = input(s.build_world(&Overrides::default()))?;
            let _ = writeln!(
                out,
                "# scenario  {}: {}",
                s.config.name, s.config.description
            );
            let _ = writeln!(
                out,
                "# source    {} (digest {})",
                s.origin,
                &s.digest()[..16]
            );
            let _ = writeln!(out, "# holds     {}", world_counts(&world));
            let kafka = s.kafka();
            for kind in s.written(&world.kinds()) {
                let Some(map) = s.mapping().and_then(|m| m.get(kind)) else {
                    let _ = writeln!(out, "# emits     {kind}: {}", kind.fields().join(", "));
                    continue;
                };
                let topic = kafka
                    .topics
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(map.name.as_str(), |(_, t)| t.as_str());
                let _ = writeln!(
                    out,
                    "# emits     {kind} as `{}` (table {}, topic {}{topic}):",
                    map.name,
                    map.name,
                    kafka.topic_prefix.as_deref().unwrap_or("storesim."),
                );
                for f in &map.fields {
                    let _ = writeln!(
                        out,
                        "#             {:<24} {:<34} {}",
                        f.name,
                        format!(
                            "{}{}",
                            f.ty.describe(),
                            if f.nullable { ", null" } else { "" }
                        ),
                        map.source_of(f)
                    );
                }
            }
            let left_out: Vec<&str> = world
                .kinds()
                .into_iter()
                .filter(|k| !s.written(&world.kinds()).contains(k))
                .map(|k| k.as_str())
                .collect();
            if !left_out.is_empty() {
                let _ = writeln!(out, "# not written {} (output.kinds)", left_out.join(", "));
            }
            let _ = writeln!(
                out,
                "# knobs     the file below; copy it, change it, run it with --scenario FILE\n"
            );
            let _ = out.write_all(s.text.as_bytes());
        }
        ScenariosAction::Validate { file } => {
            let s = input(Scenario::load(&file))?;
            let world = input(s.build_world(&Overrides::default()))?;
            let kinds: Vec<String> = s
                .written(&world.kinds())
                .iter()
                .map(|k| match s.mapping().and_then(|m| m.get(*k)) {
                    Some(m) => format!("{k} as {}", m.name),
                    None => k.to_string(),
                })
                .collect();
            let _ = writeln!(
                out,
                "{}: ok: scenario `{}`, {}; emits {}",
                s.origin,
                s.config.name,
                world_counts(&world),
                kinds.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1000 stores, 35 categories, 32000 items` (`5 bars, 27 products`).
pub(crate) fn world_counts(world: &storesim_sim::World) -> String {
    world.model.describe(world)
}
