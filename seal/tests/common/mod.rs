//! Fixed keys shared by the vector harness and the forgery test.

use sonod_keys::{SecretKey, SigningKey};

/// RFC 8032 section 7.1, test 1: the office key of every vector.
pub const KEY1: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

pub fn key(hex: &str) -> SecretKey {
    let mut b = [0u8; 32];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    SecretKey::from_signing_key(SigningKey::from_bytes(&b))
}
