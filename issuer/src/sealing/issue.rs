//! Offline issuing: seal records with the office key, store them, write their QR files.

use std::fs;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use qrcode::EcLevel;
use serde::Deserialize;
use serde_json::json;
use sonod_keys::{format_date, today_dhaka, SecretKey};
use sonod_seal::{Host, Record, RecordError, SealError};
use time::Date;

use crate::paper::qr_image::{QrImage, QrImageError};
use crate::sealing::office_key::OfficeKey;
use crate::storage::ledger::{IssueOutcome, Ledger, LedgerError};
use crate::storage::store::StoreError;

/// Most lines read from one bulk file.
pub const MAX_BULK_LINES: usize = 1_000_000;
/// Longest line in a bulk file.
pub const MAX_BULK_LINE: usize = sonod_seal::MAX_RECORD_JSON;
/// Certificates committed per group (one durability barrier) in a bulk run.
const BULK_GROUP: usize = 512;

/// Why issuing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The record is not valid.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// It could not be sealed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The QR image could not be made.
    #[error(transparent)]
    Qr(#[from] QrImageError),
    /// Writing an output file failed.
    #[error("{}", crate::l10n::both("issue-io", &[("path", &format!("{}", .path.display())), ("source", &format!("{}", .source))]))]
    Io {
        /// Which file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
}

/// How certificates are issued: key, QR host, QR error correction, output.
#[derive(Debug)]
pub struct Issuer<'a> {
    /// The office's signing key with its trust-list entry.
    pub key: &'a OfficeKey,
    /// The office's ledger (store, feed, audit log).
    pub ledger: &'a Ledger,
    /// Who is issuing, for the audit log.
    pub actor: &'a str,
    /// The verifier host written into QR URLs; `None` writes bare Base32.
    pub host: Option<Host>,
    /// QR error correction for the images.
    pub ec: EcLevel,
    /// Write PNG and SVG files beside the QR text.
    pub images: bool,
}

/// What issuing one record produced.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The serial.
    pub serial: u64,
    /// The QR text.
    pub qr_text: String,
    /// QR version at the chosen error correction.
    pub qr_version: i16,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl Issuer<'_> {
    /// Issues one record: seals it under a fresh serial, records it with its feed event, waits
    /// until that is durable, then writes the files.
    pub fn issue(&self, record: &Record, out: &Path) -> Result<Issued, IssueError> {
        self.check_fits(record)?;
        let outcome = self.ledger.issue(record, self.key, self.actor, None)?;
        self.ledger.issued_durable_blocking(&outcome)?;
        self.files_of(&outcome, out)
    }

    /// See [`check_fits`].
    pub fn check_fits(&self, record: &Record) -> Result<(), IssueError> {
        check_fits(record, self.key.secret(), self.host.as_ref(), self.ec)
    }

    fn files_of(&self, o: &IssueOutcome, out: &Path) -> Result<Issued, IssueError> {
        let c = &o.certificate;
        let office = c.record.office().to_owned();
        let qr_text = sonod_seal::qr_text(&c.sealed, self.host.as_ref());
        self.write_files(&office, c.serial, &qr_text, out)
    }

    fn write_files(
        &self,
        office: &str,
        serial: u64,
        qr_text: &str,
        out: &Path,
    ) -> Result<Issued, IssueError> {
        let base = out.join(format!("{office}-{serial}"));
        let qr = QrImage::new(qr_text, self.ec)?;
        let mut files = vec![write(
            &base.with_extension("txt"),
            format!("{qr_text}\n").as_bytes(),
        )?];
        if self.images {
            files.push(write(&base.with_extension("png"), &qr.png()?)?);
            files.push(write(&base.with_extension("svg"), qr.svg().as_bytes())?);
        }
        Ok(Issued {
            serial,
            qr_text: qr_text.to_owned(),
            qr_version: qr.version(),
            files,
        })
    }

    /// Issues every line of a JSON Lines file; see [`Issuer::bulk_lines`].
    pub fn bulk(
        &self,
        input: impl BufRead,
        out: &Path,
        index: impl Write,
        progress: impl FnMut(u64),
    ) -> Result<BulkSummary, IssueError> {
        self.bulk_lines(
            super::bulk_input::bulk_lines(input, super::bulk_input::BulkFormat::JsonLines),
            out,
            index,
            progress,
        )
    }

    /// Issues every record of a bulk file read as [`super::bulk_input::bulk_lines`] (JSON
    /// Lines or CSV). Bad lines are reported and skipped; good ones are issued in groups,
    /// each group's serials reserved and its certificates committed before its files are
    /// written. `progress` is called with the number of records read so far.
    pub fn bulk_lines(
        &self,
        lines: impl Iterator<Item = std::io::Result<super::bulk_input::BulkLine>>,
        out: &Path,
        mut index: impl Write,
        mut progress: impl FnMut(u64),
    ) -> Result<BulkSummary, IssueError> {
        let mut summary = BulkSummary::default();
        let mut group: Vec<(usize, Record)> = Vec::with_capacity(BULK_GROUP);
        let mut read = 0u64;
        let index_path = out.join("index.jsonl");
        let io = |source| IssueError::Io {
            path: index_path.clone(),
            source,
        };
        let mut last_line = 0;
        for item in lines {
            let (lineno, line) = match item {
                Ok(l) => l,
                // Input that cannot be read on (a line without end): reported as the next
                // line's refusal, and the run stops reading there.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    summary.failed.push((last_line + 1, e.to_string()));
                    break;
                }
                Err(e) => return Err(io(e)),
            };
            last_line = lineno;
            if lineno > MAX_BULK_LINES {
                summary.failed.push((
                    lineno,
                    crate::l10n::both(
                        "bulk-too-many-lines",
                        &[("max", &MAX_BULK_LINES.to_string())],
                    ),
                ));
                break;
            }
            read += 1;
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    summary.failed.push((lineno, e));
                    continue;
                }
            };
            match record_from_json(&line, today_dhaka()) {
                // The ledger checks the dates again when it issues the group; asked here, a
                // refused line is reported as such, before anything is spent on it.
                Ok(r) => match self
                    .ledger
                    .store()
                    .check_office(r.office())
                    .map_err(IssueError::from)
                    .and_then(|()| {
                        self.key
                            .check(&r, today_dhaka())
                            .map_err(|e| IssueError::Ledger(e.into()))
                    })
                    .and_then(|()| self.check_fits(&r))
                {
                    Ok(()) => group.push((lineno, r)),
                    Err(e) => summary.failed.push((lineno, e.to_string())),
                },
                Err(e) => summary.failed.push((lineno, e.to_string())),
            }
            if group.len() == BULK_GROUP {
                self.bulk_group(&mut group, out, &mut index, &mut summary)?;
                progress(read);
            }
        }
        self.bulk_group(&mut group, out, &mut index, &mut summary)?;
        progress(read);
        for (lineno, err) in &summary.failed {
            let line = json!({"line": lineno, "error": err});
            writeln!(index, "{line}").map_err(io)?;
        }
        index.flush().map_err(io)?;
        Ok(summary)
    }

    fn bulk_group(
        &self,
        group: &mut Vec<(usize, Record)>,
        out: &Path,
        index: &mut impl Write,
        summary: &mut BulkSummary,
    ) -> Result<(), IssueError> {
        if group.is_empty() {
            return Ok(());
        }
        let mut done = Vec::with_capacity(group.len());
        for (lineno, record) in group.drain(..) {
            match self.ledger.issue(&record, self.key, self.actor, None) {
                Ok(o) => done.push((lineno, o)),
                Err(LedgerError::Seal(e)) => summary.failed.push((lineno, e.to_string())),
                // Dated the day before a midnight the run crossed.
                Err(LedgerError::Refused(e)) => summary.failed.push((lineno, e.to_string())),
                Err(e) => return Err(e.into()),
            }
        }
        // Tickets name generations in order: the last one's barrier covers the whole group.
        if let Some((_, last)) = done.last() {
            self.ledger.issued_durable_blocking(last)?;
        }
        for (lineno, o) in done {
            let issued = self.files_of(&o, out)?;
            let line = json!({"line": lineno, "serial": issued.serial, "qr_text": issued.qr_text, "qr_version": issued.qr_version});
            writeln!(index, "{line}").map_err(|source| IssueError::Io {
                path: out.join("index.jsonl"),
                source,
            })?;
            summary.issued += 1;
        }
        Ok(())
    }
}

/// Parses a new certificate's record from JSON text, as the API and the commands take it: like
/// [`Record::from_json_str`], except that a missing (or `null`) `issued` is `today`, the only
/// issue date the issuer signs ([`OfficeKey::check`]).
pub fn record_from_json(text: &str, today: Date) -> Result<Record, RecordError> {
    /// Just enough to see whether `issued` is there; everything else is skipped unread.
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        issued: Option<serde::de::IgnoredAny>,
    }
    if text.len() > sonod_seal::MAX_RECORD_JSON {
        return Err(RecordError::TooLarge);
    }
    match serde_json::from_str::<Probe>(text) {
        Ok(Probe { issued: None }) => {
            let mut value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| RecordError::Json(e.to_string()))?;
            if let Some(object) = value.as_object_mut() {
                object.insert("issued".into(), json!(format_date(today)));
            }
            Record::from_json(&value)
        }
        // Present, or not an object at all: the record's own parser says what is wrong.
        _ => Record::from_json_str(text),
    }
}

/// Refuses, before a serial is spent, a record that cannot be sealed or whose QR text would
/// not fit a QR code at `ec`. The largest serial gives the longest payload, so a record that
/// passes fits whatever serial it gets.
pub fn check_fits(
    record: &Record,
    key: &SecretKey,
    host: Option<&Host>,
    ec: EcLevel,
) -> Result<(), IssueError> {
    let sealed = sonod_seal::Sealed::seal(&sonod_seal::Certificate::new(u64::MAX, record), key)?;
    let text = sealed.to_qr_text(host);
    qrcode::bits::encode_auto(text.as_bytes(), ec)
        .map_err(|e| QrImageError::TooLong(e.to_string()))?;
    Ok(())
}

/// The outcome of a bulk run.
#[derive(Debug, Default)]
pub struct BulkSummary {
    /// Certificates issued.
    pub issued: usize,
    /// Lines refused, with the reason.
    pub failed: Vec<(usize, String)>,
}

fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf, IssueError> {
    fs::write(path, bytes).map_err(|source| IssueError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(path.to_owned())
}

pub(crate) enum LineError {
    TooLong,
    NotUtf8,
    Io(std::io::Error),
}

/// Lines of at most [`MAX_BULK_LINE`] bytes; a longer line is skipped whole, never buffered.
pub(crate) fn limited_lines<R: BufRead>(
    input: R,
) -> impl Iterator<Item = Result<String, LineError>> {
    LimitedLines::new(input)
}

struct LimitedLines<R> {
    input: R,
}

impl<R: BufRead> LimitedLines<R> {
    fn new(input: R) -> Self {
        LimitedLines { input }
    }
}

impl<R: BufRead> Iterator for LimitedLines<R> {
    type Item = Result<String, LineError>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        let mut too_long = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(LineError::Io(e))),
            };
            if chunk.is_empty() {
                if buf.is_empty() && !too_long {
                    return None;
                }
                break;
            }
            let (take, end) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if buf.len() + take > MAX_BULK_LINE {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take + usize::from(end));
            if end {
                break;
            }
        }
        if too_long {
            return Some(Err(LineError::TooLong));
        }
        Some(String::from_utf8(buf).map_err(|_| LineError::NotUtf8))
    }
}
