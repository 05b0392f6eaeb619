//! Random codes and tokens, their stored hashes, and password hashing (argon2id).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Letters and digits that cannot be confused when read aloud or retyped (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A random code of `len` characters from an unambiguous alphabet (about 4.95 bits each).
pub fn random_code(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    // getrandom only fails without an OS RNG; an empty code is then returned, which every
    // caller refuses, rather than a predictable one.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes
        .iter()
        .map(|b| {
            let i = usize::from(*b) % ALPHABET.len();
            char::from(ALPHABET.get(i).copied().unwrap_or(b'a'))
        })
        .collect()
}

/// A random token with a prefix, e.g. `sfh_...` (160 bits).
pub fn random_token(prefix: &str) -> Result<String> {
    let code = random_code(32);
    if code.is_empty() {
        return Err(Error::Internal("no system randomness".into()));
    }
    Ok(format!("{prefix}{code}"))
}

/// A random id (128 bits, hex).
pub fn random_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no system randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a secret, hex: what the database keeps of invite codes and tokens.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_unambiguous() {
        let a = random_code(20);
        let b = random_code(20);
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert!(!a.contains('0') && !a.contains('l'));
    }

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a phc"));
    }
}
