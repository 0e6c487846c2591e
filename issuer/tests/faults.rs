//! Faults of the disk under the issuer's store: a full disk, a read-only data directory and a
//! corrupt store.
//!
//! The disk tests put the store on a small tmpfs of its own (`mount -t tmpfs`), so they need
//! root (as in CI); without it they say why and skip.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use sonod_issuer::Store;
use sonod_keys::{ensure_dev_keys, today_dhaka, DevOptions};
use sonod_testkit::{fill, listen_addr, wait_exit, Tmpfs};

fn issuer() -> Command {
    Command::cargo_bin("sonod-issuer").expect("binary")
}

fn record() -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("json");
    let today = today_dhaka();
    v["issued"] = serde_json::json!(today.to_string());
    v["expires"] = serde_json::json!(today
        .replace_year(today.year() + 1)
        .unwrap_or(today)
        .to_string());
    v.to_string()
}

/// Status, content type and body of one request.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let status = resp
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let ct = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    (status, ct, body.to_owned())
}

/// `sonod-issuer serve` with development keys in `keys` and the store in `data`.
fn serve(keys: &Path, data: &Path) -> (Child, SocketAddr) {
    let mut child = issuer()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--dev-keys")
        .arg(keys)
        .arg("--data")
        .arg(data)
        .env("SONOD_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let addr = listen_addr(&mut child);
    (child, addr)
}

#[test]
fn a_full_disk_refuses_issuance_clearly_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tmp");
    let Some(fs) = Tmpfs::mount(&dir.path().join("disk"), "2m") else {
        return;
    };
    let keys = dir.path().join("keys");
    let data = fs.path().join("data");
    let (mut child, addr) = serve(&keys, &data);
    let token = std::fs::read_to_string(keys.join("dev-token"))
        .expect("dev token")
        .trim()
        .to_owned();
    let body = record();
    let issue = |addr| http(addr, "POST", "/api/v1/certificates", &token, &body);
    let serial_of = |b: &str| {
        serde_json::from_str::<serde_json::Value>(b).expect("json")["serial"]
            .as_u64()
            .expect("serial")
    };
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        let (s, _, b) = issue(addr);
        assert_eq!(s, 201, "{b}");
        acknowledged.push(serial_of(&b));
    }

    let filler = fill(fs.path());
    let mut refused = 0;
    for _ in 0..10 {
        let (s, ct, b) = issue(addr);
        match s {
            201 => acknowledged.push(serial_of(&b)),
            503 | 507 => {
                refused += 1;
                assert!(ct.starts_with("application/problem+json"), "{ct}");
                assert!(
                    b.contains("ডিস্কে") && b.contains(" / the store could not make writes durable"),
                    "{b}"
                );
            }
            other => panic!("a full disk answered {other}: {b}"),
        }
    }
    assert!(refused > 0, "nothing was refused on a full disk");
    let (s, _, b) = http(addr, "GET", "/readyz", "", "");
    assert_eq!(s, 503, "a store that cannot write is not ready: {b}");

    // Space comes back. The store refuses writes until a restart (sled keeps an I/O error for
    // good), so: a crash, then a start on the grown disk.
    std::fs::remove_file(filler).expect("rm filler");
    fs.remount("size=16m");
    child.kill().expect("kill");
    child.wait().expect("reaped");
    let (mut child, addr) = serve(&keys, &data);
    let (s, _, b) = issue(addr);
    assert_eq!(s, 201, "no recovery once space is back: {b}");
    let after = serial_of(&b);
    let (s, _, _) = http(addr, "GET", "/readyz", "", "");
    assert_eq!(s, 200);
    child.kill().expect("kill");
    child.wait().expect("reaped");

    let store = Store::open(&data).expect("the store opens");
    for serial in &acknowledged {
        assert!(
            store.get(*serial).expect("get").is_some(),
            "acknowledged certificate {serial} was lost"
        );
    }
    assert!(after > *acknowledged.iter().max().expect("some"));
    drop(store);

    // Read-only: the start is refused with a message naming the directory and the cause.
    fs.remount("ro");
    let mut child = issuer()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--dev-keys")
        .arg(&keys)
        .arg("--data")
        .arg(&data)
        .env("SONOD_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let status = wait_exit(&mut child, Duration::from_secs(30));
    let mut err = String::new();
    if status.is_none() {
        let _ = child.kill();
    }
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert!(
        status.is_some_and(|s| !s.success()),
        "started on a read-only store: {err}"
    );
    assert!(
        err.contains(&data.display().to_string())
            && err.contains("লেখা যায় না")
            && err.contains("is not writable"),
        "{err}"
    );
}

#[test]
fn a_corrupt_store_is_refused_at_start_or_read_back_intact() {
    let dir = tempfile::tempdir().expect("tmp");
    let keys = ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("keys");
    let data = dir.path().join("data");
    let input = dir.path().join("records.jsonl");
    let line = record();
    std::fs::write(&input, format!("{line}\n").repeat(150)).expect("records");
    let out = issuer()
        .args(["bulk", "--bare", "--no-images"])
        .arg("--key")
        .arg(keys.office_key_path())
        .arg("--trust")
        .arg(keys.trust_list_path())
        .arg("--root")
        .arg(keys.root_pub_path())
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--input")
        .arg(&input)
        .output()
        .expect("bulk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let originals: Vec<_> = {
        let store = Store::open(&data).expect("open");
        store
            .certificates()
            .collect::<Result<_, _>>()
            .expect("read")
    };
    assert_eq!(originals.len(), 150);
    let len = std::fs::metadata(data.join("db")).expect("db").len();

    let mut refused = 0;
    for tenth in 0..20u64 {
        let copy = dir.path().join(format!("copy{tenth}"));
        copy_dir(&data, &copy);
        // 64 bytes turned over, at every twentieth of the file.
        let at = len * tenth / 20;
        let mut bytes = std::fs::read(copy.join("db")).expect("read db");
        let end = (at as usize + 64).min(bytes.len());
        for b in &mut bytes[at as usize..end] {
            *b ^= 0xff;
        }
        std::fs::write(copy.join("db"), bytes).expect("write db");

        let out = issuer()
            .arg("stats")
            .arg("--data")
            .arg(&copy)
            .output()
            .expect("stats");
        let err = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            refused += 1;
            assert!(
                err.contains(&copy.display().to_string())
                    && err.contains("নষ্ট")
                    && err.contains("is corrupt")
                    && err.contains("restore"),
                "offset {at}: {err}"
            );
            continue;
        }
        // Opened: then every certificate is as it was (the damage hit a dead part of the log).
        let store = Store::open(&copy).expect("opens again");
        let now: Vec<_> = store
            .certificates()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("offset {at}: opened, then failed: {e}"));
        assert_eq!(
            now, originals,
            "offset {at}: opened with different contents"
        );
    }
    assert!(refused > 0, "no damage was detected anywhere in the file");
    eprintln!("{refused} of 20 damaged copies refused at start, the rest read back intact");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}
