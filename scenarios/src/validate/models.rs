//! The model a scenario names, picked from the one list of models, built
//! from its own table; and what could never apply to it refused.

use super::*;

use storesim_sim::setup::{missing_table, Entry, Setup};

/// The entry `model` names, or an error listing the known ones.
pub(super) fn entry(k: &Checker<'_>, model: &str) -> Result<&'static Entry, ScenarioError> {
    let models = &storesim_sim::models::MODELS;
    models
        .iter()
        .copied()
        .find(|m| m.name == model)
        .ok_or_else(|| {
            let known: Vec<&str> = models.iter().map(|m| m.name).collect();
            k.err(
                "model",
                format!("unknown model `{model}` (known: {})", known.join(", ")),
            )
        })
}

/// `model` decides what runs: its table must be there if it reads one,
/// and every other model's table is refused.
pub(super) fn check_tables(k: &Checker<'_>, s: &Scenario) -> Result<(), ScenarioError> {
    let model = &s.config.model;
    let e = entry(k, model)?;
    if e.table && !s.tables.contains_key(model) {
        return Err(k.setup(missing_table(model)));
    }
    if let Some(table) = s.tables.keys().find(|t| *t != model) {
        return Err(k.err(
            table.as_str(),
            format!(
                "only model `{table}` reads it (this is model `{model}`): set model = \"{table}\" or remove the section"
            ),
        ));
    }
    Ok(())
}

/// The model `model` names, built from its table, with its data files read
/// relative to `base`.
pub(super) fn build_model(
    k: &Checker<'_>,
    s: &Scenario,
    base: Option<&std::path::Path>,
) -> Result<Arc<dyn storesim_sim::Model>, ScenarioError> {
    let e = entry(k, &s.config.model)?;
    let read = |path: &str| data::read(base, path);
    (e.build)(&Setup::new(e.name, s.tables.get(e.name), &read)).map_err(|e| k.setup(e))
}

/// Refuses what could never apply: an anomaly on a store that is not in
/// the stores (neither the data file nor the run's), a promotion's discount
/// where the model prices none, and what the model itself refuses (a
/// product not on the menu, a pricing rule on a category no listing has).
pub(super) fn check_reachable(
    k: &Checker<'_>,
    anomalies: &[storesim_sim::calendar::Anomaly],
    model: &dyn storesim_sim::Model,
    records: &[storesim_sim::catalog::StoreRecord],
    stores: &[storesim_sim::catalog::Store],
    categories: &[storesim_sim::catalog::Category],
) -> Result<(), ScenarioError> {
    let is_store =
        |id: u32| records.iter().any(|r| r.id == id) || stores.iter().any(|s| s.store_id == id);
    for (i, a) in anomalies.iter().enumerate() {
        if let Some(id) = a.stores.iter().find(|id| !is_store(**id)) {
            return Err(k.err(
                format!("anomalies[{i}].stores"),
                format!("store {id} is not among the stores (data.stores): the anomaly would never apply to it"),
            ));
        }
        if (a.discount_bp > 0 || !a.products.is_empty()) && !model.prices_promotions() {
            return Err(k.err(
                format!("anomalies[{i}].discount_pct"),
                format!(
                    "model `{}` does not price promotions; use multiplier only",
                    model.name()
                ),
            ));
        }
    }
    model
        .check_reach(&storesim_sim::model::Reach {
            anomalies,
            is_store: &is_store,
            categories,
        })
        .map_err(|e| k.setup(e))
}
