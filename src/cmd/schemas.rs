//! `storesim schemas KIND`: a kind's schema in a registry's language.

use crate::cli::{SchemaFormat, SchemasArgs};
use crate::*;

pub(crate) fn schemas(args: SchemasArgs) -> Result<ExitCode, Failure> {
    use storesim_sim::event::EventKind;
    let kind: EventKind = args
        .kind
        .parse()
        .map_err(|e: String| Failure::Input(anyhow::anyhow!(e)))?;
    let mapped = match &args.scenario {
        None => None,
        Some(name) => {
            let scenario = input(Scenario::load(name))?;
            let world = input(scenario.build_world(&Overrides::default()))?;
            if !world.kinds().contains(&kind) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "scenario `{name}` does not write `{kind}`"
                )));
            }
            scenario.mapping().and_then(|m| m.get(kind)).cloned()
        }
    };
    let schema = match args.format {
        SchemaFormat::Avro => match &mapped {
            Some(map) => storesim_sinks::avro::mapped_schema(map),
            None => storesim_sinks::avro::kind_schema(kind),
        },
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| Failure::Runtime(e.into()))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
