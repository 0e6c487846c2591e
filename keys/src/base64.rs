//! Standard Base64 (with padding), the one encoding of keys and signatures in Sonod's JSON,
//! and the serde modules for fields in it.

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;

/// Standard Base64 of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// `text` decoded from standard Base64.
pub fn decode(text: &str) -> Result<Vec<u8>, ::base64::DecodeError> {
    STANDARD.decode(text)
}

/// `#[serde(with = "sonod_keys::base64::bytes")]`: a `Vec<u8>` as standard Base64.
pub mod bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the bytes as Base64.
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(b))
    }

    /// Reads Base64 into bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::decode(&s).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "sonod_keys::base64::public_key")]`: an Ed25519 public key as Base64 of
/// its 32 bytes.
pub mod public_key {
    use ed25519_dalek::VerifyingKey;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the key.
    pub fn serialize<S: Serializer>(key: &VerifyingKey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(key.as_bytes()))
    }

    /// Reads a key: Base64 of 32 bytes that are an Ed25519 point.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VerifyingKey, D::Error> {
        use serde::de::Error;
        let s = String::deserialize(d)?;
        let bytes = super::decode(&s)
            .map_err(|e| D::Error::custom(format_args!("public_key is not base64: {e}")))?;
        let raw: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| D::Error::custom("public_key must be 32 bytes"))?;
        VerifyingKey::from_bytes(&raw)
            .map_err(|_| D::Error::custom("public_key is not an Ed25519 point"))
    }
}

/// `#[serde(with = "sonod_keys::base64::signature")]`: an Ed25519 signature as Base64 of its
/// 64 bytes.
pub mod signature {
    use ed25519_dalek::Signature;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the signature.
    pub fn serialize<S: Serializer>(sig: &Signature, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(&sig.to_bytes()))
    }

    /// Reads a signature: Base64 of 64 bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Signature, D::Error> {
        use serde::de::Error;
        let s = String::deserialize(d)?;
        let bytes = super::decode(&s)
            .map_err(|e| D::Error::custom(format_args!("ed25519 is not base64: {e}")))?;
        let raw: [u8; 64] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| D::Error::custom("ed25519 signature must be 64 bytes"))?;
        Ok(Signature::from_bytes(&raw))
    }
}
