//! Faults of the disk under the verifier's replica: a full disk while it syncs, a read-only
//! data directory, and a corrupt replica at start.
//!
//! The disk tests put the replica on a small tmpfs of its own (`mount -t tmpfs`), so they
//! need root (as in CI); without it they say why and skip.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use sonod_testkit::{fill, free_port, Tmpfs};
use sonod_verifier::{FeedAnswer, FeedStatus, Replica};

fn verifier(f: &Fixture, data: &Path, issuer: Option<&str>, listen: SocketAddr) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sonod-verifier"));
    c.arg("serve")
        .arg("--data")
        .arg(data)
        .arg("--trust")
        .arg(f.trust_path())
        .arg("--root")
        .arg(f.root_path())
        .args(["--sync-interval", "100ms", "--rate-limit", "0"])
        .args(["--listen", &listen.to_string()])
        .env("SONOD_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(url) = issuer {
        c.args(["--issuer", url]);
    }
    c.spawn().expect("the verifier starts")
}

/// Waits for the verifier to answer /healthz, or to exit; then its exit status, if it did.
async fn started(child: &mut Child, listen: SocketAddr) -> Option<std::process::ExitStatus> {
    let client = reqwest::Client::new();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        if let Some(s) = child.try_wait().expect("wait") {
            return Some(s);
        }
        if client
            .get(format!("http://{listen}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the verifier neither started nor stopped");
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    err
}

async fn verdict(base: &str, payload: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/verify"))
        .json(&serde_json::json!({ "payload": payload }))
        .send()
        .await
        .expect("verify");
    let v: serde_json::Value = r.json().await.expect("json");
    v["verdict"].as_str().unwrap_or("-").to_owned()
}

async fn metric(base: &str, name: &str) -> Option<u64> {
    let text = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|l| l.starts_with(&format!("{name}{{office=\"{OFFICE}\"}}")))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_keeps_answers_reports_the_failure_and_recovers() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().expect("tmp");
    let Some(fs) = Tmpfs::mount(&tmp.path().join("disk"), "2m") else {
        return;
    };
    let data = fs.path().join("replica");
    let issuer = FakeIssuer::new(copy(&f.office));
    *issuer.page_cap.lock().unwrap() = 500;
    let mut certs = Vec::new();
    for serial in 1..=20 {
        let s = f.valid(serial);
        issuer.issue(serial, &s);
        certs.push(s);
    }
    let url = issuer.start().await;
    let listen = free_port();
    let base = format!("http://{listen}");
    let mut child = verifier(&f, &data, Some(&url), listen);
    assert_eq!(
        started(&mut child, listen).await,
        None,
        "{}",
        stderr_of(&mut child)
    );
    let t = Instant::now();
    while metric(&base, "sonod_verifier_feed_position").await != Some(20) {
        assert!(t.elapsed() < Duration::from_secs(60), "no first sync");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The disk fills; the feed goes on (a few thousand events: more than sled buffers).
    let filler = fill(fs.path());
    for serial in 21..=3000 {
        issuer.issue(serial, &f.valid(serial));
    }
    let t = Instant::now();
    loop {
        let r = reqwest::get(format!("{base}/readyz"))
            .await
            .expect("readyz");
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        if status == 503 {
            assert!(body.contains("replica"), "{body}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "a replica that cannot write stays ready: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // It keeps answering from what it has.
    for s in &certs[..5] {
        assert_eq!(verdict(&base, &f.url(s)).await, "valid");
    }

    // Space comes back; a restart (sled keeps an I/O error for good) catches up.
    std::fs::remove_file(filler).expect("rm filler");
    fs.remount("size=64m");
    child.kill().expect("kill");
    child.wait().expect("reaped");
    let mut child = verifier(&f, &data, Some(&url), listen);
    assert_eq!(
        started(&mut child, listen).await,
        None,
        "{}",
        stderr_of(&mut child)
    );
    let t = Instant::now();
    while metric(&base, "sonod_verifier_feed_position").await != Some(3000) {
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "no catching up after the disk grew"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(verdict(&base, &f.url(&f.valid(2999))).await, "valid");
    assert_eq!(verdict(&base, &f.url(&certs[0])).await, "valid");
    let r = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(r.status(), 200);
    child.kill().expect("kill");
    child.wait().expect("reaped");

    // Read-only: the start is refused, naming the directory.
    fs.remount("ro");
    let mut child = verifier(&f, &data, Some(&url), listen);
    let status = started(&mut child, listen).await;
    let err = stderr_of(&mut child);
    if status.is_none() {
        let _ = child.kill();
    }
    assert!(
        status.is_some_and(|s| !s.success()),
        "started on a read-only replica: {err}"
    );
    assert!(
        err.contains(&data.display().to_string())
            && err.contains("রেপ্লিকা")
            && err.contains("cannot open the replica")
            && err.contains("not writable"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_replica_is_refused_at_start_or_caught_up_from_the_feed() {
    let f = Fixture::new();
    let data = f.dir.path().join("replica");
    let issuer = FakeIssuer::new(copy(&f.office));
    let mut certs = Vec::new();
    for serial in 1..=300 {
        let s = f.valid(serial);
        issuer.issue(serial, &s);
        certs.push(s);
    }
    {
        let r = Replica::open(&data, 1 << 20).expect("open");
        let events = issuer.events.lock().unwrap().clone();
        for chunk in events.chunks(50) {
            r.apply(&OFFICE.parse().unwrap(), chunk[0].seq - 1, chunk, 300)
                .expect("apply");
        }
        r.mark_synced_ms(&OFFICE.parse().unwrap(), sonod_verifier::now_unix_ms())
            .expect("synced");
        r.flush().expect("flush");
    }
    let len = std::fs::metadata(data.join("db")).expect("db").len();
    let issued = f.record(-10, Some(355)).issued();
    let url = issuer.start().await;
    let mut refused = 0;
    for twentieth in 0..20u64 {
        let copy_dir = f.dir.path().join(format!("copy{twentieth}"));
        copy_tree(&data, &copy_dir);
        let at = (len * twentieth / 20) as usize;
        let mut bytes = std::fs::read(copy_dir.join("db")).expect("read");
        let end = (at + 64).min(bytes.len());
        for b in &mut bytes[at..end] {
            *b ^= 0xff;
        }
        std::fs::write(copy_dir.join("db"), bytes).expect("write");

        let listen = free_port();
        let mut child = verifier(&f, &copy_dir, Some(&url), listen);
        if let Some(status) = started(&mut child, listen).await {
            let err = stderr_of(&mut child);
            assert!(!status.success());
            assert!(
                err.contains(&copy_dir.display().to_string())
                    && err.contains("রেপ্লিকা")
                    && err.contains("cannot open the replica")
                    && err.contains("rebuilt from the feeds"),
                "offset {at}: {err}"
            );
            refused += 1;
            continue;
        }
        // Opened: sled reads a damaged log as ending before the damage, so the replica may
        // have lost its last writes (never more: the position is written after the events it
        // covers); the sync fetches them again.
        let base = format!("http://{listen}");
        let t = Instant::now();
        while metric(&base, "sonod_verifier_feed_position").await != Some(300) {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "offset {at}: no catching up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // A clean stop flushes the replica.
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().expect("reaped");
        eprintln!("offset {at}: started and caught up with the feed");
        let r = Replica::open(&copy_dir, 1 << 20).expect("opens again");
        let feed = r.office(&OFFICE.parse().unwrap()).expect("office");
        assert_eq!(feed.position, 300, "offset {at}");
        for (i, s) in certs.iter().enumerate() {
            assert_eq!(
                r.lookup(
                    &OFFICE.parse().unwrap(),
                    i as u64 + 1,
                    issued,
                    &s.hash(),
                    now() * 1000
                ),
                FeedAnswer::Issued,
                "offset {at}: serial {}",
                i + 1
            );
        }
    }
    // sled reads a damaged log as ending before the damage: the verifier starts with a
    // shorter replica and syncs the rest again (all 20 here); damage sled does notice is
    // refused with the message above.
    eprintln!(
        "{refused} of 20 damaged replicas refused at start, the rest caught up with the feed"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// A mistyped command line stops the verifier before it serves, saying in both languages
/// which option is wrong and what is expected; nothing is left half-started.
#[test]
fn a_bad_address_on_the_command_line_is_named_in_both_languages() {
    let dir = tempfile::tempdir().expect("tmp");
    // An address another program already listens on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = taken.local_addr().expect("addr").to_string();
    let cannot_listen = format!("cannot listen on {taken}");
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--issuer", "ftp://office.example"],
            "দপ্তরের সেবার http(s) ঠিকানা দিন",
            "expected an office's http(s) base URL",
        ),
        (
            &["--mirror", "office.example"],
            "যাচাই সেবার http(s) ঠিকানা দিন",
            "expected a verifier's http(s) base URL",
        ),
        (
            &["--listen", &taken, "--issuer", "http://127.0.0.1:9"],
            "ঠিকানায় শোনা যায়নি",
            &cannot_listen,
        ),
    ];
    for (args, bn, en) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_sonod-verifier"))
            .arg("serve")
            .arg("--dev-keys")
            .arg(dir.path().join("keys"))
            .arg("--data")
            .arg(dir.path().join("data"))
            .args(args)
            .env("SONOD_LOG", "off")
            .output()
            .expect("sonod-verifier runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(bn) && err.contains(en), "{args:?}: {err}");
    }
}
