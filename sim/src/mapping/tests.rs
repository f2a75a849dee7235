//! The mapping's checks, one key at a time.

use super::*;

fn parse(text: &str) -> Result<Mapping, MappingError> {
    let value: toml::Value = toml::from_str(text).unwrap();
    Mapping::parse(
        &value["output"],
        &[
            EventKind::Scan,
            EventKind::Transaction,
            EventKind::ItemChange,
        ],
        true,
    )
}

#[test]
fn dimension_tables_map_like_kinds_and_keep_their_key() {
    let m = parse(
        "[output.stores]\nfields = [{ name = \"store_id\" }, { name = \"timezone\", from = \"time_zone_label\" }]",
    )
    .unwrap();
    let stores = &m.dims[&Dimension::Stores];
    assert_eq!(stores.header(), ["store_id", "timezone"]);
    assert_eq!(stores.key().name, "store_id");
    let err = parse("[output.item_master]\ndrop = [\"item_id\"]").unwrap_err();
    assert_eq!(err.key, "output.item_master");
    assert!(err.message.contains("keep `item_id`"), "{err:?}");
    let value: toml::Value = toml::from_str("[output.stores]\ndrop = []").unwrap();
    let err = Mapping::parse(&value["output"], &[EventKind::Purchase], false).unwrap_err();
    assert!(err.message.contains("no item master"), "{err:?}");
    assert_eq!(DimMap::identity(Dimension::Items).header()[0], "item_id");
}

#[test]
fn fields_are_checked_against_the_kind_schema() {
    let m = parse(
        r#"
        [output]
        kinds = ["scan"]
        [output.scan]
        name = "scans"
        fields = [
          { name = "scan_id", from = "event_id" },
          { name = "store_id" },
          { name = "scan_datetime", from = "ts", format = "local_time" },
          { name = "item_upc", from = "sku", lookup = "item.item_upc", format = "text" },
          { name = "source", value = "pos" },
        ]
        "#,
    )
    .unwrap();
    let scan = m.get(EventKind::Scan).unwrap();
    assert_eq!(
        scan.header(),
        ["scan_id", "store_id", "scan_datetime", "item_upc", "source"]
    );
    assert_eq!(scan.fields[3].ty, OutType::Like(Type::String));
    assert_eq!(
        scan.fields[2].ty,
        OutType::LocalTimestamp(DEFAULT_PATTERN.into())
    );
    assert_eq!(
        m.written(&[EventKind::Scan, EventKind::Transaction]),
        [EventKind::Scan]
    );
}

#[test]
fn ean8_check_digits_are_gs1s() {
    // GS1's published examples: 9638507 -> 96385074, 5512345 -> 55123457.
    assert_eq!(ean8(9_638_507), "96385074");
    assert_eq!(ean8(5_512_345), "55123457");
    assert_eq!(ean8(12), "00000123");
    assert_eq!(ean8(10_000_012), "00000123");
}

#[test]
fn drop_keeps_the_rest_in_order() {
    let m = parse("[output.transaction]\ndrop = [\"kind\", \"register\"]").unwrap();
    let t = m.get(EventKind::Transaction).unwrap();
    assert_eq!(&t.header()[..3], ["transaction_id", "ts", "store_id"]);
    assert!(!t.header().contains(&"register"));
    assert_eq!(t.name, "transaction");
}

#[test]
fn nested_fields_are_reached_by_path() {
    let m =
        parse("[output.item_change]\nfields = [{ name = \"price\", from = \"after.item_price\" }]")
            .unwrap();
    assert!(m.get(EventKind::ItemChange).unwrap().fields[0].nullable);
}

#[test]
fn bad_mappings_name_the_key() {
    for (text, key, needle) in [
        ("[output.scan]\nfields = [{ name = \"x\", from = \"nope\" }]", "output.scan.fields[0].from", "no field `nope`"),
        ("[output.webshop]\ndrop = []", "output.webshop", "emits no `webshop`"),
        ("[output.scan]\ndrop = [\"sku\"]\nfields = [{ name = \"x\", from = \"sku\" }]", "output.scan.drop", "not both"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", format = \"local_time\" }]", "output.scan.fields[0].format", "formats a timestamp"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"ts\", format = \"local_time\", pattern = \"%Q\" }]", "output.scan.fields[0].pattern", "not a chrono pattern"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"ts\", format = \"text\" }]", "output.scan.fields[0].format", "local_time"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"unit_price\", lookup = \"item.item_upc\" }]", "output.scan.fields[0].lookup", "by an id"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", lookup = \"item.colour\" }]", "output.scan.fields[0].lookup", "unknown lookup"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", template = \"CU-\" }]", "output.scan.fields[0].template", "no `{}`"),
        ("[output.scan]\nfields = [{ name = \"x y\", from = \"sku\" }]", "output.scan.fields[0].name", "letters"),
        ("[output.scan]\nfields = [{ name = \"x\" , from = \"sku\"}, { name = \"x\", from = \"line\" }]", "output.scan.fields[1].name", "twice"),
        ("[output.scan]\nfields = [{ name = \"x\", frm = \"sku\" }]", "output.scan.fields[0].frm", "unknown field `frm`"),
        ("[output.scan]\nfields = [{ name = \"x\", from = \"after\" }]", "output.scan.fields[0].from", "no field"),
        ("[output.item_change]\nfields = [{ name = \"x\", from = \"after\" }]", "output.item_change.fields[0].from", "nested record"),
        ("[output]\nkinds = []", "output.kinds", "nothing"),
        ("[output]\nkinds = [\"scan\"]\n[output.transaction]\ndrop = [\"kind\"]", "output.transaction", "leaves out"),
        ("[output.scan]\nname = \"t\"\n[output.transaction]\nname = \"t\"", "output.transaction.name", "also scan's"),
    ] {
        let err = parse(text).unwrap_err();
        assert_eq!(err.key, key, "{text}: {err:?}");
        assert!(err.message.contains(needle), "{text}: {err:?}");
    }
}

#[test]
fn labels_rewrite_a_closed_set_and_label_every_value() {
    let value: toml::Value = toml::from_str(
        r#"
        [output.listing]
        fields = [{ name = "Stock_Status", from = "stock_status", labels = { in_stock = "In Stock", low_stock = "Low Stock", out_of_stock = "Out of Stock" } }]
        "#,
    )
    .unwrap();
    let m = Mapping::parse(&value["output"], &[EventKind::Listing], false).unwrap();
    let f = &m.get(EventKind::Listing).unwrap().fields[0];
    assert_eq!(f.ty, OutType::Like(Type::String));
    assert!(matches!(&f.format, Format::Labels(l) if l["low_stock"] == "Low Stock"));
    let err = |fields: &str| {
        let text = format!("[output.listing]\nfields = [{fields}]");
        let value: toml::Value = toml::from_str(&text).unwrap();
        Mapping::parse(&value["output"], &[EventKind::Listing], false).unwrap_err()
    };
    let e = err(r#"{ name = "s", from = "stock_status", labels = { in_stock = "In" } }"#);
    assert_eq!(e.key, "output.listing.fields[0].labels");
    assert!(e.message.contains("no label for `low_stock`"), "{e:?}");
    let e = err(r#"{ name = "s", from = "stock_status", labels = { sold = "Sold" } }"#);
    assert!(e.message.contains("`sold` is not a value"), "{e:?}");
    let e = err(r#"{ name = "s", from = "category", labels = { a = "b" } }"#);
    assert!(e.message.contains("closed set"), "{e:?}");
    let e = err(r#"{ name = "s", from = "stock_status", format = "text", labels = { a = "b" } }"#);
    assert!(e.message.contains("without `format`"), "{e:?}");
}

#[test]
fn a_mapped_record_gives_back_the_fields_it_keeps_whole() {
    let value: toml::Value = toml::from_str(
        r#"
        [output.listing]
        fields = [
          { name = "V", from = "vendor_id", template = "V-{}" },
          { name = "S", from = "stock_status", labels = { in_stock = "In", low_stock = "Low", out_of_stock = "Out" } },
          { name = "P", from = "sale_price" },
          { name = "E", from = "product_id", format = "ean8" },
        ]
        "#,
    )
    .unwrap();
    let m = Mapping::parse(&value["output"], &[EventKind::Listing], false).unwrap();
    let km = m.get(EventKind::Listing).unwrap();
    assert!(km.recovers("vendor_id") && km.recovers("stock_status") && km.recovers("sale_price"));
    // An EAN-8 is one way; a dropped field is gone.
    assert!(!km.recovers("product_id") && !km.recovers("category"));
    let record = serde_json::json!({"V": "V-1101", "S": "Low", "P": 9.99, "E": "12345670"});
    let back = km.unmap(
        &record,
        &["vendor_id", "stock_status", "sale_price", "product_id"],
    );
    assert_eq!(
        back,
        serde_json::json!({"vendor_id": "1101", "stock_status": "low_stock", "sale_price": 9.99})
    );
}
