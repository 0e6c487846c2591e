//! What sealed bytes prove, kept by their SHA-256: a kiosk that sends the same QR code many
//! times a second pays for parsing and the signature check once.
//!
//! A [`Reading`] depends on the bytes alone, and the signature outcome it records on the key
//! the trust list gives its kid; so a cache belongs to one trust list and is dropped with it.
//! The feed's answer (issued, not issued, revoked) is never kept here: it is asked on every
//! request.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use sonod_judge::Reading;

/// A bounded LRU of readings by the SHA-256 of their sealed bytes.
#[derive(Debug)]
pub struct ReadingCache {
    inner: Option<Mutex<LruCache<[u8; 32], Arc<Reading>>>>,
}

impl ReadingCache {
    /// A cache of at most `entries` readings (0: no cache).
    pub fn new(entries: usize) -> ReadingCache {
        ReadingCache {
            inner: NonZeroUsize::new(entries).map(|n| Mutex::new(LruCache::new(n))),
        }
    }

    /// The reading of `bytes`, from the cache or made now; and whether it came from the cache.
    pub fn reading(&self, bytes: &[u8]) -> (Arc<Reading>, bool) {
        let Some(inner) = &self.inner else {
            return (Arc::new(Reading::new(bytes)), false);
        };
        let key = sonod_seal::hash(bytes);
        if let Some(r) = inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            return (Arc::clone(r), true);
        }
        // Parsed outside the lock: two threads may both parse the same new bytes, which is
        // cheaper than making every request wait on one parse.
        let reading = Arc::new(Reading::with_hash(bytes, key));
        inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .put(key, Arc::clone(&reading));
        (reading, false)
    }

    /// How many readings are kept.
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |m| {
            m.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .len()
        })
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_shared() {
        let c = ReadingCache::new(2);
        let (a, hit) = c.reading(b"one");
        assert!(!hit);
        let (a2, hit) = c.reading(b"one");
        assert!(hit && Arc::ptr_eq(&a, &a2));
        c.reading(b"two");
        c.reading(b"three");
        assert_eq!(c.len(), 2);
        assert!(!c.reading(b"one").1);
        let none = ReadingCache::new(0);
        assert!(!none.reading(b"one").1 && none.is_empty());
    }
}
