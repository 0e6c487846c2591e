//! The QR text: `HTTPS://<HOST>/V/<BASE32>`, all in the QR alphanumeric set.
//!
//! A development setup whose verifier speaks plain HTTP on this machine or the local network
//! gives its host as `http://LOCALHOST:8081` (or `http://192.168.1.5:8081`), and its QR codes
//! then say `HTTP://…`, so a browser or a phone on that network opens them. Only such local
//! addresses may be plain HTTP: a public host is always written `HTTPS://`.
//!
//! Any phone camera opens the URL on the verification page. Readers never trust the host:
//! they take the Base32 out of any URL (or accept it bare) and verify it themselves; the
//! host is reported so that a look-alike site can be warned about.

use std::fmt;
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;

use crate::error::DecodeError;
use crate::sealed::MAX_SEALED_BYTES;

/// Longest QR text read: a version 40 QR code in alphanumeric mode holds 4,296 characters.
pub const MAX_QR_TEXT: usize = 4296;

/// A verifier host as written into QR codes: upper case, in the QR alphanumeric set; plain HTTP
/// only for a local address (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host {
    name: String,
    plain_http: bool,
}

/// Why a host name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::both("host", &[("n0_dbg", &format!("{:?}", .0))]))]
pub struct HostError(pub String);

impl FromStr for Host {
    type Err = HostError;
    fn from_str(s: &str) -> Result<Host, HostError> {
        let mut up = s.trim().to_ascii_uppercase();
        let mut plain_http = false;
        if let Some(rest) = up.strip_prefix("HTTPS://") {
            up = rest.to_owned();
        } else if let Some(rest) = up.strip_prefix("HTTP://") {
            up = rest.to_owned();
            plain_http = true;
        }
        let (name, port) = match up.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (up.as_str(), None),
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let port_ok =
            port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0) && !p.starts_with('0'));
        if name.len() > 253 || !name.split('.').all(label_ok) || !port_ok {
            return Err(HostError(s.to_owned()));
        }
        if plain_http && !is_local(name) {
            return Err(HostError(s.to_owned()));
        }
        Ok(Host {
            name: up,
            plain_http,
        })
    }
}

/// This machine (`LOCALHOST`, `127.x.x.x`) or a private network address (`10.x`, `172.16-31.x`,
/// `192.168.x`): the only hosts whose links may be plain HTTP.
fn is_local(name: &str) -> bool {
    if name == "LOCALHOST" {
        return true;
    }
    match name.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.is_loopback() || ip.is_private(),
        Err(_) => false,
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Host {
    /// The upper-case host, with port if any (without the scheme).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// Whether links to it are plain HTTP (a local development verifier).
    pub fn is_plain_http(&self) -> bool {
        self.plain_http
    }
}

/// What a QR text carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayload {
    /// The URL's host (upper case) when the text was a URL.
    pub host: Option<String>,
    /// The sealed bytes.
    pub bytes: Vec<u8>,
}

/// Writes the QR text for sealed bytes.
pub fn qr_text(bytes: &[u8], host: Option<&Host>) -> String {
    let b32 = BASE32_NOPAD.encode(bytes);
    match host {
        Some(h) if h.is_plain_http() => format!("HTTP://{}/V/{b32}", h.as_str()),
        Some(h) => format!("HTTPS://{}/V/{b32}", h.as_str()),
        None => b32,
    }
}

/// Base32 without padding, reading lower case as upper: QR codes carry upper case
/// (alphanumeric mode), but a URL may have been lowered on its way.
fn base32_any_case() -> &'static data_encoding::Encoding {
    static ENCODING: std::sync::OnceLock<data_encoding::Encoding> = std::sync::OnceLock::new();
    ENCODING.get_or_init(|| {
        let mut spec = BASE32_NOPAD.specification();
        spec.translate.from = "abcdefghijklmnopqrstuvwxyz".into();
        spec.translate.to = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into();
        // The specification is BASE32_NOPAD's own plus a translation: always valid.
        spec.encoding().unwrap_or_else(|_| BASE32_NOPAD.clone())
    })
}

/// Takes the sealed bytes out of a QR text: a URL whose path ends in `/V/<BASE32>`
/// (any scheme http/https, any host, any case) or bare Base32.
pub fn parse_qr_text(text: &str) -> Result<QrPayload, DecodeError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    if text.len() > MAX_QR_TEXT {
        return Err(DecodeError::TooLarge {
            len: text.len(),
            max: MAX_QR_TEXT,
        });
    }
    let (host, b32) = match text.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                return Err(DecodeError::NotSonod);
            }
            // Up to a query or fragment ('?' and '#' are ASCII: the cut is at a char boundary).
            let end = rest
                .bytes()
                .position(|b| b == b'?' || b == b'#')
                .unwrap_or(rest.len());
            let rest = &rest[..end];
            let (host, path) = rest.split_once('/').ok_or(DecodeError::NotSonod)?;
            let host = host
                .rsplit('@')
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let mut segments = path.trim_end_matches('/').rsplit('/');
            let (Some(b32), Some(v)) = (segments.next(), segments.next()) else {
                return Err(DecodeError::NotSonod);
            };
            if !v.eq_ignore_ascii_case("v") {
                return Err(DecodeError::NotSonod);
            }
            (Some(host), b32)
        }
        None => (None, text),
    };
    // The decoder checks every character in its one pass; only a failure looks again, to
    // tell text that is not Base32 at all (not Sonod's) from Base32 that cannot be a seal.
    let all_base32 = || {
        !b32.is_empty()
            && b32
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
    };
    if b32.len() > MAX_SEALED_BYTES * 8 / 5 + 1 {
        return Err(if all_base32() {
            DecodeError::TooLarge {
                len: b32.len() * 5 / 8,
                max: MAX_SEALED_BYTES,
            }
        } else {
            DecodeError::NotSonod
        });
    }
    let bytes = base32_any_case().decode(b32.as_bytes()).map_err(|_| {
        if all_base32() {
            DecodeError::Base32
        } else {
            DecodeError::NotSonod
        }
    })?;
    if bytes.is_empty() {
        return Err(DecodeError::NotSonod);
    }
    Ok(QrPayload { host, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_whether_the_text_was_base32() {
        assert_eq!(parse_qr_text("A"), Err(DecodeError::Base32));
        assert_eq!(parse_qr_text("a"), Err(DecodeError::Base32));
        assert_eq!(parse_qr_text("NBSW!3DP"), Err(DecodeError::NotSonod));
        assert_eq!(parse_qr_text("NBSW13DP"), Err(DecodeError::NotSonod));
        assert_eq!(parse_qr_text("https://h/V/"), Err(DecodeError::NotSonod));
        assert_eq!(parse_qr_text("  "), Err(DecodeError::Empty));
        let long = "A".repeat(MAX_SEALED_BYTES * 2);
        assert!(matches!(
            parse_qr_text(&long),
            Err(DecodeError::TooLarge { .. })
        ));
        let long_junk = "!".repeat(MAX_SEALED_BYTES * 2);
        assert_eq!(parse_qr_text(&long_junk), Err(DecodeError::NotSonod));
    }

    #[test]
    fn url_and_bare_forms() {
        let host: Host = "verify.sonod.gov.bd".parse().unwrap();
        let text = qr_text(b"hello", Some(&host));
        assert_eq!(text, "HTTPS://VERIFY.SONOD.GOV.BD/V/NBSWY3DP");
        let p = parse_qr_text(&text).unwrap();
        assert_eq!(p.host.as_deref(), Some("VERIFY.SONOD.GOV.BD"));
        assert_eq!(p.bytes, b"hello");
        assert_eq!(
            parse_qr_text("NBSWY3DP").unwrap(),
            QrPayload {
                host: None,
                bytes: b"hello".to_vec()
            }
        );
        assert_eq!(parse_qr_text(" nbswy3dp\n").unwrap().bytes, b"hello");
        assert_eq!(parse_qr_text("NbSwY3dP").unwrap().bytes, b"hello");
        assert_eq!(
            parse_qr_text("https://h/V/nbSWY3DP#x?y").unwrap().bytes,
            b"hello"
        );
    }

    #[test]
    fn payload_is_taken_from_any_url() {
        for url in [
            "https://evil.example/V/NBSWY3DP",
            "http://localhost:8080/v/NBSWY3DP/",
            "https://x.example/some/prefix/V/NBSWY3DP?utm=1#frag",
        ] {
            assert_eq!(parse_qr_text(url).unwrap().bytes, b"hello", "{url}");
        }
        assert_eq!(
            parse_qr_text("https://evil.example/V/NBSWY3DP")
                .unwrap()
                .host
                .as_deref(),
            Some("EVIL.EXAMPLE")
        );
    }

    #[test]
    fn other_texts_are_not_sonod() {
        for t in [
            "https://example.com/",
            "https://example.com/X/NBSWY3DP",
            "WIFI:S:home;;",
            "ftp://a/V/NBSWY3DP",
            "hello world",
            "NBSWY3D1",
        ] {
            assert_eq!(parse_qr_text(t), Err(DecodeError::NotSonod), "{t}");
        }
        assert_eq!(parse_qr_text(""), Err(DecodeError::Empty));
        // Bad length and non-zero trailing bits.
        assert_eq!(parse_qr_text("NBSWY3D"), Err(DecodeError::Base32));
        assert_eq!(parse_qr_text("MY").unwrap().bytes, b"f");
        assert_eq!(parse_qr_text("MZ"), Err(DecodeError::Base32));
        assert!(matches!(
            parse_qr_text(&"A".repeat(5000)),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    #[test]
    fn hosts_are_validated_and_upper_cased() {
        assert_eq!(
            "localhost:8080".parse::<Host>().unwrap().as_str(),
            "LOCALHOST:8080"
        );
        for bad in [
            "",
            "a b",
            "-a.com",
            "a..com",
            "a.com:0",
            "a.com:99999",
            "ex_ample.com",
            "a.com/",
            // Plain HTTP only for this machine or a private network.
            "http://verify.sonod.gov.bd",
            "http://8.8.8.8:8081",
            "http://localhost.evil.bd",
            "ftp://localhost",
        ] {
            assert!(bad.parse::<Host>().is_err(), "{bad}");
        }
    }

    /// Issue #17: development QR codes said `HTTPS://LOCALHOST:8081/V/…` while the development
    /// verifier speaks plain HTTP. A local host given as `http://` is written `HTTP://`; any
    /// other stays `HTTPS://`, and readers take both.
    #[test]
    fn regression_a_local_development_host_may_be_plain_http() {
        for (given, text) in [
            ("http://localhost:8081", "HTTP://LOCALHOST:8081/V/NBSWY3DP"),
            ("HTTP://127.0.0.1:8081", "HTTP://127.0.0.1:8081/V/NBSWY3DP"),
            (
                "http://192.168.1.5:8081",
                "HTTP://192.168.1.5:8081/V/NBSWY3DP",
            ),
            ("localhost:8081", "HTTPS://LOCALHOST:8081/V/NBSWY3DP"),
            (
                "https://verify.sonod.gov.bd",
                "HTTPS://VERIFY.SONOD.GOV.BD/V/NBSWY3DP",
            ),
        ] {
            let host: Host = given.parse().unwrap();
            assert_eq!(qr_text(b"hello", Some(&host)), text, "{given}");
            assert!(!host.as_str().contains("://"));
            let back = parse_qr_text(text).unwrap();
            assert_eq!(back.bytes, b"hello");
            assert_eq!(back.host.as_deref(), Some(host.as_str()));
        }
    }
}
