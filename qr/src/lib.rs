//! Reading QR codes from what people actually hold up to a camera or put on a scanner: phone
//! photographs, scans of folded paper, camera frames, and the first page of a PDF.
//!
//! Two promises, whatever the input:
//!
//! - **Bounded input and memory.** File size, width, height and pixel count are checked before
//!   anything is decompressed ([`Limits`]), and every part of a file that is decompressed at
//!   all is decompressed within a stated bound (colour profiles and text in a PNG are not
//!   decompressed; every stream of a PDF is measured, within a cap, before the page is
//!   rendered), so a small file cannot unpack into gigabytes. How many reads run at once,
//!   counting those that overran their budget, is bounded too ([`Limits::max_reads`]). The
//!   bounds and what they cost in memory: `docs/LIMITS.md`.
//! - **Bounded time.** Every image gets a time budget, from the moment its read gets its turn
//!   among the [`Limits::max_reads`]. The search runs as a series of looks,
//!   cheapest first, with the deadline checked between them, and the whole search runs on a
//!   worker thread that the caller stops waiting for at the deadline: an image that would keep
//!   a decoder busy for minutes is answered with [`ReadError::TimedOut`] ("no QR code found in
//!   time") instead. A look that overruns is left to finish on its own; while one is still
//!   running, later images skip the decoder that can overrun (see [`find_codes`]).
//!
//! What is found here is only text: a misread can never turn into a genuine certificate,
//! because every payload is still verified against its signature by the caller.
//!
//! The looks, in order (each only while time remains): the ZXing detector as zxing-cpp has it
//! (the `rxing` port's `cpp_port`, several codes per image) on the image as it is, then
//! unsharp-masked against blur and JPEG softness, then low-pass filtered (a photographed
//! screen's subpixel stripes and moiré), sharpened at 0.4× (strong blur), with its grey levels
//! squared and sharpened (modules washed out by a highlight), then rqrr — a second,
//! independent detector — on a reduced sharpened copy, then ZXing on sharpened copies enlarged
//! 1.5× and 2× for codes whose modules are only two or three pixels wide, and last on the
//! inverted image (light-on-dark codes). The search stops at the first look that reads a
//! code, unless that look saw finder patterns it could not read (another code, perhaps): then
//! the following ZXing looks run in turn, on the places where those patterns are (or on the
//! whole image when they are many or large), while such patterns are left; and when a look
//! reads three codes or more (many certificates in one picture) every following ZXing look
//! runs on the whole image. Why these and in this order: `search::LOOKS`.
//!
//! Rotation and perspective are handled by both detectors' finder-pattern geometry.

mod finder;
mod l10n;
mod load;
mod pdf;
mod pixels;
mod search;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use image::GrayImage;
pub use load::{load_luma, looks_like_image, Format};
pub use search::{find_codes, look_names, try_look, Found};

/// The most pixels of a JPEG photo read at a reduced scale: 8192×6144, the largest of today's
/// 50-megapixel phone cameras (8160×6120, 8160×6144).
pub const MAX_PHOTO_PIXELS: u64 = 8192 * 6144;

/// Input and time limits, checked before and while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Largest width or height, in pixels (a PDF page is rendered within it).
    pub max_side: u32,
    /// Most pixels.
    pub max_pixels: u64,
    /// Most pixels of a JPEG photo. One over `max_side` or `max_pixels` (a phone's 12 MP or
    /// 50 MP picture) is decoded at 1/2, 1/4 or 1/8 of its size straight from the DCT, the
    /// largest scale that fits them: it costs no more memory than an image at the limits.
    /// Other formats stay within `max_side` and `max_pixels`.
    pub max_photo_pixels: u64,
    /// Longest time for one image, from the bytes to the answer.
    pub budget: Duration,
    /// Whether PDFs are read. Every stream of a PDF is measured within a cap before its page
    /// is rendered, but the renderer is a large program: a service taking files from anyone
    /// turns this off; a scanner reading an office's own scans leaves it on.
    pub pdf: bool,
    /// Most reads running at once in this process, counting those still running after their
    /// callers stopped waiting for them: a read waits for its turn (and its budget starts
    /// then). The memory of all reads together is this many times the memory of one
    /// (`docs/LIMITS.md`). At least 1.
    pub max_reads: usize,
}

impl Default for Limits {
    /// 32 MiB a file, 12,000 pixels a side, 48 megapixels, JPEG photos up to 50 megapixels
    /// (8192×6144) read at a reduced scale, 2 seconds an image, PDFs read, as many reads at
    /// once as there are cores.
    fn default() -> Limits {
        Limits {
            max_file_bytes: 32 << 20,
            max_side: 12_000,
            max_pixels: 48_000_000,
            max_photo_pixels: MAX_PHOTO_PIXELS,
            budget: Duration::from_secs(2),
            pdf: true,
            max_reads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Larger than the file size limit.
    #[error("{}", crate::l10n::both("read-file-too-large", &[("n0", &format!("{}", .0))]))]
    FileTooLarge(u64),
    /// Wider or taller than allowed, or too many pixels.
    #[error("{}", crate::l10n::both("read-image-too-large", &[("n0", &format!("{}", .0)), ("n1", &format!("{}", .1))]))]
    ImageTooLarge(u32, u32),
    /// Empty input.
    #[error("{}", crate::l10n::both("read-empty", &[]))]
    Empty,
    /// Not an image in a supported format, or a damaged one.
    #[error("{}", crate::l10n::both("read-not-an-image", &[("n0", &format!("{}", .0))]))]
    NotAnImage(String),
    /// A PDF that could not be rendered.
    #[error("{}", crate::l10n::both("read-pdf", &[("n0", &format!("{}", .0))]))]
    Pdf(String),
    /// A compressed part of the file (a PDF stream, a PNG or TIFF chunk) expands past the
    /// bound for it, in bytes: a decompression bomb, or a file far larger inside than a
    /// certificate needs.
    #[error("{}", crate::l10n::both("read-expands", &[("mib", &format!("{}", (.0 >> 20)))]))]
    Expands(u64),
    /// A PDF that uses something not read here.
    #[error("{}", crate::l10n::both("read-pdf-unsupported", &[("what", .0.id())]))]
    PdfUnsupported(PdfFeature),
    /// The budget ran out before any QR code was found.
    #[error("{}", crate::l10n::both("read-timed-out", &[("ms", &format!("{}", (.0.as_millis())))]))]
    TimedOut(Duration),
}

/// What in a PDF is not read here (its words are in `locales/*/qr.ftl`,
/// `read-pdf-unsupported`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfFeature {
    /// The PDF is encrypted.
    Encrypted,
    /// A stream's filter or image size is an indirect object stored elsewhere.
    StoredElsewhere,
    /// A compressed stream does not inflate.
    Damaged,
    /// Streams overlap one another.
    Overlapping,
    /// A fax-compressed (CCITT) image says no height.
    FaxWithoutHeight,
    /// A JBIG2-compressed image.
    Jbig2,
}

impl PdfFeature {
    /// Every feature, for tests and documentation.
    pub const ALL: [PdfFeature; 6] = [
        PdfFeature::Encrypted,
        PdfFeature::StoredElsewhere,
        PdfFeature::Damaged,
        PdfFeature::Overlapping,
        PdfFeature::FaxWithoutHeight,
        PdfFeature::Jbig2,
    ];

    /// The selector of its words in the Fluent files.
    pub fn id(self) -> &'static str {
        match self {
            PdfFeature::Encrypted => "encrypted",
            PdfFeature::StoredElsewhere => "stored-elsewhere",
            PdfFeature::Damaged => "damaged",
            PdfFeature::Overlapping => "overlapping",
            PdfFeature::FaxWithoutHeight => "fax-without-height",
            PdfFeature::Jbig2 => "jbig2",
        }
    }
}

/// Searches still running after their caller stopped waiting for them.
static OVERRUNNING: AtomicUsize = AtomicUsize::new(0);

/// Reads running now (workers alive, whether or not their caller still waits).
static RUNNING: Mutex<usize> = Mutex::new(0);
/// Signalled when a read ends.
static READ_ENDED: Condvar = Condvar::new();

/// The longest a read waits for its turn among the [`Limits::max_reads`] (then
/// [`ReadError::TimedOut`]): reads still running after their caller stopped waiting end
/// within seconds, so this is reached only if something is badly wrong.
const MAX_TURN_WAIT: Duration = Duration::from_secs(60);

/// A read's place among the [`Limits::max_reads`]; given back when the worker ends.
struct Turn;

impl Turn {
    /// Waits until fewer than `max` reads run, or until `deadline` (then `None`).
    fn wait(max: usize, deadline: Instant) -> Option<Turn> {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= max.max(1) {
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            running = READ_ENDED
                .wait_timeout(running, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *running += 1;
        Some(Turn)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        READ_ENDED.notify_all();
    }
}

/// Where a worker leaves its answer.
enum Slot {
    Waiting,
    Done(Result<Found, ReadError>),
    Abandoned,
}

/// Every QR code text in an image file held in memory (PNG, JPEG, WebP, BMP, TIFF, GIF, or the
/// first page of a PDF), each once, within `limits` — also within its time budget.
///
/// An empty list means the whole search ran and found nothing; [`ReadError::TimedOut`] means
/// the budget ran out first. Codes found before the deadline are returned even if the search
/// was cut short.
pub fn read_codes(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, ReadError> {
    read_codes_shared(Arc::from(bytes), limits)
}

/// [`read_codes`] for bytes already shared (no copy is made for the worker thread).
pub fn read_codes_shared(bytes: Arc<[u8]>, limits: &Limits) -> Result<Vec<String>, ReadError> {
    let limits = *limits;
    // Memory is bounded per read; the number of reads alive at once bounds the sum. The
    // budget starts with the read's turn, so that a photo queued behind a slow one is not
    // answered "not found in time" unread.
    let Some(turn) = Turn::wait(limits.max_reads, Instant::now() + MAX_TURN_WAIT) else {
        return Err(ReadError::TimedOut(limits.budget));
    };
    let deadline = Instant::now() + limits.budget;
    let shared = Arc::new((Mutex::new(Slot::Waiting), Condvar::new()));
    let worker = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("qr-read".into())
        .spawn(move || {
            let _turn = turn;
            // A decoder bug must not take the caller down: a panic is a failed read.
            let result = std::panic::catch_unwind(|| {
                load_luma(&bytes, &limits).map(|luma| {
                    let slow_ok = OVERRUNNING.load(Ordering::Relaxed) == 0;
                    find_codes(&luma, deadline, slow_ok)
                })
            })
            .unwrap_or_else(|_| Err(ReadError::NotAnImage("the decoder failed".into())));
            let (lock, ready) = &*worker;
            let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
            if matches!(*slot, Slot::Abandoned) {
                OVERRUNNING.fetch_sub(1, Ordering::Relaxed);
            }
            *slot = Slot::Done(result);
            ready.notify_one();
        });
    if let Err(e) = spawned {
        return Err(ReadError::NotAnImage(format!("cannot start a worker: {e}")));
    }
    // A little grace past the deadline: the last look started before it may end just after.
    let until = deadline + (limits.budget / 10).max(Duration::from_millis(20));
    let (lock, ready) = &*shared;
    let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        match std::mem::replace(&mut *slot, Slot::Waiting) {
            Slot::Done(Ok(found)) => return found.into_result(limits.budget),
            Slot::Done(Err(e)) => return Err(e),
            Slot::Waiting | Slot::Abandoned => {}
        }
        let now = Instant::now();
        if now >= until {
            *slot = Slot::Abandoned;
            OVERRUNNING.fetch_add(1, Ordering::Relaxed);
            return Err(ReadError::TimedOut(limits.budget));
        }
        slot = ready
            .wait_timeout(slot, until - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// How many searches are still running after their callers stopped waiting (for metrics).
pub fn overrunning() -> usize {
    OVERRUNNING.load(Ordering::Relaxed)
}

impl Found {
    fn into_result(self, budget: Duration) -> Result<Vec<String>, ReadError> {
        if self.texts.is_empty() && self.timed_out {
            Err(ReadError::TimedOut(budget))
        } else {
            Ok(self.texts)
        }
    }
}

#[cfg(test)]
mod tests;
