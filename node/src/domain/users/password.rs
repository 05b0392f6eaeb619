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

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most bytes a password may have, at login and wherever one is set: argon2 on megabytes would
/// be a denial of service, and a password that could be set but not used would lock its user out.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Lowest zxcvbn score a new password needs (3: about 10^10 guesses; `aaaaaaaaaaaa` scores 0).
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Checks a new password: 12 characters to 1,024 bytes (field `password`), and not easy to
/// guess by the zxcvbn estimate, also given `user_inputs` such as the user name (field
/// `password_strength`). Used everywhere a password is set.
pub fn check_new_password(password: &str, user_inputs: &[&str]) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::invalid("password", "12 characters to 1024 bytes"));
    }
    let score = u8::from(zxcvbn::zxcvbn(password, user_inputs).score());
    if score < MIN_PASSWORD_SCORE {
        return Err(Error::invalid(
            "password_strength",
            "too easy to guess: use a few random words or a generated password",
        ));
    }
    Ok(())
}

/// Checks a new password for user `username` ([`check_new_password`]) and hashes it
/// ([`hash_password`]).
pub fn hash_new_password(password: &str, username: &str) -> Result<String> {
    check_new_password(password, &[username])?;
    hash_password(password)
}

/// Hashes a password with argon2id (default parameters) and a random salt; returns the PHC
/// string. Refuses a password [`check_new_password`] refuses.
pub fn hash_password(password: &str) -> Result<String> {
    check_new_password(password, &[])?;
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

    #[test]
    fn new_passwords_need_strength_and_at_most_1024_bytes() {
        let field = |r: Result<String>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(field(hash_password("aaaaaaaaaaaa")), "password_strength");
        assert_eq!(field(hash_password("password1234")), "password_strength");
        assert_eq!(
            field(hash_new_password("maria.lopez.2024", "maria.lopez")),
            "password_strength"
        );
        // Longer than login accepts: refused when set, so no account is made unusable.
        let long = format!("{} {}", generate_password().unwrap(), "x".repeat(1024));
        assert_eq!(field(hash_password(&long)), "password");
        let max = "correct horse battery staple ".repeat(35);
        assert!(max.len() <= MAX_PASSWORD_BYTES);
        assert!(hash_password(&max).is_ok());
        assert!(hash_password("correct horse battery staple").is_ok());
    }
}
