//! PKCE (RFC 7636, S256) verifier and challenge, and the random `state` of a login attempt.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{AuthError, Secret};

/// Random bytes behind a verifier: 48 bytes encode to 64 characters, inside RFC 7636's 43–128.
const VERIFIER_BYTES: usize = 48;
/// Random bytes behind a `state`: 128 bits, unguessable.
const STATE_BYTES: usize = 16;

/// A fresh PKCE code verifier: 64 characters of `[A-Za-z0-9_-]` from the OS random source.
pub fn new_verifier() -> Result<Secret, AuthError> {
    Ok(Secret::new(random_base64url(VERIFIER_BYTES)?))
}

/// The S256 code challenge of a verifier: `base64url_nopad(sha256(verifier))`.
pub fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

/// A fresh `state` value that ties a callback to this login attempt.
pub fn new_state() -> Result<String, AuthError> {
    random_base64url(STATE_BYTES)
}

fn random_base64url(len: usize) -> Result<String, AuthError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|source| AuthError::Random { source })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifier_has_allowed_length_and_characters() {
        let verifier = new_verifier().unwrap();
        let text = verifier.expose();
        assert!((43..=128).contains(&text.len()), "{}", text.len());
        assert!(text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
    }

    #[test]
    fn verifiers_and_states_differ_each_time() {
        assert_ne!(new_verifier().unwrap(), new_verifier().unwrap());
        let (a, b) = (new_state().unwrap(), new_state().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
    }
}
