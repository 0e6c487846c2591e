//! Test helpers the crates' tests share, written once: a tmpfs of their own and a full disk
//! ([`Tmpfs`], [`fill`]), child processes ([`run`], [`listen_addr`], [`wait_exit`],
//! [`free_port`]), and calls to a router or a raw socket ([`send`], [`read_until_closed`]).
//!
//! A dev-dependency only: nothing here ships. Helpers panic with what went wrong, as tests do.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tokio::io::AsyncReadExt;
use tower::ServiceExt;

/// A tmpfs of its own, unmounted when dropped.
#[derive(Debug)]
pub struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`2m`) at `at`, created if missing; `None` (saying why on
    /// stderr, `SKIPPED: ...`) where mounting needs root and the test runs without it.
    pub fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(at.to_owned())),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs (needs root): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                None
            }
        }
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Remounts it with `options` (`ro`, `rw`, `size=4m`).
    pub fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .expect("mount")
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` up to the last byte; the filler file's path.
pub fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 4096];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    path
}

/// Waits up to `limit` for `child` to exit; its status, or `None` if it is still running.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Some(s) = child.try_wait().expect("wait") {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// The address a service started as `child` (stdout piped) announces on its first line of
/// stdout (`... http://127.0.0.1:PORT`).
pub fn listen_addr(child: &mut Child) -> SocketAddr {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    line.trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
}

/// A local address with a port free a moment ago.
pub fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// A command [`run`] can run: a `std::process::Command` or an `assert_cmd::Command`.
pub trait Runnable {
    /// Runs it to the end, capturing stdout and stderr.
    fn output_of(&mut self) -> std::io::Result<Output>;
}

impl Runnable for Command {
    fn output_of(&mut self) -> std::io::Result<Output> {
        self.output()
    }
}

impl Runnable for assert_cmd::Command {
    fn output_of(&mut self) -> std::io::Result<Output> {
        self.output()
    }
}

/// Runs the command: exit code, stdout, stderr. No run may panic.
pub fn run(cmd: &mut impl Runnable) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output_of().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panic: {stderr}"
    );
    (status.code().expect("exited normally"), stdout, stderr)
}

/// Sends a request to the router: status, headers and body.
pub async fn send(app: Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = app.oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

/// Reads until the server closes the connection (or resets it); what it sent.
pub async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}
