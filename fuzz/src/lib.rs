//! What the fuzz targets share.

/// A `fuzz_target!` that first writes its seeds (`write_seeds(dir)`) into the directory
/// `SONOD_FUZZ_SEEDS` names, when it is set: the one start of every seeded target.
#[macro_export]
macro_rules! seeded_fuzz_target {
    ($seeds:path, |$data:ident: &[u8]| $body:block) => {
        libfuzzer_sys::fuzz_target!(
            init: {
                if let Some(dir) = std::env::var_os("SONOD_FUZZ_SEEDS") {
                    $seeds(std::path::Path::new(&dir));
                }
            },
            |$data: &[u8]| $body
        );
    };
}
