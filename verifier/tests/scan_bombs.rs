//! The `sonod-verifier` binary under decompression bombs: four uploads at once to `/scan` of
//! each kind, and bloated JSON to the API. Every request gets a clear answer, the service
//! stays up, and its peak resident memory (`VmHWM` from `/proc/PID/status`) stays under
//! [`BOUND_KIB`].

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../qr/tests/support/bombs.rs"]
mod bombs;
#[path = "../../qr/tests/support/photos.rs"]
mod photos;

/// The most resident memory the service may reach: itself (about 60 MiB at the start, in a
/// debug build), four uploads of up to 8 MiB held at once and copied while they are read
/// (about 15 MiB each), and the reads, one a core at a time (each bomb here costs a read a
/// few MiB now). Measured: 180 MiB on 2 cores. Before the memory bounds the PNG
/// colour-profile bomb alone took the service to 1.7 GiB, all of them to 2.6 GiB.
const BOUND_KIB: u64 = 320 << 10;

/// Stops the service when the test ends, whatever happens.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn start(dir: &Path) -> (Service, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_sonod-verifier"))
        .arg("serve")
        .arg("--dev-keys")
        .arg(dir.join("keys"))
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("SONOD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("log.txt")).unwrap(),
        ))
        .spawn()
        .unwrap();
    (Service(child), format!("http://127.0.0.1:{port}"))
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "XsonodBoundaryX";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"x\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bombs_leave_the_service_within_its_memory_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (service, base) = start(dir.path());
    let pid = service.0.id();
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the verifier did not start: {}",
            std::fs::read_to_string(dir.path().join("log.txt")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at_start = peak_kib(pid);
    let side = 40_000u32;
    let huge = u64::from(side) * u64::from(side);
    // (bomb, the status of the answer, a phrase of the answer)
    let uploads: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "png-iccp",
            bombs::png_iccp(2 * bombs::GIB),
            422,
            "No QR code",
        ),
        ("png-ztxt", bombs::png_ztxt(bombs::GIB), 422, "No QR code"),
        (
            "png-idat",
            bombs::png_idat_overflow(huge),
            422,
            "No QR code",
        ),
        ("jpeg-app", bombs::jpeg_app_markers(120), 422, "No QR code"),
        ("tiff-strip", bombs::tiff_strip(huge), 422, "No QR code"),
        (
            "png-declared",
            bombs::png_declared(60_000, 60_000),
            413,
            "too large",
        ),
        (
            "pdf-image",
            bombs::pdf_image_bomb(side),
            422,
            "PDF is not accepted",
        ),
        // A phone's 50 MP photo, read at 1/4 scale: its code is found, and judged (it is no
        // certificate's).
        (
            "photo-50mp",
            photos::photo_jpeg(8160, 6120, "NOT A CERTIFICATE", 16),
            200,
            "class=\"state bad\"",
        ),
    ];
    for (name, bytes, status, phrase) in &uploads {
        // Four at once, as the report had them.
        let mut sends = Vec::new();
        for _ in 0..4 {
            let (kind, body) = multipart(bytes);
            let request = client
                .post(format!("{base}/scan"))
                .header("content-type", kind)
                .body(body);
            sends.push(tokio::spawn(async move {
                let answer = request.send().await?;
                let status = answer.status().as_u16();
                Ok::<_, reqwest::Error>((status, answer.text().await?))
            }));
        }
        for send in sends {
            let (got, text) = send
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // A busy answer (503) is fair under load; any other must be the bomb's own.
            if got == 503 {
                continue;
            }
            assert_eq!(got, *status, "{name}: {text}");
            assert!(text.contains(phrase), "{name}: {text}");
        }
        println!("{name}: peak {} KiB so far", peak_kib(pid));
    }
    // JSON: nested past serde_json's depth within the body limit, and a body past the limit.
    let nested = "[".repeat(10_000);
    let answer = client
        .post(format!("{base}/api/v1/verify"))
        .header("content-type", "application/json")
        .body(nested)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    // Just past the 16 KiB limit (a larger body is cut off as it is sent, and the client
    // sees a broken pipe instead of the answer).
    let big = format!("{{\"payload\": \"{}\"}}", "A".repeat(20 << 10));
    let answer = client
        .post(format!("{base}/api/v1/verify"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 413);
    // Still serving.
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert!(health.status().is_success());
    // Reads still running past their budget are counted in the peak too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let peak = peak_kib(pid);
    println!("sonod-verifier: {at_start} KiB at the start, peak {peak} KiB after the bombs");
    assert!(peak <= BOUND_KIB, "peak {peak} KiB over {BOUND_KIB} KiB");
}
