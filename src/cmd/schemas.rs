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
    use storesim_sinks::registry::Format;
    let shape = storesim_sinks::shape::Shape::of(kind, mapped.as_ref());
    let format = match args.format {
        SchemaFormat::Avro => Format::Avro,
        SchemaFormat::Protobuf => Format::Protobuf,
        SchemaFormat::JsonSchema => Format::JsonSchema,
        SchemaFormat::Parquet => {
            let message = storesim_sinks::parquet::message(&shape)
                .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
            print!("{message}");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let text = match format {
        Format::Protobuf => storesim_sinks::protobuf::shape_schema(&shape),
        _ => {
            let json = match format {
                Format::Avro => storesim_sinks::avro::shape_schema(&shape),
                _ => storesim_sinks::json_schema::shape_schema(&shape),
            };
            serde_json::to_string_pretty(&json).map_err(|e| Failure::Runtime(e.into()))? + "\n"
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
