//! The verifier as a mirror: the office-signed feed pages and status lists it fetched, kept
//! verbatim so that a scanner (`sonod-scan sync`) can check every signature itself.
//!
//! Kept in the replica's sled database, in a tree of its own (office codes length-prefixed,
//! positions big-endian):
//!
//! | key | value |
//! |---|---|
//! | `f` len office after | the page's event count (u64 BE), then the page's bytes as fetched |
//! | `l` len office | the status list's position (u64 BE), then its bytes as fetched |
//!
//! Pages tile the feed: the page at `after` holds events `after + 1 ..= after + count`, and the
//! next page starts where it ends. A sync that keeps up with a slowly growing feed fetches many
//! small pages (fewer than [`SMALL_PAGE`] events); once [`COMPACT_PAGES`] of them, or
//! [`SMALL_PAGE`] events in them, trail the last large one, the sync fetches one page covering
//! exactly those events and replaces them (see `sync`), so a mirror of N events holds at most
//! about N / 2,500 pages plus 16.

use sled::IVec;
use sonod_keys::OfficeCode;

use crate::replica::{Replica, ReplicaError};

/// Small pages at the end of a mirrored feed before they are replaced by one.
pub const COMPACT_PAGES: usize = 16;
/// A page with fewer events is small: it may be replaced by a larger one.
pub const SMALL_PAGE: u64 = 2_500;

/// One stored page.
#[derive(Debug, Clone)]
pub struct MirrorPage {
    /// The page holds the events after this position.
    pub after: u64,
    /// How many.
    pub count: u64,
    /// The page as the issuer signed and served it.
    pub bytes: IVec,
}

fn key(tag: u8, office: &OfficeCode) -> Vec<u8> {
    let o = office.as_bytes();
    let mut k = Vec::with_capacity(2 + o.len() + 8);
    k.push(tag);
    k.push(u8::try_from(o.len()).unwrap_or(u8::MAX));
    k.extend_from_slice(o);
    k
}

fn page_key(office: &OfficeCode, after: u64) -> Vec<u8> {
    let mut k = key(b'f', office);
    k.extend_from_slice(&after.to_be_bytes());
    k
}

fn split_u64(v: &IVec) -> Option<(u64, IVec)> {
    let head = <[u8; 8]>::try_from(v.get(..8)?).ok()?;
    Some((u64::from_be_bytes(head), v.subslice(8, v.len() - 8)))
}

fn decode_page(k: &[u8], v: &IVec) -> Option<MirrorPage> {
    let after = u64::from_be_bytes(<[u8; 8]>::try_from(k.get(k.len().checked_sub(8)?..)?).ok()?);
    let (count, bytes) = split_u64(v)?;
    Some(MirrorPage {
        after,
        count,
        bytes,
    })
}

impl Replica {
    /// Keeps a verified page of `office`'s feed holding `count` events after `after`.
    pub fn put_page(
        &self,
        office: &OfficeCode,
        after: u64,
        count: u64,
        bytes: &[u8],
    ) -> Result<(), ReplicaError> {
        let mut v = Vec::with_capacity(8 + bytes.len());
        v.extend_from_slice(&count.to_be_bytes());
        v.extend_from_slice(bytes);
        self.note(self.mirror.insert(page_key(office, after), v))?;
        Ok(())
    }

    /// Forgets the page stored at `after` (a page whose events the replica refused).
    pub fn remove_page(&self, office: &OfficeCode, after: u64) -> Result<(), ReplicaError> {
        self.note(self.mirror.remove(page_key(office, after)))?;
        Ok(())
    }

    /// The stored page holding event `position + 1`, or, when `position` is the end of the
    /// stored feed, the last page (it has nothing new).
    pub fn page_from(&self, office: &OfficeCode, position: u64) -> Option<MirrorPage> {
        let prefix = key(b'f', office);
        let (k, v) = self
            .note(
                self.mirror
                    .range(prefix.clone()..=page_key(office, position))
                    .next_back()
                    .transpose(),
            )
            .ok()??;
        if !k.starts_with(&prefix) || k.len() != prefix.len() + 8 {
            return None;
        }
        let page = decode_page(&k, &v)?;
        (page.after.saturating_add(page.count) >= position).then_some(page)
    }

    /// The bodies of `office`'s stored pages in feed order (pages that do not parse are left
    /// out: every stored page was checked before it was kept).
    pub fn mirror_bodies(
        &self,
        office: &OfficeCode,
    ) -> impl Iterator<Item = sonod_seal::feed::FeedPageBody> + '_ {
        self.mirror
            .scan_prefix(key(b'f', office))
            .filter_map(Result::ok)
            .filter_map(|(_, v)| {
                let (_, bytes) = split_u64(&v)?;
                sonod_seal::feed::Signed::<sonod_seal::feed::FeedPageBody>::parse(&bytes)
                    .ok()
                    .map(|p| p.signed)
            })
    }

    /// Where the stored pages of `office` end (0 when none are stored).
    pub fn mirror_end(&self, office: &OfficeCode) -> u64 {
        let prefix = key(b'f', office);
        self.mirror
            .scan_prefix(&prefix)
            .next_back()
            .and_then(Result::ok)
            .and_then(|(k, v)| decode_page(&k, &v))
            .map_or(0, |p| p.after.saturating_add(p.count))
    }

    /// How many pages of `office` are stored.
    pub fn mirror_pages(&self, office: &OfficeCode) -> usize {
        self.mirror.scan_prefix(key(b'f', office)).count()
    }

    /// The small pages at the end of `office`'s stored feed: `(after, count)` of the longest
    /// run of last pages each holding fewer than `small` events and at most `max_events`
    /// together, in order.
    pub fn mirror_tail(&self, office: &OfficeCode, small: u64, max_events: u64) -> Vec<(u64, u64)> {
        let mut tail = Vec::new();
        let mut total = 0u64;
        for item in self.mirror.scan_prefix(key(b'f', office)).rev() {
            let Ok((k, v)) = item else { break };
            let Some(p) = decode_page(&k, &v) else { break };
            total = total.saturating_add(p.count);
            if p.count >= small || total > max_events {
                break;
            }
            tail.push((p.after, p.count));
        }
        tail.reverse();
        tail
    }

    /// Replaces the stored pages from `after` to the end by one page of `count` events that
    /// covers exactly the same events, in one atomic batch.
    pub fn replace_tail(
        &self,
        office: &OfficeCode,
        after: u64,
        count: u64,
        bytes: &[u8],
    ) -> Result<(), ReplicaError> {
        let prefix = key(b'f', office);
        let mut batch = sled::Batch::default();
        for item in self.mirror.range(page_key(office, after)..) {
            let (k, _) = self.note(item)?;
            if !k.starts_with(&prefix) {
                break;
            }
            batch.remove(k);
        }
        let mut v = Vec::with_capacity(8 + bytes.len());
        v.extend_from_slice(&count.to_be_bytes());
        v.extend_from_slice(bytes);
        batch.insert(page_key(office, after), v);
        self.note(self.mirror.apply_batch(batch))?;
        Ok(())
    }

    /// Keeps `office`'s verified status list (reflecting feed `position`) unless a newer one
    /// is stored already.
    pub fn put_status_list(
        &self,
        office: &OfficeCode,
        position: u64,
        bytes: &[u8],
    ) -> Result<(), ReplicaError> {
        if self.status_list(office).is_some_and(|(p, _)| p > position) {
            return Ok(());
        }
        let mut v = Vec::with_capacity(8 + bytes.len());
        v.extend_from_slice(&position.to_be_bytes());
        v.extend_from_slice(bytes);
        self.note(self.mirror.insert(key(b'l', office), v))?;
        Ok(())
    }

    /// `office`'s last status list: the feed position it reflects and its bytes as fetched.
    pub fn status_list(&self, office: &OfficeCode) -> Option<(u64, IVec)> {
        let v = self.note(self.mirror.get(key(b'l', office))).ok()??;
        split_u64(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_tile_and_compact() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(r.mirror_end(&"100524".parse().unwrap()), 0);
        assert!(r.page_from(&"100524".parse().unwrap(), 0).is_none());
        r.put_page(&"100524".parse().unwrap(), 0, 3, b"a").unwrap();
        r.put_page(&"100524".parse().unwrap(), 3, 1, b"b").unwrap();
        r.put_page(&"100524".parse().unwrap(), 4, 2, b"c").unwrap();
        // Another office with a longer code sorts apart.
        r.put_page(&"1005241".parse().unwrap(), 0, 9, b"x").unwrap();
        assert_eq!(r.mirror_end(&"100524".parse().unwrap()), 6);
        let at = |n| {
            r.page_from(&"100524".parse().unwrap(), n)
                .map(|p| (p.after, p.bytes.to_vec()))
        };
        assert_eq!(at(0), Some((0, b"a".to_vec())));
        assert_eq!(at(2), Some((0, b"a".to_vec())));
        assert_eq!(at(3), Some((3, b"b".to_vec())));
        assert_eq!(at(5), Some((4, b"c".to_vec())));
        assert_eq!(at(6), Some((4, b"c".to_vec())), "the end: the last page");
        assert_eq!(at(7), None);
        assert_eq!(
            r.mirror_tail(&"100524".parse().unwrap(), 100, 3),
            vec![(3, 1), (4, 2)]
        );
        assert_eq!(
            r.mirror_tail(&"100524".parse().unwrap(), 100, 100),
            vec![(0, 3), (3, 1), (4, 2)]
        );
        assert_eq!(
            r.mirror_tail(&"100524".parse().unwrap(), 3, 100),
            vec![(3, 1), (4, 2)]
        );
        assert_eq!(r.mirror_tail(&"100524".parse().unwrap(), 2, 100), vec![]);
        r.replace_tail(&"100524".parse().unwrap(), 3, 3, b"bc")
            .unwrap();
        assert_eq!(r.mirror_pages(&"100524".parse().unwrap()), 2);
        assert_eq!(at(5), Some((3, b"bc".to_vec())));
        assert_eq!(r.mirror_end(&"100524".parse().unwrap()), 6);
        assert_eq!(r.mirror_end(&"1005241".parse().unwrap()), 9);
        r.put_status_list(&"100524".parse().unwrap(), 6, b"s6")
            .unwrap();
        r.put_status_list(&"100524".parse().unwrap(), 5, b"s5")
            .unwrap();
        assert_eq!(
            r.status_list(&"100524".parse().unwrap())
                .map(|(p, b)| (p, b.to_vec())),
            Some((6, b"s6".to_vec()))
        );
        assert!(r.status_list(&"1005241".parse().unwrap()).is_none());
    }
}
