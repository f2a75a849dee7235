//! A reference-data CSV file read by column name, with every error naming
//! the file, the line and the column.

use crate::money::Money;

use super::SetupError;

/// One data row: its line in the file and its fields.
pub type Row = (u64, csv::StringRecord);

/// A CSV file, its header lower-cased and trimmed.
pub struct Table<'a> {
    origin: &'a str,
    headers: Vec<String>,
    /// The data rows.
    pub rows: Vec<Row>,
}

impl<'a> Table<'a> {
    /// Parses `text`, read from `origin`.
    pub fn parse(origin: &'a str, text: &str) -> Result<Table<'a>, SetupError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| SetupError::data(origin, format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| SetupError::data(origin, format!("{e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            rows.push((line, record));
        }
        Ok(Table {
            origin,
            headers,
            rows,
        })
    }

    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Result<usize, SetupError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| SetupError::data(self.origin, format!("missing column `{name}`")))
    }

    /// A field parsed as `T`.
    pub fn get<T: std::str::FromStr>(&self, row: &Row, column: usize) -> Result<T, SetupError> {
        let text = row.1.get(column).unwrap_or("").trim();
        text.parse()
            .map_err(|_| self.bad(row, column, format!("invalid value `{text}`")))
    }

    /// A field read as an amount of money.
    pub fn money(&self, row: &Row, column: usize) -> Result<Money, SetupError> {
        let text = row.1.get(column).unwrap_or("").trim();
        Money::parse_decimal(text)
            .ok_or_else(|| self.bad(row, column, format!("invalid amount `{text}`")))
    }

    /// A `TRUE`/`FALSE` field (any case).
    pub fn flag(&self, row: &Row, column: usize) -> Result<bool, SetupError> {
        let text = row.1.get(column).unwrap_or("").trim();
        match text.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.bad(row, column, format!("use TRUE or FALSE, got `{text}`"))),
        }
    }

    /// What is wrong with a row's field.
    pub fn bad(&self, row: &Row, column: usize, message: impl std::fmt::Display) -> SetupError {
        SetupError::data(
            self.origin,
            format!(
                "line {}: column `{}`: {message}",
                row.0, self.headers[column]
            ),
        )
    }

    /// What is wrong with the file as a whole.
    pub fn err(&self, message: impl Into<String>) -> SetupError {
        SetupError::data(self.origin, message)
    }
}
