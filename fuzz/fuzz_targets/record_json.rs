//! `Record::from_json_str` on arbitrary text: no panic, and an accepted record survives its own
//! JSON (`to_json` writes the shape `from_json` reads).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_seal::Record;

fuzz_target!(|text: &str| {
    let Ok(record) = Record::from_json_str(text) else {
        return;
    };
    let again = Record::from_json(&record.to_json()).expect("a record's own JSON is valid");
    assert_eq!(again, record);
    let again = Record::from_json_str(&record.to_json().to_string()).expect("and as text");
    assert_eq!(again, record);
});
