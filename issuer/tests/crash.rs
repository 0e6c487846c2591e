//! Crash safety: SIGKILL the service in the middle of a stream of issues and revocations,
//! restart, and check that every acknowledged certificate and revocation is there, no serial
//! is used twice, and the feed agrees with the store.
//!
//! (A killed process is what a test can do; the same barrier — flush plus fsync of sled's
//! data file before any answer — is what makes the writes survive a power cut.)

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use sonod_issuer::{hex_hash, Ledger, Store};
use sonod_keys::{ensure_dev_keys, today_dhaka, DevOptions};
use sonod_seal::feed::EventKind;
use sonod_seal::parse_qr_text;
use sonod_testkit::listen_addr;

fn issuer() -> Command {
    Command::cargo_bin("sonod-issuer").expect("binary")
}

fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let status = resp
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn serve(dir: &std::path::Path) -> (Child, SocketAddr) {
    let mut child = issuer()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--office",
            "100524",
            "--verifier-host",
            "localhost:8080",
        ])
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--key")
        .arg(dir.join("keys/office.key.pem"))
        .arg("--trust")
        .arg(dir.join("keys/trust.json"))
        .arg("--root")
        .arg(dir.join("keys/root.pub.pem"))
        .env("SONOD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let addr = listen_addr(&mut child);
    (child, addr)
}

fn record() -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("json");
    let today = today_dhaka();
    v["issued"] = serde_json::json!(today.to_string());
    v["expires"] = serde_json::json!((today + time::Duration::days(365)).to_string());
    v.to_string()
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tmp");
    ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("keys");
    let data = dir.path().join("data");
    let status = issuer()
        .args([
            "user",
            "add",
            "--name",
            "rahim",
            "--display-name",
            "Rahim",
            "--role",
            "chairman",
        ])
        .arg("--data")
        .arg(&data)
        .status()
        .expect("user add");
    assert!(status.success());
    let out = issuer()
        .args(["user", "token", "--name", "rahim", "--label", "crash-test"])
        .arg("--data")
        .arg(&data)
        .output()
        .expect("token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned();
    assert!(token.starts_with("sonod_"));

    let (mut child, addr) = serve(dir.path());
    let issued = Arc::new(Mutex::new(BTreeMap::<u64, String>::new()));
    let revoked = Arc::new(Mutex::new(BTreeSet::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let body = record();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (issued, revoked, stop, token, body) = (
                issued.clone(),
                revoked.clone(),
                stop.clone(),
                token.clone(),
                body.clone(),
            );
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let Ok((201, resp)) = http(addr, "POST", "/api/v1/certificates", &token, &body)
                    else {
                        continue;
                    };
                    let v: serde_json::Value = serde_json::from_str(&resp).expect("json");
                    let serial = v["serial"].as_u64().expect("serial");
                    let prev = issued
                        .lock()
                        .expect("lock")
                        .insert(serial, v["qr_text"].as_str().expect("qr").to_owned());
                    assert!(prev.is_none(), "serial {serial} acknowledged twice");
                    n += 1;
                    if (n + w).is_multiple_of(5) {
                        let path = format!("/api/v1/certificates/{serial}/revoke");
                        if let Ok((200, _)) = http(
                            addr,
                            "POST",
                            &path,
                            &token,
                            r#"{"reason":"issued_in_error"}"#,
                        ) {
                            revoked.lock().expect("lock").insert(serial);
                        }
                    }
                }
            })
        })
        .collect();
    // Let the stream run, then pull the plug without warning.
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker");
    }
    let issued = issued.lock().expect("lock").clone();
    let revoked = revoked.lock().expect("lock").clone();
    assert!(
        issued.len() > 20,
        "only {} certificates were acknowledged before the kill",
        issued.len()
    );
    assert!(!revoked.is_empty());

    {
        let ledger = Ledger::open(Store::open(&data).expect("reopen")).expect("ledger");
        let store = ledger.store();
        // Every acknowledged certificate is there, byte for byte (so no serial was reused).
        for (serial, qr) in &issued {
            let stored = store
                .get(*serial)
                .expect("get")
                .unwrap_or_else(|| panic!("acknowledged serial {serial} lost"));
            assert_eq!(
                stored.sealed,
                parse_qr_text(qr).expect("qr").bytes,
                "serial {serial} differs from what was acknowledged"
            );
        }
        for serial in &revoked {
            assert!(
                ledger.revocation(*serial).expect("get").is_some(),
                "acknowledged revocation of {serial} lost"
            );
        }
        // The feed agrees with the store: gap-free, one issued event per stored certificate
        // with its hash, one revoked event per revocation.
        let events = ledger.events(0, usize::MAX).expect("events");
        assert_eq!(events.len() as u64, ledger.head());
        let mut feed_issued = BTreeMap::new();
        let mut feed_revoked = BTreeSet::new();
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "the feed has a gap");
            match &e.kind {
                EventKind::Issued { serial, hash, .. } => assert!(
                    feed_issued.insert(*serial, hash.clone()).is_none(),
                    "serial {serial} issued twice"
                ),
                EventKind::Revoked { serial, .. } => {
                    assert!(feed_revoked.insert(*serial), "revoked twice")
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let stored: Vec<_> = store
            .certificates()
            .collect::<Result<_, _>>()
            .expect("certificates");
        assert_eq!(stored.len(), feed_issued.len());
        for c in &stored {
            assert_eq!(
                feed_issued.get(&c.serial),
                Some(&hex_hash(&c.sealed)),
                "feed hash of {}",
                c.serial
            );
        }
        let store_revoked: BTreeSet<u64> = ledger.revoked_serials().collect();
        assert_eq!(store_revoked, feed_revoked);
        assert!(revoked.is_subset(&store_revoked));
    }

    // After a restart, new serials are above every serial ever handed out.
    let (mut child, addr) = serve(dir.path());
    let (status, resp) =
        http(addr, "POST", "/api/v1/certificates", &token, &body).expect("issue after restart");
    assert_eq!(status, 201, "{resp}");
    let serial = serde_json::from_str::<serde_json::Value>(&resp).expect("json")["serial"]
        .as_u64()
        .expect("serial");
    assert!(
        serial > *issued.keys().last().expect("some"),
        "serial {serial} reused after restart"
    );
    child.kill().expect("kill");
    let _ = child.wait();
}
