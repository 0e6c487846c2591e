//! `sonod-scan`: read Sonod QR codes from images and verify them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use sonod_judge::VerdictKind;
use sonod_keys::today_dhaka;
use sonod_scan::messages;
use sonod_scan::{
    checked_human, checked_json, decode_found_file, decode_image_bytes, decode_image_file,
    kiosk_line, Checker, DecodeImageError, Frames, Limits, ReadError, Tally, Tone,
};
use time::Date;

/// The help's closing part: examples, exit status, the root key (Bangla, then English).
fn after_help() -> String {
    let (bn, en) = messages::pair_with("cli-after-help", &[]);
    format!("{bn}\n\n{en}")
}

#[derive(Parser)]
#[command(
    name = "sonod-scan",
    version,
    about = messages::both_args("cli-about", &[]),
    after_help = after_help(),
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Images, PDFs or folders of them; `-` reads images back to back from standard input
    /// (JPEG, PNG or BMP frames, as `ffmpeg -f image2pipe` writes them; or any one image).
    #[arg(required_unless_present = "watch")]
    inputs: Vec<PathBuf>,
    /// Keep watching this folder and scan each new file put into it (a scanner's drop folder).
    #[arg(long, value_name = "DIR")]
    watch: Option<PathBuf>,
    /// Only print the text of each QR code found (no verifying; any QR code, not just Sonod's).
    #[arg(long)]
    raw: bool,
    /// One JSON object per line for each QR code (or input without one).
    #[arg(long, conflicts_with = "kiosk")]
    json: bool,
    /// One big line per verdict, in colour on a terminal, for a kiosk screen.
    #[arg(long)]
    kiosk: bool,
    /// Ring the terminal bell for each verdict: once when valid, twice when it needs a second
    /// look (unconfirmed, or a QR linking to an unknown site), three times when not valid.
    #[arg(long)]
    bell: bool,
    /// The trust list (JSON, signed by the root key): judge without a snapshot (signature,
    /// trust list and dates only: a genuine signature then reads `unconfirmed`, exit 3, since
    /// issuance and revocation are not checked).
    #[arg(long, env = "SONOD_TRUST")]
    trust: Option<PathBuf>,
    /// The national root public key (SPKI PEM) that signs the trust list. A root pinned on this
    /// machine (/etc/sonod/root.pub.pem, or built in) is used without it, and it must then be
    /// the same key.
    #[arg(long, env = "SONOD_ROOT")]
    root: Option<PathBuf>,
    /// --store, --max-age, --verifier, --timeout: the snapshot or a verifier.
    #[command(flatten)]
    source: sonod_scan::SourceArgs,
    /// Judge as of this date (YYYY-MM-DD) instead of today in Dhaka.
    #[arg(long, value_parser = parse_date)]
    at: Option<Date>,
    /// Longest time for one image, in milliseconds; then "no QR code found in time"
    /// [default: 2000 for files, 100 for the frames of a stream, where the next frame is
    /// only 33 ms away].
    #[arg(long, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    budget_ms: Option<u64>,
    /// Images decoded at once (default: all cores). Memory grows with it: up to about
    /// 400 MB an image at the size limits, most images far less (docs/LIMITS.md).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// In a stream or a watched folder, the same certificate seen again within this many
    /// seconds of its last sighting is not reported again.
    #[arg(long, default_value_t = 5)]
    repeat_after: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the trust list and every office's status list and feed into the offline snapshot.
    Sync(sonod_scan::SyncArgs),
}

fn parse_date(s: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// Worst outcome so far, as the exit status: 0 all valid, 3 something unconfirmed, 1 something
/// not valid, 2 an I/O error or a refused store (in that order of weight).
#[derive(Default, Clone, Copy)]
struct Outcome(u8);

/// Exit status: every input valid.
const VALID: u8 = 0;
/// Exit status: something not valid (or no QR code).
const INVALID: u8 = 1;
/// Exit status: a usage or I/O error, or a store or trust list refused.
const ERROR: u8 = 2;
/// Exit status: the signature holds but issuance or revocation was not checked.
const UNCONFIRMED: u8 = 3;

impl Outcome {
    fn weight(code: u8) -> u8 {
        match code {
            VALID => 0,
            UNCONFIRMED => 1,
            INVALID => 2,
            _ => 3,
        }
    }

    fn saw(&mut self, code: u8) {
        if Outcome::weight(code) > Outcome::weight(self.0) {
            self.0 = code;
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(o) => ExitCode::from(o.0),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}: {e:#}", messages::both("error-label"));
            ExitCode::from(ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Where verdicts go, in the chosen form; remembers the worst outcome and, for streams and
/// watched folders, which certificates were just reported.
struct Printer<'a> {
    cli: &'a Cli,
    /// `None` with `--raw`.
    checker: Option<&'a Checker>,
    today: Date,
    out: std::io::StdoutLock<'static>,
    colour: bool,
    outcome: Outcome,
    recent: HashMap<String, Instant>,
    bar: Option<ProgressBar>,
    /// What came of the files so far, for the summary (frames of a stream are not counted).
    tally: Tally,
    /// Whether reports are counted in `tally` now (not while reading a stream).
    counting: bool,
}

/// What reading one input gave.
type Read_ = Result<Vec<String>, DecodeImageError>;

impl Printer<'_> {
    /// Reports one input. With `dedupe`, a text reported within `--repeat-after` seconds of
    /// its last sighting is skipped, and an input without a QR code is silent (a camera frame
    /// with nothing in front of it).
    fn report(&mut self, name: &str, read: Read_, dedupe: bool) -> Result<()> {
        let counting = self.counting;
        let count = |tally: &mut Tally, f: fn(&mut Tally)| {
            if counting {
                f(tally);
            }
        };
        let texts = match read {
            Ok(t) => t,
            Err(DecodeImageError::NotAnImage) => {
                // Not a certificate's picture at all (notes beside the scans): said, counted,
                // and no error.
                count(&mut self.tally, Tally::skipped);
                return self.skipped(name);
            }
            Err(DecodeImageError::Read(ReadError::TimedOut(_))) if dedupe => {
                count(&mut self.tally, Tally::no_qr);
                return Ok(());
            }
            Err(e @ DecodeImageError::Read(ReadError::TimedOut(_))) => {
                count(&mut self.tally, Tally::no_qr);
                self.outcome.saw(INVALID);
                return self.error(name, &e.to_string());
            }
            Err(e) => {
                count(&mut self.tally, Tally::unreadable);
                self.outcome.saw(ERROR);
                return self.error(name, &e.to_string());
            }
        };
        if texts.is_empty() {
            count(&mut self.tally, Tally::no_qr);
            if dedupe {
                return Ok(());
            }
            self.outcome.saw(INVALID);
            return self.error(name, messages::both("no-qr-in-image"));
        }
        for text in texts {
            if dedupe {
                let window = Duration::from_secs(self.cli.repeat_after);
                let now = Instant::now();
                let last = self.recent.insert(text.clone(), now);
                // Forget what has not been seen for a while, so the map stays small.
                if self.recent.len() > 256 {
                    self.recent.retain(|_, t| now.duration_since(*t) <= window);
                }
                if last.is_some_and(|t| now.duration_since(t) <= window) {
                    continue;
                }
            }
            self.verdict(name, &text)?;
        }
        Ok(())
    }

    fn verdict(&mut self, name: &str, text: &str) -> Result<()> {
        let line = match self.checker {
            None => {
                if self.counting {
                    self.tally.read();
                }
                if self.cli.json {
                    format!("{}\n", serde_json::json!({"input": name, "text": text}))
                } else {
                    format!("{text}\n")
                }
            }
            Some(checker) => {
                let checked = match checker.check(text, self.today) {
                    Ok(c) => c,
                    Err(e) => {
                        if self.counting {
                            self.tally.failed();
                        }
                        self.outcome.saw(ERROR);
                        return self.error(name, &format!("{e:#}"));
                    }
                };
                if self.counting {
                    self.tally.verdict(checked.verdict.kind);
                }
                self.outcome.saw(match checked.verdict.kind {
                    VerdictKind::Valid => VALID,
                    VerdictKind::Unconfirmed => UNCONFIRMED,
                    _ => INVALID,
                });
                let mut line = if self.cli.json {
                    format!("{}\n", checked_json(name, &checked))
                } else if self.cli.kiosk {
                    format!("{}\n", kiosk_line(&checked.verdict, self.colour))
                } else {
                    checked_human(name, &checked)
                };
                if self.cli.bell {
                    line.push_str(Tone::of(&checked.verdict).bells());
                }
                line
            }
        };
        self.write(&line)
    }

    /// A line on standard error, around the progress bar.
    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn error(&mut self, name: &str, msg: &str) -> Result<()> {
        if self.cli.json {
            let line = format!("{}\n", serde_json::json!({"input": name, "error": msg}));
            self.write(&line)
        } else if self.cli.kiosk {
            let line = format!("{name}: {msg}\n");
            self.write(&line)
        } else {
            self.say(&format!("{name}: {msg}"));
            Ok(())
        }
    }

    /// A file that is not an image or PDF: said on standard error (as a JSON line with
    /// `--json`), with no effect on the exit status.
    fn skipped(&mut self, name: &str) -> Result<()> {
        let msg = messages::both("not-an-image-skipped");
        if self.cli.json {
            let line = format!("{}\n", serde_json::json!({"input": name, "skipped": msg}));
            self.write(&line)
        } else {
            self.say(&format!("{name}: {msg}"));
            Ok(())
        }
    }

    /// The summary of the files so far: one line on standard error, or a JSON object on
    /// standard output with `--json`.
    fn summary(&mut self) -> Result<()> {
        if self.cli.json {
            let line = format!("{}\n", self.tally.json());
            self.write(&line)
        } else {
            self.say(&self.tally.line());
            Ok(())
        }
    }

    fn write(&mut self, s: &str) -> Result<()> {
        let out = &mut self.out;
        let result = match &self.bar {
            Some(bar) => bar.suspend(|| out.write_all(s.as_bytes()).and_then(|()| out.flush())),
            None => out.write_all(s.as_bytes()).and_then(|()| out.flush()),
        };
        Ok(result?)
    }
}

fn run(cli: &Cli) -> Result<Outcome> {
    if let Some(Command::Sync(a)) = &cli.command {
        sonod_scan::run_sync(a)?;
        return Ok(Outcome::default());
    }
    let checker = if cli.raw {
        None
    } else {
        let checker =
            Checker::from_args(&cli.source.checker_args(cli.trust.clone(), cli.root.clone()))?;
        for notice in checker.notices() {
            eprintln!("{notice}");
        }
        Some(checker)
    };
    let jobs = cli.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        usize::from,
    );
    let limits = Limits {
        budget: Duration::from_millis(cli.budget_ms.unwrap_or(2000)),
        // No more reads alive than jobs, counting any still running past its budget: the
        // memory bound of one read times `jobs` (docs/LIMITS.md).
        max_reads: jobs,
        ..Limits::default()
    };
    let mut printer = Printer {
        cli,
        checker: checker.as_ref(),
        today: cli.at.unwrap_or_else(today_dhaka),
        out: std::io::stdout().lock(),
        colour: cli.kiosk
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
        outcome: Outcome::default(),
        recent: HashMap::new(),
        bar: None,
        tally: Tally::default(),
        counting: true,
    };
    let expanded = expand(&cli.inputs);
    for (path, msg) in &expanded.errors {
        printer.outcome.saw(ERROR);
        printer.error(&path.display().to_string(), msg)?;
    }
    // A folder: a summary at the end (files named one by one get none, so that a list of
    // files read with `--json` stays one line a code).
    let summarise = expanded.files.iter().any(|(_, found)| *found);
    // Files in the order given, with standard input where `-` stands.
    let mut batch = Vec::new();
    for (input, found) in expanded.files {
        if input.as_os_str() == "-" {
            scan_files(std::mem::take(&mut batch), &limits, jobs, &mut printer)?;
            printer.counting = false;
            scan_stdin(&limits, jobs, &mut printer)?;
            printer.counting = true;
        } else {
            batch.push((input, found));
        }
    }
    scan_files(batch, &limits, jobs, &mut printer)?;
    // Files were found, but none was an image or a PDF: nothing was checked, which must
    // not read as "all valid".
    if printer.tally.only_skipped() {
        printer.outcome.saw(ERROR);
        let names: Vec<String> = cli.inputs.iter().map(|p| p.display().to_string()).collect();
        printer.error(&names.join(" "), messages::both("no-images-found"))?;
    }
    if summarise && !printer.tally.is_empty() {
        printer.summary()?;
    }
    if let Some(dir) = &cli.watch {
        watch(dir, &limits, &mut printer)?;
    }
    Ok(printer.outcome)
}

/// Scans files on `jobs` threads, reporting in the order given, with a progress bar on a
/// terminal for more than a few files. A file found in a folder (`true` beside it) that is not
/// an image or PDF is skipped; one named on the command line is read whatever it is.
fn scan_files(
    files: Vec<(PathBuf, bool)>,
    limits: &Limits,
    jobs: usize,
    printer: &mut Printer,
) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    if files.len() > 3 && std::io::stderr().is_terminal() && !printer.cli.kiosk {
        let bar = ProgressBar::new(files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {} · {{eta}} {}",
                messages::both("unit-images"),
                messages::both("time-left")
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        printer.bar = Some(bar);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("scan-{i}"))
        .build()
        .context("cannot start worker threads")?;
    let (tx, rx) = mpsc::channel::<(usize, Read_)>();
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            pool.install(|| {
                files
                    .par_iter()
                    .enumerate()
                    .for_each_with(tx, |tx, (i, (path, found))| {
                        let read = if *found {
                            decode_found_file(path, limits)
                        } else {
                            decode_image_file(path, limits)
                        };
                        let _ = tx.send((i, read));
                    });
            });
        });
        // Results arrive in any order; they are reported in the order given.
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, read) in rx {
            pending.insert(i, read);
            while let Some(read) = pending.remove(&next) {
                printer.report(&files[next].0.display().to_string(), read, false)?;
                if let Some(bar) = &printer.bar {
                    bar.inc(1);
                }
                next += 1;
            }
        }
        anyhow::Ok(())
    });
    if let Some(bar) = printer.bar.take() {
        bar.finish_and_clear();
    }
    result
}

/// Standard input: a stream of JPEG, PNG or BMP frames back to back, decoded on `jobs`
/// threads and reported in order, each certificate once while it stays in view; or, when the
/// input starts with any other format, one image.
fn scan_stdin(limits: &Limits, jobs: usize, printer: &mut Printer) -> Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, std::io::stdin());
    let head = input.fill_buf().context("standard input")?;
    let streamable =
        head.starts_with(&[0xFF, 0xD8]) || head.starts_with(b"\x89PNG") || head.starts_with(b"BM");
    if !streamable {
        let mut buf = Vec::new();
        let read = input
            .take(limits.max_file_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(DecodeImageError::from)
            .and_then(|_| decode_image_bytes(&buf, limits));
        return printer.report("-", read, false);
    }
    let frame_limits = Limits {
        budget: Duration::from_millis(printer.cli.budget_ms.unwrap_or(100)),
        ..*limits
    };
    let limits = &frame_limits;
    let (frame_tx, frame_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(jobs * 2);
    let frame_rx = Mutex::new(frame_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Read_)>();
    let mut frames_seen = 0usize;
    let mut codes_seen = false;
    std::thread::scope(|s| {
        let splitter = s.spawn(move || {
            let mut frames = Frames::new(input, limits.max_file_bytes);
            let mut n = 0;
            loop {
                match frames.next_frame() {
                    Ok(Some(frame)) => {
                        if frame_tx.send((n, frame)).is_err() {
                            return Ok(n);
                        }
                        n += 1;
                    }
                    Ok(None) => return Ok(n),
                    Err(e) => return Err((n, e)),
                }
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let frame_rx = &frame_rx;
            s.spawn(move || loop {
                let next = frame_rx
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .recv();
                let Ok((n, frame)) = next else { return };
                if done_tx
                    .send((n, decode_image_bytes(&frame, limits)))
                    .is_err()
                {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (n, read) in done_rx {
            pending.insert(n, read);
            while let Some(read) = pending.remove(&next) {
                codes_seen |= read.as_ref().is_ok_and(|t| !t.is_empty());
                printer.report("-", read, true)?;
                next += 1;
            }
        }
        frames_seen = next;
        match splitter.join() {
            Ok(Ok(_)) => {}
            Ok(Err((n, e))) => {
                printer.outcome.saw(ERROR);
                printer.error(&format!("- (frame {})", n + 1), &e.to_string())?;
            }
            Err(_) => anyhow::bail!("the stream reader failed"),
        }
        anyhow::Ok(())
    })?;
    if frames_seen > 0 && !codes_seen {
        printer.outcome.saw(INVALID);
        printer.error("-", messages::both("no-qr-in-any-image"))?;
    }
    Ok(())
}

/// How long a watched folder stays quiet after new files before the summary of all files so
/// far is printed: a scanner drops a batch of pages in quick succession.
const BATCH_QUIET: Duration = Duration::from_secs(5);

/// Watches `dir` for files put into it and scans each once it is complete (closed after
/// writing, or moved in whole); a file that is not an image or PDF is skipped. After each
/// batch (once the folder has been quiet for [`BATCH_QUIET`]) the summary of every file so far.
/// Runs until interrupted.
fn watch(dir: &Path, limits: &Limits, printer: &mut Printer) -> Result<()> {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    use notify::{EventKind, RecursiveMode, Watcher};

    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).context("cannot watch folders here")?;
    watcher
        .watch(dir, RecursiveMode::NonRecursive)
        .with_context(|| {
            let shown = dir.display().to_string();
            messages::both_with("cannot-watch", &[("dir", &shown, &shown)])
        })?;
    let shown = dir.display().to_string();
    eprintln!(
        "{}",
        messages::both_with("watching", &[("dir", &shown, &shown)])
    );
    let mut summarised = printer.tally.clone();
    loop {
        let event = match rx.recv_timeout(BATCH_QUIET) {
            Ok(event) => event,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if printer.tally != summarised {
                    printer.summary()?;
                    summarised = printer.tally.clone();
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                printer.error(&dir.display().to_string(), &format!("watch error: {e}"))?;
                continue;
            }
        };
        let complete = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Modify(ModifyKind::Name(RenameMode::To))
        );
        if !complete {
            continue;
        }
        for path in event.paths {
            if is_partial(&path) || !path.is_file() {
                continue;
            }
            let read = decode_found_file(&path, limits);
            printer.report(&path.display().to_string(), read, true)?;
        }
    }
    Ok(())
}

/// Names that scanners and copy tools use while a file is still being written.
fn is_partial(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    name.starts_with('.')
        || name.starts_with('~')
        || [".part", ".tmp", ".crdownload", ".partial", ".swp"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// What the inputs expand to: files to read (`true` beside one found in a folder), and inputs
/// that could not be expanded.
#[derive(Default)]
struct Expanded {
    files: Vec<(PathBuf, bool)>,
    errors: Vec<(PathBuf, String)>,
}

/// Files as given; folders expanded to the files in them (recursively, sorted). Hidden files
/// and folders (names starting with `.`) are skipped, every folder is visited once even when
/// symbolic links lead back to it, and a folder with no file in it is an error: nothing in it
/// was verified, which must not read as "all valid".
fn expand(inputs: &[PathBuf]) -> Expanded {
    let mut out = Expanded::default();
    let hidden = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    for input in inputs {
        if input.as_os_str() == "-" || !input.is_dir() {
            out.files.push((input.clone(), false));
            continue;
        }
        let mut stack = vec![input.clone()];
        let mut visited = HashSet::new();
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            // A symbolic link back to a parent would otherwise be followed for ever.
            if !visited.insert(std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
                continue;
            }
            match std::fs::read_dir(&dir) {
                Ok(entries) => {
                    for e in entries.flatten() {
                        let p = e.path();
                        if hidden(&p) {
                            continue;
                        }
                        if p.is_dir() {
                            stack.push(p);
                        } else {
                            found.push(p);
                        }
                    }
                }
                Err(e) => out.errors.push((
                    dir,
                    format!("{}: {e}", messages::both("cannot-read-folder")),
                )),
            }
        }
        if found.is_empty() && !out.errors.iter().any(|(p, _)| p.starts_with(input)) {
            out.errors.push((
                input.clone(),
                messages::both("no-files-in-folder").to_owned(),
            ));
        }
        found.sort();
        out.files.extend(found.into_iter().map(|p| (p, true)));
    }
    out
}
