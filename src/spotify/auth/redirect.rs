//! Reading the address Spotify redirects the browser to after consent
//! (`…/callback?code=…&state=…` or `…?error=access_denied&state=…`).
//!
//! Used by the loopback callback server and by the paste-the-address fallback.

use url::Url;

use super::error::sanitize;
use super::AuthError;

/// Extracts the authorization code from the redirect address, after checking that its `state`
/// is the one this login attempt sent.
///
/// Accepts a full URL (`http://127.0.0.1:PORT/callback?…`) or just its path and query
/// (`/callback?…`, `?code=…`). The `state` is checked before anything else, so a forged
/// response can neither deliver a code nor fake an error.
pub fn parse_redirect(url: &str, expected_state: &str) -> Result<String, AuthError> {
    let url = parse_loosely(url.trim())?;
    let params = RedirectParams::from_url(&url)?;
    match params.state {
        None => return Err(AuthError::MissingState),
        Some(state) if !same_bytes(state.as_bytes(), expected_state.as_bytes()) => {
            return Err(AuthError::StateMismatch)
        }
        Some(_) => {}
    }
    match params.error.as_deref() {
        Some("access_denied") => return Err(AuthError::AccessDenied),
        Some(other) => {
            return Err(AuthError::AuthorizationFailed {
                error: sanitize(other),
            })
        }
        None => {}
    }
    match params.code {
        Some(code) if !code.is_empty() => Ok(code),
        _ => Err(AuthError::InvalidRedirectUrl {
            reason: "it has no `code` parameter",
        }),
    }
}

fn parse_loosely(text: &str) -> Result<Url, AuthError> {
    if text.is_empty() {
        return Err(AuthError::InvalidRedirectUrl {
            reason: "it is empty",
        });
    }
    if let Ok(url) = Url::parse(text) {
        return Ok(url);
    }
    if text.starts_with('/') || text.starts_with('?') {
        // Only the path and query were given: resolve them against a fixed loopback base.
        let base = Url::parse("http://127.0.0.1/").map_err(|_| AuthError::InvalidRedirectUrl {
            reason: "it is not a URL",
        })?;
        if let Ok(url) = base.join(text) {
            return Ok(url);
        }
    }
    Err(AuthError::InvalidRedirectUrl {
        reason: "it is not a URL",
    })
}

/// The three parameters that matter, each at most once.
struct RedirectParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl RedirectParams {
    fn from_url(url: &Url) -> Result<Self, AuthError> {
        let mut params = Self {
            code: None,
            state: None,
            error: None,
        };
        for (key, value) in url.query_pairs() {
            let slot = match key.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                _ => continue,
            };
            // A repeated parameter is ambiguous; a real redirect never has one.
            if slot.replace(value.into_owned()).is_some() {
                return Err(AuthError::InvalidRedirectUrl {
                    reason: "it repeats a parameter",
                });
            }
        }
        Ok(params)
    }
}

/// Compares without stopping at the first difference, so timing reveals nothing about `state`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = "s7aTe-xyz_123";

    #[test]
    fn returns_the_code_of_a_matching_redirect() {
        let url = format!("http://127.0.0.1:8123/callback?code=AQ-code&state={STATE}");
        assert_eq!(parse_redirect(&url, STATE).unwrap(), "AQ-code");
    }

    #[test]
    fn accepts_path_only_and_surrounding_whitespace() {
        let url = format!("  /callback?state={STATE}&code=c%2Fd \n");
        assert_eq!(parse_redirect(&url, STATE).unwrap(), "c/d");
    }

    #[test]
    fn rejects_a_forged_state() {
        let url = "http://127.0.0.1:1/callback?code=c&state=forged";
        assert!(matches!(
            parse_redirect(url, STATE),
            Err(AuthError::StateMismatch)
        ));
    }

    #[test]
    fn rejects_a_missing_state_even_with_a_code() {
        let url = "http://127.0.0.1:1/callback?code=c";
        assert!(matches!(
            parse_redirect(url, STATE),
            Err(AuthError::MissingState)
        ));
    }

    #[test]
    fn a_forged_error_is_reported_as_a_state_mismatch() {
        let url = "http://127.0.0.1:1/callback?error=access_denied&state=other";
        assert!(matches!(
            parse_redirect(url, STATE),
            Err(AuthError::StateMismatch)
        ));
    }

    #[test]
    fn access_denied_and_other_errors() {
        let url = format!("/callback?error=access_denied&state={STATE}");
        assert!(matches!(
            parse_redirect(&url, STATE),
            Err(AuthError::AccessDenied)
        ));
        let url = format!("/callback?error=server_error%1B%5B2J&state={STATE}");
        match parse_redirect(&url, STATE) {
            Err(AuthError::AuthorizationFailed { error }) => assert_eq!(error, "server_error[2J"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn missing_or_empty_code_and_repeated_parameters() {
        for url in [
            format!("/callback?state={STATE}"),
            format!("/callback?state={STATE}&code="),
        ] {
            assert!(matches!(
                parse_redirect(&url, STATE),
                Err(AuthError::InvalidRedirectUrl { .. })
            ));
        }
        let url = format!("/callback?state={STATE}&code=a&code=b");
        assert!(matches!(
            parse_redirect(&url, STATE),
            Err(AuthError::InvalidRedirectUrl { .. })
        ));
    }

    #[test]
    fn garbage_input_is_not_a_url() {
        for text in ["", "   ", "hello there", "127.0.0.1 callback"] {
            assert!(
                matches!(
                    parse_redirect(text, STATE),
                    Err(AuthError::InvalidRedirectUrl { .. })
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn error_messages_never_contain_the_code() {
        let url = "/callback?code=AQ-super-secret-code&state=forged";
        let err = parse_redirect(url, STATE).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("AQ-super-secret-code"));
    }
}
