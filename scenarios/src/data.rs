//! Reference data: the CSV files a scenario names, from disk or built in.

use std::path::Path;

use storesim_sim::catalog::{Category, ItemRecord, StoreRecord};
use storesim_sim::smoothie::Product;
use storesim_sim::Money;

use crate::ScenarioError;

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
pub(crate) fn read(base: Option<&Path>, path: &str) -> Result<(String, String), ScenarioError> {
    let on_disk = match base {
        Some(dir) => dir.join(path),
        None => Path::new(path).to_path_buf(),
    };
    if (base.is_some() || Path::new(path).is_absolute()) && on_disk.exists() {
        let text = crate::read_bounded(&on_disk, crate::MAX_DATA_BYTES).map_err(|e| {
            ScenarioError::Data {
                origin: on_disk.display().to_string(),
                message: format!("cannot read: {e}"),
            }
        })?;
        return Ok((on_disk.display().to_string(), text));
    }
    let normalised = path.trim_start_matches("./");
    BUILTIN_DATA
        .iter()
        .find(|(name, _)| *name == normalised)
        .map(|(name, text)| (format!("built-in {name}"), (*text).to_string()))
        .ok_or_else(|| ScenarioError::Data {
            origin: on_disk.display().to_string(),
            message: "no such data file (and no built-in copy of that name)".into(),
        })
}

struct Table<'a> {
    origin: &'a str,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Table<'a> {
    fn parse(origin: &'a str, text: &str) -> Result<Table<'a>, ScenarioError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| data_err(origin, format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| data_err(origin, format!("{e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            rows.push((line, record));
        }
        Ok(Table {
            origin,
            headers,
            rows,
        })
    }

    fn column(&self, name: &str) -> Result<usize, ScenarioError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| data_err(self.origin, format!("missing column `{name}`")))
    }

    fn get<T: std::str::FromStr>(
        &self,
        row: &(u64, csv::StringRecord),
        column: usize,
    ) -> Result<T, ScenarioError> {
        let text = row.1.get(column).unwrap_or("").trim();
        text.parse().map_err(|_| {
            data_err(
                self.origin,
                format!(
                    "line {}: column `{}`: invalid value `{text}`",
                    row.0, self.headers[column]
                ),
            )
        })
    }

    fn money(&self, row: &(u64, csv::StringRecord), column: usize) -> Result<Money, ScenarioError> {
        let text = row.1.get(column).unwrap_or("").trim();
        Money::parse_decimal(text).ok_or_else(|| {
            data_err(
                self.origin,
                format!(
                    "line {}: column `{}`: invalid amount `{text}`",
                    row.0, self.headers[column]
                ),
            )
        })
    }
}

fn data_err(origin: &str, message: String) -> ScenarioError {
    ScenarioError::Data {
        origin: origin.to_string(),
        message,
    }
}

/// Parses the stores CSV (Apex `retail_stores.csv` columns).
pub(crate) fn stores(origin: &str, text: &str) -> Result<Vec<StoreRecord>, ScenarioError> {
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
) -> Result<Vec<Category>, ScenarioError> {
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
                return Err(data_err(
                    origin,
                    format!("line {}: column `frequency`: must be >= 0", row.0),
                ));
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
pub(crate) fn items(origin: &str, text: &str) -> Result<Vec<ItemRecord>, ScenarioError> {
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
                return Err(data_err(
                    origin,
                    format!("line {}: column `item_price`: must be positive", row.0),
                ));
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

/// Parses the smoothie menu (the streaming sales generator's
/// `products.csv` columns); `_totalweight` is the propensity to buy.
pub(crate) fn products(origin: &str, text: &str) -> Result<Vec<Product>, ScenarioError> {
    let t = Table::parse(origin, text)?;
    let c = [
        t.column("id")?,
        t.column("category")?,
        t.column("item")?,
        t.column("size")?,
        t.column("cogs")?,
        t.column("price")?,
        t.column("inventory")?,
        t.column("containsfruit")?,
        t.column("containsveggies")?,
        t.column("containsnuts")?,
        t.column("containscaffeine")?,
        t.column("_totalweight")?,
    ];
    let flag = |row: &(u64, csv::StringRecord), column: usize| -> Result<bool, ScenarioError> {
        let text = row.1.get(column).unwrap_or("").trim();
        match text.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(data_err(
                origin,
                format!(
                    "line {}: column `{}`: use TRUE or FALSE, got `{text}`",
                    row.0, t.headers[column]
                ),
            )),
        }
    };
    let products = t
        .rows
        .iter()
        .map(|row| {
            let price = t.money(row, c[5])?;
            if price.cents() <= 0 {
                return Err(data_err(
                    origin,
                    format!("line {}: column `price`: must be positive", row.0),
                ));
            }
            Ok(Product {
                product_id: t.get(row, c[0])?,
                category: t.get(row, c[1])?,
                item: t.get(row, c[2])?,
                size: t.get(row, c[3])?,
                cogs: t.money(row, c[4])?,
                price,
                inventory: t.get(row, c[6])?,
                contains_fruit: flag(row, c[7])?,
                contains_veggies: flag(row, c[8])?,
                contains_nuts: flag(row, c[9])?,
                contains_caffeine: flag(row, c[10])?,
                weight: t.get(row, c[11])?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if products.is_empty() || products.iter().all(|p| p.weight == 0) {
        return Err(data_err(
            origin,
            "needs at least one product with a positive `_TotalWeight`".into(),
        ));
    }
    Ok(products)
}
