//! The Sonod feed protocol, once and without I/O: the rules a feed page and a status list must
//! meet against the trust list, and following a feed as a state machine.
//!
//! Transports fetch bytes (the verifier with its async `reqwest` client, the scanner with its
//! blocking `ureq` one) and stores keep what was accepted (the verifier's sled replica, the
//! scanner's snapshot files); both go through the same steps here:
//!
//! 1. [`Follower::next`]: the next position to ask for ([`Next::Fetch`]), or [`Next::Done`].
//! 2. [`Follower::check`]: the page fetched, against the trust list ([`check_page`]: a key the
//!    trust list gives to the page's office, not compromised, a signature that verifies, events
//!    in order), the office the feed served before, and continuity with the position asked.
//! 3. [`Follower::apply`]: the checked page given to a [`FeedStore`], and the position moved.
//!
//! Status lists: [`check_status_list`] (key, office, signature, bitstring) and
//! [`check_status_ahead`] (not ahead of the feed by more than [`MAX_STATUS_AHEAD`]).
//!
//! Errors are one type, [`ProtocolError`]; transports wrap it in their own.
//!
//! # A page's continuity
//!
//! An issuer answers `after=N` with a page that starts exactly at `N`
//! ([`Pages::Exact`]): a page that starts elsewhere is refused, its head may not be behind
//! the position, and a page without events while the head is ahead makes no progress. A
//! verifier's mirror keeps pages as the office signed them and serves the one holding
//! position `N` ([`Pages::Covering`]): the page may start before `N` (events up to `N` are
//! already held and skipped) but must reach past it; its head says nothing about the mirror's
//! end, which the mirror's listing gives ([`Follower::mirror`]).

mod l10n;
pub mod mirror;

use std::collections::HashSet;

use sonod_keys::{KeyId, KeyStatus, OfficeCode, TrustList};
use sonod_seal::feed::{
    chain_next, chain_start, Event, EventKind, FeedError, FeedPageBody, Signed, StatusListBody,
};

/// How far a status list may be ahead of the feed head seen with it (events written between
/// the two requests).
pub const MAX_STATUS_AHEAD: u64 = 1 << 20;

/// Which signed document a rule was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// A feed page.
    Page,
    /// A status list.
    StatusList,
}

impl Document {
    /// The selector the Fluent messages choose the document's name by (its words are in
    /// `locales/*/feed.ftl`).
    fn id(self) -> &'static str {
        match self {
            Document::Page => "page",
            Document::StatusList => "status-list",
        }
    }
}

/// Why a feed page or status list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// It does not parse, verify, or hold its events in order.
    #[error(transparent)]
    Document(#[from] FeedError),
    /// Its key is not in the trust list.
    #[error("{}", crate::l10n::both("protocol-unknown-key", &[("document", .document.id()), ("key", &format!("{}", .key))]))]
    UnknownKey {
        /// Which document.
        document: Document,
        /// The key.
        key: KeyId,
    },
    /// Its key belongs to another office, or is compromised.
    #[error("{}", crate::l10n::both("protocol-key-not-valid", &[("document", .document.id()), ("key", &format!("{}", .key)), ("office", &format!("{}", .office))]))]
    KeyNotValid {
        /// Which document.
        document: Document,
        /// The key.
        key: KeyId,
        /// The document's office.
        office: OfficeCode,
    },
    /// It is another office's than the one expected (the one this feed served before, or
    /// the one asked for).
    #[error("{}", crate::l10n::both("protocol-office-changed", &[("was", &format!("{}", .was)), ("now", &format!("{}", .now))]))]
    OfficeChanged {
        /// The office expected.
        was: OfficeCode,
        /// The document's.
        now: OfficeCode,
    },
    /// The page does not start where asked (or, from a mirror, does not hold the position).
    #[error("{}", crate::l10n::both("protocol-misplaced", &[("asked", &format!("{}", .asked)), ("after", &format!("{}", .after)), ("end", &format!("{}", .end))]))]
    Misplaced {
        /// The position asked for.
        asked: u64,
        /// The page's start.
        after: u64,
        /// Its last event's position.
        end: u64,
    },
    /// The feed's head is behind the position already held.
    #[error("{}", crate::l10n::both("protocol-head-behind", &[("head", &format!("{}", .head)), ("position", &format!("{}", .position))]))]
    HeadBehind {
        /// The page's head.
        head: u64,
        /// The position held.
        position: u64,
    },
    /// The page holds nothing new although the feed goes on.
    #[error("{}", crate::l10n::both("protocol-no-progress", &[("position", &format!("{}", .position)), ("head", &format!("{}", .head))]))]
    NoProgress {
        /// The position held.
        position: u64,
        /// The page's head.
        head: u64,
    },
    /// The feed's history disagrees with the one already held (a fork): at `position` its
    /// chain hash is another.
    #[error("{}", crate::l10n::both("protocol-fork", &[("position", &format!("{}", .position))]))]
    Fork {
        /// The position where the two histories were compared.
        position: u64,
    },
    /// The feed's history disagrees with the trust list's pin for a compromised key of the
    /// office (a fork made with the stolen key, or a feed that is not the office's).
    #[error("{}", crate::l10n::both("protocol-pin-mismatch", &[("position", &format!("{}", .position)), ("key", &format!("{}", .key))]))]
    PinMismatch {
        /// The pinned position.
        position: u64,
        /// The compromised key whose pin it is.
        key: KeyId,
    },
    /// The status list is further ahead of the feed than events written meanwhile explain.
    #[error("{}", crate::l10n::both("protocol-status-ahead", &[("list", &format!("{}", .list)), ("head", &format!("{}", .head))]))]
    StatusAhead {
        /// The list's position.
        list: u64,
        /// The feed's.
        head: u64,
    },
}

/// The rules for a feed page: its key is in the trust list, belongs to the page's office and
/// is not compromised; the page is `office`'s when one is expected; its signature verifies and
/// its events run gap-free from its start, none past its head.
pub fn check_page(
    trust: &TrustList,
    office: Option<&OfficeCode>,
    page: &Signed<FeedPageBody>,
) -> Result<(), ProtocolError> {
    let body = &page.signed;
    let entry = trust.entry(&page.key_id).ok_or(ProtocolError::UnknownKey {
        document: Document::Page,
        key: page.key_id,
    })?;
    // A compromised key's page is taken only for the history its pin vouches for (a mirror
    // keeps the pages the office signed before the theft): every event at or before the
    // pinned position, which the chain must then meet there ([`Follower::check_position`]).
    let vouched = entry.status == KeyStatus::Compromised
        && entry.feed_pin.as_ref().is_some_and(|pin| {
            body.after
                .checked_add(body.events.len() as u64)
                .is_some_and(|end| end <= pin.position)
        });
    if entry.office != body.office || (entry.status == KeyStatus::Compromised && !vouched) {
        return Err(ProtocolError::KeyNotValid {
            document: Document::Page,
            key: page.key_id,
            office: body.office.clone(),
        });
    }
    if let Some(was) = office.filter(|o| **o != body.office) {
        return Err(ProtocolError::OfficeChanged {
            was: was.clone(),
            now: body.office.clone(),
        });
    }
    page.verify(&entry.public_key)?;
    Ok(())
}

/// Parses `bytes` as a feed page and [`check_page`]s it.
pub fn verify_page(
    trust: &TrustList,
    office: Option<&OfficeCode>,
    bytes: &[u8],
) -> Result<Signed<FeedPageBody>, ProtocolError> {
    let page = Signed::<FeedPageBody>::parse(bytes)?;
    check_page(trust, office, &page)?;
    Ok(page)
}

/// The rules for a status list: the list is `office`'s, its key is in the trust list, belongs
/// to that office and is not compromised, its signature verifies and its bitstring decodes
/// within bounds. Returns the bitstring.
pub fn check_status_list(
    trust: &TrustList,
    office: &OfficeCode,
    list: &Signed<StatusListBody>,
) -> Result<Vec<u8>, ProtocolError> {
    let entry = trust.entry(&list.key_id).ok_or(ProtocolError::UnknownKey {
        document: Document::StatusList,
        key: list.key_id,
    })?;
    if entry.office != list.signed.office
        || list.signed.office != *office
        || entry.status == KeyStatus::Compromised
    {
        return Err(ProtocolError::KeyNotValid {
            document: Document::StatusList,
            key: list.key_id,
            office: list.signed.office.clone(),
        });
    }
    list.verify(&entry.public_key)?;
    Ok(list.signed.bitstring()?)
}

/// Parses `bytes` as a status list and [`check_status_list`]s it; the list and its bitstring.
pub fn verify_status_list(
    trust: &TrustList,
    office: &OfficeCode,
    bytes: &[u8],
) -> Result<(Signed<StatusListBody>, Vec<u8>), ProtocolError> {
    let list = Signed::<StatusListBody>::parse(bytes)?;
    let bits = check_status_list(trust, office, &list)?;
    Ok((list, bits))
}

/// A status list at `list` may be ahead of the feed head `head` seen with it by at most
/// [`MAX_STATUS_AHEAD`] events.
pub fn check_status_ahead(list: u64, head: u64) -> Result<(), ProtocolError> {
    if list > head.saturating_add(MAX_STATUS_AHEAD) {
        return Err(ProtocolError::StatusAhead { list, head });
    }
    Ok(())
}

/// The trust list's pins for `office`: each compromised key of it with a `feed_pin`, the
/// pinned position and chain hash (pins whose hash does not parse are left out; a list with
/// one does not load).
pub fn pins(trust: &TrustList, office: &OfficeCode) -> Vec<Pin> {
    trust
        .entries()
        .iter()
        .filter(|e| e.office == *office && e.status == KeyStatus::Compromised)
        .filter_map(|e| {
            let pin = e.feed_pin.as_ref()?;
            Some(Pin {
                key: e.key_id,
                position: pin.position,
                chain: pin.chain_bytes()?,
            })
        })
        .collect()
}

/// A compromised key's pin, ready for checks ([`pins`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    /// The compromised key.
    pub key: KeyId,
    /// The last position vouched for.
    pub position: u64,
    /// The chain hash there.
    pub chain: [u8; 32],
}

/// What a walk over a feed's history from its start found for one pin ([`PinWalk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vouched {
    /// The pin.
    pub pin: Pin,
    /// The SHA-256 hashes (of sealed bytes) of every certificate of the pin's key published
    /// (`issued` or `resealed`) at or before the pinned position: genuine.
    pub hashes: HashSet<[u8; 32]>,
}

/// Walks an office's feed from its start, page by page in order (overlapping pages, as a
/// mirror tiles them, are fine), working out the chain hash and, for each pin, the hashes of
/// its key's certificates up to the pinned position; a history that meets a pin with another
/// chain hash is [`ProtocolError::PinMismatch`]. The pages must have been checked when they
/// were stored; this reads their events only.
#[derive(Debug)]
pub struct PinWalk {
    chain: [u8; 32],
    position: u64,
    pending: Vec<Vouched>,
    done: Vec<Vouched>,
}

impl PinWalk {
    /// A walk over `office`'s feed for `pins`.
    pub fn new(office: &OfficeCode, pins: Vec<Pin>) -> PinWalk {
        PinWalk {
            chain: chain_start(office),
            position: 0,
            pending: pins
                .into_iter()
                .map(|pin| Vouched {
                    pin,
                    hashes: HashSet::new(),
                })
                .collect(),
            done: Vec::new(),
        }
    }

    /// A walk that starts at `position`, where the chain hash is `chain` (a page's stated
    /// `prev`: if the walk meets a pin, the pin's hash proves the start too). Only pins after
    /// `position` can be met; the certificates found are those after it.
    pub fn from_position(position: u64, chain: [u8; 32], pins: Vec<Pin>) -> PinWalk {
        PinWalk {
            chain,
            position,
            pending: pins
                .into_iter()
                .filter(|p| p.position > position)
                .map(|pin| Vouched {
                    pin,
                    hashes: HashSet::new(),
                })
                .collect(),
            done: Vec::new(),
        }
    }

    /// The chain hash at the position reached.
    pub fn chain(&self) -> [u8; 32] {
        self.chain
    }

    /// Whether every pin has been met.
    pub fn finished(&self) -> bool {
        self.pending.is_empty()
    }

    /// The position reached.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Takes the next page's events (those past the position reached). A page that starts
    /// after the position reached leaves a gap: [`ProtocolError::Misplaced`].
    pub fn page(&mut self, body: &FeedPageBody) -> Result<(), ProtocolError> {
        if body.after > self.position {
            return Err(ProtocolError::Misplaced {
                asked: self.position,
                after: body.after,
                end: body.after + body.events.len() as u64,
            });
        }
        for e in &body.events {
            if e.seq <= self.position {
                continue;
            }
            self.event(e)?;
        }
        Ok(())
    }

    /// Takes the next event (it must be the one after the position reached).
    pub fn event(&mut self, e: &Event) -> Result<(), ProtocolError> {
        if Some(e.seq) != self.position.checked_add(1) {
            return Err(ProtocolError::Misplaced {
                asked: self.position,
                after: e.seq.saturating_sub(1),
                end: e.seq,
            });
        }
        self.chain = chain_next(&self.chain, e);
        self.position = e.seq;
        if let EventKind::Issued { key_id, hash, .. } | EventKind::Resealed { key_id, hash, .. } =
            &e.kind
        {
            for v in self.pending.iter_mut().filter(|v| v.pin.key == *key_id) {
                if let Some(h) = sonod_seal::feed::parse_chain(hash) {
                    v.hashes.insert(h);
                }
            }
        }
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].pin.position == self.position {
                let v = self.pending.swap_remove(i);
                if v.pin.chain != self.chain {
                    return Err(ProtocolError::PinMismatch {
                        position: v.pin.position,
                        key: v.pin.key,
                    });
                }
                self.done.push(v);
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// The pins met, each with its key's genuine certificates; pins at position 0 are met
    /// at once (nothing vouched for), pins beyond the position reached are not returned.
    pub fn into_vouched(mut self) -> Vec<Vouched> {
        let start = self.pending.iter().position(|v| v.pin.position == 0);
        if let Some(i) = start {
            let v = self.pending.swap_remove(i);
            self.done.push(v);
        }
        self.done
    }
}

/// What pages a source serves (see the crate's "A page's continuity").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    /// An issuer: the page starts exactly at the position asked for; the feed is followed
    /// until a page reaches its head.
    Exact,
    /// A verifier's mirror: the page holds the position asked for; the feed is followed up
    /// to the position the mirror listed.
    Covering {
        /// The mirror's position for the office.
        listed: u64,
    },
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Ask for the events after this position.
    Fetch {
        /// The position.
        after: u64,
    },
    /// Caught up.
    Done,
}

/// A page that met every rule for the position it was asked for.
#[derive(Debug, Clone)]
pub struct CheckedPage {
    page: Signed<FeedPageBody>,
    /// The position held when it was checked: events up to it are not new.
    from: u64,
    /// The chain hash at the page's end, when known.
    end_chain: Option<[u8; 32]>,
}

impl CheckedPage {
    /// The signed page.
    pub fn page(&self) -> &Signed<FeedPageBody> {
        &self.page
    }

    /// Its body.
    pub fn body(&self) -> &FeedPageBody {
        &self.page.signed
    }

    /// The office.
    pub fn office(&self) -> &OfficeCode {
        &self.page.signed.office
    }

    /// Its start.
    pub fn after(&self) -> u64 {
        self.page.signed.after
    }

    /// Its last event's position (its start when it has none).
    pub fn end(&self) -> u64 {
        self.page.signed.after + self.page.signed.events.len() as u64
    }

    /// The feed's head when the page was made.
    pub fn head(&self) -> u64 {
        self.page.signed.head
    }

    /// Whether it ends at the feed's head: the office vouches that the feed was complete
    /// then.
    pub fn reaches_head(&self) -> bool {
        self.end() == self.page.signed.head
    }

    /// The feed's chain hash at [`CheckedPage::end`], when known (the page states where it
    /// starts, starts at the feed's start, or continues a position whose hash was known).
    pub fn end_chain(&self) -> Option<[u8; 32]> {
        self.end_chain
    }

    /// The events after the position held.
    pub fn new_events(&self) -> &[Event] {
        let skip = usize::try_from(self.from.saturating_sub(self.page.signed.after))
            .unwrap_or(usize::MAX)
            .min(self.page.signed.events.len());
        &self.page.signed.events[skip..]
    }
}

/// Where the accepted pages go: the verifier's replica, the scanner's snapshot.
pub trait FeedStore {
    /// Why the store refused or failed.
    type Error;
    /// Keeps a checked page's new events ([`CheckedPage::new_events`]); returns the store's
    /// position for the office afterwards.
    fn apply(&mut self, page: &CheckedPage) -> Result<u64, Self::Error>;
}

/// Following one feed: where it stands, which office it serves, what its source serves.
#[derive(Debug, Clone)]
pub struct Follower {
    office: Option<OfficeCode>,
    position: u64,
    /// The chain hash at `position`, when known.
    chain: Option<[u8; 32]>,
    pages: Pages,
    done: bool,
}

impl Follower {
    /// Following an issuer's feed from `position`, of `office` when known (else the first
    /// page's office is taken).
    pub fn issuer(office: Option<OfficeCode>, position: u64) -> Follower {
        Follower {
            chain: start_if_zero(office.as_ref(), position),
            office,
            position,
            pages: Pages::Exact,
            done: false,
        }
    }

    /// Following `office`'s feed in a verifier's mirror from `position` up to `listed`.
    pub fn mirror(office: OfficeCode, position: u64, listed: u64) -> Follower {
        Follower {
            chain: start_if_zero(Some(&office), position),
            office: Some(office),
            position,
            pages: Pages::Covering { listed },
            done: false,
        }
    }

    /// The feed's chain hash at the position held, as the store kept it (`None`: not known,
    /// as in a store written before the chain existed). Pages are then held against it: a
    /// page that states another history before it is a fork.
    pub fn with_chain(mut self, chain: Option<[u8; 32]>) -> Follower {
        if chain.is_some() || self.position != 0 {
            self.chain = chain;
        }
        self
    }

    /// The chain hash at the position held, when known (for the store to keep).
    pub fn chain(&self) -> Option<[u8; 32]> {
        self.chain
    }

    /// The office, once known.
    pub fn office(&self) -> Option<&OfficeCode> {
        self.office.as_ref()
    }

    /// The position held.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Takes `office` as the feed's (learnt from its first page) with the position the store
    /// holds for it; true when that moved the position (ask again from there).
    pub fn adopt(&mut self, office: OfficeCode, position: u64) -> bool {
        self.adopt_with_chain(office, position, None)
    }

    /// [`Follower::adopt`], with the chain hash the store keeps at that position.
    pub fn adopt_with_chain(
        &mut self,
        office: OfficeCode,
        position: u64,
        chain: Option<[u8; 32]>,
    ) -> bool {
        let moved = position != self.position;
        self.chain = chain.or_else(|| start_if_zero(Some(&office), position));
        self.office = Some(office);
        self.position = position;
        moved
    }

    /// Step 1: the next position to ask for.
    pub fn next(&self) -> Next {
        match self.pages {
            _ if self.done => Next::Done,
            Pages::Covering { listed } if self.position >= listed => Next::Done,
            _ => Next::Fetch {
                after: self.position,
            },
        }
    }

    /// Step 2 in two halves, the first: the page's key and office ([`check_page`], with the
    /// office this feed serves when known).
    pub fn check_signed(
        &self,
        trust: &TrustList,
        page: &Signed<FeedPageBody>,
    ) -> Result<(), ProtocolError> {
        check_page(trust, self.office.as_ref(), page)
    }

    /// Step 2, the second half: the page's continuity with the position held (see the
    /// crate's "A page's continuity"), and its history: where the chain hash is known on both
    /// sides (the page's `prev`, the position held, the trust list's pins for the office), they
    /// must agree, else [`ProtocolError::Fork`] or [`ProtocolError::PinMismatch`].
    pub fn check_position(
        &self,
        trust: &TrustList,
        page: Signed<FeedPageBody>,
    ) -> Result<CheckedPage, ProtocolError> {
        let position = self.position;
        let end_chain = self.check_chain(trust, &page.signed)?;
        let checked = CheckedPage {
            page,
            from: position,
            end_chain,
        };
        let (after, end, head) = (checked.after(), checked.end(), checked.head());
        match self.pages {
            Pages::Exact => {
                if after != position {
                    return Err(ProtocolError::Misplaced {
                        asked: position,
                        after,
                        end,
                    });
                }
                if head < position {
                    return Err(ProtocolError::HeadBehind { head, position });
                }
                if end == position && head > position {
                    return Err(ProtocolError::NoProgress { position, head });
                }
            }
            Pages::Covering { .. } => {
                if after > position || end < position {
                    return Err(ProtocolError::Misplaced {
                        asked: position,
                        after,
                        end,
                    });
                }
                if end == position {
                    return Err(ProtocolError::NoProgress { position, head });
                }
            }
        }
        Ok(checked)
    }

    /// Step 2: parses nothing (the transport parsed the page), checks everything.
    pub fn check(
        &self,
        trust: &TrustList,
        page: Signed<FeedPageBody>,
    ) -> Result<CheckedPage, ProtocolError> {
        self.check_signed(trust, &page)?;
        self.check_position(trust, page)
    }

    /// The page's chain against what is held and pinned; its chain hash at its end, when
    /// known.
    fn check_chain(
        &self,
        trust: &TrustList,
        body: &FeedPageBody,
    ) -> Result<Option<[u8; 32]>, ProtocolError> {
        let pins = pins(trust, &body.office);
        let stated = body.start_chain()?;
        let mut chain = match (stated, self.chain) {
            (Some(s), Some(held)) if body.after == self.position && s != held => {
                return Err(ProtocolError::Fork {
                    position: self.position,
                })
            }
            (Some(s), _) => Some(s),
            (None, held) if body.after == self.position => held,
            (None, _) => None,
        };
        let meet = |seq: u64, c: &[u8; 32]| -> Result<(), ProtocolError> {
            if seq == self.position && self.chain.is_some_and(|h| h != *c) {
                return Err(ProtocolError::Fork { position: seq });
            }
            if let Some(pin) = pins.iter().find(|p| p.position == seq && p.chain != *c) {
                return Err(ProtocolError::PinMismatch {
                    position: seq,
                    key: pin.key,
                });
            }
            Ok(())
        };
        if let Some(c) = &chain {
            meet(body.after, c)?;
        }
        for e in &body.events {
            chain = chain.map(|c| chain_next(&c, e));
            if let Some(c) = &chain {
                meet(e.seq, c)?;
            }
        }
        Ok(chain)
    }

    /// Step 3: gives the page to `store` and moves to the store's new position. An issuer's
    /// feed is done once a page reaches its head.
    pub fn apply<S: FeedStore>(
        &mut self,
        store: &mut S,
        page: &CheckedPage,
    ) -> Result<(), S::Error> {
        let position = store.apply(page)?;
        self.chain = if position == page.end() {
            page.end_chain
        } else if position == self.position {
            self.chain
        } else {
            None
        };
        self.position = position;
        if self.office.is_none() {
            self.office = Some(page.office().clone());
        }
        if self.pages == Pages::Exact && position >= page.head() {
            self.done = true;
        }
        Ok(())
    }
}

/// The chain hash at `position` when it is the feed's start and the office is known.
fn start_if_zero(office: Option<&OfficeCode>, position: u64) -> Option<[u8; 32]> {
    office.filter(|_| position == 0).map(chain_start)
}

#[cfg(test)]
mod tests;
