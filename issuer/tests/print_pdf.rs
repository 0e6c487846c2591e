//! The printable certificate, printed for real: headless Chromium prints the page to PDF,
//! Poppler rasterises it as a scanner or a phone camera would see it, rqrr decodes the QR
//! code and the sealed certificate must open and verify with the office key.
//!
//! Needs the Debian/Ubuntu packages `chromium`, `poppler-utils` (pdfinfo, pdftoppm,
//! pdffonts) and `fonts-noto-core` (Noto Sans/Serif Bengali). Without them the tests fail
//! and say what to install.
//!
//! Set `SONOD_PRINT_KEEP=<dir>` to keep the HTML, PDF and PNG files for a look.

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sonod_issuer::{render_certificate, PrintContext, QrImage};
use sonod_keys::SecretKey;
use sonod_seal::{Certificate, Host, Record, Sealed};
use tempfile::TempDir;

const PACKAGES: &str = "apt-get install -y chromium poppler-utils fonts-noto-core";
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data")
}

fn read_record(path: &Path) -> Record {
    Record::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A program on PATH, or a failure that names the packages to install.
fn tool(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "{} not found: the print tests need headless Chromium, Poppler and the Noto Bengali \
         fonts. Install them with: {PACKAGES}",
        names.join(" or ")
    );
}

fn chromium() -> PathBuf {
    tool(&["chromium", "chromium-browser"])
}

/// Prints `html` to `<dir>/<name>.pdf` with headless Chromium, killing it after 60 s.
fn print_pdf(html: &str, dir: &Path, name: &str) -> PathBuf {
    let html_path = dir.join(format!("{name}.html"));
    let pdf_path = dir.join(format!("{name}.pdf"));
    std::fs::write(&html_path, html).unwrap();
    let profile = TempDir::new_in(dir).unwrap();
    let log_path = dir.join(format!("{name}.chromium.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf_path.display()))
        .arg(format!("file://{}", html_path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        // Its own process group, so that a hung Chromium is killed with all its helpers.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromium ({e}); install with: {PACKAGES}"));
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish printing within {CHROMIUM_TIMEOUT:?}; log:\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let ok = status.success() && pdf_path.metadata().is_ok_and(|m| m.len() > 0);
    assert!(
        ok,
        "chromium failed to print ({status}); log:\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
    pdf_path
}

fn run(program: PathBuf, args: &[&str]) -> String {
    let out = Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; install with: {PACKAGES}",
                program.display()
            )
        });
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF's page count and page size in points, from `pdfinfo`.
fn pdf_pages(pdf: &Path) -> (u32, String) {
    let info = run(tool(&["pdfinfo"]), &[pdf.to_str().unwrap()]);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("pdfinfo without {name}:\n{info}"))
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// Checks that the Bengali text was set in a Noto Bengali font (not tofu boxes).
fn assert_bengali_font(pdf: &Path) {
    let fonts = run(tool(&["pdffonts"]), &[pdf.to_str().unwrap()]);
    assert!(
        fonts.contains("NotoSansBengali") || fonts.contains("NotoSerifBengali"),
        "no Noto Bengali font embedded in the PDF; install fonts-noto-core ({PACKAGES}). Fonts:\n{fonts}"
    );
}

/// Page 1 rasterised at `dpi` as a grey image.
fn rasterise(pdf: &Path, dpi: u32, out_prefix: &Path) -> (PathBuf, image::GrayImage) {
    run(
        tool(&["pdftoppm"]),
        &[
            "-r",
            &dpi.to_string(),
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            pdf.to_str().unwrap(),
            out_prefix.to_str().unwrap(),
        ],
    );
    let png = out_prefix.with_extension("png");
    let mut bytes = Vec::new();
    std::fs::File::open(&png)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_luma8();
    (png, img)
}

/// Every QR code rqrr finds and decodes in the image.
fn decode_all(img: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Decodes like a scanner that retries an image enlarged: as is, then 1.5× and 2×. rqrr alone
/// is fragile at these resolutions: below about three pixels a module it misses the finder
/// patterns, and near it its search for the alignment pattern fails or succeeds with the
/// pixel phase (measured over 40 keys: as is, 100% at 150 dpi for the benchmark and 93% for
/// another record, 0% at 100 dpi; with the retries, 100% in all four cases). Returns the texts
/// and the scale that found them.
fn decode_retrying(img: &image::GrayImage) -> (Vec<String>, f32) {
    let (w, h) = img.dimensions();
    for scale in [1.0f32, 1.5, 2.0] {
        let texts = if scale == 1.0 {
            decode_all(img.clone())
        } else {
            decode_all(image::imageops::resize(
                img,
                (w as f32 * scale) as u32,
                (h as f32 * scale) as u32,
                image::imageops::FilterType::Triangle,
            ))
        };
        if !texts.is_empty() {
            return (texts, scale);
        }
    }
    (Vec::new(), 0.0)
}

fn keep(dir: &Path) {
    if let Some(keep) = std::env::var_os("SONOD_PRINT_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, keep.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// The decoded text opens and verifies with the office key, and carries the record.
fn verify_text(text: &str, key: &SecretKey, record: &Record) {
    let payload = sonod_seal::parse_qr_text(text).unwrap();
    let opened = sonod_seal::open(&payload.bytes).unwrap();
    let cert = opened.verify(&key.verifying_key()).unwrap();
    assert_eq!(cert.record, record.signed_part());
}

struct Printed {
    html: String,
    qr_text: String,
}

fn render(record: &Record, key: &SecretKey, serial: u64, revoked: bool, dev: bool) -> Printed {
    let sealed = Sealed::seal(&Certificate::new(serial, record), key).unwrap();
    let host: Host = "verify.sonod.gov.bd".parse().unwrap();
    let qr_text = sealed.to_qr_text(Some(&host));
    let svg = QrImage::new(&qr_text, qrcode::EcLevel::M).unwrap().svg();
    let key_id = key.key_id().to_string();
    let html = render_certificate(&PrintContext {
        office_name_bn: "সাভার পৌরসভা",
        office_name_en: "Savar Paurashava",
        office_address_bn: Some("সাভার, ঢাকা-১৩৪০"),
        record,
        serial,
        key_id: &key_id,
        qr_svg: &svg,
        qr_text: &qr_text,
        revoked,
        development: dev,
    });
    Printed { html, qr_text }
}

#[test]
fn benchmark_certificate_prints_on_one_a4_page_and_its_qr_code_verifies() {
    let record = read_record(&data_dir().join("benchmark-record.json"));
    let key = SecretKey::generate();
    let printed = render(&record, &key, 42, false, false);
    assert!(printed
        .qr_text
        .starts_with("HTTPS://VERIFY.SONOD.GOV.BD/V/"));

    let dir = TempDir::new().unwrap();
    let pdf = print_pdf(&printed.html, dir.path(), "benchmark");
    let (pages, size) = pdf_pages(&pdf);
    assert_eq!(pages, 1, "the certificate must fit one page");
    assert!(size.contains("(A4)"), "not A4: {size}");
    assert_bengali_font(&pdf);

    let payload = sonod_seal::parse_qr_text(&printed.qr_text).unwrap();
    let opened = sonod_seal::open(&payload.bytes).unwrap();
    let cert = opened.verify(&key.verifying_key()).unwrap();
    assert_eq!(cert.serial, 42);
    assert_eq!(cert.record, record.signed_part());

    // A flatbed scan at 150 dpi.
    let (_, img) = rasterise(&pdf, 150, &dir.path().join("benchmark-150"));
    let (texts, scale) = decode_retrying(&img);
    assert_eq!(
        texts,
        std::slice::from_ref(&printed.qr_text),
        "the QR code did not decode at 150 dpi"
    );
    verify_text(&texts[0], &key, &record);
    eprintln!("150 dpi: decoded at {scale}×");

    // A poor scan at 100 dpi (about 2.8 pixels a module) must decode, if need be enlarged.
    let (_, img) = rasterise(&pdf, 100, &dir.path().join("benchmark-100"));
    let (texts, scale) = decode_retrying(&img);
    assert_eq!(
        texts,
        std::slice::from_ref(&printed.qr_text),
        "the QR code did not decode at 100 dpi"
    );
    verify_text(&texts[0], &key, &record);
    eprintln!("100 dpi: decoded at {scale}×");
    keep(dir.path());
}

#[test]
fn every_sample_record_fits_one_page_and_scans() {
    // A fixed key, so that the QR codes, and so the test, are the same on every run.
    let key = SecretKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[7; 32]));
    let mut paths: Vec<_> = std::fs::read_dir(data_dir().join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 14);
    let dir = TempDir::new().unwrap();
    for (i, path) in paths.iter().enumerate() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let record = read_record(path);
        // The marks must not push anything off the page either.
        let (revoked, dev) = (i % 3 == 1, i % 2 == 1);
        let printed = render(&record, &key, 1000 + i as u64, revoked, dev);
        let pdf = print_pdf(&printed.html, dir.path(), &name);
        assert_eq!(pdf_pages(&pdf).0, 1, "{name} does not fit one page");
        let (_, img) = rasterise(&pdf, 150, &dir.path().join(&name));
        let (texts, _) = decode_retrying(&img);
        assert_eq!(
            texts,
            std::slice::from_ref(&printed.qr_text),
            "{name}: the QR code did not decode at 150 dpi"
        );
        verify_text(&texts[0], &key, &record);
    }
    keep(dir.path());
}
