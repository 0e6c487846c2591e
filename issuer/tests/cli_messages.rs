//! The command line's messages, now in `locales/{bn,en}/issuer.ftl`, read exactly as the
//! `format!` strings they replaced.

use sonod_issuer::l10n::both;

#[test]
fn messages_read_as_before() {
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: &[Case] = &[
        ("issued-not-printed", &[("serial", "7")], "সনদ প্রদান হয়েছে (ক্রমিক ৭) / issued as serial 7, but its QR text could not be printed"),
        ("line", &[], "লাইন / line"),
        ("bulk-done", &[("issued_bn", "১২"), ("refused_bn", "০"), ("issued", "12"), ("refused", "0"), ("index", "out/index.jsonl")], "প্রদান হয়েছে ১২টি, প্রত্যাখ্যাত ০টি · সূচি: out/index.jsonl / issued 12, refused 0 · index: out/index.jsonl"),
        ("key-passphrase", &[], "চাবির পাসফ্রেজ / key passphrase"),
        ("host-and-bare", &[], "--verifier-host এবং --bare একসাথে নয় / give either --verifier-host or --bare, not both"),
        ("host-missing", &[], "যাচাই-হোস্ট দিন / give the verifier host for the QR URL: --verifier-host HOST (or SONOD_VERIFIER_HOST), or --bare"),
        ("store-corrupt", &[("path", "d")], "ডেটা-ভান্ডার d নষ্ট, খোলা যায়নি; শেষ ব্যাকআপ থেকে ফেরান (sonod-issuer restore) / the store d is corrupt and was not opened: restore the last backup (sonod-issuer restore)"),
        ("disk-full", &[], "ডিস্কে জায়গা নেই, জায়গা খালি করে আবার চালু করুন / there is no space left on its disk: free some and start again"),
        ("not-writable", &[], "এতে লেখা যায় না (শুধু-পড়া বা অনুমতি নেই) / it is not writable (a read-only file system or no permission)"),
        ("store-unopened", &[("path", "d")], "ডেটা-ভান্ডার d খোলা যায়নি / cannot open the store d"),
        ("store-locked", &[("path", "d")], "ডেটা-ভান্ডার d খোলা যায়নি (সেবা চালু থাকলে বন্ধ করুন) / cannot open the store d (if the service is running, stop it or use its API)"),
        ("index-exists", &[("path", "o/index.jsonl")], "o/index.jsonl আগের একটি কাজের সূচি; অন্য --out দিন বা ফাইলটি সরান / o/index.jsonl holds the index of an earlier run; give another --out or move it away"),
        ("cannot-open-file", &[("path", "r.json")], "ফাইল খোলা যায়নি / cannot open r.json"),
        ("expiry-days", &[("given", "\"xd\"")], "দিনের সংখ্যা লিখুন, যেমন 90d / expected a number of days such as 90d, not \"xd\""),
        ("expiry-form", &[("given", "\"x\"")], "90d বা 2026-12-31 এর মতো লিখুন / expected days (90d) or a date (2026-12-31), not \"x\""),
        ("token-created", &[("id", "ab"), ("label", "bank"), ("user", "karim"), ("exp", "2027-01-01 10:00")], "টোকেন ab (bank) · অ্যাকাউন্ট karim · মেয়াদ ২০২৭-০১-০১ ১০:০০ পর্যন্ত / token ab (bank) for karim, works until 2027-01-01 10:00 (Dhaka time)"),
        ("token-keep", &[], "টোকেনটি এখনই সংরক্ষণ করুন, আর দেখানো হবে না / keep this token now: it is not shown again"),
        ("token-revoked", &[("id", "ab"), ("label", "bank"), ("user", "karim")], "টোকেন বাতিল / token ab (bank, account karim) revoked"),
        ("token-was-revoked", &[("id", "ab"), ("label", "bank"), ("user", "karim")], "টোকেনটি আগেই বাতিল / token ab (bank, account karim) was already revoked"),
        ("account-created", &[("name", "karim"), ("role_bn", "অপারেটর"), ("role", "operator")], "অ্যাকাউন্ট তৈরি হয়েছে / account karim created (অপারেটর, operator)"),
        ("password-changed", &[("name", "karim")], "পাসওয়ার্ড বদলানো হয়েছে / password changed for karim"),
        ("account-disabled", &[("name", "karim")], "অ্যাকাউন্ট বন্ধ / account karim disabled"),
        ("reseal-same-key", &[], "নতুন চাবিটিই বেহাত চাবি / the new key is the compromised key"),
        ("resealed", &[("n_bn", "৩"), ("n", "3"), ("key", "21fe31dfa154a261")], "৩ টি সনদ নতুন চাবি 21fe31dfa154a261 দিয়ে আবার সিল করা হয়েছে / re-sealed 3 certificates with key 21fe31dfa154a261 (same serials; recorded in the feed)"),
        ("exists-already", &[("path", "b.bak")], "b.bak আগে থেকেই আছে / b.bak exists already"),
        ("backup", &[], "ব্যাকআপ / backup"),
        ("restored", &[], "ফেরানো হয়েছে / restored"),
    ];
    for (id, args, want) in cases {
        assert_eq!(both(id, args), *want, "{id}");
    }
}
