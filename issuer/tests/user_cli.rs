//! Golden tests of `sonod-issuer user …`: accounts and API tokens (create, list, revoke),
//! exact output and exit status. Times, token ids and secrets vary from run to run and are
//! masked as `[TIME]`, `[ID]` and `[TOKEN]`.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use sonod_issuer::{Accounts, Ledger, Store};

fn user(data: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("sonod-issuer").expect("binary");
    for var in ["SONOD_DATA", "SONOD_KEY", "SONOD_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.env("USER", "tester")
        .arg("user")
        .args(args)
        .arg("--data")
        .arg(data);
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run");
    let (stdout, stderr) = (
        String::from_utf8(stdout).expect("utf8"),
        String::from_utf8(stderr).expect("utf8"),
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (
        status.code().expect("exit code"),
        mask(&stdout),
        mask(&stderr),
    )
}

/// Masks Dhaka times (`2026-03-17 14:05`, in Latin or, in the Bangla, Bangla digits), token
/// ids (16 hex digits) and token secrets.
fn mask(s: &str) -> String {
    let bangla_time = |w: &str| {
        w.chars().count() == 10
            && w.chars()
                .all(|c| ('০'..='৯').contains(&c) || c == '-' || c == ':')
            || w.chars().count() == 5 && w.chars().all(|c| ('০'..='৯').contains(&c) || c == ':')
    };
    let s: String = s
        .split_inclusive([' ', '\n'])
        .map(|w| {
            let core = w.trim_end_matches([' ', '\n']);
            if bangla_time(core) {
                let latin: String = core
                    .chars()
                    .map(|c| match c {
                        '০'..='৯' => char::from(b'0' + (c as u32 - '০' as u32) as u8),
                        c => c,
                    })
                    .collect();
                latin + &w[core.len()..]
            } else {
                w.to_owned()
            }
        })
        .collect();
    let s = s.as_str();
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        let mut words = Vec::new();
        for w in line.split(' ') {
            words.push(mask_word(w));
        }
        out.push_str(&words.join(" "));
    }
    // A time is a date word followed by an hh:mm word: "[DATE] hh:mm" → "[TIME]".
    let mut s = out;
    while let Some(i) = s.find("[DATE] ") {
        let rest = &s[i + 7..];
        let n = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ':')
            .count();
        if n == 5 {
            s = format!("{}[TIME]{}", &s[..i], &rest[n..]);
        } else {
            s = format!("{}[date]{}", &s[..i], &s[i + 6..]);
        }
    }
    s.replace("[date]", "[DATE]")
}

fn mask_word(w: &str) -> String {
    w.split('\t')
        .map(|part| {
            let core = part.trim_end_matches(['\n', ')', ',']);
            let tail = &part[core.len()..];
            let core_masked = if core.starts_with("sonod_") && core.len() > 50 {
                "[TOKEN]".to_owned()
            } else if core.len() == 16 && core.bytes().all(|b| b.is_ascii_hexdigit()) {
                "[ID]".to_owned()
            } else if let Some(rest) = core.strip_prefix('(') {
                if rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                    "([ID]".to_owned()
                } else {
                    core.to_owned()
                }
            } else if core.len() == 10
                && core.as_bytes()[4] == b'-'
                && core.as_bytes()[7] == b'-'
                && core.bytes().filter(u8::is_ascii_digit).count() == 8
            {
                "[DATE]".to_owned()
            } else {
                core.to_owned()
            };
            format!("{core_masked}{tail}")
        })
        .collect::<Vec<_>>()
        .join("\t")
}

fn ids(data: &Path) -> Vec<String> {
    let store = Store::open(data).expect("store");
    let mut v: Vec<_> = Accounts::open(&store)
        .expect("accounts")
        .tokens()
        .expect("tokens")
        .into_iter()
        .map(|t| (t.label, t.id))
        .collect();
    v.sort();
    v.into_iter().map(|(_, id)| id).collect()
}

#[test]
fn tokens_are_created_listed_and_revoked_one_by_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let add = user(
        &data,
        &[
            "add",
            "--name",
            "rahim",
            "--display-name",
            "Rahim",
            "--role",
            "chairman",
        ],
    );
    assert_eq!(
        add,
        (
            0,
            String::new(),
            "অ্যাকাউন্ট তৈরি হয়েছে / account rahim created (মেয়র / চেয়ারম্যান, chairman)\n".into()
        )
    );

    // The older form (`user token --name`) still creates, with the default 90 days.
    let bank = user(&data, &["token", "--name", "rahim", "--label", "bank"]);
    assert_eq!(
        bank,
        (
            0,
            "[TOKEN]\n".into(),
            "টোকেন [ID] (bank) · অ্যাকাউন্ট rahim · মেয়াদ [TIME] পর্যন্ত / token [ID] (bank) for rahim, works until [TIME] (Dhaka time)\n\
             যে কাজে চলবে: issue,revoke,print,audit / it may be used for: issue,revoke,print,audit\n\
             টোকেনটি এখনই সংরক্ষণ করুন, আর দেখানো হবে না / keep this token now: it is not shown again\n"
                .into()
        )
    );
    let app = user(
        &data,
        &[
            "token",
            "create",
            "--name",
            "rahim",
            "--label",
            "app",
            "--expires",
            "2d",
            "--scope",
            "print",
            "--scope",
            "audit,read",
        ],
    );
    assert_eq!(app.0, 0, "{}", app.2);
    assert!(
        app.2.contains("it may be used for: print,audit\n"),
        "{}",
        app.2
    );
    // Never more than the role allows, and only scopes that exist.
    for (scope, says) in [
        ("operate", "the account's role (chairman) does not allow it"),
        ("everything", "is not a scope"),
    ] {
        let (code, _, err) = user(
            &data,
            &["token", "create", "--name", "rahim", "--scope", scope],
        );
        assert_ne!(code, 0);
        assert!(err.contains(says), "{err}");
    }

    let (code, out, err) = user(&data, &["token", "list"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let mut lines: Vec<_> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "[ID]\trahim\tapp\t[TIME]\t[TIME]\t-\tactive\tprint,audit",
            "[ID]\trahim\tbank\t[TIME]\t[TIME]\t-\tactive\tissue,revoke,print,audit",
        ]
    );

    let [app_id, bank_id] = <[String; 2]>::try_from(ids(&data)).expect("two tokens");
    let revoke = user(&data, &["token", "revoke", "--id", &bank_id]);
    assert_eq!(
        revoke,
        (
            0,
            String::new(),
            "টোকেন বাতিল / token [ID] (bank, account rahim) revoked\n".into()
        )
    );
    let again = user(&data, &["token", "revoke", "--id", &bank_id]);
    assert_eq!(
        again,
        (
            0,
            String::new(),
            "টোকেনটি আগেই বাতিল / token [ID] (bank, account rahim) was already revoked\n".into()
        )
    );
    let (_, out, _) = user(&data, &["token", "list", "--name", "rahim"]);
    let mut lines: Vec<_> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "[ID]\trahim\tapp\t[TIME]\t[TIME]\t-\tactive\tprint,audit",
            "[ID]\trahim\tbank\t[TIME]\t[TIME]\t-\trevoked by cli:tester [TIME]\tissue,revoke,print,audit",
        ]
    );
    let (_, out, _) = user(&data, &["token", "list", "--name", "karim"]);
    assert_eq!(out, "");

    // The app token's expiry: two days on.
    let store = Store::open(&data).expect("store");
    let app_token = Accounts::open(&store)
        .expect("accounts")
        .tokens()
        .expect("tokens")
        .into_iter()
        .find(|t| t.id == app_id)
        .expect("app");
    assert_eq!(app_token.expires_at - app_token.created_at, 2 * 86_400);
    // Each change is in the audit log, by the operating-system user.
    let ledger = Ledger::open(store).expect("ledger");
    let audit: Vec<_> = ledger
        .audit_entries(0, 100)
        .expect("audit")
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.target))
        .collect();
    assert_eq!(
        audit,
        [
            "cli:tester user.add rahim",
            "cli:tester token.add rahim",
            "cli:tester token.add rahim",
            "cli:tester token.revoke rahim",
        ]
    );
    ledger.close().expect("close");
}

#[test]
fn bad_token_commands_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let (code, _, _) = user(
        &data,
        &[
            "add",
            "--name",
            "rahim",
            "--display-name",
            "Rahim",
            "--role",
            "chairman",
        ],
    );
    assert_eq!(code, 0);
    let cases: [(&[&str], &str); 6] = [
        (
            &["token", "revoke", "--id", "0123456789abcdef"],
            "ত্রুটি / error: এই আইডির কোনো টোকেন নেই / no token with id \"0123456789abcdef\"\n",
        ),
        (
            &["token", "create", "--name", "nobody"],
            "ত্রুটি / error: অ্যাকাউন্ট নেই / no account \"nobody\"\n",
        ),
        (
            &["token", "create", "--name", "rahim", "--expires", "731d"],
            "ত্রুটি / error: মেয়াদ এখনকার পরে এবং ৭৩০ দিনের মধ্যে হতে হবে / a token must expire after now and within 730 days\n",
        ),
        (
            &["token", "create", "--name", "rahim", "--expires", "2001-01-01"],
            "ত্রুটি / error: মেয়াদ এখনকার পরে এবং ৭৩০ দিনের মধ্যে হতে হবে / a token must expire after now and within 730 days\n",
        ),
        (
            &["token", "create", "--name", "rahim", "--expires", "0d"],
            "error: invalid value '0d' for '--expires <EXPIRES>': দিনের সংখ্যা লিখুন, যেমন 90d / expected a number of days such as 90d, not \"0d\"\n\nFor more information, try '--help'.\n",
        ),
        (
            &["token", "create", "--name", "rahim", "--expires", "soon"],
            "error: invalid value 'soon' for '--expires <EXPIRES>': 90d বা 2026-12-31 এর মতো লিখুন / expected days (90d) or a date (2026-12-31), not \"soon\"\n\nFor more information, try '--help'.\n",
        ),
    ];
    for (args, want) in cases {
        let (code, out, err) = user(&data, args);
        // Dates in messages are masked; put the example date back.
        let err = err.replace("[DATE]", "2026-12-31");
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (2, "", want),
            "{args:?}"
        );
    }
    // Nothing was made or changed by them.
    assert!(ids(&data).is_empty());
    // `user token` needs an account name unless a subcommand is given.
    let (code, _, err) = user(&data, &["token"]);
    assert_eq!(code, 2);
    assert!(err.contains("--name <NAME>"), "{err}");
}

#[test]
fn a_councillor_gets_wards_when_added_and_later_and_bad_wards_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let args = [
        "add",
        "--name",
        "karim",
        "--display-name",
        "Karim",
        "--role",
        "councillor",
        "--wards",
        "2,1",
    ];
    let (code, _, err) = user(&data, &args);
    assert_eq!(code, 0, "{err}");
    let wards = |data: &Path| {
        let store = Store::open(data).expect("store");
        Accounts::open(&store)
            .expect("accounts")
            .user("karim")
            .expect("read")
            .expect("user")
            .wards
    };
    assert_eq!(wards(&data), [1, 2]);
    let (code, _, err) = user(&data, &["wards", "--name", "karim", "--wards", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wards of karim: 3"), "{err}");
    assert_eq!(wards(&data), [3]);
    let (code, _, err) = user(&data, &["wards", "--name", "karim", "--wards", "3,3"]);
    assert_ne!(code, 0);
    assert!(err.contains("none twice"), "{err}");
    assert_eq!(wards(&data), [3], "nothing changed");
    // Both changes are in the audit log, by the CLI's user.
    let store = Store::open(&data).expect("store");
    let ledger = Ledger::open(store).expect("ledger");
    let audit = ledger.audit_entries(0, 100).expect("audit");
    let wards_set: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "user.wards")
        .map(|e| (e.actor.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        wards_set,
        [("cli:tester", "wards=1,2"), ("cli:tester", "wards=3")]
    );
}
