//! The two calls to `<accounts>/api/token`: exchanging an authorization code (with the PKCE
//! verifier) and refreshing an access token. Both are form posts without a client secret.

use serde::Deserialize;
use url::Url;

use super::error::{describe_json_error, sanitize};
use super::{AuthError, Secret};

/// What a successful token response grants.
pub(crate) struct TokenGrant {
    pub(crate) access_token: Secret,
    pub(crate) refresh_token: Option<Secret>,
    pub(crate) expires_in_secs: u64,
    pub(crate) scope: Option<String>,
}

/// Exchanges the authorization code for tokens.
pub(crate) async fn exchange_code(
    http: &reqwest::Client,
    token_url: &Url,
    client_id: &str,
    code: &Secret,
    redirect_uri: &Url,
    verifier: &Secret,
) -> Result<TokenGrant, AuthError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", redirect_uri.as_str()),
        ("client_id", client_id),
        ("code_verifier", verifier.expose()),
    ];
    post(http, token_url, &form).await
}

/// Refreshes the access token; a dead refresh token (`invalid_grant`) is
/// [`AuthError::LoginExpired`].
pub(crate) async fn refresh(
    http: &reqwest::Client,
    token_url: &Url,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<TokenGrant, AuthError> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id),
    ];
    match post(http, token_url, &form).await {
        Err(AuthError::TokenRejected {
            status: 400,
            error: Some(error),
            ..
        }) if error == "invalid_grant" => Err(AuthError::LoginExpired),
        other => other,
    }
}

/// Spotify's access tokens last an hour; used when a response leaves `expires_in` out.
const DEFAULT_EXPIRES_IN_SECS: u64 = 3600;

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: Option<String>,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

async fn post(
    http: &reqwest::Client,
    token_url: &Url,
    form: &[(&str, &str)],
) -> Result<TokenGrant, AuthError> {
    let response = http
        .post(token_url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .map_err(|source| AuthError::AccountsUnreachable { source })?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|source| AuthError::AccountsUnreachable { source })?;
    if !status.is_success() {
        return Err(rejection(status.as_u16(), &body));
    }
    parse_grant(&body)
}

fn rejection(status: u16, body: &[u8]) -> AuthError {
    // Only the standard OAuth error fields are kept; a raw body (an HTML error page) is not.
    let parsed = serde_json::from_slice::<TokenErrorBody>(body).ok();
    let (error, description) = parsed
        .map(|b| (b.error, b.error_description))
        .unwrap_or_default();
    AuthError::TokenRejected {
        status,
        error: error.map(|e| sanitize(&e)).filter(|e| !e.is_empty()),
        description: description.map(|d| sanitize(&d)).filter(|d| !d.is_empty()),
    }
}

fn parse_grant(body: &[u8]) -> Result<TokenGrant, AuthError> {
    let response: TokenResponse =
        serde_json::from_slice(body).map_err(|err| AuthError::MalformedTokenResponse {
            reason: describe_json_error(&err),
        })?;
    if response.access_token.is_empty() {
        return Err(AuthError::MalformedTokenResponse {
            reason: "its access_token is empty".to_owned(),
        });
    }
    if let Some(kind) = &response.token_type {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::MalformedTokenResponse {
                reason: format!("its token_type is `{}`, not Bearer", sanitize(kind)),
            });
        }
    }
    Ok(TokenGrant {
        access_token: Secret::new(response.access_token),
        refresh_token: response
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(Secret::new),
        expires_in_secs: response.expires_in.unwrap_or(DEFAULT_EXPIRES_IN_SECS),
        scope: response.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_grant() {
        let body = br#"{"access_token":"a","token_type":"Bearer","expires_in":3600,
            "refresh_token":"r","scope":"user-library-read"}"#;
        let grant = parse_grant(body).unwrap();
        assert_eq!(grant.access_token.expose(), "a");
        assert_eq!(grant.refresh_token.unwrap().expose(), "r");
        assert_eq!(grant.expires_in_secs, 3600);
        assert_eq!(grant.scope.as_deref(), Some("user-library-read"));
    }

    #[test]
    fn empty_refresh_token_counts_as_absent() {
        let grant = parse_grant(br#"{"access_token":"a","refresh_token":""}"#).unwrap();
        assert!(grant.refresh_token.is_none());
        assert_eq!(grant.expires_in_secs, DEFAULT_EXPIRES_IN_SECS);
    }

    #[test]
    fn malformed_grants_are_errors_without_the_body() {
        for body in [
            &br#"{"token_type":"Bearer"}"#[..],
            br#"{"access_token":"","token_type":"Bearer"}"#,
            br#"{"access_token":"BQD-secret","token_type":"mac"}"#,
            br#"{"access_token":"BQD-secret","expires_in":"soon"}"#,
            b"<html>oops</html>",
            b"",
        ] {
            let err = parse_grant(body).err().unwrap();
            assert!(matches!(err, AuthError::MalformedTokenResponse { .. }));
            assert!(!err.to_string().contains("BQD-secret"), "{err}");
        }
    }

    #[test]
    fn rejection_keeps_only_oauth_fields() {
        let err = rejection(
            400,
            br#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#,
        );
        assert!(matches!(
            &err,
            AuthError::TokenRejected { status: 400, error: Some(e), description: Some(_) } if e == "invalid_grant"
        ));
        let err = rejection(502, b"<html><body>Bad gateway</body></html>");
        assert!(matches!(
            err,
            AuthError::TokenRejected {
                status: 502,
                error: None,
                description: None
            }
        ));
    }
}
