//! The scanner's offline snapshot loader (`sonod_scan::Snapshot::load`) on a store with one
//! fuzzed file. No panic and no unbounded allocation, whatever the store holds; a snapshot
//! that loads answers look-ups (a damaged block is reported, not a panic).
//!
//! A valid store is made once (a root-signed trust list, one office's signed status list, a
//! revocation file, an issued-hash file). The first input byte picks the file that the rest
//! replaces: 0 the manifest as it is; 1 the revocation file, 2 the issued-hash file, 3 the
//! status list, each with the manifest's size and SHA-256 for it updated (else the checksum
//! would refuse nearly everything before the parsers run).
//!
//! Kept to the public loading API on purpose: the snapshot's layout is being redesigned.
//! With `SONOD_FUZZ_SEEDS=DIR` set, the target writes one seed per file kind into DIR when it
//! starts (`scripts/fuzz.sh` does this).
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use sonod_judge::FeedStatus;
use sonod_keys::{Environment, SecretKey, SigningKey, TrustEntry, TrustListDraft};
use sonod_scan::{FileRef, Manifest, OfficeState, SegmentRef, Snapshot, MANIFEST};
use sonod_seal::feed::StatusListBody;
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 11 - 28);
const OFFICE: &str = "100524";

fn office_code() -> sonod_keys::OfficeCode {
    OFFICE.parse().expect("an office code")
}
const TRUST: &str = "trust-list.json";
const REVOKED: &str = "revoked-1.bin";
const ISSUED: &str = "issued-1.bin";
const STATUS: &str = "status-1.json";

fn sha_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_ref(name: &str, bytes: &[u8]) -> FileRef {
    FileRef {
        file: name.to_owned(),
        bytes: bytes.len() as u64,
        sha256: sha_hex(bytes),
    }
}

/// The issued-hash file's reference: its SHA-256 covers the 24-byte header and the index after
/// the `count` 16-byte prefixes (as far as the bytes go).
fn segment_ref(bytes: &[u8]) -> SegmentRef {
    let count = bytes
        .get(8..16)
        .map_or(0, |c| u64::from_le_bytes(c.try_into().unwrap_or_default()));
    let header = &bytes[..bytes.len().min(24)];
    let index_at = count
        .checked_mul(16)
        .and_then(|n| n.checked_add(24))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    let index = bytes.get(index_at..).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(header);
    h.update(index);
    SegmentRef {
        file: FileRef {
            file: ISSUED.to_owned(),
            bytes: bytes.len() as u64,
            sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        },
        count,
    }
}

/// An issued-hash file of `n` prefixes in blocks of 1024.
fn segment(n: u64) -> Vec<u8> {
    let mut prefixes: Vec<[u8; 16]> = (0..n)
        .map(|i| {
            let d = Sha256::digest(i.to_le_bytes());
            d[..16].try_into().expect("16 bytes")
        })
        .collect();
    prefixes.sort_unstable();
    let mut out = Vec::new();
    out.extend_from_slice(b"SONODIH1");
    out.extend_from_slice(&n.to_le_bytes());
    let blocks = prefixes.chunks(1024).count() as u32;
    out.extend_from_slice(&blocks.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    for p in &prefixes {
        out.extend_from_slice(p);
    }
    for block in prefixes.chunks(1024) {
        out.extend_from_slice(&block[0]);
        let mut h = Sha256::new();
        for p in block {
            h.update(p);
        }
        out.extend_from_slice(&h.finalize());
    }
    out
}

/// The valid store's files, by name, and its manifest.
struct Template {
    files: Vec<(&'static str, Vec<u8>)>,
    manifest: Manifest,
    root: SecretKey,
}

fn template() -> &'static Template {
    static T: OnceLock<Template> = OnceLock::new();
    T.get_or_init(|| {
        let root = SecretKey::from_signing_key(SigningKey::from_bytes(&[1; 32]));
        let office = SecretKey::from_signing_key(SigningKey::from_bytes(&[2; 32]));
        let mut draft = TrustListDraft::new(date!(2027 - 11 - 28), Environment::Development);
        draft
            .add_key(TrustEntry::new(
                office.verifying_key(),
                office_code(),
                "সাভার পৌরসভা",
                "Savar Paurashava",
                date!(2026 - 01 - 01),
                date!(2099 - 12 - 31),
                vec!["VERIFY.SONOD.GOV.BD".to_owned()],
            ))
            .expect("a valid entry");
        draft.sign_on(&root, None, TODAY).expect("signs");
        let trust = draft.to_json_pretty().into_bytes();
        let status = serde_json::to_vec(
            &StatusListBody::new(&office_code(), 9, 2000, [3, 1500], 1_780_000_000).sign(&office),
        )
        .expect("serialises");
        let mut revoked = Vec::new();
        for (serial, at, reason) in [(3u64, 1_780_000_000i64, 2u8), (1500, 1_780_000_100, 0)] {
            revoked.extend_from_slice(&serial.to_be_bytes());
            revoked.extend_from_slice(&at.to_be_bytes());
            revoked.push(reason);
        }
        let issued = segment(1500);
        let manifest = Manifest {
            format: "sonod-scan-snapshot/2".to_owned(),
            source: "http://127.0.0.1:8080".to_owned(),
            source_kind: "verifier".to_owned(),
            synced_at: 1_780_000_200,
            trust_list: file_ref(TRUST, &trust),
            offices: BTreeMap::from([(
                office_code(),
                OfficeState {
                    position: 9,
                    covered_at: Some(1_780_000_000),
                    status_list: Some(file_ref(STATUS, &status)),
                    // No feed pages: the template is a store synced from a status list only.
                    // The loader's page checks are reached through the manifest's fuzzed
                    // variants.
                    head_page: None,
                    pages: Vec::new(),
                    revoked: Some(file_ref(REVOKED, &revoked)),
                    revoked_count: 2,
                    issued: vec![segment_ref(&issued)],
                },
            )]),
        };
        Template {
            files: vec![
                (TRUST, trust),
                (STATUS, status),
                (REVOKED, revoked),
                (ISSUED, issued),
            ],
            manifest,
            root,
        }
    })
}

/// The store directory: `sonod-fuzz-snapshot-<pid>` in /dev/shm where the machine has it (else
/// the temporary directory). libFuzzer ends the process without running destructors, so each
/// start removes the directories of processes that are gone.
fn store() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_owned()
        } else {
            std::env::temp_dir()
        };
        const PREFIX: &str = "sonod-fuzz-snapshot-";
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix(PREFIX));
            let gone = |pid: &str| {
                Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists()
            };
            if pid.is_some_and(gone) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a store directory");
        dir
    })
}

fn write_seeds(dir: &Path) {
    let t = template();
    std::fs::create_dir_all(dir).expect("seed directory");
    let manifest = serde_json::to_vec_pretty(&t.manifest).expect("serialises");
    let mut seeds = vec![[&[0u8][..], &manifest].concat()];
    for (selector, name) in [(1u8, REVOKED), (2, ISSUED), (3, STATUS)] {
        let bytes = &t.files.iter().find(|(n, _)| *n == name).expect("a file").1;
        seeds.push([&[selector][..], bytes].concat());
    }
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("template-{i}")), seed).expect("seed written");
    }
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| { check(data) });

fn check(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let t = template();
    let dir = store();
    let mut manifest = t.manifest.clone();
    let office = manifest.offices.get_mut(OFFICE).expect("the office");
    // The file the input replaces (none: the manifest itself).
    let replaced = match selector % 4 {
        0 => None,
        1 => {
            office.revoked = Some(file_ref(REVOKED, bytes));
            office.revoked_count = (bytes.len() / 17) as u64;
            Some(REVOKED)
        }
        2 => {
            office.issued = vec![segment_ref(bytes)];
            Some(ISSUED)
        }
        _ => {
            office.status_list = Some(file_ref(STATUS, bytes));
            Some(STATUS)
        }
    };
    let manifest_bytes = match replaced {
        None => bytes.to_vec(),
        Some(_) => serde_json::to_vec(&manifest).expect("serialises"),
    };
    let files = t.files.iter().map(|(name, template)| {
        let content = if Some(*name) == replaced {
            bytes
        } else {
            template.as_slice()
        };
        (name, content)
    });
    for (name, content) in files {
        std::fs::write(dir.join(name), content).expect("store writable");
    }
    std::fs::write(dir.join(MANIFEST), &manifest_bytes).expect("store writable");

    let Ok(snapshot) = Snapshot::load(dir, &t.root.verifying_key(), TODAY) else {
        return;
    };
    let now = 1_780_100_000;
    let _ = snapshot.age(Some(OFFICE), now, 86_400);
    let _ = snapshot.age(Some("999999"), now, 86_400);
    for i in [0u64, 1, 1499, 1500, u64::MAX] {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&Sha256::digest(i.to_le_bytes()));
        for office in [OFFICE, "999999"] {
            let office = office.parse().expect("an office code");
            for serial in [0, 3, 1500, 2000, 2001, u64::MAX] {
                let _ = snapshot.lookup(&office, serial, TODAY, &hash, now * 1000);
            }
        }
    }
    let _ = snapshot.take_damage();
}
