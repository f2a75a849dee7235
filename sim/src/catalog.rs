//! Catalogs: stores, item categories and the item master, built
//! deterministically from reference records and a catalog seed.
//!
//! The catalog never depends on the run seed: the same scenario always has
//! the same dimension tables, whatever `--seed` a run uses.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use serde::Serialize;

use crate::money::Money;

/// Errors from building a catalog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A store's time zone is not an IANA zone. Fatal.
    #[error("store {store_id}: unknown time zone `{zone}`")]
    UnknownZone {
        /// The store.
        store_id: u32,
        /// The zone as written.
        zone: String,
    },
    /// Two records share an id. Fatal.
    #[error("duplicate {what} id {id}")]
    DuplicateId {
        /// `store`, `item` or `category`.
        what: &'static str,
        /// The id.
        id: u64,
    },
    /// An item names a category that does not exist. Fatal.
    #[error("item {item_id}: unknown category {category}")]
    UnknownCategory {
        /// The item.
        item_id: u32,
        /// The category code.
        category: u32,
    },
    /// Nothing to build from. Fatal.
    #[error("no {what} in the reference data")]
    Empty {
        /// `stores`, `items` or `categories`.
        what: &'static str,
    },
    /// Weights that cannot be sampled (all zero, negative or not finite). Fatal.
    #[error("invalid {what} weights")]
    Weights {
        /// What the weights are for.
        what: &'static str,
    },
}

/// A store as read from the reference data.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreRecord {
    /// Store id.
    pub id: u32,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Two-letter state.
    pub state: String,
    /// ZIP code.
    pub zipcode: String,
    /// Longitude, degrees.
    pub longitude: f64,
    /// Latitude, degrees.
    pub latitude: f64,
    /// IANA time zone.
    pub zone: String,
}

/// A size class of store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreClass {
    /// Name (`small`, `medium`, `large`).
    pub name: String,
    /// Share of stores in this class.
    pub share: f64,
    /// Traffic relative to the base day's baskets.
    pub traffic: f64,
    /// Staffed registers.
    pub registers: u8,
    /// Self-checkout stations.
    pub self_checkouts: u8,
}

/// A store, ready to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Store {
    /// Store id.
    pub store_id: u32,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Two-letter state.
    pub state: String,
    /// ZIP code.
    pub zipcode: String,
    /// Longitude, degrees.
    pub longitude: f64,
    /// Latitude, degrees.
    pub latitude: f64,
    /// IANA time zone name.
    pub time_zone: String,
    /// Size class name.
    pub size_class: String,
    /// Staffed registers.
    pub registers: u8,
    /// Self-checkout stations.
    pub self_checkouts: u8,
    /// Traffic relative to the base day (class traffic with a per-store spread).
    pub traffic: f64,
    /// Sales tax rate, in basis points.
    pub tax_rate_bp: u32,
    /// The parsed zone.
    #[serde(skip)]
    pub tz: Tz,
}

/// An item category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// Category code.
    pub category_code: u32,
    /// Name.
    pub category_name: String,
    /// Description.
    pub category_description: String,
    /// Year-to-date sales in the reference data (US census based), dollars.
    pub ytd_sales: u64,
    /// Average unit price.
    pub avg_price: Money,
    /// Share of scanned units in this category (sales weight).
    pub frequency: f64,
    /// Whether sales tax applies.
    pub taxable: bool,
}

/// An item as read from the reference item master.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    /// Category code.
    pub category: u32,
    /// Item id (SKU).
    pub id: u32,
    /// Shelf price.
    pub price: Money,
    /// 11-digit UPC.
    pub upc: u64,
    /// Replenishment quantity.
    pub repl_qty: u32,
    /// Popularity, 1 (slow) ..= 4 (fast).
    pub popularity: u8,
}

/// Words to name the items of one category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NameParts {
    /// Brands.
    pub brands: Vec<String>,
    /// Descriptors (`Organic`, `Family Size`).
    pub descriptors: Vec<String>,
    /// Product nouns (`Peanut Butter`).
    pub products: Vec<String>,
    /// Typical cost as a share of price.
    pub cost_ratio: f64,
}

/// An item in the item master (also the row of an `item_change` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Item id (SKU).
    pub item_id: u32,
    /// 11-digit UPC.
    pub item_upc: u64,
    /// Category code.
    pub category_code: u32,
    /// Believable name.
    pub item_name: String,
    /// Brand.
    pub brand: String,
    /// Shelf price.
    pub item_price: Money,
    /// Unit cost.
    pub item_cost: Money,
    /// Replenishment quantity.
    pub repl_qty: u32,
    /// Popularity, 1 (slow) ..= 4 (fast).
    pub popularity: u8,
    /// Whether members get the member discount on it.
    pub member_price: bool,
    /// Index of the category in the catalog.
    #[serde(skip)]
    pub category_index: u16,
}

/// A SplitMix64 step: a fixed, portable hash of a 64-bit value.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform value in `[0, 1)` from a hash.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Builds `count` stores from reference records.
///
/// Below the number of records, the first `count` records (a stable subset:
/// the stores of a smaller run are also in every larger run). Above it,
/// extra stores get new ids after the largest one, in cities drawn from the
/// reference set. Size class, spread and tax come from each store's id, so a
/// store is the same in every run.
pub fn build_stores(
    records: &[StoreRecord],
    count: usize,
    classes: &[StoreClass],
    tax_rate_bp: &dyn Fn(&str) -> u32,
    catalog_seed: u64,
) -> Result<Vec<Store>, CatalogError> {
    if records.is_empty() {
        return Err(CatalogError::Empty { what: "stores" });
    }
    let total_share: f64 = classes.iter().map(|c| c.share).sum();
    if classes.is_empty() || !(total_share.is_finite() && total_share > 0.0) {
        return Err(CatalogError::Weights {
            what: "store class",
        });
    }
    let mut seen = BTreeSet::new();
    for r in records {
        if !seen.insert(r.id) {
            return Err(CatalogError::DuplicateId {
                what: "store",
                id: u64::from(r.id),
            });
        }
    }
    let mut chosen: Vec<StoreRecord> = records.iter().take(count).cloned().collect();
    if count > records.len() {
        let mut rng = ChaCha8Rng::seed_from_u64(catalog_seed);
        rng.set_stream(0x5703);
        let max_id = records.iter().map(|r| r.id).max().unwrap_or(0);
        for k in 0..(count - records.len()) {
            let city = &records[rng.random_range(0..records.len())];
            let street = &records[rng.random_range(0..records.len())].address;
            let street = street
                .split_once(' ')
                .map(|(_, rest)| rest)
                .unwrap_or(street);
            chosen.push(StoreRecord {
                id: max_id + 8 * (k as u32 + 1),
                address: format!("{} {}", rng.random_range(1..9999), street),
                city: city.city.clone(),
                state: city.state.clone(),
                zipcode: city.zipcode.clone(),
                longitude: round4(city.longitude + rng.random_range(-0.05..0.05)),
                latitude: round4(city.latitude + rng.random_range(-0.05..0.05)),
                zone: city.zone.clone(),
            });
        }
    }
    chosen
        .into_iter()
        .map(|r| {
            let tz: Tz = r.zone.parse().map_err(|_| CatalogError::UnknownZone {
                store_id: r.id,
                zone: r.zone.clone(),
            })?;
            let h = splitmix64(catalog_seed ^ splitmix64(u64::from(r.id)));
            let mut pick = unit(h) * total_share;
            let class = classes
                .iter()
                .find(|c| {
                    pick -= c.share;
                    pick < 0.0
                })
                .unwrap_or(&classes[classes.len() - 1]);
            let spread = 0.85 + 0.3 * unit(splitmix64(h));
            Ok(Store {
                store_id: r.id,
                tax_rate_bp: tax_rate_bp(&r.state),
                address: r.address,
                city: r.city,
                state: r.state,
                zipcode: r.zipcode,
                longitude: r.longitude,
                latitude: r.latitude,
                time_zone: r.zone,
                size_class: class.name.clone(),
                registers: class.registers,
                self_checkouts: class.self_checkouts,
                traffic: (class.traffic * spread * 1000.0).round() / 1000.0,
                tz,
            })
        })
        .collect()
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Builds `count` items from the reference item master, named and costed.
///
/// Below the number of records, the first `count` (a stable subset). Above
/// it, new items with ids after the largest, each a variant of a reference
/// item (same category, price within 10 %), with a fresh UPC.
pub fn build_items(
    records: &[ItemRecord],
    count: usize,
    categories: &[Category],
    names: &dyn Fn(u32) -> Option<NameParts>,
    member_price_share: f64,
    catalog_seed: u64,
) -> Result<Vec<Item>, CatalogError> {
    if records.is_empty() {
        return Err(CatalogError::Empty { what: "items" });
    }
    let mut ids = BTreeSet::new();
    let mut upcs = BTreeSet::new();
    for r in records {
        if !ids.insert(r.id) {
            return Err(CatalogError::DuplicateId {
                what: "item",
                id: u64::from(r.id),
            });
        }
        upcs.insert(r.upc);
    }
    let mut chosen: Vec<ItemRecord> = records.iter().take(count).cloned().collect();
    if count > records.len() {
        let mut rng = ChaCha8Rng::seed_from_u64(catalog_seed);
        rng.set_stream(0x17E5);
        let max_id = records.iter().map(|r| r.id).max().unwrap_or(0);
        for k in 0..(count - records.len()) {
            let base = &records[rng.random_range(0..records.len())];
            let mut upc = rng.random_range(10_000_000_000u64..100_000_000_000);
            while !upcs.insert(upc) {
                upc = rng.random_range(10_000_000_000u64..100_000_000_000);
            }
            let factor = rng.random_range(900..=1100);
            chosen.push(ItemRecord {
                category: base.category,
                id: max_id + 1 + k as u32,
                price: Money((base.price.cents() * factor / 1000).max(1)),
                upc,
                repl_qty: base.repl_qty,
                popularity: base.popularity,
            });
        }
    }
    let mut out = Vec::with_capacity(chosen.len());
    for r in chosen {
        let category_index = categories
            .iter()
            .position(|c| c.category_code == r.category)
            .ok_or(CatalogError::UnknownCategory {
                item_id: r.id,
                category: r.category,
            })?;
        let parts = names(r.category).unwrap_or_default();
        let h = splitmix64(catalog_seed ^ splitmix64(u64::from(r.id) << 8));
        let pick = |list: &[String], salt: u64| -> String {
            if list.is_empty() {
                String::new()
            } else {
                list[(splitmix64(h ^ salt) % list.len() as u64) as usize].clone()
            }
        };
        let brand = pick(&parts.brands, 1);
        let descriptor = pick(&parts.descriptors, 2);
        let product = pick(&parts.products, 3);
        let product = if product.is_empty() {
            categories[category_index].category_name.clone()
        } else {
            product
        };
        let name = [brand.as_str(), descriptor.as_str(), product.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let cost_ratio = if parts.cost_ratio > 0.0 {
            parts.cost_ratio
        } else {
            0.7
        };
        let jitter = 0.9 + 0.2 * unit(splitmix64(h ^ 4));
        let cost = Money(((r.price.cents() as f64) * cost_ratio * jitter).round() as i64);
        out.push(Item {
            item_id: r.id,
            item_upc: r.upc,
            category_code: r.category,
            item_name: name,
            brand,
            item_price: r.price,
            item_cost: cost,
            repl_qty: r.repl_qty,
            popularity: r.popularity,
            member_price: unit(splitmix64(h ^ 5)) < member_price_share,
            category_index: category_index as u16,
        });
    }
    Ok(out)
}

/// Draws items: a category by its unit share, then an item by Zipf rank
/// within the category (rank by popularity, ties by a fixed hash).
#[derive(Debug, Clone)]
pub struct ItemPicker {
    categories: WeightedAliasIndex<f64>,
    category_of: Vec<usize>,
    per_category: Vec<(WeightedAliasIndex<f64>, Vec<u32>)>,
}

impl ItemPicker {
    /// Builds the picker; categories without items are never drawn.
    pub fn new(
        categories: &[Category],
        items: &[Item],
        zipf_exponent: f64,
    ) -> Result<ItemPicker, CatalogError> {
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); categories.len()];
        for (i, item) in items.iter().enumerate() {
            members[usize::from(item.category_index)].push(i as u32);
        }
        let mut weights = Vec::new();
        let mut category_of = Vec::new();
        let mut per_category = Vec::new();
        for (c, mut list) in members.into_iter().enumerate() {
            if list.is_empty() || categories[c].frequency <= 0.0 {
                continue;
            }
            list.sort_by_key(|&i| {
                let item = &items[i as usize];
                (
                    std::cmp::Reverse(item.popularity),
                    splitmix64(u64::from(item.item_id)),
                )
            });
            let zipf: Vec<f64> = (0..list.len())
                .map(|rank| 1.0 / ((rank + 1) as f64).powf(zipf_exponent))
                .collect();
            let alias = WeightedAliasIndex::new(zipf)
                .map_err(|_| CatalogError::Weights { what: "item" })?;
            weights.push(categories[c].frequency);
            category_of.push(c);
            per_category.push((alias, list));
        }
        if weights.is_empty() {
            return Err(CatalogError::Empty { what: "items" });
        }
        let categories = WeightedAliasIndex::new(weights)
            .map_err(|_| CatalogError::Weights { what: "category" })?;
        Ok(ItemPicker {
            categories,
            category_of,
            per_category,
        })
    }

    /// Draws an item; returns its index in the item list.
    pub fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        use rand_distr::Distribution;
        let c = self.categories.sample(rng);
        let (alias, list) = &self.per_category[c];
        list[alias.sample(rng)] as usize
    }

    /// The catalog index of the `c`-th drawable category.
    pub fn category_index(&self, c: usize) -> usize {
        self.category_of[c]
    }
}
