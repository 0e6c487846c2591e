//! Key ids: the short, stable name of a public key that certificates and the trust list carry.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The first 8 bytes of SHA-256 over the raw 32-byte Ed25519 public key.
///
/// Eight bytes keep the QR code small; a key id only *names* a key (the signature is still checked
/// against the full public key from the trust list), so a collision could at worst make a
/// certificate unverifiable, never forge one. Written as 16 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId([u8; KeyId::LEN]);

impl KeyId {
    /// Length of a key id in bytes.
    pub const LEN: usize = 8;

    /// The key id of `key`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; KeyId::LEN];
        id.copy_from_slice(&digest[..KeyId::LEN]);
        KeyId(id)
    }

    /// A key id from its raw bytes; `None` unless `bytes` is exactly 8 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Option<KeyId> {
        <[u8; KeyId::LEN]>::try_from(bytes).ok().map(KeyId)
    }

    /// The raw bytes, as carried in a sealed certificate.
    pub fn as_bytes(&self) -> &[u8; KeyId::LEN] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&data_encoding::HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Why a string is not a key id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseKeyIdError {
    /// The string is not 16 characters long.
    #[error("{}", crate::l10n::both("parse-key-id-length", &[("n0", &format!("{}", .0))]))]
    Length(usize),
    /// The string has a character that is not a hex digit.
    #[error("{}", crate::l10n::both("parse-key-id-not-hex", &[]))]
    NotHex,
}

impl FromStr for KeyId {
    type Err = ParseKeyIdError;

    /// Parses 16 hex characters, upper or lower case.
    fn from_str(s: &str) -> Result<KeyId, ParseKeyIdError> {
        let s = s.as_bytes();
        if s.len() != 2 * KeyId::LEN {
            return Err(ParseKeyIdError::Length(s.len()));
        }
        let mut id = [0u8; KeyId::LEN];
        data_encoding::HEXLOWER_PERMISSIVE
            .decode_mut(s, &mut id)
            .map_err(|_| ParseKeyIdError::NotHex)?;
        Ok(KeyId(id))
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyId, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, TEST 1.
    const RFC8032_TEST1_PUBLIC: &str =
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn rfc8032_test1() -> VerifyingKey {
        let mut raw = [0u8; 32];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = u8::from_str_radix(&RFC8032_TEST1_PUBLIC[2 * i..2 * i + 2], 16).unwrap();
        }
        VerifyingKey::from_bytes(&raw).unwrap()
    }

    #[test]
    fn key_id_of_rfc8032_test1_is_pinned() {
        let id = KeyId::of(&rfc8032_test1());
        assert_eq!(id.to_string(), "21fe31dfa154a261");
        assert_eq!(
            id.as_bytes(),
            &[0x21, 0xfe, 0x31, 0xdf, 0xa1, 0x54, 0xa2, 0x61]
        );
    }

    #[test]
    fn parses_lower_and_upper_case() {
        let id: KeyId = "21fe31dfa154a261".parse().unwrap();
        let upper: KeyId = "21FE31DFA154A261".parse().unwrap();
        assert_eq!(id, upper);
        assert_eq!(upper.to_string(), "21fe31dfa154a261");
        assert_eq!(format!("{id:?}"), "KeyId(21fe31dfa154a261)");
    }

    #[test]
    fn rejects_bad_strings() {
        assert_eq!("21fe".parse::<KeyId>(), Err(ParseKeyIdError::Length(4)));
        assert_eq!(
            "21fe31dfa154a26g".parse::<KeyId>(),
            Err(ParseKeyIdError::NotHex)
        );
        // 16 bytes but not 16 characters: must not panic on a char boundary.
        assert_eq!(
            "২১fe31dfa154".parse::<KeyId>(),
            Err(ParseKeyIdError::NotHex)
        );
    }

    #[test]
    fn from_bytes_needs_exactly_eight() {
        assert!(KeyId::from_bytes(&[0; 7]).is_none());
        assert!(KeyId::from_bytes(&[0; 9]).is_none());
        assert_eq!(
            KeyId::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8])
                .unwrap()
                .to_string(),
            "0102030405060708"
        );
    }

    #[test]
    fn serde_is_the_hex_string() {
        let id = KeyId::of(&rfc8032_test1());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"21fe31dfa154a261\"");
        assert_eq!(serde_json::from_str::<KeyId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<KeyId>("\"xyz\"").is_err());
        assert!(serde_json::from_str::<KeyId>("12").is_err());
    }
}
