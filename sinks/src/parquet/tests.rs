//! Arrow columns from events: unit tests.

use super::*;
use storesim_sim::EventKind;

#[test]
fn every_kinds_schema_has_its_columns_typed() {
    let s = schema(&Shape::of(EventKind::Scan, None));
    let ty = |name: &str| s.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(ty("unit_price"), DataType::Decimal128(12, 2));
    assert_eq!(
        ty("ts"),
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
    );
    assert_eq!(ty("store_id"), DataType::Int32);
    let c = schema(&Shape::of(EventKind::ItemChange, None));
    assert!(matches!(
        c.field_with_name("after").unwrap().data_type(),
        DataType::Struct(_)
    ));
    assert!(c.field_with_name("after").unwrap().is_nullable());
}

#[test]
fn a_chain_mornings_records_become_columns() {
    let events = crate::chain_morning();
    for kind in [EventKind::Scan, EventKind::Transaction] {
        let shape = Shape::of(kind, None);
        let mut columns = Columns::new(Arc::new(schema(&shape)));
        let mine: Vec<_> = events.iter().filter(|s| s.event.kind() == kind).collect();
        for s in &mine {
            columns.push(&s.event).unwrap();
        }
        assert_eq!(columns.rows(), mine.len());
        let batch = columns.finish().unwrap();
        assert_eq!(batch.num_rows(), mine.len(), "{kind}");
        assert_eq!(columns.rows(), 0);
    }
}

#[test]
fn the_hot_kinds_typed_columns_are_the_records_columns() {
    let events = crate::chain_morning();
    for kind in [EventKind::Scan, EventKind::Transaction] {
        let schema = Arc::new(schema(&Shape::of(kind, None)));
        let mine: Vec<_> = events
            .iter()
            .map(|s| &s.event)
            .filter(|e| e.kind() == kind)
            .collect();
        assert!(mine.len() > 100, "{kind}: {}", mine.len());
        let mut columns = Columns::new(schema.clone());
        for event in &mine {
            columns.push(*event).unwrap();
        }
        let typed = typed::rows(&schema, &mine).expect("a hot kind");
        assert_eq!(typed, columns.finish().unwrap(), "{kind}");
    }
    // Receipts of members and of anonymous shoppers alike.
    let members = events
        .iter()
        .filter_map(|s| match &s.event {
            storesim_sim::Event::Transaction(t) => Some(t.customer_id.is_some()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(members.len(), 2);
}

#[test]
fn other_kinds_and_unknown_columns_go_the_general_way() {
    let events = crate::chain_morning();
    let changes: Vec<_> = events
        .iter()
        .map(|s| &s.event)
        .filter(|e| e.kind() == EventKind::ItemChange)
        .collect();
    let change_schema = Arc::new(schema(&Shape::of(EventKind::ItemChange, None)));
    assert!(typed::rows(&change_schema, &changes).is_none());
    let scans: Vec<_> = events
        .iter()
        .map(|s| &s.event)
        .filter(|e| e.kind() == EventKind::Scan)
        .collect();
    let odd = Arc::new(Schema::new(vec![ArrowField::new(
        "shelf",
        DataType::Utf8,
        false,
    )]));
    assert!(typed::rows(&odd, &scans).is_none());
    // A scan's amount as an integer column is not a read it knows.
    let ints = Arc::new(Schema::new(vec![ArrowField::new(
        "unit_price",
        DataType::Int32,
        false,
    )]));
    assert!(typed::rows(&ints, &scans).is_none());
}
