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
