//! argon2id password hashing and generated passwords.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// An argon2id hash of a random password, verified against when a username is unknown so that
/// timing does not reveal which usernames exist.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        generate_password()
            .and_then(|p| hash_password(&p))
            .unwrap_or_default()
    })
}

/// Hashes a password with argon2id (default parameters) and a random salt; returns the PHC
/// string.
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 12 {
        return Err(Error::invalid("password", "at least 12 characters"));
    }
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| Error::Password(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A random 20-character password from an alphabet without look-alikes (~100 bits).
pub fn generate_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(24);
    let mut buf = [0u8; 64];
    while out.len() < 20 {
        getrandom::fill(&mut buf).map_err(|e| Error::Password(format!("no randomness: {e}")))?;
        for b in buf {
            // Rejection sampling keeps the distribution uniform.
            let limit = 256 - (256 % ALPHABET.len());
            if usize::from(b) < limit
                && out.len() < 20
                && let Some(c) = ALPHABET.get(usize::from(b) % ALPHABET.len())
            {
                out.push(char::from(*c));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let pw = generate_password().unwrap();
        assert_eq!(pw.len(), 20);
        let h = hash_password(&pw).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&pw, &h));
        assert!(!verify_password("wrong password!!", &h));
        assert!(!verify_password(&pw, dummy_hash()));
        assert!(hash_password("short").is_err());
    }
}
