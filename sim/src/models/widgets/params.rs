//! The widget retailer's parameters, its model and its truth aggregates.

use super::*;

/// Which tables the three systems write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tables {
    /// storesim's own records: `ecom_*`, `pos_*`, `inv_*`, each system in
    /// its own formats.
    Native,
    /// The Widgets Unlimited demo's tables, column for column: `wu_*`.
    Unlimited,
}

/// The widget retailer's parameters, validated by the scenario loader.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetsParams {
    /// Which tables the systems write.
    pub tables: Tables,
    /// Share of eligible records carrying each defect, by [`Defect::ALL`] order.
    pub dirty: [f64; 6],
    /// Customers of each store's market at the initial load.
    pub initial_customers: u32,
    /// New customers a day per market (Poisson mean).
    pub signups_per_day: f64,
    /// Customer updates (address, email) a day per market.
    pub customer_updates_per_day: f64,
    /// In-store sales on a base day in a store of traffic 1.0.
    pub store_sales_per_day: f64,
    /// Relative weights of 1, 2, ... lines per online order.
    pub lines_per_order: Vec<f64>,
    /// Relative weights of quantity 1, 2, ... per line or sale.
    pub quantity: Vec<f64>,
    /// Products in the master at the initial load.
    pub initial_products: u32,
    /// New products a day.
    pub new_products_per_day: u32,
    /// Share of products repriced a day.
    pub reprice_share: f64,
    /// Suppliers.
    pub suppliers: u32,
    /// Share of (product, store) pairs with sales that get a receipt that day.
    pub receipt_share: f64,
    /// First names.
    pub first_names: Vec<String>,
    /// Last names.
    pub last_names: Vec<String>,
    /// Street names.
    pub streets: Vec<String>,
    /// Email domains.
    pub email_domains: Vec<String>,
    /// Product words: adjectives.
    pub product_adjectives: Vec<String>,
    /// Product words: nouns.
    pub product_nouns: Vec<String>,
}


impl Model for WidgetsParams {
    fn name(&self) -> &'static str {
        "widgets"
    }

    /// The native records or the Widgets Unlimited tables, and the labels.
    fn kinds(&self, _world: &World) -> Vec<EventKind> {
        let unlimited = self.tables == Tables::Unlimited;
        EventKind::ALL
            .into_iter()
            .filter(|k| k.model() == "widgets")
            .filter(|k| {
                *k == EventKind::DirtyLabel || k.as_str().starts_with("wu_") == unlimited
            })
            .collect()
    }

    /// `products` and `suppliers`: the masters at the initial load.
    fn catalog(
        &self,
        world: &Arc<World>,
        span: RunSpan,
    ) -> Vec<(&'static str, Vec<Event>)> {
        if self.tables == Tables::Unlimited {
            let (products, suppliers) = WidgetsModel::wu_opening_masters(Arc::clone(world), span);
            return vec![
                ("product", products.into_iter().map(|p| Event::WuProduct(Box::new(p))).collect()),
                ("supplier", suppliers.into_iter().map(|s| Event::WuSupplier(Box::new(s))).collect()),
            ];
        }
        let (products, suppliers) = WidgetsModel::opening_masters(Arc::clone(world), span);
        vec![
            (
                "products",
                products.into_iter().map(|p| Event::InvProduct(Box::new(p))).collect(),
            ),
            (
                "suppliers",
                suppliers.into_iter().map(|s| Event::InvSupplier(Box::new(s))).collect(),
            ),
        ]
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(WidgetsModel::new(Arc::clone(world), index, seed, span))
    }

    /// An order's lines, the order, its label and a duplicate.
    fn events_per_arrival(&self, _world: &World) -> f64 {
        self.lines_per_order.len() as f64 + 3.0
    }

    /// Orders, in-store sales, sign-ups and customer updates.
    fn arrivals_per_day(&self, world: &World) -> f64 {
        world.params.traffic.baskets_per_day
            + (self.store_sales_per_day + self.signups_per_day + self.customer_updates_per_day)
    }

    /// The initial load (each store's customers) and the daily inventory
    /// file (every product, from the first store), each record with its
    /// duplicate and label counted (three events).
    fn burst_events(&self, stores: &[usize]) -> f64 {
        let per_store = 3.0 * (f64::from(self.initial_customers) + 1.0);
        let products = f64::from(self.initial_products)
            + 366.0 * f64::from(self.new_products_per_day)
            + f64::from(self.suppliers);
        stores.len() as f64 * per_store
            + if stores.contains(&0) {
                3.0 * products
            } else {
                0.0
            }
    }

    fn truth_groups(&self) -> &'static [GroupSpec] {
        match self.tables {
            Tables::Native => TRUTH,
            Tables::Unlimited => TRUTH_UNLIMITED,
        }
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} stores and markets, {} products at load, {} suppliers",
            world.stores.len(),
            self.initial_products,
            self.suppliers
        )
    }
}

/// The truth aggregates of the manifest.
const TRUTH: &[GroupSpec] = &[
    GroupSpec {
        name: "dirty_records",
        kind: EventKind::DirtyLabel,
        keys: &[
            ("system", Key::Field("system")),
            ("record_kind", Key::Field("record_kind")),
            ("defect", Key::Field("defect")),
        ],
        sums: &[("records", Sum::Records)],
    },
    GroupSpec {
        name: "ecom_orders",
        kind: EventKind::EcomOrder,
        keys: &[("day", Key::Day("ts")), ("status", Key::Field("status"))],
        sums: &[("orders", Sum::Records)],
    },
    GroupSpec {
        name: "pos_sales",
        kind: EventKind::PosSale,
        keys: &[("store_code", Key::Field("store_code"))],
        sums: &[("sales", Sum::Records)],
    },
];

/// The truth aggregates of the Widgets Unlimited tables.
const TRUTH_UNLIMITED: &[GroupSpec] = &[
    TRUTH[0],
    GroupSpec {
        name: "orders",
        kind: EventKind::WuOrder,
        keys: &[
            ("batch_id", Key::Field("batch_id")),
            ("order_cancelled", Key::Field("order_cancelled")),
        ],
        sums: &[("orders", Sum::Records)],
    },
    GroupSpec {
        name: "store_sales",
        kind: EventKind::WuStoreSales,
        keys: &[("store_id", Key::Field("store_sales_store_id"))],
        sums: &[("sales", Sum::Records)],
    },
];
