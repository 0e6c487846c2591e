//! A verifier's mirror routes, as its followers read them (a kiosk's `sonod-scan sync`,
//! another verifier's `serve --mirror`): the listing's format and the paths. The transports
//! fetch; the pages they fetch are checked as any other ([`crate::Follower::mirror`]).

use serde::Deserialize;
use sonod_keys::OfficeCode;

/// The listing's `format`.
pub const FORMAT: &str = "sonod-mirror/1";
/// The listing of the offices a verifier mirrors.
pub const OFFICES_PATH: &str = "/api/v1/offices";
/// Largest listing read.
pub const MAX_LISTING_BYTES: usize = 4 << 20;

/// The path of the stored page of `office`'s feed holding the events after `after`.
pub fn feed_path(office: &OfficeCode, after: u64) -> String {
    format!("/api/v1/offices/{office}/feed?after={after}")
}

/// The path of `office`'s last status list, as the office signed it.
pub fn status_list_path(office: &OfficeCode) -> String {
    format!("/api/v1/offices/{office}/status-list")
}

/// One office in a mirror's listing (fields a follower does not need are left out).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ListedOffice {
    /// The office.
    pub office: OfficeCode,
    /// How far the mirror holds its feed: a follower reads up to here.
    pub position: u64,
    /// When the mirror last caught up with the office's feed (RFC 3339), if it has.
    #[serde(default)]
    pub synced_at: Option<String>,
}

#[derive(Deserialize)]
struct Listing {
    format: String,
    offices: Vec<ListedOffice>,
}

/// The offices of a mirror's listing; `None` when `bytes` is not a `sonod-mirror/1` listing.
/// Nothing in it is trusted: positions only say how far to ask, the pages carry the proof.
pub fn parse_listing(bytes: &[u8]) -> Option<Vec<ListedOffice>> {
    match serde_json::from_slice::<Listing>(bytes) {
        Ok(l) if l.format == FORMAT => Some(l.offices),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing() {
        let l = parse_listing(
            br#"{"format":"sonod-mirror/1","offices":[{"office":"100524","position":7,"head":7,
                "synced_at":"2026-12-06T10:00:00Z","pages":1,"status_list_position":7}]}"#,
        )
        .unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].office.as_str(), "100524");
        assert_eq!(l[0].position, 7);
        assert_eq!(l[0].synced_at.as_deref(), Some("2026-12-06T10:00:00Z"));
        assert!(parse_listing(br#"{"format":"sonod-mirror/2","offices":[]}"#).is_none());
        assert!(parse_listing(br#"{"format":"sonod-mirror/1"}"#).is_none());
        assert!(parse_listing(b"<html>").is_none());
        assert!(
            parse_listing(
                br#"{"format":"sonod-mirror/1","offices":[{"office":"x","position":1}]}"#
            )
            .is_none(),
            "an office code by the one rule"
        );
        assert_eq!(
            feed_path(&"100524".parse().unwrap(), 3),
            "/api/v1/offices/100524/feed?after=3"
        );
    }
}
