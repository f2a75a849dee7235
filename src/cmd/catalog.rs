//! `storesim catalog`: a scenario's static tables as CSV files.

use crate::*;

pub(crate) fn catalog(args: CatalogArgs) -> Result<ExitCode, Failure> {
    let scenario = input(Scenario::load(&args.scenario))?;
    let world = input(scenario.build_world(&Overrides {
        stores: args.stores.map(|n| n as usize),
        items: args.items.map(|n| n as usize),
    }))?;
    let out_err =
        |e: std::io::Error| Failure::Input(anyhow::anyhow!("--out {}: {e}", args.out.display()));
    let mut out =
        storesim_sinks::output::OutputDir::create(&args.out, args.overwrite).map_err(out_err)?;
    let encoder =
        storesim_sinks::Encoder::new(scenario.mapping().cloned(), &world.items, &world.stores);
    if encoder.maps_dimensions() {
        // The scenario's own columns (the Apex demo's, for `apex`).
        use storesim_sim::dims::{records, Dimension};
        for dim in Dimension::ALL {
            let map = encoder.dim_table(dim);
            let records = records(dim, &world.stores, &world.categories, &world.items);
            let bytes = encoder
                .dim_csv(&map, &records, true)
                .map_err(|e| out_err(std::io::Error::other(e)))?;
            out.file(&format!("{}.csv", map.name))
                .and_then(|mut f| f.write_all(&bytes))
                .map_err(out_err)?;
        }
    } else {
        write_csv(&mut out, "stores.csv", &world.stores).map_err(out_err)?;
        if world.model.has_item_master() {
            write_csv(&mut out, "item_categories.csv", &world.categories).map_err(out_err)?;
            write_csv(&mut out, "item_master.csv", &world.items).map_err(out_err)?;
        }
    }
    // The model's own tables (the smoothie menu, the widget masters, the
    // marketplace's vendors), in the scenario's mapping where it has one.
    let span = storesim_sim::RunSpan::LocalDays {
        first: super::run::default_first_day(),
        days: 1,
    };
    let mut written = Vec::new();
    for (name, events) in world.model.catalog(&world, span) {
        let Some(kind) = events.first().map(|e| e.kind()) else {
            continue;
        };
        let rows = encoder
            .csv_rows(events.iter())
            .map_err(|e| out_err(std::io::Error::other(e)))?;
        out.file(&format!("{name}.csv"))
            .and_then(|mut f| {
                f.write_all(&encoder.csv_header(kind))?;
                f.write_all(&rows.bytes)
            })
            .map_err(out_err)?;
        written.push(format!("{} {name}", events.len()));
    }
    out.commit().map_err(out_err)?;
    let mut summary = vec![format!("{} stores", world.stores.len())];
    if world.model.has_item_master() {
        summary.push(format!("{} categories", world.categories.len()));
        summary.push(format!("{} items", world.items.len()));
    }
    summary.extend(written);
    eprintln!("wrote {} to {}", summary.join(", "), args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn write_csv<T: serde::Serialize>(
    out: &mut storesim_sinks::output::OutputDir,
    name: &str,
    rows: &[T],
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out.file(name)?);
    for row in rows {
        w.serialize(row).map_err(std::io::Error::other)?;
    }
    w.flush()
}
