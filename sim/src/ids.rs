//! Derived ids: a transaction's `STORE-YYYYMMDD-SEQ` and a line's
//! `STORE-YYYYMMDD-SEQ-LINE`, written without allocating. Stable across
//! reruns, so downstream can de-duplicate after a retry.

use std::fmt;

use serde::Serialize;

/// A transaction id derived from (store, local business date, daily sequence).
///
/// Written as `1101-20261123-000042`. Derived ids are stable across reruns,
/// so downstream can de-duplicate after a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId {
    /// The store id.
    pub store_id: u32,
    /// The store's local business date, `YYYYMMDD`.
    pub date: u32,
    /// The 1-based sequence of the transaction in that store and day.
    pub seq: u32,
}

impl TxnId {
    /// Writes the id into `buf` and returns its length; the hot-path form
    /// of [`Display`](fmt::Display), without the formatting machinery.
    fn write(&self, buf: &mut [u8; 40]) -> usize {
        let mut n = put_u32(buf, 0, self.store_id);
        buf[n] = b'-';
        n = put_u32(buf, n + 1, self.date);
        buf[n] = b'-';
        put_padded(buf, n + 1, self.seq, 6)
    }

    /// The id as text in `buf` (`STORE-YYYYMMDD-SEQ`), without allocating.
    pub fn encode<'a>(&self, buf: &'a mut [u8; 40]) -> &'a str {
        let n = self.write(buf);
        // Digits and dashes only.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

/// Issues a store's [`TxnId`]s: 1, 2, ... within each business date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TxnIds {
    date: u32,
    seq: u32,
}

impl TxnIds {
    /// The next id of `store_id` on business date `date` (`YYYYMMDD`).
    pub fn next(&mut self, store_id: u32, date: u32) -> TxnId {
        if date != self.date {
            *self = TxnIds { date, seq: 0 };
        }
        self.seq += 1;
        TxnId {
            store_id,
            date,
            seq: self.seq,
        }
    }
}

/// Writes `v` in decimal at `at`; returns the end.
fn put_u32(buf: &mut [u8; 40], at: usize, v: u32) -> usize {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut v = v;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[at + i] = digits[len - 1 - i];
    }
    at + len
}

/// Writes `v` zero-padded to at least `width` digits at `at`; returns the end.
fn put_padded(buf: &mut [u8; 40], at: usize, v: u32, width: usize) -> usize {
    let mut tmp = [0u8; 40];
    let len = put_u32(&mut tmp, 0, v);
    let pad = width.saturating_sub(len);
    buf[at..at + pad].fill(b'0');
    buf[at + pad..at + pad + len].copy_from_slice(&tmp[..len]);
    at + pad + len
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; 40]))
    }
}

impl Serialize for TxnId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.encode(&mut [0u8; 40]))
    }
}

/// A scan id: the transaction id and the 1-based line number, `1101-20261123-000042-003`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScanId {
    /// The transaction the line belongs to.
    pub txn: TxnId,
    /// The 1-based line number.
    pub line: u16,
}

impl ScanId {
    fn write(&self, buf: &mut [u8; 40]) -> usize {
        let n = self.txn.write(buf);
        buf[n] = b'-';
        put_padded(buf, n + 1, u32::from(self.line), 3)
    }

    /// The id as text in `buf` (`STORE-YYYYMMDD-SEQ-LINE`), without allocating.
    pub fn encode<'a>(&self, buf: &'a mut [u8; 40]) -> &'a str {
        let n = self.write(buf);
        // Digits and dashes only.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

impl fmt::Display for ScanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; 40]))
    }
}

impl Serialize for ScanId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.encode(&mut [0u8; 40]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_format_with_padding() {
        let txn = TxnId {
            store_id: 7,
            date: 20261123,
            seq: 1_234_567,
        };
        assert_eq!(txn.to_string(), "7-20261123-1234567");
        assert_eq!(
            ScanId { txn, line: 1000 }.to_string(),
            "7-20261123-1234567-1000"
        );
        let txn = TxnId {
            store_id: 4_000_000_000,
            date: 20261123,
            seq: 0,
        };
        assert_eq!(
            ScanId { txn, line: 5 }.to_string(),
            "4000000000-20261123-000000-005"
        );
    }
}
