//! The development default: messages "sent" by appending them to a file in the data
//! directory (JSON lines), which the `/dev/sms` page shows, so a person trying Sonod sees the
//! SMS the citizen would get.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Message, Outcome};

/// The file's name in the data directory.
pub const FILE_NAME: &str = "sms-dev.jsonl";
/// The most of the file's end the page reads.
const TAIL_BYTES: u64 = 256 * 1024;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevSms {
    /// The outbox id.
    pub id: u64,
    /// When it was "sent" (Unix seconds).
    pub at: i64,
    /// The number.
    pub to: String,
    /// The text.
    pub text: String,
    /// What caused it.
    pub kind: String,
}

/// The file.
#[derive(Debug, Clone)]
pub struct DevFile {
    path: PathBuf,
}

impl DevFile {
    /// The file in data directory `dir`.
    pub fn in_dir(dir: &Path) -> DevFile {
        DevFile {
            path: dir.join(FILE_NAME),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one message and syncs the file.
    pub fn send(&self, m: &Message) -> Outcome {
        let line = DevSms {
            id: m.id,
            at: crate::now(),
            to: m.to.clone(),
            text: m.text.clone(),
            kind: m.kind.clone(),
        };
        let written = (|| -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            let mut bytes = serde_json::to_vec(&line).map_err(std::io::Error::other)?;
            bytes.push(b'\n');
            f.write_all(&bytes)?;
            f.sync_data()
        })();
        match written {
            Ok(()) => Outcome::Sent(Some(format!("dev-{}", m.id))),
            Err(e) => Outcome::Retry(format!("dev file: {}", e.kind())),
        }
    }

    /// The last `limit` messages, newest first (none when there is no file yet).
    pub fn recent(&self, limit: usize) -> std::io::Result<Vec<DevSms>> {
        let mut f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let len = f.metadata()?.len();
        let start = len.saturating_sub(TAIL_BYTES);
        f.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        f.take(TAIL_BYTES).read_to_end(&mut bytes)?;
        // The tail may start inside a character: that first line is dropped below.
        let text = String::from_utf8_lossy(&bytes);
        let mut lines: Vec<&str> = text.lines().collect();
        if start > 0 && !lines.is_empty() {
            lines.remove(0);
        }
        Ok(lines
            .iter()
            .rev()
            .filter_map(|l| serde_json::from_str(l).ok())
            .take(limit)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::SmsState;

    #[test]
    fn messages_are_appended_and_read_back_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let f = DevFile::in_dir(dir.path());
        assert!(f.recent(10).unwrap().is_empty());
        for id in 1..=3 {
            let m = Message {
                id,
                to: "+8801712345678".into(),
                text: format!("সনদ নং {id}"),
                kind: "issued".into(),
                state: SmsState::Queued,
                attempts: 0,
                next_at: 0,
                created: 0,
                gateway_ref: None,
                last_error: None,
            };
            assert_eq!(f.send(&m), Outcome::Sent(Some(format!("dev-{id}"))));
        }
        let got = f.recent(2).unwrap();
        assert_eq!(got.iter().map(|m| m.id).collect::<Vec<_>>(), vec![3, 2]);
        assert_eq!(got[0].text, "সনদ নং 3");
    }
}
