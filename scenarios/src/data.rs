//! Reference data: the CSV files a scenario names, from disk or built in.

use std::path::Path;

use storesim_sim::catalog::{Category, ItemRecord, StoreRecord};
use storesim_sim::setup::csv::Table;
use storesim_sim::setup::SetupError;

/// Data files compiled into the binary, by their path in `scenarios/`.
const BUILTIN_DATA: &[(&str, &str)] = &[
    (
        "data/acme/retail_stores.csv",
        include_str!("../data/acme/retail_stores.csv"),
    ),
    (
        "data/acme/item_categories.csv",
        include_str!("../data/acme/item_categories.csv"),
    ),
    (
        "data/acme/item_master.csv",
        include_str!("../data/acme/item_master.csv"),
    ),
    (
        "data/smoothie/products.csv",
        include_str!("../data/smoothie/products.csv"),
    ),
    (
        "data/marketplace/pricing.toml",
        include_str!("../data/marketplace/pricing.toml"),
    ),
];

/// Reads a data file: `path` relative to `base` if it exists there, else
/// the built-in copy of the same name.
pub(crate) fn read(base: Option<&Path>, path: &str) -> Result<(String, String), SetupError> {
    let on_disk = match base {
        Some(dir) => dir.join(path),
        None => Path::new(path).to_path_buf(),
    };
    if (base.is_some() || Path::new(path).is_absolute()) && on_disk.exists() {
        let text = crate::read_bounded(&on_disk, crate::MAX_DATA_BYTES).map_err(|e| {
            SetupError::data(on_disk.display().to_string(), format!("cannot read: {e}"))
        })?;
        return Ok((on_disk.display().to_string(), text));
    }
    let normalised = path.trim_start_matches("./");
    BUILTIN_DATA
        .iter()
        .find(|(name, _)| *name == normalised)
        .map(|(name, text)| (format!("built-in {name}"), (*text).to_string()))
        .ok_or_else(|| {
            SetupError::data(
                on_disk.display().to_string(),
                "no such data file (and no built-in copy of that name)",
            )
        })
}

/// Parses the stores CSV (Apex `retail_stores.csv` columns).
pub(crate) fn stores(origin: &str, text: &str) -> Result<Vec<StoreRecord>, SetupError> {
    let t = Table::parse(origin, text)?;
    let c = [
        t.column("store_id")?,
        t.column("address")?,
        t.column("city")?,
        t.column("state")?,
        t.column("zipcode")?,
        t.column("longitude")?,
        t.column("latitude")?,
        t.column("region")?,
    ];
    t.rows
        .iter()
        .map(|row| {
            Ok(StoreRecord {
                id: t.get(row, c[0])?,
                address: t.get(row, c[1])?,
                city: t.get(row, c[2])?,
                state: t.get(row, c[3])?,
                zipcode: t.get(row, c[4])?,
                longitude: t.get(row, c[5])?,
                latitude: t.get(row, c[6])?,
                zone: t.get(row, c[7])?,
            })
        })
        .collect()
}

/// Parses the categories CSV (Apex `item_categories.csv` columns).
pub(crate) fn categories(
    origin: &str,
    text: &str,
    exempt: &[u32],
) -> Result<Vec<Category>, SetupError> {
    let t = Table::parse(origin, text)?;
    let c = [
        t.column("category_code")?,
        t.column("category_name")?,
        t.column("category_description")?,
        t.column("ytd_sales")?,
        t.column("avg_price")?,
        t.column("frequency")?,
    ];
    t.rows
        .iter()
        .map(|row| {
            let code: u32 = t.get(row, c[0])?;
            let frequency: f64 = t.get(row, c[5])?;
            if !(frequency.is_finite() && frequency >= 0.0) {
                return Err(t.bad(row, c[5], "must be >= 0"));
            }
            Ok(Category {
                category_code: code,
                category_name: t.get(row, c[1])?,
                category_description: t.get(row, c[2])?,
                ytd_sales: t.get(row, c[3])?,
                avg_price: t.money(row, c[4])?,
                frequency,
                taxable: !exempt.contains(&code),
            })
        })
        .collect()
}

/// Parses the item master CSV (Apex `item_master.csv` columns).
pub(crate) fn items(origin: &str, text: &str) -> Result<Vec<ItemRecord>, SetupError> {
    let t = Table::parse(origin, text)?;
    let c = [
        t.column("category_code")?,
        t.column("item_id")?,
        t.column("item_price")?,
        t.column("item_upc")?,
        t.column("repl_qty")?,
        t.column("_frequency")?,
    ];
    t.rows
        .iter()
        .map(|row| {
            let price = t.money(row, c[2])?;
            if price.cents() <= 0 {
                return Err(t.bad(row, c[2], "must be positive"));
            }
            Ok(ItemRecord {
                category: t.get(row, c[0])?,
                id: t.get(row, c[1])?,
                price,
                upc: t.get(row, c[3])?,
                repl_qty: t.get(row, c[4])?,
                popularity: t.get(row, c[5])?,
            })
        })
        .collect()
}
