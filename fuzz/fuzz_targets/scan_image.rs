//! `sonod_scan::decode_image_bytes` on arbitrary bytes (every supported image format is
//! guessed from the content): no panic and no allocation past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_scan::{decode_image_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the checks are the same as with the defaults.
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_side: 1024,
        max_pixels: 1 << 20,
        ..Limits::default()
    };
    let _ = decode_image_bytes(data, &limits);
});
