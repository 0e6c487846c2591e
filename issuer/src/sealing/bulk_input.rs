//! What a bulk run reads: JSON Lines (one record a line) or CSV saved from a spreadsheet,
//! each turned into the record's JSON text with the number of the line it came from.
//!
//! **CSV.** The first row names the columns; every other row is one certificate. The columns
//! `type`, `office`, `issued` and `expires` are the record's own; every other column is a
//! field of the type (its key, as in the record JSON: `name`, `father`, `nid`, `ward`, …). An
//! empty cell is a field left out. Cells are text (Bangla or Latin digits alike); two kinds of
//! field hold more than one value:
//!
//! - a list of names (`owners` of a trade licence): names separated by `;`
//!   (`আব্দুল করিম; রফিকুল ইসলাম`);
//! - a list of persons (`heirs` of a warish certificate): persons separated by `;`, each
//!   `name|relation|age` with the age optional (`রহিমা খাতুন|স্ত্রী|58; মোঃ করিম|পুত্র|34`).
//!
//! A UTF-8 byte-order mark (as spreadsheet programs write) is skipped. A physical line longer
//! than a record can be ([`MAX_BULK_LINE`]) stops the reading there: no row is buffered
//! without bound.

use std::io::{BufRead, Read};

use serde_json::{json, Map, Value};

use super::issue::MAX_BULK_LINE;

/// A bulk file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkFormat {
    /// One record's JSON a line.
    JsonLines,
    /// A header row, then one record a row (see the module documentation).
    Csv,
}

impl BulkFormat {
    /// The format a file name says (`.csv`: CSV; anything else: JSON Lines).
    pub fn of_name(name: &str) -> BulkFormat {
        if name.to_ascii_lowercase().ends_with(".csv") {
            BulkFormat::Csv
        } else {
            BulkFormat::JsonLines
        }
    }
}

/// One input line (or CSV row): its number, and the record's JSON text or why there is none.
pub type BulkLine = (usize, Result<String, String>);

/// The lines of `input` in `format`; an `Err` item is a failure to read that ends the input.
pub fn bulk_lines<'a>(
    input: impl BufRead + 'a,
    format: BulkFormat,
) -> Box<dyn Iterator<Item = std::io::Result<BulkLine>> + 'a> {
    match format {
        BulkFormat::JsonLines => Box::new(json_lines(input)),
        BulkFormat::Csv => Box::new(csv_rows(input)),
    }
}

fn json_lines(input: impl BufRead) -> impl Iterator<Item = std::io::Result<BulkLine>> {
    super::issue::limited_lines(input)
        .enumerate()
        .filter_map(|(i, line)| {
            let n = i + 1;
            match line {
                Ok(l) if l.trim().is_empty() => None,
                Ok(l) => Some(Ok((n, Ok(l)))),
                Err(super::issue::LineError::TooLong) => Some(Ok((
                    n,
                    Err(crate::l10n::both(
                        "bulk-line-too-long",
                        &[("max", &MAX_BULK_LINE.to_string())],
                    )),
                ))),
                Err(super::issue::LineError::NotUtf8) => {
                    Some(Ok((n, Err(crate::l10n::both("bulk-not-utf8", &[])))))
                }
                Err(super::issue::LineError::Io(e)) => Some(Err(e)),
            }
        })
}

/// A reader that fails once a physical line grows past [`MAX_BULK_LINE`] bytes, and drops
/// carriage returns (spreadsheets end lines with CRLF; without the CR the csv reader numbers
/// rows as the spreadsheet does).
struct LineCap<R> {
    inner: R,
    run: usize,
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = loop {
            let got = self.inner.read(buf)?;
            if got == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for i in 0..got {
                if buf[i] != b'\r' {
                    buf[kept] = buf[i];
                    kept += 1;
                }
            }
            if kept > 0 {
                break kept;
            }
        };
        for b in &buf[..n] {
            if *b == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_BULK_LINE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        crate::l10n::both(
                            "bulk-line-too-long",
                            &[("max", &MAX_BULK_LINE.to_string())],
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

fn csv_rows(input: impl BufRead) -> impl Iterator<Item = std::io::Result<BulkLine>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(LineCap {
            inner: input,
            run: 0,
        });
    let headers: Result<Vec<String>, String> = reader
        .headers()
        .map(|h| {
            h.iter()
                .map(|c| c.trim_start_matches('\u{feff}').trim().to_owned())
                .collect()
        })
        .map_err(|e| csv_error(&e));
    let mut rows = reader.into_records();
    let mut stopped = false;
    let mut header_reported = false;
    std::iter::from_fn(move || {
        if stopped {
            return None;
        }
        let headers = match &headers {
            Ok(h) => h,
            Err(e) => {
                if header_reported {
                    return None;
                }
                header_reported = true;
                stopped = true;
                return Some(Ok((1, Err(e.clone()))));
            }
        };
        loop {
            let row = rows.next()?;
            return Some(match row {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line() as usize);
                    if r.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    Ok((line, Ok(row_json(headers, &r))))
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    if let csv::ErrorKind::Io(io) = e.kind() {
                        // Nothing past this point can be read: the input ends here.
                        stopped = true;
                        return Some(Err(std::io::Error::new(io.kind(), io.to_string())));
                    }
                    Ok((line, Err(csv_error(&e))))
                }
            });
        }
    })
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => crate::l10n::both(
            "bulk-csv-cells",
            &[
                ("expected", &expected_len.to_string()),
                ("got", &len.to_string()),
            ],
        ),
        csv::ErrorKind::Utf8 { .. } => crate::l10n::both("bulk-not-utf8", &[]),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => crate::l10n::both("bulk-csv-unreadable", &[]),
    }
}

/// The record JSON of one CSV row.
fn row_json(headers: &[String], row: &csv::StringRecord) -> String {
    let mut top = Map::new();
    let mut fields = Map::new();
    for (name, cell) in headers.iter().zip(row.iter()) {
        let cell = cell.trim();
        if cell.is_empty() || name.is_empty() {
            continue;
        }
        match name.as_str() {
            "type" | "office" | "issued" | "expires" => {
                top.insert(name.clone(), json!(cell));
            }
            key => {
                fields.insert(key.to_owned(), cell_value(key, cell));
            }
        }
    }
    top.insert("fields".into(), Value::Object(fields));
    Value::Object(top).to_string()
}

/// A cell as the record JSON has it: lists split on `;`, persons on `|`.
fn cell_value(key: &str, cell: &str) -> Value {
    let items = || {
        cell.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    match sonod_seal::field_by_key(key).map(|f| f.kind) {
        Some(sonod_seal::FieldKind::TextList) => json!(items()),
        Some(sonod_seal::FieldKind::Persons) => Value::Array(
            items()
                .into_iter()
                .map(|p| {
                    let mut parts = p.split('|').map(str::trim);
                    let mut o = Map::new();
                    o.insert("name".into(), json!(parts.next().unwrap_or("")));
                    o.insert("relation".into(), json!(parts.next().unwrap_or("")));
                    if let Some(age) = parts.next().filter(|a| !a.is_empty()) {
                        o.insert("age".into(), json!(age));
                    }
                    if let Some(extra) = parts.next() {
                        // A fourth part: kept, so the record's parser names the entry wrong.
                        o.insert("extra".into(), json!(extra));
                    }
                    Value::Object(o)
                })
                .collect(),
        ),
        _ => json!(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, format: BulkFormat) -> Vec<BulkLine> {
        bulk_lines(text.as_bytes(), format)
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn csv_rows_become_records_with_lists_and_persons() {
        let csv = "\u{feff}type,office,name,father,nid,ward,heirs,deceased,death_date\n\
                   warish,100524,মোঃ করিম উদ্দিন,মরহুম হাশেম আলী,1965123456789,৭,\"রহিমা খাতুন|স্ত্রী|58; মোঃ করিম উদ্দিন|পুত্র\",মরহুম আব্দুল জলিল,2025-03-14\n\
                   ,,,,,,,,\n\
                   trade_licence,100524,,,,5,,,\n";
        let got = lines(csv, BulkFormat::Csv);
        assert_eq!(got.len(), 2, "{got:?}");
        let (line, json) = &got[0];
        assert_eq!(*line, 2);
        let v: Value = serde_json::from_str(json.as_ref().unwrap()).unwrap();
        assert_eq!(v["type"], "warish");
        assert_eq!(v["fields"]["ward"], "৭");
        assert_eq!(v["fields"]["heirs"][0]["relation"], "স্ত্রী");
        assert_eq!(v["fields"]["heirs"][0]["age"], "58");
        assert!(v["fields"]["heirs"][1].get("age").is_none());
        assert!(v["fields"].get("name").is_some() && v.get("issued").is_none());
        let record = crate::sealing::issue::record_from_json(
            json.as_ref().unwrap(),
            sonod_keys::today_dhaka(),
        )
        .unwrap();
        assert_eq!(record.office().as_str(), "100524");
        assert_eq!(got[1].0, 4);
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_numbers_them() {
        for text in [
            "a,b\nx,y\nz,w\n",
            "a,b\r\nx,y\r\nz,w\r\n",
            "\u{feff}a,b\r\nx,y\r\nz,w",
        ] {
            let got: Vec<usize> = lines(text, BulkFormat::Csv).iter().map(|l| l.0).collect();
            assert_eq!(got, [2, 3], "{text:?}");
        }
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_is_refused_alone() {
        let csv = "type,office,name\ncharacter,100524\ncharacter,100524,রহিম\n";
        let got = lines(csv, BulkFormat::Csv);
        assert_eq!(got.len(), 2);
        assert!(got[0].1.as_ref().unwrap_err().contains("3"), "{got:?}");
        assert!(got[1].1.is_ok());
    }

    #[test]
    fn an_endless_line_stops_the_reading() {
        let csv = format!("type,office\n\"{}", "ক".repeat(MAX_BULK_LINE));
        let got: Vec<_> = bulk_lines(csv.as_bytes(), BulkFormat::Csv).collect();
        assert_eq!(got.len(), 1);
        let e = got[0].as_ref().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("65536"), "{e}");
    }

    #[test]
    fn json_lines_skip_blank_lines_and_count_from_one() {
        let got = lines("{\"a\":1}\n\n{\"b\":2}\n", BulkFormat::JsonLines);
        assert_eq!(got.iter().map(|l| l.0).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(BulkFormat::of_name("list.CSV"), BulkFormat::Csv);
        assert_eq!(BulkFormat::of_name("list.jsonl"), BulkFormat::JsonLines);
    }
}
