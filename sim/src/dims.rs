//! The dimension tables of a model with an item master (stores, item
//! categories, the item master) as records: each one's fields as data and
//! its rows as values, so an output mapping ([`crate::mapping`]) reshapes
//! them as it reshapes events, and a sink writes them without knowing the
//! catalog's structs.

use chrono::TimeZone;
use serde_json::{Map, Value};

use crate::catalog::{Category, Item, Store};
use crate::schema::{Field, Type, MONEY};

/// A dimension table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// The stores.
    Stores,
    /// The item categories.
    Categories,
    /// The item master.
    Items,
}

const STORE: [Field; 14] = [
    Field::new("store_id", Type::Int32, "The store."),
    Field::new("address", Type::String, "Street address."),
    Field::new("city", Type::String, "City."),
    Field::new("state", Type::String, "Two-letter state."),
    Field::new("zipcode", Type::String, "ZIP code."),
    Field::new("longitude", Type::Float64, "Longitude."),
    Field::new("latitude", Type::Float64, "Latitude."),
    Field::new("time_zone", Type::String, "IANA time zone."),
    Field::new(
        "time_zone_label",
        Type::String,
        "The zone's standard time as `PST (GMT-08)`.",
    ),
    Field::new("size_class", Type::String, "Size class."),
    Field::new("registers", Type::Int32, "Staffed registers."),
    Field::new("self_checkouts", Type::Int32, "Self-checkout stations."),
    Field::new("tax_rate", Type::Float64, "Sales tax rate (0.0825)."),
    Field::new("traffic", Type::Float64, "Traffic factor of its class."),
];

const CATEGORY: [Field; 7] = [
    Field::new("category_code", Type::Int32, "The category's code."),
    Field::new("category_name", Type::String, "Name."),
    Field::new("category_description", Type::String, "Description."),
    Field::new(
        "ytd_sales",
        Type::Int64,
        "Year-to-date sales in the reference data, dollars.",
    ),
    Field::new("avg_price", MONEY, "Average unit price."),
    Field::new("frequency", Type::Float64, "Share of scanned units."),
    Field::new("taxable", Type::Bool, "Whether sales tax applies."),
];

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 3] = [Dimension::Stores, Dimension::Categories, Dimension::Items];

    /// Its table's name, and its key in `[output]`.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Stores => "stores",
            Dimension::Categories => "item_categories",
            Dimension::Items => "item_master",
        }
    }

    /// Its fields, in order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Dimension::Stores => &STORE,
            Dimension::Categories => &CATEGORY,
            Dimension::Items => &crate::chain::ITEM_ROW,
        }
    }

    /// The field that keys its rows.
    pub fn key(self) -> &'static str {
        self.fields()[0].name
    }
}

/// The rows of `dim` as records of its fields.
pub fn records(
    dim: Dimension,
    stores: &[Store],
    categories: &[Category],
    items: &[Item],
) -> Vec<Value> {
    match dim {
        Dimension::Stores => stores.iter().map(store_record).collect(),
        Dimension::Categories => categories.iter().map(category_record).collect(),
        Dimension::Items => items.iter().map(item_record).collect(),
    }
}

/// A store as a record of [`Dimension::Stores`]'s fields.
pub fn store_record(s: &Store) -> Value {
    let mut m = Map::new();
    m.insert("store_id".into(), s.store_id.into());
    m.insert("address".into(), s.address.as_str().into());
    m.insert("city".into(), s.city.as_str().into());
    m.insert("state".into(), s.state.as_str().into());
    m.insert("zipcode".into(), s.zipcode.as_str().into());
    m.insert("longitude".into(), s.longitude.into());
    m.insert("latitude".into(), s.latitude.into());
    m.insert("time_zone".into(), s.time_zone.as_str().into());
    m.insert("time_zone_label".into(), zone_label(s.tz).into());
    m.insert("size_class".into(), s.size_class.as_str().into());
    m.insert("registers".into(), s.registers.into());
    m.insert("self_checkouts".into(), s.self_checkouts.into());
    m.insert(
        "tax_rate".into(),
        (f64::from(s.tax_rate_bp) / 10_000.0).into(),
    );
    m.insert("traffic".into(), s.traffic.into());
    Value::Object(m)
}

/// A category as a record of [`Dimension::Categories`]'s fields.
pub fn category_record(c: &Category) -> Value {
    serde_json::to_value(c).unwrap_or_default()
}

/// An item as a record of [`Dimension::Items`]'s fields.
pub fn item_record(i: &Item) -> Value {
    serde_json::to_value(i).unwrap_or_default()
}

/// A zone's standard time as the Apex demo labels it: `PST (GMT-08)`,
/// `MST (GMT-07)` for Phoenix, `HST (GMT-10)`: its abbreviation and UTC
/// offset in mid-January.
pub fn zone_label(tz: chrono_tz::Tz) -> String {
    use chrono_tz::OffsetName;
    let january = chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default();
    let offset = tz.offset_from_utc_datetime(&january);
    let seconds = chrono::Offset::fix(&offset).local_minus_utc();
    let (sign, hours) = if seconds < 0 {
        ('-', -seconds / 3600)
    } else {
        ('+', seconds / 3600)
    };
    let abbreviation = offset.abbreviation().unwrap_or("UTC");
    format!("{abbreviation} (GMT{sign}{hours:02})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_labels_are_the_apex_demos() {
        // The labels of the demo's retail_stores.csv.
        for (zone, label) in [
            ("America/Los_Angeles", "PST (GMT-08)"),
            ("America/Chicago", "CST (GMT-06)"),
            ("America/New_York", "EST (GMT-05)"),
            ("America/Denver", "MST (GMT-07)"),
            ("America/Phoenix", "MST (GMT-07)"),
            ("America/Anchorage", "AKST (GMT-09)"),
            ("Pacific/Honolulu", "HST (GMT-10)"),
        ] {
            assert_eq!(zone_label(zone.parse().unwrap()), label);
        }
    }

    #[test]
    fn records_have_the_dimensions_fields() {
        let world = crate::testing::world();
        let check = |d: Dimension, v: Value| {
            let names: Vec<&str> = d.fields().iter().map(|f| f.name).collect();
            let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            let mut want = names.clone();
            keys.sort_unstable();
            want.sort_unstable();
            assert_eq!(keys, want, "{}", d.name());
        };
        check(Dimension::Stores, store_record(&world.stores[0]));
        check(Dimension::Categories, category_record(&world.categories[0]));
        check(Dimension::Items, item_record(&world.items[0]));
    }
}
