//! `storesim db init`: a PostgreSQL schema made ready for a scenario.

use crate::*;

/// The world's dimension tables, for a model that sells from an item master.
pub(crate) fn dimensions(world: &storesim_sim::World) -> Option<storesim_sinks::Dimensions<'_>> {
    world
        .model
        .has_item_master()
        .then_some(storesim_sinks::Dimensions {
            stores: &world.stores,
            categories: &world.categories,
            items: &world.items,
        })
}

pub(crate) fn db_init(args: DbInitArgs) -> Result<ExitCode, Failure> {
    use storesim_sinks::postgres::{prepare, InitOptions};
    use storesim_sinks::redact::redact_spec;
    let spec: SinkSpec = input(args.url.parse())?;
    let SinkKind::Postgres(config) = &spec.kind else {
        return Err(Failure::Input(anyhow::anyhow!(
            "`{}` is not a postgres:// URL",
            redact_spec(&args.url)
        )));
    };
    let scenario = input(Scenario::load(&super::run::scenario_named(
        &args.scenario,
        &args.schema,
    )?))?;
    let world = input(scenario.build_world(&Overrides {
        stores: args.stores.map(|n| n as usize),
        items: args.items.map(|n| n as usize),
    }))?;
    let name = spec.to_string();
    let options = InitOptions {
        drop: args.drop,
        cdc: args.cdc,
        keys: args.keys,
    };
    let kinds = scenario.written(&world.kinds());
    let encoder =
        storesim_sinks::Encoder::new(scenario.mapping().cloned(), &world.items, &world.stores);
    match prepare(
        &name,
        config,
        &kinds,
        dimensions(&world),
        options,
        None,
        &encoder,
    ) {
        Ok(()) => {}
        // Unreachable or refused: bad input; a failure after that: runtime.
        Err(e @ SinkError::Spec { .. }) => return Err(Failure::Input(e.into())),
        Err(e) => return Err(Failure::Runtime(e.into())),
    }
    let loaded = if world.model.has_item_master() {
        format!(
            "{} stores, {} categories, {} items loaded",
            world.stores.len(),
            world.categories.len(),
            world.items.len()
        )
    } else {
        let tables: Vec<&str> = kinds.iter().map(|k| encoder.name(*k)).collect();
        format!("landing tables {}", tables.join(", "))
    };
    println!(
        "{name}: schema `{}` ready{}{}{}; {loaded}",
        config.schema,
        if args.drop {
            " (dropped and recreated)"
        } else {
            ""
        },
        if args.keys { ", keys on the facts" } else { "" },
        if args.cdc {
            format!(", CDC publication {}_item_master", config.schema)
        } else {
            String::new()
        },
    );
    Ok(ExitCode::SUCCESS)
}
