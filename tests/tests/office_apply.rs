//! Applying for certificates as citizens and a digital centre operator do, in headless
//! Chromium against both services started as their binaries (`sonod-issuer serve
//! --dev-keys` and a `sonod-verifier` following it):
//!
//! - every one of the 14 types is chosen on /apply and its form typed in (Bangla names,
//!   Bangla digits where people type them, a document where one belongs), the tracking number
//!   read off the page; the chairman approves it (the API); the citizen signs in with the SMS
//!   code, downloads the PDF, which is rasterised, its QR code read and verified `valid` by
//!   `sonod-verifier` with the facts that were typed;
//! - an operator made with the CLI signs in with password and TOTP, applies for a walk-in
//!   citizen from their login (the centre recorded), and prints it after approval: valid;
//! - bad input at representative forms: each kind of bad field named next to it in Bangla and
//!   English, everything typed kept, nothing stored; the status lookup with a wrong mobile
//!   number says nothing more; a repeat points to the open application; an application sent
//!   back is corrected and resubmitted.
//!
//! `SONOD_SCREENSHOT_DIR=<dir>` keeps each page passed through at 390 and 1280 px.

mod common;

use std::path::{Path, PathBuf};

use common::apply::*;
use common::officials::set_width;
use common::*;
use serde_json::{json, Value};

/// A citizen's application: the type, the width of the screen they use, their mobile number
/// (Latin digits, to find their SMS), what they type, the documents they attach, and the
/// signed facts the verdict must show as typed (canonical).
struct Citizen {
    key: &'static str,
    width: u32,
    mobile: &'static str,
    typed: Vec<(&'static str, String)>,
    documents: &'static [&'static str],
    facts: Vec<(&'static str, Value)>,
}

/// The address part every form has.
fn address(village: &str, ward: &str) -> Vec<(&'static str, String)> {
    vec![
        ("village", village.into()),
        ("ward", ward.into()),
        ("post_office", "সাভার".into()),
        ("upazila", "সাভার".into()),
        ("district", "ঢাকা".into()),
    ]
}

/// The fiscal year running today (July to June), as a person writes it in Bangla digits.
fn fiscal_year_bn() -> (String, String) {
    let today = sonod_keys::today_dhaka();
    let start = today.year() - i32::from(u8::from(today.month()) < 7);
    let fy = format!("{start}-{:02}", (start + 1) % 100);
    (sonod_seal::bangla_digits(&fy), fy)
}

fn s(v: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    v.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The 14 applications, one of each type.
fn citizens() -> Vec<Citizen> {
    let with_address = |mut v: Vec<(&'static str, String)>, village: &str, ward: &str| {
        let mobile = v.pop().expect("mobile last");
        v.extend(address(village, ward));
        v.push(mobile);
        v
    };
    let (fy_bn, fy) = fiscal_year_bn();
    vec![
        Citizen {
            key: "citizenship",
            width: 390,
            mobile: "01711000001",
            typed: with_address(
                s(&[
                    ("nid", "১৯৯০১২৩৪৫৬"),
                    ("name", "রহিমা খাতুন"),
                    ("name_en", "Rahima Khatun"),
                    ("father", "করিম উদ্দিন"),
                    ("mother", "রোকেয়া বেগম"),
                    ("dob", "০৫-০৩-১৯৯০"),
                    ("purpose", "পাসপোর্টের আবেদন"),
                    ("mobile", "০১৭১১০০০০০১"),
                ]),
                "পূর্বপাড়া",
                "5",
            ),
            documents: &["nid-card.png"],
            facts: vec![
                ("name", json!("রহিমা খাতুন")),
                ("father", json!("করিম উদ্দিন")),
                ("nid", json!("1990123456")),
            ],
        },
        Citizen {
            key: "character",
            width: 390,
            mobile: "01811000002",
            typed: with_address(
                s(&[
                    ("nid", "১৯৮৫৪৪৩৩২২১১০"),
                    ("name", "আব্দুল হাকিম"),
                    ("name_en", "Abdul Hakim"),
                    ("father", "মোঃ সিরাজুল ইসলাম"),
                    ("mother", "হাজেরা বেগম"),
                    ("occupation", "ব্যবসায়ী"),
                    ("purpose", "চাকরির আবেদন"),
                    ("mobile", "০১৮১১০০০০০২"),
                ]),
                "কলমা",
                "2",
            ),
            documents: &[],
            facts: vec![
                ("name", json!("আব্দুল হাকিম")),
                ("nid", json!("1985443322110")),
            ],
        },
        Citizen {
            key: "warish",
            width: 390,
            mobile: "01911000003",
            typed: with_address(
                s(&[
                    ("nid", "১৯৫৫৭৭৮৮৯৯"),
                    ("name", "মোছাঃ সালমা বেগম"),
                    ("name_en", "Salma Begum"),
                    ("deceased", "মোঃ আব্দুর রহমান"),
                    ("father", "মৃত হাসেম আলী"),
                    ("death_date", "১২-০৮-২০২৪"),
                    ("heirs.0.name", "মোছাঃ সালমা বেগম"),
                    ("heirs.0.relation", "স্ত্রী"),
                    ("heirs.0.age", "৫২"),
                    ("heirs.1.name", "মোঃ রাকিব হাসান"),
                    ("heirs.1.relation", "পুত্র"),
                    ("heirs.1.age", "২৮"),
                    ("heirs.2.name", "তানিয়া আক্তার"),
                    ("heirs.2.relation", "কন্যা"),
                    ("purpose", "জমির নামজারি"),
                    ("mobile", "০১৯১১০০০০০৩"),
                ]),
                "বাজার পাড়া",
                "3",
            ),
            documents: &["death-certificate.pdf"],
            facts: vec![
                ("deceased", json!("মোঃ আব্দুর রহমান")),
                ("death_date", json!("2024-08-12")),
                (
                    "heirs",
                    json!([
                        {"name": "মোছাঃ সালমা বেগম", "relation": "স্ত্রী", "age": 52},
                        {"name": "মোঃ রাকিব হাসান", "relation": "পুত্র", "age": 28},
                        {"name": "তানিয়া আক্তার", "relation": "কন্যা"},
                    ]),
                ),
            ],
        },
        Citizen {
            key: "succession",
            width: 1280,
            mobile: "01511000004",
            typed: with_address(
                s(&[
                    ("name", "মোঃ ইমরান হোসেন"),
                    ("name_en", "Md. Imran Hossain"),
                    ("deceased", "হাজী মোঃ ইউসুফ আলী"),
                    ("father", "মৃত জব্বার আলী"),
                    ("death_date", "2023-01-30"),
                    ("heirs.0.name", "মোঃ ইমরান হোসেন"),
                    ("heirs.0.relation", "পুত্র"),
                    ("heirs.0.age", "35"),
                    ("purpose", "ব্যাংক হিসাব"),
                    ("mobile", "01511000004"),
                ]),
                "দক্ষিণ পাড়া",
                "4",
            ),
            documents: &["death-certificate.pdf", "heirs-list.jpg"],
            facts: vec![
                ("deceased", json!("হাজী মোঃ ইউসুফ আলী")),
                ("death_date", json!("2023-01-30")),
                (
                    "heirs",
                    json!([{"name": "মোঃ ইমরান হোসেন", "relation": "পুত্র", "age": 35}]),
                ),
            ],
        },
        Citizen {
            key: "trade_licence",
            width: 1280,
            mobile: "01611000005",
            typed: with_address(
                vec![
                    ("nid", "১৯৮০১১২২৩৩৪৪৫".into()),
                    ("name", "মোঃ জসিম উদ্দিন".into()),
                    ("name_en", "Md. Jashim Uddin".into()),
                    ("business_name", "মায়ের দোয়া স্টোর".into()),
                    ("business_kind", "মুদি দোকান".into()),
                    ("owners.0", "মোঃ জসিম উদ্দিন".into()),
                    ("owners.1", "মোছাঃ রুবিনা আক্তার".into()),
                    ("fiscal_year", fy_bn),
                    ("business_address", "বাসস্ট্যান্ড রোড, সাভার".into()),
                    ("licence_fee", "৫০০".into()),
                    ("mobile", "০১৬১১০০০০০৫".into()),
                ],
                "বাসস্ট্যান্ড",
                "6",
            ),
            documents: &["shop-rent.pdf"],
            facts: vec![
                ("business_name", json!("মায়ের দোয়া স্টোর")),
                ("business_kind", json!("মুদি দোকান")),
                ("owners", json!(["মোঃ জসিম উদ্দিন", "মোছাঃ রুবিনা আক্তার"])),
                ("fiscal_year", json!(fy)),
            ],
        },
        Citizen {
            key: "family",
            width: 390,
            mobile: "01311000006",
            typed: with_address(
                s(&[
                    ("brn", "২০০১৩৩১১২২৩৩৪৪৫৫৬"),
                    ("name", "নাসির উদ্দিন"),
                    ("name_en", "Nasir Uddin"),
                    ("father", "মোঃ কাশেম"),
                    ("mother", "আমেনা খাতুন"),
                    ("members.0.name", "নাসির উদ্দিন"),
                    ("members.0.relation", "নিজ"),
                    ("members.0.age", "৪৫"),
                    ("members.1.name", "শাহনাজ পারভীন"),
                    ("members.1.relation", "স্ত্রী"),
                    ("members.1.age", "৩৮"),
                    ("members.2.name", "আরিফ হোসেন"),
                    ("members.2.relation", "পুত্র"),
                    ("members.2.age", "১২"),
                    ("purpose", "স্কুলে ভর্তি"),
                    ("mobile", "০১৩১১০০০০০৬"),
                ]),
                "নয়াপাড়া",
                "1",
            ),
            documents: &[],
            facts: vec![
                ("name", json!("নাসির উদ্দিন")),
                ("brn", json!("20013311223344556")),
                (
                    "members",
                    json!([
                        {"name": "নাসির উদ্দিন", "relation": "নিজ", "age": 45},
                        {"name": "শাহনাজ পারভীন", "relation": "স্ত্রী", "age": 38},
                        {"name": "আরিফ হোসেন", "relation": "পুত্র", "age": 12},
                    ]),
                ),
            ],
        },
        Citizen {
            key: "unmarried",
            width: 390,
            mobile: "01411000007",
            typed: with_address(
                s(&[
                    ("nid", "১৯৯৮২৬১২৩৪৫৬৭৮৯০১"),
                    ("name", "সুমাইয়া আক্তার"),
                    ("name_en", "Sumaiya Akter"),
                    ("father", "মোঃ বাবুল মিয়া"),
                    ("mother", "শিরিন আক্তার"),
                    ("dob", "২২/১১/১৯৯৮"),
                    ("purpose", "বিদেশে পড়াশোনা"),
                    ("mobile", "০১৪১১০০০০০৭"),
                ]),
                "উত্তর পাড়া",
                "7",
            ),
            documents: &[],
            facts: vec![
                ("name", json!("সুমাইয়া আক্তার")),
                ("nid", json!("19982612345678901")),
                ("dob", json!("1998-11-22")),
            ],
        },
        Citizen {
            key: "married",
            width: 390,
            mobile: "01722000008",
            typed: with_address(
                s(&[
                    ("nid", "১৯৯২৫৫৬৬৭৭"),
                    ("name", "মোঃ কামরুল হাসান"),
                    ("name_en", "Md. Kamrul Hasan"),
                    ("father", "মোঃ আজিজুল হক"),
                    ("mother", "রাবেয়া খাতুন"),
                    ("spouse", "নুসরাত জাহান"),
                    ("marriage_date", "১৪-০২-২০২০"),
                    ("purpose", "ভিসার আবেদন"),
                    ("mobile", "০১৭২২০০০০০৮"),
                ]),
                "মধ্য পাড়া",
                "8",
            ),
            documents: &["nikah-nama.jpg"],
            facts: vec![
                ("name", json!("মোঃ কামরুল হাসান")),
                ("spouse", json!("নুসরাত জাহান")),
                ("marriage_date", json!("2020-02-14")),
            ],
        },
        Citizen {
            key: "not_remarried",
            width: 390,
            mobile: "01822000009",
            typed: with_address(
                s(&[
                    ("nid", "১৯৭৫৩৩২২১১"),
                    ("name", "রাশিদা বেগম"),
                    ("name_en", "Rashida Begum"),
                    ("father", "মোঃ নুরুল আমিন"),
                    ("mother", "সখিনা বেগম"),
                    ("deceased", "মৃত মোঃ আলী আকবর"),
                    ("death_date", "০৩-০৬-২০১৮"),
                    ("purpose", "বিধবা ভাতা"),
                    ("mobile", "০১৮২২০০০০০৯"),
                ]),
                "পশ্চিম পাড়া",
                "9",
            ),
            documents: &[],
            facts: vec![
                ("name", json!("রাশিদা বেগম")),
                ("deceased", json!("মৃত মোঃ আলী আকবর")),
            ],
        },
        Citizen {
            key: "income",
            width: 1280,
            mobile: "01922000010",
            typed: with_address(
                s(&[
                    ("nid", "১৯৭৮৮৮৭৭৬৬"),
                    ("name", "মোঃ শফিকুল ইসলাম"),
                    ("name_en", "Md. Shafiqul Islam"),
                    ("father", "মোঃ রফিকুল ইসলাম"),
                    ("mother", "মমতাজ বেগম"),
                    ("annual_income", "১,৮০,০০০"),
                    ("occupation", "কৃষক"),
                    ("purpose", "শিক্ষাবৃত্তি"),
                    ("mobile", "০১৯২২০০০০১০"),
                ]),
                "চর পাড়া",
                "2",
            ),
            documents: &["land-record.png"],
            facts: vec![
                ("name", json!("মোঃ শফিকুল ইসলাম")),
                ("annual_income", json!(180_000)),
                ("occupation", json!("কৃষক")),
            ],
        },
        Citizen {
            key: "landless",
            width: 390,
            mobile: "01522000011",
            typed: with_address(
                s(&[
                    ("nid", "১৯৬৮১২১২১২"),
                    ("name", "মোঃ রহমত আলী"),
                    ("name_en", "Md. Rahmat Ali"),
                    ("father", "মৃত সোনা মিয়া"),
                    ("mother", "মৃত জোহরা বেগম"),
                    ("purpose", "খাস জমি বরাদ্দ"),
                    ("mobile", "০১৫২২০০০০১১"),
                ]),
                "নদীর পাড়",
                "3",
            ),
            documents: &[],
            facts: vec![("name", json!("মোঃ রহমত আলী"))],
        },
        Citizen {
            key: "same_person",
            width: 390,
            mobile: "01622000012",
            typed: with_address(
                s(&[
                    ("nid", "১৯৮৮৪৫৪৫৪৫"),
                    ("name", "মোছাঃ ফাতেমা খাতুন"),
                    ("name_en", "Mst. Fatema Khatun"),
                    ("other_name", "ফাতেমা বেগম"),
                    ("father", "মোঃ হারুন অর রশিদ"),
                    ("mother", "নাজমা বেগম"),
                    ("other_name_source", "এসএসসি সনদ"),
                    ("purpose", "নাম সংশোধন"),
                    ("mobile", "০১৬২২০০০০১২"),
                ]),
                "পুরান বাজার",
                "4",
            ),
            documents: &["ssc-certificate.pdf"],
            facts: vec![
                ("name", json!("মোছাঃ ফাতেমা খাতুন")),
                ("other_name", json!("ফাতেমা বেগম")),
            ],
        },
        Citizen {
            key: "disability",
            width: 390,
            mobile: "01322000013",
            typed: with_address(
                s(&[
                    ("brn", "২০০৫২৬৯৮৭৬৫৪৩২১০৯"),
                    ("name", "মোঃ সাকিব হোসেন"),
                    ("name_en", "Md. Sakib Hossain"),
                    ("father", "মোঃ দেলোয়ার হোসেন"),
                    ("mother", "পারভীন আক্তার"),
                    ("disability", "দৃষ্টি প্রতিবন্ধী"),
                    ("dob", "০৯-০৯-২০০৫"),
                    ("purpose", "প্রতিবন্ধী ভাতা"),
                    ("mobile", "০১৩২২০০০০১৩"),
                ]),
                "হাসপাতাল রোড",
                "5",
            ),
            documents: &["medical-report.png"],
            facts: vec![
                ("name", json!("মোঃ সাকিব হোসেন")),
                ("disability", json!("দৃষ্টি প্রতিবন্ধী")),
                ("brn", json!("20052698765432109")),
            ],
        },
        Citizen {
            key: "financial_hardship",
            width: 1280,
            mobile: "01422000014",
            typed: with_address(
                s(&[
                    ("nid", "১৯৬৫৯৯৮৮৭৭"),
                    ("name", "জরিনা খাতুন"),
                    ("name_en", "Jorina Khatun"),
                    ("father", "মৃত আবুল কাশেম"),
                    ("mother", "মৃত রহিমা বিবি"),
                    ("occupation", "গৃহিণী"),
                    ("annual_income", "৪৮০০০"),
                    ("purpose", "চিকিৎসা সহায়তা"),
                    ("mobile", "০১৪২২০০০০১৪"),
                ]),
                "বস্তি এলাকা",
                "6",
            ),
            documents: &[],
            facts: vec![("name", json!("জরিনা খাতুন"))],
        },
    ]
}

/// The supporting documents a citizen has on their phone: a photo (PNG, JPEG) and a PDF,
/// each called as the test names it.
fn documents_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 120])
    });
    for name in [
        "nid-card.png",
        "land-record.png",
        "medical-report.png",
        "heirs-list.jpg",
        "nikah-nama.jpg",
    ] {
        let format = if name.ends_with(".png") {
            image::ImageFormat::Png
        } else {
            image::ImageFormat::Jpeg
        };
        img.save_with_format(dir.path().join(name), format)
            .expect("image");
    }
    for name in [
        "death-certificate.pdf",
        "shop-rent.pdf",
        "ssc-certificate.pdf",
    ] {
        std::fs::write(
            dir.path().join(name),
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        )
        .expect("pdf");
    }
    dir
}

/// Opens /apply, chooses type `key` from the list, types the form in, attaches the
/// documents and submits; the page's text.
fn apply(
    sonod: &Sonod,
    tab: &headless_chrome::Tab,
    c: &Citizen,
    docs: &Path,
    shoot: bool,
) -> String {
    open(tab, &format!("{}/apply", sonod.issuer.url));
    if shoot {
        shots(tab, c.width, "apply-list");
        open(tab, &format!("{}/apply", sonod.issuer.url));
    }
    go(tab, &format!("a[href='/apply/{}']", c.key));
    assert!(
        tab.get_url().ends_with(&format!("/apply/{}", c.key)),
        "{}",
        tab.get_url()
    );
    shots(tab, c.width, &format!("apply-{}", c.key));
    // The name and the numbers key by key; the rest set as a filled-in form holds them (key
    // by key for all 14 forms costs minutes on a busy machine, and tests nothing more).
    let by_keys = ["nid", "brn", "name", "name_en", "mobile"];
    let all: Vec<(&str, &str)> = c.typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let keyed: Vec<(&str, &str)> = all
        .iter()
        .copied()
        .filter(|(k, _)| by_keys.contains(k))
        .collect();
    let rest: Vec<(&str, &str)> = all
        .iter()
        .copied()
        .filter(|(k, _)| !by_keys.contains(k))
        .collect();
    fill(tab, &rest);
    type_fields(tab, &keyed);
    if !c.documents.is_empty() {
        let files: Vec<PathBuf> = c.documents.iter().map(|d| docs.join(d)).collect();
        let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        choose_documents(tab, &files);
    }
    go(tab, SUBMIT);
    text(tab)
}

/// The chairman's approval (the development account's API token): the certificate's serial.
fn approve(sonod: &Sonod, id: u64) -> u64 {
    let approved = sonod.api("POST", &format!("/api/v1/applications/{id}/approve"), None);
    assert_eq!(approved["status"], "approved", "{approved}");
    approved["serial"]
        .as_u64()
        .or_else(|| approved["certificate"]["serial"].as_u64())
        .unwrap_or_else(|| panic!("the certificate's serial: {approved}"))
}

#[test]
fn every_type_is_applied_for_in_chromium_approved_downloaded_and_verified_valid() {
    let sonod = Sonod::start();
    let docs = documents_folder();
    let browser = browser(1280);
    // One tab, as wide as each citizen's screen (a second tab would be in the background).
    let page_tab = tab(&browser, 390);
    let citizens = citizens();
    assert_eq!(citizens.len(), sonod_seal::CERT_TYPES.len());
    let mut applied = Vec::new();
    for (n, c) in citizens.iter().enumerate() {
        let tab = &page_tab;
        set_width(tab, c.width);
        let page = apply(&sonod, tab, c, docs.path(), n < 2);
        let tracking = tracking_on(&page);
        assert_eq!(tracking, format!("A-{}", n + 1), "{}: {page}", c.key);
        let tracking_bn = sonod_seal::bangla_digits(&tracking);
        assert!(
            page.contains(&tracking_bn),
            "{}: in Bangla digits too",
            c.key
        );
        if n < 3 || c.width > 600 {
            shots(tab, c.width, &format!("applied-{}", c.key));
        }
        // The "received" SMS, with the tracking number in Bangla digits.
        let sms = sonod.wait_for_sms(c.mobile, "received", 0);
        assert!(sms.contains(&tracking_bn), "{}: {sms}", c.key);
        applied.push((n as u64 + 1, c));
    }
    // The office holds each as typed: the documents by content, the mobile number canonical.
    for (id, c) in &applied {
        let a = sonod.api("GET", &format!("/api/v1/applications/{id}"), None);
        let a = if a.get("application").is_some() {
            &a["application"]
        } else {
            &a
        };
        assert_eq!(a["cert_type"], c.key, "{a}");
        let docs = a["documents"].as_array().map_or(0, Vec::len);
        assert_eq!(docs, c.documents.len(), "{}: {a}", c.key);
    }

    // Approved, one by one.
    let serials: Vec<u64> = applied.iter().map(|(id, _)| approve(&sonod, *id)).collect();

    // Each citizen signs in on their phone (or desk), downloads the PDF and it verifies.
    for ((_, c), serial) in applied.iter().zip(&serials) {
        let tab = &page_tab;
        set_width(tab, c.width);
        citizen_sign_in(&sonod, tab, c.mobile);
        let page = text(tab);
        let t = sonod_seal::cert_type_by_key(c.key).expect("type");
        assert!(page.contains(t.name_bn), "{}: {page}", c.key);
        if c.key == "warish" || c.key == "trade_licence" {
            shots(tab, c.width, &format!("citizen-{}", c.key));
        }
        let href = format!("/citizen/certificates/{serial}/pdf");
        tab.wait_for_element(&format!("a[href='{href}']"))
            .unwrap_or_else(|e| panic!("{}: the PDF link: {e}", c.key));
        let qr = qr_on_pdf(&download(&sonod, tab, &href));
        let v = sonod.verdict(&qr, "valid");
        assert_eq!(v["verdict"], "valid", "{}: {v}", c.key);
        assert_eq!(v["certificate"]["serial"], *serial, "{v}");
        assert_eq!(v["certificate"]["type"], c.key, "{v}");
        for (key, want) in &c.facts {
            assert_eq!(fact(&v, key), want, "{}: {key} in {v}", c.key);
        }
        citizen_sign_out(tab);
    }
}

#[test]
fn an_operator_applies_for_a_walk_in_citizen_and_the_printed_certificate_is_valid() {
    let sonod = Sonod::start_with_operator("moni", "মনিরুজ্জামান");
    let browser = browser(1280);
    let desk = tab(&browser, 1280);
    official_first_sign_in(&sonod, &desk, "moni");
    open(&desk, &format!("{}/apply", sonod.issuer.url));
    let page = text(&desk);
    assert!(page.contains("moni") || page.contains("মনিরুজ্জামান"), "{page}");
    go(&desk, "a[href='/apply/income']");
    assert!(
        desk.find_element("input[name=centre]").is_ok(),
        "the operator's form asks for the centre"
    );
    shots(&desk, 1280, "operator-apply-income");
    let centre = "আশুলিয়া ইউনিয়ন ডিজিটাল সেন্টার";
    let mut fields: Vec<(&str, &str)> = vec![
        ("centre", centre),
        ("nid", "1979123456789"),
        ("name", "মোঃ আবুল বাশার"),
        ("name_en", "Md. Abul Bashar"),
        ("father", "মৃত আব্দুল জলিল"),
        ("mother", "মৃত হালিমা খাতুন"),
        ("annual_income", "৯৬০০০"),
        ("occupation", "রিকশাচালক"),
        ("purpose", "ছেলের বৃত্তির আবেদন"),
        ("village", "জামগড়া"),
        ("ward", "4"),
        ("post_office", "আশুলিয়া"),
        ("upazila", "সাভার"),
        ("district", "ঢাকা"),
    ];
    fields.push(("mobile", "01733445566"));
    type_fields(&desk, &fields);
    go(&desk, SUBMIT);
    let page = text(&desk);
    assert_eq!(tracking_on(&page), "A-1", "{page}");
    assert!(page.contains(centre), "the centre on the answer: {page}");
    shots(&desk, 1280, "operator-applied");

    // Who entered it and where is recorded.
    let a = sonod.api("GET", "/api/v1/applications/1", None);
    let a = if a.get("application").is_some() {
        &a["application"]
    } else {
        &a
    };
    assert_eq!(a["entered_by"]["account"], "moni", "{a}");
    assert_eq!(a["entered_by"]["place"], centre, "{a}");
    // The walk-in citizen gets the SMS on their own number.
    let sms = sonod.wait_for_sms("01733445566", "received", 0);
    assert!(sms.contains("A-১"), "{sms}");

    let serial = approve(&sonod, 1);
    // The operator prints it: the print page, and the PDF behind it.
    open(
        &desk,
        &format!("{}/certificates/{serial}/print", sonod.issuer.url),
    );
    let page = text(&desk);
    assert!(page.contains("মোঃ আবুল বাশার"), "{page}");
    shots(&desk, 1280, "operator-print");
    let qr = qr_on_pdf(&download(
        &sonod,
        &desk,
        &format!("/certificates/{serial}/pdf"),
    ));
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["type"], "income", "{v}");
    assert_eq!(fact(&v, "name"), "মোঃ আবুল বাশার", "{v}");
    assert_eq!(fact(&v, "annual_income"), 96_000, "{v}");
}

/// The bilingual error next to `field` after a submit: shown, in both languages, the form
/// still holding `kept` (field, value as typed), nothing stored.
fn refused_at(
    sonod: &Sonod,
    tab: &headless_chrome::Tab,
    field: &str,
    bn: &str,
    en: &str,
    kept: &[(&str, &str)],
) {
    let e = error_next_to(tab, field)
        .unwrap_or_else(|| panic!("no error next to {field}: {}", text(tab)));
    assert!(e.contains(bn) && e.contains(en), "{field}: {e}");
    assert!(
        tab.find_element("#errors[role=alert]").is_ok(),
        "{field}: the summary at the top"
    );
    for (k, v) in kept {
        assert_eq!(value_of(tab, k), *v, "{field}: {k} kept as typed");
    }
    assert_eq!(sonod.applications_stored(), 0, "{field}: nothing stored");
}

#[test]
fn bad_input_at_the_forms_is_named_next_to_its_field_kept_and_not_stored() {
    let sonod = Sonod::start();
    let docs = documents_folder();
    let browser = browser(1280);
    // One tab, a phone's width, then a desk's for the trade licence.
    let phone = tab(&browser, 390);
    let desk = phone.clone();
    let url = sonod.issuer.url.clone();
    let good = &citizens()[0];
    let typed: Vec<(&str, &str)> = good.typed.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The citizenship form on a phone: one mistake at a time, each named beside its field.
    open(&phone, &format!("{url}/apply/citizenship"));
    let without_father: Vec<(&str, &str)> = typed
        .iter()
        .copied()
        .filter(|(k, _)| *k != "father")
        .collect();
    type_fields(&phone, &without_father);
    // Chromium itself will not send the form with a required field empty: it says so at the
    // field and stays on the page.
    phone
        .wait_for_element(SUBMIT)
        .expect("submit")
        .click()
        .expect("click");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(phone.get_url().ends_with("/apply/citizenship"));
    assert!(
        !browser_says(&phone, "father").is_empty(),
        "the browser's own message"
    );
    assert_eq!(sonod.applications_stored(), 0);
    // A browser that does not check (an old phone's) sends it: the service names the field.
    submit_unchecked(&phone);
    refused_at(
        &sonod,
        &phone,
        "father",
        "এই ঘরটি পূরণ করুন",
        "Please fill in this field",
        &[
            ("name", "রহিমা খাতুন"),
            ("nid", "১৯৯০১২৩৪৫৬"),
            ("mobile", "০১৭১১০০০০০১"),
        ],
    );
    shots(&phone, 390, "bad-required");
    let retyped = |tab: &headless_chrome::Tab, field: &str, value: &str| {
        type_fields(tab, &[(field, value)]);
        go(tab, SUBMIT);
    };
    type_fields(&phone, &[("father", "করিম উদ্দিন")]);
    retyped(&phone, "nid", "১৯৯০১২৩৪৫");
    refused_at(
        &sonod,
        &phone,
        "nid",
        "১০, ১৩ বা ১৭",
        "10, 13 or 17",
        &[("nid", "১৯৯০১২৩৪৫"), ("father", "করিম উদ্দিন")],
    );
    shots(&phone, 390, "bad-nid");
    type_fields(&phone, &[("nid", "১৯৯০১২৩৪৫৬")]);
    retyped(&phone, "mobile", "০১৭১১০০০");
    refused_at(
        &sonod,
        &phone,
        "mobile",
        "০১ দিয়ে শুরু",
        "starting with 01",
        &[("mobile", "০১৭১১০০০"), ("nid", "১৯৯০১২৩৪৫৬")],
    );
    type_fields(&phone, &[("mobile", "০১৭১১০০০০০১")]);
    retyped(&phone, "dob", "০১-০১-২০৯৯");
    refused_at(
        &sonod,
        &phone,
        "dob",
        "ভবিষ্যতের",
        "future",
        &[("dob", "০১-০১-২০৯৯"), ("mobile", "০১৭১১০০০০০১")],
    );
    shots(&phone, 390, "bad-future-date");
    type_fields(&phone, &[("dob", "০৫-০৩-১৯৯০")]);
    // A person cannot type past the field's limit (maxlength); a form from elsewhere can.
    assert_eq!(
        phone
            .find_element("input[name=name]")
            .expect("name")
            .get_attribute_value("maxlength")
            .expect("attribute")
            .as_deref(),
        Some("200")
    );
    let long = "ক".repeat(201);
    fill(&phone, &[("name", long.as_str())]);
    go(&phone, SUBMIT);
    refused_at(
        &sonod,
        &phone,
        "name",
        "২০০",
        "200",
        &[("father", "করিম উদ্দিন"), ("dob", "০৫-০৩-১৯৯০")],
    );
    type_fields(&phone, &[("name", "রহিমা খাতুন")]);
    // A program called .jpg, then a PDF over the size limit: the documents' error, the
    // fields all kept.
    let fake = docs.path().join("scan.jpg");
    std::fs::write(&fake, b"MZ\x90\x00\x03\x00\x00\x00this is not a photo").expect("fake");
    choose_documents(&phone, &[&fake]);
    go(&phone, SUBMIT);
    let page = text(&phone);
    assert!(
        page.contains("scan.jpg") && page.contains("JPEG, PNG"),
        "the document named, the types allowed: {page}"
    );
    assert_eq!(value_of(&phone, "name"), "রহিমা খাতুন");
    assert_eq!(sonod.applications_stored(), 0);
    shots(&phone, 390, "bad-document-type");
    let big = docs.path().join("big-scan.pdf");
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.resize(sonod_issuer::applications::MAX_DOCUMENT_BYTES + 1, b' ');
    std::fs::write(&big, bytes).expect("big");
    choose_documents(&phone, &[&big]);
    go(&phone, SUBMIT);
    let page = text(&phone);
    assert!(
        page.contains("big-scan.pdf") && page.contains("MB"),
        "{page}"
    );
    assert_eq!(value_of(&phone, "mobile"), "০১৭১১০০০০০১");
    assert_eq!(sonod.applications_stored(), 0);
    shots(&phone, 390, "bad-document-size");
    // All put right: stored once.
    choose_documents(&phone, &[&docs.path().join("nid-card.png")]);
    go(&phone, SUBMIT);
    let page = text(&phone);
    assert_eq!(tracking_on(&page), "A-1", "{page}");
    assert_eq!(sonod.applications_stored(), 1);

    // The same person and type again: pointed to the open one, nothing new stored.
    open(&phone, &format!("{url}/apply/citizenship"));
    type_fields(&phone, &typed);
    go(&phone, SUBMIT);
    let page = text(&phone);
    assert!(page.contains("A-১") && page.contains("A-1"), "{page}");
    assert_eq!(sonod.applications_stored(), 1);
    shots(&phone, 390, "apply-repeat");

    // The heirs' form: a row without its relation, a death in the future, no rows at all.
    let warish = &citizens()[2];
    let typed: Vec<(&str, &str)> = warish.typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    open(&phone, &format!("{url}/apply/warish"));
    let without: Vec<(&str, &str)> = typed
        .iter()
        .copied()
        .filter(|(k, _)| *k != "heirs.1.relation")
        .collect();
    type_fields(&phone, &without);
    go(&phone, SUBMIT);
    let page = text(&phone);
    assert!(page.contains("সারি ২"), "the row named: {page}");
    assert_eq!(value_of(&phone, "heirs.1.name"), "মোঃ রাকিব হাসান");
    assert_eq!(value_of(&phone, "heirs.1.age"), "২৮");
    assert_eq!(sonod.applications_stored(), 1);
    shots(&phone, 390, "bad-heir-row");
    type_fields(&phone, &[("heirs.1.relation", "পুত্র")]);
    retyped(&phone, "death_date", "০১-০১-২০৯০");
    refused_at_one(&sonod, &phone, "death_date", "ভবিষ্যতের", "future", 1);
    type_fields(&phone, &[("death_date", "১২-০৮-২০২৪")]);
    for row in 0..3 {
        for part in ["name", "relation", "age"] {
            clear(&phone, &format!("[name='heirs.{row}.{part}']"));
        }
    }
    go(&phone, SUBMIT);
    refused_at_one(
        &sonod,
        &phone,
        "heirs",
        "অন্তত একটি সারি",
        "at least one row",
        1,
    );
    assert_eq!(value_of(&phone, "deceased"), "মোঃ আব্দুর রহমান");

    // A trade licence at a desk: a fiscal year that is not one, a fee in words, no business.
    let licence = &citizens()[4];
    let typed: Vec<(&str, &str)> = licence
        .typed
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    set_width(&desk, 1280);
    open(&desk, &format!("{url}/apply/trade_licence"));
    type_fields(&desk, &typed);
    retyped(&desk, "fiscal_year", "২০২৬-২৮");
    refused_at_one(&sonod, &desk, "fiscal_year", "অর্থবছর", "fiscal year", 1);
    shots(&desk, 1280, "bad-fiscal-year");
    type_fields(&desk, &[("fiscal_year", &fiscal_year_bn().0)]);
    retyped(&desk, "licence_fee", "পাঁচশো টাকা");
    refused_at_one(&sonod, &desk, "licence_fee", "পূর্ণ সংখ্যা", "whole number", 1);
    type_fields(&desk, &[("licence_fee", "৫০০")]);
    type_fields(&desk, &[("business_name", "")]);
    submit_unchecked(&desk);
    refused_at_one(
        &sonod,
        &desk,
        "business_name",
        "এই ঘরটি পূরণ করুন",
        "Please fill in this field",
        1,
    );
    assert_eq!(value_of(&desk, "owners.1"), "মোছাঃ রুবিনা আক্তার");

    // The status lookup: a wrong mobile number and an unknown tracking number get the same
    // answer, saying nothing of the application; the right one shows its state, no NID.
    set_width(&phone, 390);
    let lookup = |tracking: &str, mobile: &str| {
        open(&phone, &format!("{url}/status"));
        type_into(&phone, "input[name=tracking]", tracking);
        type_into(&phone, "input[name=mobile]", mobile);
        go(&phone, "main form button");
        text(&phone)
    };
    let wrong = lookup("A-1", "01811111111");
    shots(&phone, 390, "status-wrong-mobile");
    let unknown = lookup("A-9", "01811111111");
    assert_eq!(wrong, unknown, "a wrong number tells nothing more");
    assert!(
        !wrong.contains("নাগরিকত্ব") && !wrong.contains("Citizenship"),
        "{wrong}"
    );
    let right = lookup("A-১", "০১৭১১০০০০০১");
    assert!(right.contains("নাগরিকত্ব সনদ"), "{right}");
    assert!(
        !right.contains("1990123456") && !right.contains("১৯৯০১২৩৪৫৬"),
        "no NID: {right}"
    );
    shots(&phone, 390, "status-found");

    // Sent back by the office; the citizen corrects it on the edit page and resubmits.
    sonod.api(
        "POST",
        "/api/v1/applications/1/send-back",
        Some(&json!({"note": "মাতার নাম জাতীয় পরিচয়পত্রের মতো লিখুন"})),
    );
    open(&phone, &format!("{url}/apply/A-1/edit"));
    type_into(&phone, "input[name=proof]", "০১৭১১০০০০০১");
    go(&phone, "main form button");
    let page = text(&phone);
    assert!(page.contains("মাতার নাম জাতীয় পরিচয়পত্রের মতো লিখুন"), "{page}");
    assert_eq!(value_of(&phone, "mother"), "রোকেয়া বেগম");
    shots(&phone, 390, "apply-correct");
    type_fields(&phone, &[("mother", "মোছাঃ রোকেয়া বেগম")]);
    go(&phone, SUBMIT);
    assert_eq!(tracking_on(&text(&phone)), "A-1");
    let a = sonod.api("GET", "/api/v1/applications/1", None);
    let a = if a.get("application").is_some() {
        &a["application"]
    } else {
        &a
    };
    assert_eq!(a["status"], "submitted", "{a}");
    assert_eq!(a["fields"]["mother"], "মোছাঃ রোকেয়া বেগম", "{a}");
    assert_eq!(sonod.applications_stored(), 1);
}

/// [`refused_at`] without the kept values, with `stored` applications already there.
fn refused_at_one(
    sonod: &Sonod,
    tab: &headless_chrome::Tab,
    field: &str,
    bn: &str,
    en: &str,
    stored: usize,
) {
    let e = error_next_to(tab, field)
        .unwrap_or_else(|| panic!("no error next to {field}: {}", text(tab)));
    assert!(e.contains(bn) && e.contains(en), "{field}: {e}");
    assert_eq!(
        sonod.applications_stored(),
        stored,
        "{field}: nothing stored"
    );
}
