//! The models, one folder each, and the one list that makes their kinds
//! the closed enums [`EventKind`] and [`Event`], and the scenario's choice
//! of model, [`MODELS`] (each folder's `ENTRY`).
//!
//! Adding a model is its folder and its line below, which declares the
//! folder's module too (see ARCHITECTURE.md, "Add a model").

crate::event::kinds! {
    chain: Scan(chain::ScanEvent), Transaction(Box<chain::TransactionEvent>), ItemChange(Box<chain::ItemChangeEvent>);
    smoothie: Product(Box<smoothie::ProductEvent>), Purchase(Box<smoothie::PurchaseEvent>), Inventory(Box<smoothie::InventoryEvent>), LostSale(Box<smoothie::LostSaleEvent>);
    webshop: WebPurchase(Box<webshop::WebPurchaseEvent>), Request(Box<webshop::RequestEvent>);
    marketplace: Listing(Box<marketplace::ListingEvent>), Vendor(Box<marketplace::VendorEvent>);
    widgets: EcomCustomer(Box<widgets::EcomCustomer>), EcomOrder(Box<widgets::EcomOrder>), EcomOrderLine(Box<widgets::EcomOrderLine>), PosStore(Box<widgets::PosStore>), PosSale(Box<widgets::PosSale>), InvProduct(Box<widgets::InvProduct>), InvSupplier(Box<widgets::InvSupplier>), InvMovement(Box<widgets::InvMovement>), DirtyLabel(Box<widgets::DirtyLabel>), WuCustomer(Box<widgets::WuCustomer>), WuCustomerAddress(Box<widgets::WuCustomerAddress>), WuLoyaltyNumber(Box<widgets::WuLoyaltyNumber>), WuOrder(Box<widgets::WuOrder>), WuOrderLineItem(Box<widgets::WuOrderLineItem>), WuProduct(Box<widgets::WuProduct>), WuSupplier(Box<widgets::WuSupplier>), WuInventory(Box<widgets::WuInventory>), WuStore(Box<widgets::WuStore>), WuStoreLocation(Box<widgets::WuStoreLocation>), WuStoreSales(Box<widgets::WuStoreSales>);
}
