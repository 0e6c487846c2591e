//! The forgery suite (issue #12): every kind of forgery, made here with `sonod_seal` and
//! `sonod_keys` as an attacker would, judged by every party that judges certificates — the
//! library (`Judge` without a feed and over a feed replica), the verifier's API (single and
//! batch), its `/V/` page, and `sonod-scan` online, offline from a synced snapshot and offline
//! with a trust list only — against a real issuer and a real verifier on 127.0.0.1, port 0.
//!
//! It prints a table kind × party → verdict (`cargo test -p sonod-e2e --test forgery --
//! --nocapture`), writes it to `target/forgery-table.md`, and fails when any cell differs
//! from the intended verdict or when any forgery reads as valid anywhere. "Reads as valid"
//! means what a hurried clerk or an integrator would take for valid: the verdict `valid` with
//! the plain "Genuine and valid" headline (a look-alike link's verdict keeps the kind `valid`
//! for a genuine certificate but must carry the warning headline instead; a page must not be
//! green). It also measures how long a stolen key's forgery can read as valid, and how long
//! until it reads `not_issued`.
//!
//! The table is filled in completely before anything is asserted, so a failing run still
//! shows every cell (a cell that is not as intended is marked ✗).

#[path = "../../verifier/tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use coset::{iana, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use serde_json::{json, Value as Json};
use sonod_issuer::server::{AppState as IssuerState, OfficeInfo, ServeConfig};
use sonod_issuer::Store;
use sonod_keys::{
    today_dhaka, write_public_key, write_secret_key, Environment, KeyStatus, SecretKey, TrustEntry,
    TrustList, TrustListDraft,
};
use sonod_seal::feed::RevocationReason;
use sonod_seal::{parse_qr_text, qr_text, Certificate, Host, Record, Sealed};
use sonod_verifier::server::{AppState as VerifierState, Config};
use sonod_verifier::{
    FeedStatus, Judge, NoFeed, Reading, TrustSource, Verdict, VerdictKind, LOOK_ALIKE_HEADLINE,
};
use tempfile::TempDir;
use time::{Date, Duration as Days};
use tokio::sync::oneshot;

/// The office whose issuer runs here (and whose key is stolen).
const OFFICE: &str = "100524";
/// An office whose feed (a stand-in issuer) holds certificates from the past and the future.
const ARCHIVE_OFFICE: &str = "200101";
/// The verifier host the development trust list names, printed in genuine QR codes.
const DEV_HOST: &str = "LOCALHOST:8081";
/// A host the trust list does not name.
const LOOK_ALIKE_HOST: &str = "VERIFY-SONOD.EXAMPLE";
/// How often the verifier pulls the feeds on its own.
const SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// The plain headline, in English, that must never be shown for a forgery.
const GENUINE_AND_VALID: &str = "Genuine and valid";
/// The verdicts that stop a payload before or at its signature.
const REFUSED_UNSIGNED: &[&str] = &[
    "malformed",
    "unsupported_version",
    "untrusted_issuer",
    "bad_signature",
];
/// The label of a `valid` verdict that carries the look-alike headline.
const VALID_LOOK_ALIKE: &str = "valid (look-alike headline)";

/// The Ed25519 group order L, little-endian: S + L is the same signature, not canonical.
const ORDER_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

// ---------------------------------------------------------------------------------------------
// Parties and kinds

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Party {
    LibNoFeed,
    LibReplica,
    Api,
    Batch,
    Page,
    ScanOnline,
    ScanSnapshot,
    ScanTrust,
}

impl Party {
    const ALL: [Party; 8] = [
        Party::LibNoFeed,
        Party::LibReplica,
        Party::Api,
        Party::Batch,
        Party::Page,
        Party::ScanOnline,
        Party::ScanSnapshot,
        Party::ScanTrust,
    ];

    fn name(self) -> &'static str {
        match self {
            Party::LibNoFeed => "library, NoFeed",
            Party::LibReplica => "library, replica",
            Party::Api => "API verify",
            Party::Batch => "API batch",
            Party::Page => "/V/ page",
            Party::ScanOnline => "scan --verifier",
            Party::ScanSnapshot => "scan, snapshot",
            Party::ScanTrust => "scan --trust",
        }
    }

    /// Whether the party knows the office's feed (issuance and revocation).
    fn has_feed(self) -> bool {
        !matches!(self, Party::LibNoFeed | Party::ScanTrust)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Genuine,
    SelfMade,
    Altered,
    AlgSwap,
    KidSwap,
    KidResigned,
    Malleable,
    StolenToday,
    StolenReusedSerial,
    StolenPast,
    Revoked,
    Expired,
    NotYetValid,
    CompromisedKey,
    RetiredKey,
    LookAlike,
}

impl Kind {
    const ALL: [Kind; 16] = [
        Kind::Genuine,
        Kind::SelfMade,
        Kind::Altered,
        Kind::AlgSwap,
        Kind::KidSwap,
        Kind::KidResigned,
        Kind::Malleable,
        Kind::StolenToday,
        Kind::StolenReusedSerial,
        Kind::StolenPast,
        Kind::Revoked,
        Kind::Expired,
        Kind::NotYetValid,
        Kind::CompromisedKey,
        Kind::RetiredKey,
        Kind::LookAlike,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Genuine => "genuine, issued moments before (control)",
            Kind::SelfMade => "self-made QR (forger's own key)",
            Kind::Altered => "altered payload (byte changes, truncations)",
            Kind::AlgSwap => "algorithm swap in the protected header",
            Kind::KidSwap => "key-id swap to another trusted key",
            Kind::KidResigned => "office key id, signed by the forger",
            Kind::Malleable => "malleable signature (S + L)",
            Kind::StolenToday => "stolen office key, dated today, fresh serial",
            Kind::StolenReusedSerial => "stolen office key, dated today, serial in the feed",
            Kind::StolenPast => "stolen office key, dated 10 days ago",
            Kind::Revoked => "revoked genuine",
            Kind::Expired => "expired genuine (in its office's feed)",
            Kind::NotYetValid => "not yet valid (in its office's feed, dated tomorrow)",
            Kind::CompromisedKey => "key marked compromised in a newly signed trust list",
            Kind::RetiredKey => "retired key signing after its retirement",
            Kind::LookAlike => "genuine, QR link to a look-alike host",
        }
    }

    fn forgery(self) -> bool {
        self != Kind::Genuine
    }

    /// The verdicts intended for this kind at `party` (any of them).
    fn expected(self, party: Party) -> &'static [&'static str] {
        match self {
            Kind::Genuine | Kind::LookAlike if !party.has_feed() => &["unconfirmed"],
            Kind::Genuine => &["valid"],
            Kind::LookAlike => &[VALID_LOOK_ALIKE],
            Kind::SelfMade | Kind::RetiredKey => &["untrusted_issuer"],
            Kind::Altered => REFUSED_UNSIGNED,
            Kind::AlgSwap => &["unsupported_version"],
            Kind::KidSwap | Kind::KidResigned | Kind::Malleable => &["bad_signature"],
            Kind::StolenToday | Kind::StolenReusedSerial | Kind::StolenPast | Kind::Revoked
                if !party.has_feed() =>
            {
                &["unconfirmed"]
            }
            Kind::Revoked => &["revoked"],
            // A fresh snapshot cannot know a certificate made after it; the verifier fetches
            // the feed when it meets an unknown one.
            Kind::StolenToday | Kind::StolenReusedSerial if party == Party::ScanSnapshot => {
                &["unconfirmed"]
            }
            Kind::StolenToday | Kind::StolenReusedSerial | Kind::StolenPast => &["not_issued"],
            Kind::Expired => &["expired"],
            Kind::NotYetValid => &["not_yet_valid"],
            Kind::CompromisedKey => &["key_compromised"],
        }
    }
}

/// One payload as a party is given it.
#[derive(Debug, Clone)]
struct Payload {
    kind: Kind,
    /// The QR text: an `HTTPS://HOST/V/…` URL or the bare Base32.
    text: String,
    /// When it was made (for the stolen key's window).
    made: Instant,
}

/// What a party answered for one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    /// The verdict, or [`VALID_LOOK_ALIKE`], or what went wrong in angle brackets.
    label: String,
    /// A clerk or an integrator would take it for valid.
    reads_valid: bool,
    /// The library over a replica looks twice: at first sight, then after a sync; this is
    /// the first look when it differed.
    first: Option<String>,
}

/// The label and whether it reads as valid, from a verdict's name and English headline.
fn label_of(verdict: &str, headline_en: &str) -> Seen {
    let label = if verdict == "valid" && headline_en == LOOK_ALIKE_HEADLINE.1 {
        VALID_LOOK_ALIKE.to_owned()
    } else {
        verdict.to_owned()
    };
    Seen {
        reads_valid: verdict == "valid" && headline_en != LOOK_ALIKE_HEADLINE.1,
        label,
        first: None,
    }
}

fn seen_verdict(v: &Verdict) -> Seen {
    label_of(v.kind.as_str(), v.headline().1)
}

fn seen_json(j: &Json) -> Seen {
    match j["verdict"].as_str() {
        Some(v) => {
            let mut s = label_of(v, j["headline_en"].as_str().unwrap_or(""));
            // `valid` must be the verdict's own word: never true for anything else.
            if j["valid"].as_bool() != Some(v == "valid") {
                s.label = format!("<{v} with valid={}>", j["valid"]);
                s.reads_valid = j["valid"] == true;
            }
            s
        }
        None => Seen {
            label: format!("<{}>", j["error"].as_str().unwrap_or("no verdict")),
            reads_valid: false,
            first: None,
        },
    }
}

/// The headline of a `/V/` page: the state's CSS class and the English headline.
fn page_headline(html: &str) -> Option<(String, String)> {
    let at = html.find("<section class=\"state ")?;
    let rest = &html[at + "<section class=\"state ".len()..];
    let class = rest[..rest.find('"')?].to_owned();
    let h1 = &rest[rest.find("<h1>")? + 4..];
    let h1 = &h1[..h1.find("</h1>")?];
    let en = match h1.find("lang=\"en\">") {
        Some(i) => {
            let e = &h1[i + "lang=\"en\">".len()..];
            &e[..e.find("</span>").unwrap_or(e.len())]
        }
        None => h1,
    };
    Some((class, en.replace("&amp;", "&")))
}

fn seen_page(html: &str) -> Seen {
    let Some((class, en)) = page_headline(html) else {
        return Seen {
            label: "<no headline>".into(),
            reads_valid: false,
            first: None,
        };
    };
    let kind = VerdictKind::ALL.into_iter().find(|k| k.headline().1 == en);
    let mut s = match kind {
        Some(k) => label_of(k.as_str(), &en),
        None if en == LOOK_ALIKE_HEADLINE.1 => label_of("valid", &en),
        None => Seen {
            label: format!("<headline {en:?}>"),
            reads_valid: false,
            first: None,
        },
    };
    // Green is green, whatever the words.
    if class.split_whitespace().any(|c| c == "ok") {
        s.reads_valid = true;
        if s.label != "valid" {
            s.label = format!("{} <green>", s.label);
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The world: keys, a trust list, a real issuer, an archive feed, a real verifier

struct Keys {
    root: SecretKey,
    /// The office key the issuer signs with; the forger steals it.
    office: SecretKey,
    /// Another key of the office, marked compromised in the newly signed list.
    compromised: SecretKey,
    /// A key of the office retired by a rotation 30 days ago.
    retired: SecretKey,
    /// The retired key's successor.
    successor: SecretKey,
    /// The archive office's key.
    archive: SecretKey,
    /// The forger's own key, in no list.
    stranger: SecretKey,
}

struct World {
    dir: TempDir,
    keys: Keys,
    today: Date,
    _rt: tokio::runtime::Runtime,
    issuer: IssuerState,
    archive: common::FakeIssuer,
    verifier: VerifierState,
    verifier_url: String,
    judge: Judge,
    stops: Vec<oneshot::Sender<()>>,
    next_serial: std::cell::Cell<u64>,
    /// Events the office's feed holds so far.
    events: std::cell::Cell<u64>,
    /// Issued, never revoked: the base of the altered payloads and of the reused serial.
    base: Issued,
    revoked: Issued,
    look_alike: Issued,
    /// Issued before the snapshot was synced.
    snapshot_genuine: Issued,
    expired: Vec<u8>,
    not_yet_valid: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Issued {
    serial: u64,
    sealed: Vec<u8>,
}

impl Drop for World {
    fn drop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
    }
}

fn copy(k: &SecretKey) -> SecretKey {
    SecretKey::from_signing_key(k.signing_key().clone())
}

/// A citizenship record of `office`.
fn record(office: &str, issued: Date, expires: Option<Date>, ward: u32) -> Record {
    let mut j = json!({
        "type": "citizenship",
        "office": office,
        "issued": issued.to_string(),
        "fields": {
            "name": "মোহাম্মদ আব্দুল করিম",
            "father": "মোহাম্মদ আব্দুর রহমান",
            "mother": "মোসাম্মৎ রোকেয়া বেগম",
            "nid": "19901234567890123",
            "ward": ward
        }
    });
    if let Some(e) = expires {
        j["expires"] = e.to_string().into();
    }
    Record::from_json(&j).expect("record")
}

fn seal(key: &SecretKey, serial: u64, record: &Record) -> Vec<u8> {
    Sealed::seal(&Certificate::new(serial, record), key)
        .expect("seal")
        .into_bytes()
}

fn dev_host() -> Host {
    DEV_HOST.parse().expect("host")
}

/// Retires `old` by rotating to `successor` on `on`: the successor signs from that day, and
/// the old key's retirement carries that date.
fn retire(draft: &mut TrustListDraft, old: &SecretKey, successor: &SecretKey, on: Date) {
    draft
        .rotate(
            old.key_id(),
            successor.verifying_key(),
            on,
            on + Days::days(730),
            on,
        )
        .expect("rotate");
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let today = today_dhaka();
        let keys = Keys {
            root: SecretKey::generate(),
            office: SecretKey::generate(),
            compromised: SecretKey::generate(),
            retired: SecretKey::generate(),
            successor: SecretKey::generate(),
            archive: SecretKey::generate(),
            stranger: SecretKey::generate(),
        };
        let entry = |k: &SecretKey, office: &str| {
            TrustEntry::new(
                k.verifying_key(),
                office.parse().unwrap(),
                "সাভার পৌরসভা (উন্নয়ন)",
                "Savar Paurashava (development)",
                today - Days::days(500),
                today + Days::days(730),
                vec![DEV_HOST.to_owned(), "LOCALHOST:8080".to_owned()],
            )
        };
        // Sequence 1: every key active. Sequence 2, the list in use: one key marked
        // compromised, one retired by a rotation 30 days ago.
        let mut draft = TrustListDraft::new(today + Days::days(365), Environment::Development);
        for k in [&keys.office, &keys.compromised, &keys.retired] {
            draft.add_key(entry(k, OFFICE)).expect("add");
        }
        draft
            .add_key(entry(&keys.archive, ARCHIVE_OFFICE))
            .expect("add");
        draft.sign_on(&keys.root, None, today).expect("sign");
        draft
            .set_status(keys.compromised.key_id(), KeyStatus::Compromised)
            .expect("compromise");
        retire(
            &mut draft,
            &keys.retired,
            &keys.successor,
            today - Days::days(30),
        );
        draft.sign_on(&keys.root, None, today).expect("sign");
        assert_eq!(draft.sequence(), 2);
        let trust_path = dir.path().join("trust.json");
        draft.write(&trust_path).expect("write trust list");
        write_public_key(dir.path().join("root.pub.pem"), &keys.root.verifying_key())
            .expect("root");
        let key_path = dir.path().join("office.key.pem");
        write_secret_key(&key_path, &keys.office, None).expect("office key");
        let list = TrustList::load(
            &std::fs::read(&trust_path).expect("read"),
            &keys.root.verifying_key(),
            today,
        )
        .expect("trust list");
        let judge = Judge::new(list);

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut stops = Vec::new();
        let issuer = IssuerState::new(
            ServeConfig {
                office: OfficeInfo {
                    code: OFFICE.parse().unwrap(),
                    name_bn: "সাভার পৌরসভা (উন্নয়ন)".into(),
                    name_en: "Savar Paurashava (development)".into(),
                },
                key_path,
                trust_path: trust_path.clone(),
                root_path: dir.path().join("root.pub.pem"),
                verifier_host: Some(dev_host()),
                request_timeout: Duration::from_secs(10),
                development: true,
                wording_dir: None,
            },
            Store::open(&dir.path().join("issuer")).expect("store"),
        )
        .expect("issuer");
        let issuer_url = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let url = format!("http://{}", l.local_addr().expect("addr"));
            let (tx, rx) = oneshot::channel::<()>();
            stops.push(tx);
            let st = issuer.clone();
            tokio::spawn(async move {
                let _ = sonod_issuer::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
            url
        });

        // The archive office: a feed holding a certificate issued 400 days ago that expired 35
        // days ago, and one dated tomorrow.
        let mut archive = common::FakeIssuer::new(copy(&keys.archive));
        archive.office = ARCHIVE_OFFICE.into();
        *archive.page_cap.lock().expect("lock") = 100;
        let expired = Sealed::seal(
            &Certificate::new(
                1,
                &record(
                    ARCHIVE_OFFICE,
                    today - Days::days(400),
                    Some(today - Days::days(35)),
                    1,
                ),
            ),
            &keys.archive,
        )
        .expect("seal");
        let not_yet_valid = Sealed::seal(
            &Certificate::new(2, &record(ARCHIVE_OFFICE, today + Days::days(1), None, 2)),
            &keys.archive,
        )
        .expect("seal");
        archive.issue(1, &expired);
        archive.issue(2, &not_yet_valid);
        let archive_url = rt.block_on(archive.start());

        let mut c = Config::new(
            dir.path().join("verifier"),
            TrustSource::File(trust_path),
            keys.root.verifying_key(),
        );
        c.issuers = vec![issuer_url, archive_url];
        c.sync_interval = SYNC_INTERVAL;
        c.rate_limit_per_minute = 0;
        let (verifier, verifier_url) = rt.block_on(async {
            let state = VerifierState::new(c).await.expect("verifier");
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let url = format!("http://{}", l.local_addr().expect("addr"));
            let (tx, rx) = oneshot::channel::<()>();
            stops.push(tx);
            let st = state.clone();
            tokio::spawn(async move {
                let _ = sonod_verifier::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
            (state, url)
        });
        let placeholder = Issued {
            serial: 0,
            sealed: Vec::new(),
        };
        let mut w = World {
            dir,
            keys,
            today,
            _rt: rt,
            issuer,
            archive,
            verifier,
            verifier_url,
            judge,
            stops,
            next_serial: std::cell::Cell::new(1_000_000),
            events: std::cell::Cell::new(0),
            base: placeholder.clone(),
            revoked: placeholder.clone(),
            look_alike: placeholder.clone(),
            snapshot_genuine: placeholder,
            expired: expired.into_bytes(),
            not_yet_valid: not_yet_valid.into_bytes(),
        };
        w.base = w.issue();
        w.revoked = w.issue();
        w.look_alike = w.issue();
        w.snapshot_genuine = w.issue();
        let ledger = w.issuer.ledger();
        ledger
            .revoke(
                w.revoked.serial,
                RevocationReason::Fraud,
                "",
                "forgery suite",
            )
            .expect("revoke");
        ledger.store().commit().expect("commit");
        w.events.set(w.events.get() + 1);
        w.wait_for_verifier();
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Issues a certificate dated today through the issuer's ledger (durable before it
    /// returns, as the issuer answers).
    fn issue(&self) -> Issued {
        let ledger = self.issuer.ledger();
        let out = ledger
            .issue(
                &record(OFFICE, self.today, Some(self.today + Days::days(300)), 5),
                &self.issuer.key(),
                "forgery suite",
                None,
            )
            .expect("issue");
        ledger.issued_durable_blocking(&out).expect("durable");
        self.events.set(self.events.get() + 1);
        Issued {
            serial: out.certificate.serial,
            sealed: out.certificate.sealed,
        }
    }

    /// Waits until the verifier holds both feeds to their heads, their mirrored pages and
    /// status lists.
    fn wait_for_verifier(&self) {
        let r = self.verifier.replica().clone();
        let heads = [
            (OFFICE, self.events.get()),
            (
                ARCHIVE_OFFICE,
                self.archive.events.lock().expect("lock").len() as u64,
            ),
        ];
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if self.issuer.ledger().head() == self.events.get()
                && heads.iter().all(|&(o, head)| {
                    let o = o.parse().unwrap();
                    r.office(&o).is_some_and(|f| f.position == head)
                        && r.mirror_end(&o) == head
                        && r.status_list(&o).is_some_and(|(p, _)| p >= head)
                })
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let state: Vec<_> = heads
            .iter()
            .map(|&(o, _)| {
                let o = o.parse().unwrap();
                (
                    r.office(&o),
                    r.mirror_end(&o),
                    r.status_list(&o).map(|(p, _)| p),
                )
            })
            .collect();
        let feeds: Vec<_> = self.verifier.feeds().iter().map(|f| f.status()).collect();
        panic!("the verifier did not catch up with {heads:?}: {state:?}, {feeds:?}");
    }

    fn serial(&self) -> u64 {
        let s = self.next_serial.get();
        self.next_serial.set(s + 1);
        s
    }

    /// A forgery with a printed link to the official host, as a forger would print it.
    fn official(&self, kind: Kind, bytes: &[u8]) -> Payload {
        Payload {
            kind,
            text: qr_text(bytes, Some(&dev_host())),
            made: Instant::now(),
        }
    }

    fn bare(&self, kind: Kind, bytes: &[u8]) -> Payload {
        Payload {
            kind,
            text: qr_text(bytes, None),
            made: Instant::now(),
        }
    }

    /// The payloads of `kind` for `party`. Payloads the verifier could have seen before are
    /// made afresh for each party (a new serial, or other content), so that every online party
    /// meets its stolen-key forgeries for the first time.
    fn payloads(&self, kind: Kind, party: Party) -> Vec<Payload> {
        let k = &self.keys;
        let today = self.today;
        let fresh = |key: &SecretKey, issued: Date| {
            let serial = self.serial();
            seal(
                key,
                serial,
                &record(OFFICE, issued, Some(issued + Days::days(300)), 5),
            )
        };
        let base = &self.base.sealed;
        match kind {
            Kind::Genuine => {
                let g = if party == Party::ScanSnapshot {
                    self.snapshot_genuine.clone()
                } else {
                    self.issue()
                };
                vec![self.official(kind, &g.sealed)]
            }
            Kind::SelfMade => vec![self.official(kind, &fresh(&k.stranger, today))],
            Kind::Altered => {
                // All of them where they are cheap; the library over the replica gets the
                // sample: no altered payload keeps its signature (the library without a feed
                // shows it for every one), so its feed is never what decides.
                let all = matches!(party, Party::LibNoFeed | Party::Batch);
                let variants = if all {
                    altered_all(base)
                } else {
                    altered_sample(base)
                };
                variants.iter().map(|b| self.bare(kind, b)).collect()
            }
            Kind::AlgSwap => {
                let mut swapped = base.clone();
                check_layout(&swapped);
                swapped[5] = 0x26; // alg -8 (EdDSA) → -7 (ES256), signature kept
                let resigned = resign(base, iana::Algorithm::ES256, &k.office, &k.stranger);
                vec![
                    self.official(kind, &swapped),
                    self.official(kind, &resigned),
                ]
            }
            Kind::KidSwap => {
                let mut swapped = base.clone();
                check_layout(&swapped);
                swapped[8..16].copy_from_slice(k.successor.key_id().as_bytes());
                vec![self.official(kind, &swapped)]
            }
            Kind::KidResigned => {
                let resigned = resign(base, iana::Algorithm::EdDSA, &k.office, &k.stranger);
                vec![self.official(kind, &resigned)]
            }
            Kind::Malleable => {
                let mut m = base.clone();
                let n = m.len();
                add_order(&mut m[n - 32..]);
                vec![self.official(kind, &m)]
            }
            Kind::StolenToday => vec![self.official(kind, &fresh(&k.office, today))],
            Kind::StolenReusedSerial => {
                // The serial of a genuine certificate, other content (a ward per party).
                let ward = 10 + Party::ALL.iter().position(|p| *p == party).unwrap_or(0) as u32;
                let r = record(OFFICE, today, Some(today + Days::days(300)), ward);
                vec![self.official(kind, &seal(&k.office, self.base.serial, &r))]
            }
            Kind::StolenPast => {
                vec![self.official(kind, &fresh(&k.office, today - Days::days(10)))]
            }
            Kind::Revoked => vec![self.official(kind, &self.revoked.sealed)],
            Kind::Expired => vec![self.official(kind, &self.expired)],
            Kind::NotYetValid => vec![self.official(kind, &self.not_yet_valid)],
            Kind::CompromisedKey => vec![self.official(kind, &fresh(&k.compromised, today))],
            Kind::RetiredKey => vec![self.official(kind, &fresh(&k.retired, today))],
            Kind::LookAlike => {
                let host: Host = LOOK_ALIKE_HOST.parse().expect("host");
                vec![Payload {
                    kind,
                    text: qr_text(&self.look_alike.sealed, Some(&host)),
                    made: Instant::now(),
                }]
            }
        }
    }
}

/// Sealed bytes in the one canonical layout: tag, array of four, the 13-byte protected header
/// `A2 01 27 04 48 <kid>`.
fn check_layout(b: &[u8]) {
    assert_eq!(
        &b[..8],
        &[0xD2, 0x84, 0x4D, 0xA2, 0x01, 0x27, 0x04, 0x48],
        "sealed bytes not in the layout the swaps assume"
    );
}

/// The payload of `sealed`, in a new envelope with `alg` and `kid_of`'s key id, signed by
/// `signer`.
fn resign(sealed: &[u8], alg: iana::Algorithm, kid_of: &SecretKey, signer: &SecretKey) -> Vec<u8> {
    let cose = CoseSign1::from_tagged_slice(sealed).expect("cose");
    CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(alg)
                .key_id(kid_of.key_id().as_bytes().to_vec())
                .build(),
        )
        .payload(cose.payload.expect("payload"))
        .create_signature(b"", |tbs| signer.sign(tbs).to_bytes().to_vec())
        .build()
        .to_tagged_vec()
        .expect("cose")
}

/// Adds the group order to a little-endian scalar (S < L, so S + L < 2^253 fits).
fn add_order(s: &mut [u8]) {
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(ORDER_L) {
        let sum = u16::from(*b) + u16::from(l) + carry;
        *b = (sum & 0xFF) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
}

/// Every single-byte change of `good` (each position, every other value) and every
/// truncation (including the empty one).
fn altered_all(good: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(good.len() * 256);
    for i in 0..good.len() {
        for v in 0..=255u8 {
            if v != good[i] {
                let mut b = good.to_vec();
                b[i] = v;
                out.push(b);
            }
        }
    }
    for n in 0..good.len() {
        out.push(good[..n].to_vec());
    }
    out
}

/// A few dozen of [`altered_all`], spread over the whole envelope: 24 single-byte changes
/// and 12 truncations (none empty).
fn altered_sample(good: &[u8]) -> Vec<Vec<u8>> {
    let n = good.len();
    let mut out = Vec::new();
    for i in 0..24 {
        let at = i * (n - 1) / 23;
        let mut b = good.to_vec();
        b[at] ^= 1 << (i % 8);
        out.push(b);
    }
    for i in 1..=12 {
        out.push(good[..i * (n - 1) / 12].to_vec());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The parties

/// The library's verdict for a reading against `feed`, checking the signature at once.
fn judge_reading(
    judge: &Judge,
    host: Option<String>,
    reading: Arc<Reading>,
    today: Date,
    feed: &dyn FeedStatus,
) -> Verdict {
    let prepared = judge.prepare_reading(host, reading, today, feed);
    let ok = prepared
        .signature_check()
        .is_some_and(|c| c.verify_strict());
    prepared.finish(ok)
}

fn post(url: &str, body: &Json) -> Json {
    let resp = match ureq::post(url)
        .set("Content-Type", "application/json")
        .timeout(Duration::from_secs(60))
        .send_string(&body.to_string())
    {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let text = r.into_string().unwrap_or_default();
            return json!({ "error": format!("HTTP {code}: {text}") });
        }
        Err(e) => return json!({ "error": e.to_string() }),
    };
    let text = resp.into_string().expect("answer");
    serde_json::from_str(&text).expect("JSON answer")
}

fn get_page(url: &str, host: Option<&str>) -> String {
    let mut req = ureq::get(url).timeout(Duration::from_secs(60));
    if let Some(h) = host {
        req = req.set("Host", h);
    }
    match req.call() {
        Ok(r) => r.into_string().expect("page"),
        Err(ureq::Error::Status(_, r)) => r.into_string().unwrap_or_default(),
        Err(e) => panic!("page: {e}"),
    }
}

/// The scanner binary, built first if it is missing or older than the sources it is made of
/// (`cargo test --workspace` has built it; `cargo test -p sonod-e2e` alone does not).
fn scanner_binary() -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin("sonod-scan");
    let root = workspace();
    let newest_source = ["scanner-cli", "verifier", "seal", "keys", "qr"]
        .iter()
        .map(|d| newest(&root.join(d).join("src")))
        .chain([newest(&root.join("Cargo.lock"))])
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    if built.is_none_or(|b| b < newest_source) {
        let mut cmd = std::process::Command::new(env!("CARGO"));
        cmd.args([
            "build",
            "--quiet",
            "-p",
            "sonod-scan",
            "--bin",
            "sonod-scan",
        ])
        .current_dir(&root);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo build");
        assert!(status.success(), "cannot build sonod-scan");
    }
    bin
}

fn newest(path: &Path) -> SystemTime {
    let Ok(meta) = std::fs::metadata(path) else {
        return SystemTime::UNIX_EPOCH;
    };
    if meta.is_dir() {
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| newest(&e.path()))
            .max()
            .unwrap_or(SystemTime::UNIX_EPOCH)
    } else {
        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

struct Scanner {
    bin: PathBuf,
    home: PathBuf,
}

impl Scanner {
    /// `sonod-scan` with a home, data, state and configuration of its own.
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(&self.bin);
        for v in [
            "SONOD_TRUST",
            "SONOD_ROOT",
            "SONOD_SCAN_STORE",
            "SONOD_SCAN_VERIFIER",
            "SONOD_SYNC_FROM",
        ] {
            cmd.env_remove(v);
        }
        for (v, d) in [
            ("HOME", "home"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
        ] {
            cmd.env(v, self.home.join(d));
        }
        cmd.timeout(Duration::from_secs(180));
        cmd
    }
}

/// Runs `cmd`; exit status, standard output and error.
fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().expect("run sonod-scan");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "sonod-scan panicked: {stderr}"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn png(path: &Path, text: &str) {
    qrcode::QrCode::new(text.as_bytes())
        .expect("qr")
        .render::<image::Luma<u8>>()
        .module_dimensions(4, 4)
        .quiet_zone(true)
        .build()
        .save(path)
        .expect("png");
}

fn judge_no_feed(judge: &Judge, today: Date, payloads: &[Payload]) -> Vec<Seen> {
    payloads
        .iter()
        .map(|p| seen_verdict(&judge.judge(&p.text, today, &NoFeed)))
        .collect()
}

/// The verifier's batch answers, a thousand payloads a request.
fn judge_batch(verifier_url: &str, payloads: &[Payload]) -> Vec<Seen> {
    let mut out = Vec::with_capacity(payloads.len());
    for chunk in payloads.chunks(1000) {
        let texts: Vec<&str> = chunk.iter().map(|p| p.text.as_str()).collect();
        let answer = post(
            &format!("{verifier_url}/api/v1/verify/batch"),
            &json!({ "payloads": texts }),
        );
        match answer["results"].as_array() {
            Some(r) if r.len() == chunk.len() => out.extend(r.iter().map(seen_json)),
            _ => out.extend(chunk.iter().map(|_| seen_json(&answer))),
        }
    }
    out
}

/// The answers of `party` for `payloads`, in order.
fn judge_all(w: &World, s: &Scanner, party: Party, payloads: &[Payload]) -> Vec<Seen> {
    let today = w.today;
    match party {
        Party::LibNoFeed => judge_no_feed(&w.judge, today, payloads),
        Party::LibReplica => {
            // First sight, then again once the replica has synced after it.
            let replica = w.verifier.replica().clone();
            let readings: Vec<_> = payloads
                .iter()
                .map(|p| match parse_qr_text(&p.text) {
                    Ok(qr) => Some((qr.host, Arc::new(Reading::new(&qr.bytes)))),
                    Err(_) => None,
                })
                .collect();
            let look = |i: usize| match &readings[i] {
                Some((host, r)) => seen_verdict(&judge_reading(
                    &w.judge,
                    host.clone(),
                    Arc::clone(r),
                    today,
                    &*replica,
                )),
                None => seen_verdict(&w.judge.judge(&payloads[i].text, today, &NoFeed)),
            };
            let first: Vec<Seen> = (0..payloads.len()).map(look).collect();
            if first.iter().all(|s| s.label != "unconfirmed") {
                return first;
            }
            wait_for_a_sync(w);
            (0..payloads.len())
                .map(|i| {
                    let mut s = look(i);
                    if s.label != first[i].label {
                        s.first = Some(first[i].label.clone());
                    }
                    s.reads_valid |= first[i].reads_valid;
                    s
                })
                .collect()
        }
        Party::Api => payloads
            .iter()
            .map(|p| {
                seen_json(&post(
                    &format!("{}/api/v1/verify", w.verifier_url),
                    &json!({ "payload": p.text }),
                ))
            })
            .collect(),
        Party::Batch => judge_batch(&w.verifier_url, payloads),
        Party::Page => payloads
            .iter()
            .map(|p| {
                let qr = parse_qr_text(&p.text).expect("a QR text");
                let url = format!(
                    "{}/V/{}",
                    w.verifier_url,
                    data_encoding::BASE32_NOPAD.encode(&qr.bytes)
                );
                // A phone camera opens the link printed in the QR code: the request names its
                // host. A bare code is opened on this verifier's own address.
                seen_page(&get_page(&url, qr.host.as_deref()))
            })
            .collect(),
        Party::ScanOnline | Party::ScanSnapshot | Party::ScanTrust => {
            let dir = w.path(&format!("png-{party:?}"));
            std::fs::create_dir_all(&dir).expect("mkdir");
            for (i, p) in payloads.iter().enumerate() {
                png(&dir.join(format!("{i:05}.png")), &p.text);
            }
            let mut cmd = s.cmd();
            cmd.args(["--json", "--jobs", "2", "--budget-ms", "30000"]);
            match party {
                Party::ScanOnline => {
                    cmd.args(["--verifier", &w.verifier_url]);
                }
                Party::ScanSnapshot => {
                    cmd.arg("--store")
                        .arg(w.path("store"))
                        .arg("--root")
                        .arg(w.path("root.pub.pem"));
                }
                _ => {
                    cmd.arg("--trust")
                        .arg(w.path("trust.json"))
                        .arg("--root")
                        .arg(w.path("root.pub.pem"));
                }
            }
            cmd.arg(&dir);
            let (code, stdout, stderr) = run(&mut cmd);
            let mut by_index: HashMap<usize, Seen> = HashMap::new();
            for line in stdout.lines() {
                let j: Json = serde_json::from_str(line).expect("a JSON line");
                // The folder's summary, at the end.
                if j.get("summary").is_some() {
                    continue;
                }
                let index = j["input"]
                    .as_str()
                    .and_then(|i| Path::new(i).file_stem())
                    .and_then(|s| s.to_str())
                    .and_then(|s| s.parse::<usize>().ok())
                    .expect("input named");
                by_index.insert(index, seen_json(&j));
            }
            // Any forgery in the folder: not all valid.
            let exit = if code == 1 {
                None
            } else {
                Some(format!("<exit {code}: {}>", stderr.trim()))
            };
            (0..payloads.len())
                .map(|i| {
                    let mut s = by_index.remove(&i).unwrap_or(Seen {
                        label: "<unread>".into(),
                        reads_valid: false,
                        first: None,
                    });
                    if let Some(e) = &exit {
                        s.label = format!("{} {e}", s.label);
                    }
                    s
                })
                .collect()
        }
    }
}

/// Waits until the verifier's replica of the office feed has synced after everything seen so
/// far (seen through the library: a forgery first seen now reads `not_issued`).
fn wait_for_a_sync(w: &World) {
    let replica = w.verifier.replica().clone();
    let probe = seal(
        &w.keys.office,
        w.serial(),
        &record(OFFICE, w.today, None, 7),
    );
    let reading = Arc::new(Reading::new(&probe));
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        let v = judge_reading(&w.judge, None, Arc::clone(&reading), w.today, &*replica);
        if v.kind == VerdictKind::NotIssued {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the verifier's replica did not sync within 15 s");
}

// ---------------------------------------------------------------------------------------------
// The table

#[derive(Debug, Default)]
struct Cell {
    payloads: usize,
    /// Label → count, and the first looks that differed.
    labels: BTreeMap<String, usize>,
    firsts: BTreeMap<String, usize>,
    reads_valid: usize,
    wrong: usize,
}

impl Cell {
    fn text(&self) -> String {
        let mut s = String::new();
        if self.wrong > 0 {
            s.push_str("✗ ");
        }
        if !self.firsts.is_empty() {
            let f: Vec<_> = self.firsts.keys().cloned().collect();
            let _ = write!(s, "{} → ", f.join("/"));
        }
        let parts: Vec<String> = self
            .labels
            .iter()
            .map(|(l, n)| {
                if self.payloads == 1 {
                    l.clone()
                } else {
                    format!("{l} {n}")
                }
            })
            .collect();
        s.push_str(&parts.join(", "));
        s
    }
}

#[test]
fn every_forgery_fails_at_every_party() {
    let started = Instant::now();
    let w = World::new();
    let scanner = Scanner {
        bin: scanner_binary(),
        home: w.path("scanner-home"),
    };
    // The snapshot: synced from the verifier, with the root key pinned on the command line.
    let mut sync = scanner.cmd();
    sync.args(["sync", "--from", &w.verifier_url, "--json"])
        .arg("--store")
        .arg(w.path("store"))
        .arg("--root")
        .arg(w.path("root.pub.pem"));
    let (code, _, stderr) = run(&mut sync);
    assert_eq!(code, 0, "sonod-scan sync: {stderr}");

    let mut cells: BTreeMap<(Kind, Party), Cell> = BTreeMap::new();
    let mut longest_valid = Duration::ZERO;
    let mut timings = Vec::new();
    // Each party's payloads are made just before it judges them (a genuine control is issued
    // moments before). The two parties given every altered payload run side by side.
    let rounds: [&[Party]; 7] = [
        &[Party::LibNoFeed, Party::Batch],
        &[Party::LibReplica],
        &[Party::Api],
        &[Party::Page],
        &[Party::ScanOnline],
        &[Party::ScanSnapshot],
        &[Party::ScanTrust],
    ];
    for round in rounds {
        let t = Instant::now();
        let payloads: Vec<Vec<Payload>> = round
            .iter()
            .map(|&party| {
                Kind::ALL
                    .iter()
                    .flat_map(|&k| w.payloads(k, party))
                    .collect()
            })
            .collect();
        let seen: Vec<Vec<Seen>> = match round {
            [Party::LibNoFeed, Party::Batch] => std::thread::scope(|sc| {
                let url = &w.verifier_url;
                let batch = sc.spawn(|| judge_batch(url, &payloads[1]));
                let lib = judge_no_feed(&w.judge, w.today, &payloads[0]);
                vec![lib, batch.join().expect("batch")]
            }),
            _ => round
                .iter()
                .zip(&payloads)
                .map(|(&party, p)| judge_all(&w, &scanner, party, p))
                .collect(),
        };
        let judged_at = Instant::now();
        for ((&party, payloads), seen) in round.iter().zip(&payloads).zip(seen) {
            assert_eq!(seen.len(), payloads.len());
            for (p, s) in payloads.iter().zip(seen) {
                let cell = cells.entry((p.kind, party)).or_default();
                cell.payloads += 1;
                *cell.labels.entry(s.label.clone()).or_default() += 1;
                if let Some(f) = s.first {
                    *cell.firsts.entry(f).or_default() += 1;
                }
                if s.reads_valid {
                    cell.reads_valid += 1;
                    if matches!(
                        p.kind,
                        Kind::StolenToday | Kind::StolenReusedSerial | Kind::StolenPast
                    ) {
                        longest_valid = longest_valid.max(judged_at - p.made);
                    }
                }
                let expected = p.kind.expected(party);
                if !expected.contains(&s.label.as_str()) || (p.kind.forgery() && s.reads_valid) {
                    cell.wrong += 1;
                }
            }
        }
        let n: usize = payloads.iter().map(Vec::len).sum();
        timings.push((round, n, t.elapsed()));
    }

    // Beyond the table: exit codes and the words a person reads.
    let mut extra = Vec::new();
    extra.extend(exit_codes_and_headlines(&w, &scanner));
    extra.extend(development_addresses_get_no_warning(&w));

    // How long a stolen key's forgery can pass.
    let figures = stolen_key_window(&w);
    longest_valid = longest_valid.max(figures.longest_valid);
    if figures.verifier_not_issued.is_none() || figures.interval_not_issued.is_none() {
        extra.push("a stolen key's forgery dated today never read not_issued".into());
    }

    // The table.
    let mut md = String::new();
    md.push_str("# Forgery suite: kind × party → verdict\n\n");
    let _ = writeln!(
        md,
        "`cargo test -p sonod-e2e --test forgery -- --nocapture` ({}). A cell names the \
         verdict (with a count when the kind has several payloads); `a → b` is the library \
         over the replica at first sight, then after its next sync; ✗ marks a cell that is \
         not the intended verdict.\n",
        w.today
    );
    let _ = write!(md, "| kind | payloads |");
    for p in Party::ALL {
        let _ = write!(md, " {} |", p.name());
    }
    md.push_str("\n|---|---|");
    for _ in Party::ALL {
        md.push_str("---|");
    }
    md.push('\n');
    let mut forged_judgements = 0;
    let mut forged_valid = 0;
    let mut wrong = Vec::new();
    for k in Kind::ALL {
        let counts: Vec<usize> = Party::ALL
            .iter()
            .map(|p| cells.get(&(k, *p)).map_or(0, |c| c.payloads))
            .collect();
        let (lo, hi) = (
            counts.iter().min().copied().unwrap_or(0),
            counts.iter().max().copied().unwrap_or(0),
        );
        let n = if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}–{hi}")
        };
        let _ = write!(md, "| {} | {n} |", k.name());
        for p in Party::ALL {
            let c = cells.get(&(k, p)).expect("cell");
            let _ = write!(md, " {} |", c.text());
            if k.forgery() {
                forged_judgements += c.payloads;
                forged_valid += c.reads_valid;
            }
            if c.wrong > 0 {
                wrong.push(format!(
                    "{} × {}: {} (intended {})",
                    k.name(),
                    p.name(),
                    c.text(),
                    k.expected(p).join(" or ")
                ));
            }
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "\n**Forgeries judged valid: {forged_valid} of {forged_judgements} judgements.**\n"
    );
    md.push_str("## A stolen key's forgery, dated today, over time\n\n");
    let _ = writeln!(
        md,
        "- Longest time between its creation and the moment no verifier answers anything \
         that reads as valid for it: **{}** (over every stolen-key forgery in the table and \
         the {} + {PROBES} below).",
        ms(longest_valid),
        PROBES
    );
    let firsts: Vec<String> = figures
        .first_answers
        .iter()
        .map(|(l, n)| format!("`{l}` ×{n}"))
        .collect();
    let never = "never, within 20 s".to_owned();
    let _ = writeln!(
        md,
        "- The verifier, asked at once ({PROBES} forgeries, one by one): first answer {} \
         (the slowest {} after the forgery was made); `not_issued` at the latest {} after \
         it was made.",
        firsts.join(", "),
        ms(figures.slowest_first_answer),
        figures.verifier_not_issued.map_or(never.clone(), ms)
    );
    let _ = writeln!(
        md,
        "- A verifier that only syncs on its interval ({}; the library over the verifier's \
         replica, {PROBES} forgeries first seen at spread moments of the interval): \
         `not_issued` at the latest {} after first sight.",
        ms(SYNC_INTERVAL),
        figures.interval_not_issued.map_or(never, ms)
    );
    let _ = writeln!(md, "\n## Time per party\n");
    for (round, n, t) in &timings {
        let names: Vec<_> = round.iter().map(|p| p.name()).collect();
        let _ = writeln!(
            md,
            "- {}: {n} payloads, {} ms",
            names.join(" and, side by side, "),
            t.as_millis()
        );
    }
    let _ = writeln!(md, "- whole run: {} ms", started.elapsed().as_millis());
    if !extra.is_empty() || !wrong.is_empty() {
        md.push_str("\n## Not as intended\n\n");
        for e in wrong.iter().chain(&extra) {
            let _ = writeln!(md, "- {e}");
        }
    }
    println!("{md}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("forgery-table.md"), &md).expect("write the table");

    // Every single-byte change and every truncation, where the suite promises all of them;
    // and enough of them get as far as the signature check for it to be what refuses them.
    let n = w.base.sealed.len();
    for party in [Party::LibNoFeed, Party::Batch] {
        let c = &cells[&(Kind::Altered, party)];
        assert_eq!(c.payloads, n * 255 + n, "{}", party.name());
        assert!(
            c.labels.get("bad_signature").is_some_and(|&b| b > n),
            "{}: too few altered payloads reached the signature check",
            party.name()
        );
    }
    assert_eq!(forged_valid, 0, "forgeries read as valid:\n{md}");
    assert_eq!(
        longest_valid,
        Duration::ZERO,
        "a stolen key's forgery read as valid"
    );
    assert!(
        wrong.is_empty() && extra.is_empty(),
        "not as intended:\n{}\n{}",
        wrong.join("\n"),
        extra.join("\n")
    );
}

/// `sonod-scan`'s exit codes and printed headline: a trust list alone never says "Genuine and
/// valid" or exits 0 (exit 3: the signature holds, the rest unchecked); a snapshot that knows
/// the certificate does. Returns what is not as intended.
fn exit_codes_and_headlines(w: &World, s: &Scanner) -> Vec<String> {
    let mut wrong = Vec::new();
    let genuine = w.path("genuine.png");
    png(
        &genuine,
        &qr_text(&w.snapshot_genuine.sealed, Some(&dev_host())),
    );
    let revoked = w.path("revoked.png");
    png(&revoked, &qr_text(&w.revoked.sealed, Some(&dev_host())));
    let root = w.path("root.pub.pem");
    let trust = w.path("trust.json");
    for (what, file, intended) in [
        ("a genuine certificate", &genuine, 3),
        ("a revoked certificate", &revoked, 3),
    ] {
        let (code, stdout, _) = run(s
            .cmd()
            .arg("--trust")
            .arg(&trust)
            .arg("--root")
            .arg(&root)
            .arg(file));
        if code != intended || stdout.contains(GENUINE_AND_VALID) || stdout.contains('✔') {
            wrong.push(format!(
                "sonod-scan --trust on {what}: exit {code} (intended {intended}), printed “{}”",
                stdout.lines().next().unwrap_or("").trim()
            ));
        }
    }
    let (code, stdout, _) = run(s
        .cmd()
        .arg("--store")
        .arg(w.path("store"))
        .arg("--root")
        .arg(&root)
        .arg(&genuine));
    if code != 0 || !stdout.contains(GENUINE_AND_VALID) {
        wrong.push(format!(
            "sonod-scan with a snapshot on a genuine certificate: exit {code} (intended 0), \
             printed “{}”",
            stdout.lines().next().unwrap_or("").trim()
        ));
    }
    let (code, stdout, _) = run(s
        .cmd()
        .arg("--store")
        .arg(w.path("store"))
        .arg("--root")
        .arg(&root)
        .arg(&revoked));
    if code != 1 || stdout.contains(GENUINE_AND_VALID) {
        wrong.push(format!(
            "sonod-scan with a snapshot on a revoked certificate: exit {code} (intended 1)"
        ));
    }
    let (_, help, _) = run(s.cmd().arg("--help"));
    let help = help.to_lowercase();
    let exit_status = help.find("exit").map_or("", |i| &help[i..]);
    if !exit_status
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "3")
    {
        wrong.push("sonod-scan --help does not document exit status 3".into());
    }
    wrong
}

/// A development setup prints its own address in QR codes (`localhost:8081`,
/// `127.0.0.1:8081`): the page warns about neither.
fn development_addresses_get_no_warning(w: &World) -> Vec<String> {
    let b32 = data_encoding::BASE32_NOPAD.encode(&w.snapshot_genuine.sealed);
    let port = w.verifier_url.rsplit(':').next().unwrap_or("");
    let mut wrong = Vec::new();
    for host in [
        DEV_HOST.to_owned(),
        "localhost:8081".to_owned(),
        "127.0.0.1:8081".to_owned(),
        format!("127.0.0.1:{port}"),
    ] {
        let html = get_page(&format!("{}/V/{b32}", w.verifier_url), Some(&host));
        let seen = seen_page(&html);
        if html.contains("class=\"warn\"") || seen.label != "valid" {
            wrong.push(format!(
                "/V/ page opened as {host}: {} {}",
                seen.label,
                if html.contains("class=\"warn\"") {
                    "with a look-alike warning"
                } else {
                    ""
                }
            ));
        }
    }
    wrong
}

struct Figures {
    /// The longest time from a stolen-key forgery's making to the last answer that read as
    /// valid for it (zero when none did).
    longest_valid: Duration,
    /// The verifier's first answers to [`PROBES`] fresh forgeries, and the slowest of them.
    first_answers: BTreeMap<String, usize>,
    slowest_first_answer: Duration,
    /// The longest time from making to the first `not_issued` at the verifier, asked at once
    /// and then every 50 ms (`None`: one never read `not_issued` within 20 s).
    verifier_not_issued: Option<Duration>,
    /// The same for the library over the replica that the verifier syncs on its interval
    /// (no fetch on demand), from first sight, sighted at spread moments of the interval.
    interval_not_issued: Option<Duration>,
}

/// Stolen-key forgeries measured in [`stolen_key_window`], at each of the two.
const PROBES: usize = 5;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Stolen key forgeries dated today with fresh serials, made one by one and asked of the
/// verifier at once, then every 50 ms until it answers `not_issued`; and others first seen
/// by the library over the verifier's replica at spread moments, judged every 20 ms.
fn stolen_key_window(w: &World) -> Figures {
    let url = format!("{}/api/v1/verify", w.verifier_url);
    let forge = |ward| {
        seal(
            &w.keys.office,
            w.serial(),
            &record(OFFICE, w.today, None, ward),
        )
    };
    let mut longest_valid = Duration::ZERO;
    let mut first_answers = BTreeMap::new();
    let mut slowest_first_answer = Duration::ZERO;
    let mut verifier_not_issued = Some(Duration::ZERO);
    for _ in 0..PROBES {
        let made = Instant::now();
        let forgery = qr_text(&forge(8), Some(&dev_host()));
        let mut s = seen_json(&post(&url, &json!({ "payload": forgery })));
        slowest_first_answer = slowest_first_answer.max(made.elapsed());
        *first_answers.entry(s.label.clone()).or_insert(0) += 1;
        while s.label != "not_issued" && made.elapsed() < Duration::from_secs(20) {
            if s.reads_valid {
                longest_valid = longest_valid.max(made.elapsed());
            }
            std::thread::sleep(Duration::from_millis(50));
            s = seen_json(&post(&url, &json!({ "payload": forgery })));
        }
        if s.reads_valid {
            longest_valid = longest_valid.max(made.elapsed());
        }
        verifier_not_issued = verifier_not_issued
            .zip((s.label == "not_issued").then(|| made.elapsed()))
            .map(|(a, b)| a.max(b));
    }

    let replica = w.verifier.replica().clone();
    let mut readings = Vec::new();
    for i in 0..PROBES {
        if i > 0 {
            std::thread::sleep(SYNC_INTERVAL / PROBES as u32);
        }
        let bytes = forge(9);
        readings.push((Instant::now(), Arc::new(Reading::new(&bytes)), None));
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) && readings.iter().any(|r| r.2.is_none()) {
        for (seen_at, reading, done) in readings.iter_mut().filter(|r| r.2.is_none()) {
            let v = judge_reading(&w.judge, None, Arc::clone(reading), w.today, &*replica);
            if seen_verdict(&v).reads_valid {
                longest_valid = longest_valid.max(seen_at.elapsed());
            }
            if v.kind == VerdictKind::NotIssued {
                *done = Some(seen_at.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let interval_not_issued = readings
        .iter()
        .map(|r| r.2)
        .collect::<Option<Vec<_>>>()
        .and_then(|d| d.into_iter().max());
    Figures {
        longest_valid,
        first_answers,
        slowest_first_answer,
        verifier_not_issued,
        interval_not_issued,
    }
}
