//! Where verdicts come from: a trust list file (signature only), the offline snapshot, or a
//! verifier online; and what each adds to the report (the snapshot's age, the verifier).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use sonod_judge::{now_unix_ms, Judge, NoFeed, Unchecked, Verdict, VerdictKind};
use sonod_keys::{today_dhaka, TrustList};
use sonod_seal::bangla_digits;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::anchor::{default_state_dir, pinned_root, TrustFloor};
use crate::messages::{both, both_with, pair_with};
use crate::online::OnlineVerifier;
use crate::report::{human_report, json_report};
use crate::snapshot::{Snapshot, SnapshotAge};

/// How the verdicts are reached, with what to say before the first one.
#[derive(Debug)]
pub struct Checker {
    how: How,
    warnings: Vec<String>,
}

/// Where the verdicts come from.
#[derive(Debug)]
enum How {
    /// A trust list file: signature, trust list and dates only.
    TrustFile(Judge),
    /// The offline snapshot from `sonod-scan sync`.
    Snapshot {
        /// The judge over the snapshot's trust list.
        judge: Judge,
        /// The snapshot (the [`sonod_judge::FeedStatus`]).
        snapshot: Box<Snapshot>,
        /// Older than this (seconds), the snapshot cannot vouch for a certificate: a valid
        /// verdict reads unconfirmed.
        max_age: i64,
    },
    /// A verifier's API.
    Online(OnlineVerifier),
}

/// What the command line asks for.
#[derive(Debug, Clone, Default)]
pub struct CheckerArgs {
    /// `--trust`.
    pub trust: Option<PathBuf>,
    /// `--root`.
    pub root: Option<PathBuf>,
    /// `--store`.
    pub store: Option<PathBuf>,
    /// `--max-age`.
    pub max_age: Option<Duration>,
    /// `--verifier`.
    pub verifier: Option<String>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// Where the highest trust-list sequence seen is kept (default:
    /// [`default_state_dir`](crate::default_state_dir)).
    pub state: Option<PathBuf>,
}

/// One verdict and where it came from.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The verdict.
    pub verdict: Verdict,
    /// What the source adds.
    pub source: Source,
}

/// What the verdict's source adds to the report.
#[derive(Debug, Clone)]
pub enum Source {
    /// Nothing (a trust list file).
    TrustFile,
    /// The snapshot's age for this verdict, and the `--max-age` limit (seconds).
    Snapshot(SnapshotAge, i64),
    /// The verifier that judged it.
    Online {
        /// Its base URL.
        url: String,
        /// When it checked.
        checked_at: Option<String>,
        /// Its replica's freshness for the office.
        freshness: Option<Json>,
    },
}

/// The default `--max-age`: a week.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

fn read_limited(path: &Path, max: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            crate::messages::both_args(
                "check-cannot-open",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string())
                ]
            )
        )
    })?;
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf)?;
    anyhow::ensure!(
        buf.len() as u64 <= max,
        "{} is larger than {max} bytes",
        path.display()
    );
    Ok(buf)
}

impl Checker {
    /// Builds the checker the arguments ask for: `--verifier` online, `--trust` from a file,
    /// otherwise the snapshot in `--store` (or the default store). Offline, the trust list
    /// must verify with the pinned root key ([`crate::pinned_root`]) and be no older than one
    /// this machine has seen ([`TrustFloor`]).
    pub fn from_args(a: &CheckerArgs) -> anyhow::Result<Checker> {
        use anyhow::Context as _;
        if let Some(url) = &a.verifier {
            let timeout = a.timeout.unwrap_or(Duration::from_secs(30));
            return Ok(Checker {
                how: How::Online(OnlineVerifier::new(url, timeout)?),
                warnings: Vec::new(),
            });
        }
        let root = pinned_root(a.root.as_deref()).map(|r| r.key);
        let floor = TrustFloor::new(a.state.clone().unwrap_or_else(default_state_dir));
        let mut warnings = Vec::new();
        if let Some(trust) = &a.trust {
            let root = root?;
            let bytes = read_limited(trust, 1 << 20)
                .with_context(|| format!("trust list {}", trust.display()))?;
            let list = TrustList::load(&bytes, &root, today_dhaka())
                .with_context(|| format!("trust list {}", trust.display()))?;
            warnings.extend(floor.admit(&list)?);
            return Ok(Checker {
                how: How::TrustFile(Judge::new(list)),
                warnings,
            });
        }
        let dir = a
            .store
            .clone()
            .unwrap_or_else(crate::snapshot::default_store);
        // No snapshot at all says how to make one, before anything about keys.
        if crate::snapshot::read_manifest(&dir)?.is_none() {
            return Err(crate::snapshot::SnapshotError::Missing(dir).into());
        }
        let snapshot = Snapshot::load(&dir, &root?, today_dhaka())?;
        warnings.extend(floor.admit(snapshot.trust_list())?);
        let max_age = a.max_age.unwrap_or(DEFAULT_MAX_AGE).as_secs();
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        let age = snapshot.age(None, now(), max_age);
        if age.stale {
            warnings.push(stale_line(&age, max_age).trim().to_owned());
        }
        Ok(Checker {
            how: How::Snapshot {
                judge: Judge::new(snapshot.trust_list().clone()),
                snapshot: Box::new(snapshot),
                max_age,
            },
            warnings,
        })
    }

    /// Lines for standard error before any verdict (a stale snapshot, a state that could not
    /// be written).
    pub fn notices(&self) -> &[String] {
        &self.warnings
    }

    /// Judges one QR text as of `today`.
    pub fn check(&self, text: &str, today: Date) -> anyhow::Result<Checked> {
        match &self.how {
            How::TrustFile(judge) => Ok(Checked {
                verdict: judge.judge(text, today, &NoFeed),
                source: Source::TrustFile,
            }),
            How::Snapshot {
                judge,
                snapshot,
                max_age,
            } => {
                let mut verdict = judge.judge(text, today, &**snapshot);
                if let Some(damage) = snapshot.take_damage() {
                    return Err(crate::snapshot::SnapshotError::Damaged(damage).into());
                }
                // A genuine signature the feed does not hold yet: remembered, so that the
                // next sync that still lacks it settles it as never issued.
                if let Some(Unchecked::NotYetPublished { .. }) = verdict.unchecked {
                    if let Ok(qr) = sonod_seal::parse_qr_text(text) {
                        snapshot
                            .remember_sighting(&Sha256::digest(&qr.bytes).into(), now_unix_ms());
                    }
                }
                let office = verdict.office.as_ref().map(|o| o.code.as_str());
                let age = snapshot.age(office, now(), *max_age);
                if age.stale && verdict.kind == VerdictKind::Valid {
                    verdict.unconfirm(Unchecked::Stale {
                        as_of: age.as_of.unwrap_or(0),
                    });
                }
                Ok(Checked {
                    verdict,
                    source: Source::Snapshot(age, *max_age),
                })
            }
            How::Online(v) => {
                let a = v.verify(text)?;
                Ok(Checked {
                    verdict: a.verdict,
                    source: Source::Online {
                        url: v.url().to_owned(),
                        checked_at: a.checked_at,
                        freshness: a.freshness,
                    },
                })
            }
        }
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn dhaka_time(t: i64) -> String {
    sonod_keys::dhaka_time_of(t)
        .map(|t| {
            format!(
                "{} {:02}:{:02}",
                sonod_seal::bangla_date(t.date()),
                t.hour(),
                t.minute()
            )
        })
        .map(|s| bangla_digits(&s))
        .unwrap_or_default()
}

/// `3 দিন 4 ঘণ্টা` and `3 d 4 h` (under a minute: seconds).
fn duration_text(secs: i64) -> (String, String) {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let n = |x: i64| (bangla_digits(&x.to_string()), x.to_string());
    let ((dbn, den), (hbn, hen), (mbn, men)) = (n(d), n(h), n(m));
    if d > 0 {
        pair_with(
            "duration-days-hours",
            &[("d", &dbn, &den), ("h", &hbn, &hen)],
        )
    } else if h > 0 {
        pair_with(
            "duration-hours-minutes",
            &[("h", &hbn, &hen), ("m", &mbn, &men)],
        )
    } else if m > 0 {
        pair_with("duration-minutes", &[("m", &mbn, &men)])
    } else {
        let (sbn, sen) = n(secs.max(0));
        pair_with("duration-seconds", &[("s", &sbn, &sen)])
    }
}

fn stale_line(age: &SnapshotAge, max_age: i64) -> String {
    let (mbn, men) = duration_text(max_age);
    match age.age_seconds {
        Some(secs) => {
            let (abn, aen) = duration_text(secs);
            let line = both_with("stale-age", &[("age", &abn, &aen), ("limit", &mbn, &men)]);
            format!("  ⚠ {line}\n")
        }
        None => format!("  ⚠ {}\n", both("stale-unknown")),
    }
}

/// The verdict for `input` as lines for a person, with what its source adds.
pub fn checked_human(input: &str, c: &Checked) -> String {
    let mut s = human_report(input, &c.verdict);
    match &c.source {
        Source::TrustFile => {}
        Source::Snapshot(age, max_age) => {
            if let (Some(as_of), Some(secs)) = (age.as_of, age.age_seconds) {
                let (bn, en) = duration_text(secs);
                let (time_bn, time_en) = (dhaka_time(as_of), rfc3339(as_of));
                s.push_str(&format!(
                    "  {}: {}\n",
                    both("snapshot-label"),
                    both_with(
                        "snapshot-as-of",
                        &[("time", &time_bn, &time_en), ("age", &bn, &en)]
                    )
                ));
            }
            if !age.office_covered && c.verdict.office.is_some() {
                s.push_str(&format!("  ⚠ {}\n", both("office-not-in-snapshot")));
            }
            if age.stale {
                s.push_str(&stale_line(age, *max_age));
            }
        }
        Source::Online { url, freshness, .. } => {
            s.push_str(&format!("  {}: {url}", both("verifier-label")));
            if let Some(secs) = freshness
                .as_ref()
                .and_then(|f| f["feed_age_seconds"].as_i64())
            {
                let (bn, en) = duration_text(secs);
                s.push_str(&format!(
                    " · {}",
                    both_with("feed-age", &[("age", &bn, &en)])
                ));
            }
            s.push('\n');
        }
    }
    s
}

/// The verdict for `input` as one JSON object, with what its source adds.
pub fn checked_json(input: &str, c: &Checked) -> Json {
    let mut j = json_report(input, &c.verdict);
    match &c.source {
        Source::TrustFile => {}
        Source::Snapshot(age, max_age) => {
            j["snapshot"] = json!({
                "synced_at": rfc3339(age.synced_at),
                "as_of": age.as_of.map(rfc3339),
                "age_seconds": age.age_seconds,
                "max_age_seconds": max_age,
                "stale": age.stale,
                "office_covered": age.office_covered,
            });
        }
        Source::Online {
            url,
            checked_at,
            freshness,
        } => {
            j["verifier"] = json!({
                "url": url,
                "checked_at": checked_at,
                "freshness": freshness,
            });
        }
    }
    j
}

/// Parses `--max-age`: the one duration grammar ([`sonod_keys::parse_duration`]: seconds, or
/// numbers with `ms`, `s`, `m`, `h` or `d`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    sonod_keys::parse_duration(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("36h").unwrap(), Duration::from_secs(129_600));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("7w").is_err() && parse_duration("d").is_err());
        assert_eq!(
            duration_text(2 * 86_400 + 3 * 3600),
            ("২ দিন ৩ ঘণ্টা".to_owned(), "2 d 3 h".to_owned())
        );
        assert_eq!(duration_text(125).1, "2 min");
        assert_eq!(duration_text(2), ("২ সেকেন্ড".to_owned(), "2 s".to_owned()));
    }
}
