//! `trackvault login`: the PKCE authorization-code flow end to end — loopback callback server,
//! authorize URL (always printed, optionally opened in a browser), optional paste-the-address
//! fallback, code exchange and saving the login.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use url::Url;

use super::callback::CallbackServer;
use super::error::seconds;
use super::provider::expires_at;
use super::token_store::{save_token, StoredToken};
use super::{pkce, token_endpoint, AuthConfig, AuthError, Secret, SCOPES};

/// How `login` talks to the user.
#[derive(Clone, Debug)]
pub struct LoginOptions {
    /// Open the authorize URL in the default browser (it is printed either way).
    pub open_browser: bool,
    /// Port for the callback server on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
}

impl Default for LoginOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            port: None,
            timeout: Duration::from_secs(300),
        }
    }
}

/// What a successful login saved.
#[derive(Clone, Debug)]
pub struct LoginOutcome {
    /// Where the login was saved (`<config_dir>/token.json`).
    pub token_path: PathBuf,
    pub client_id: String,
    /// Scopes Spotify granted.
    pub granted_scopes: Vec<String>,
    /// Requested scopes Spotify did not grant (a warning was logged for them).
    pub missing_scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Logs in through the browser and saves the login; see [`login_with`].
pub async fn login(
    cfg: &AuthConfig,
    opts: &LoginOptions,
    out: &mut (dyn Write + Send),
) -> Result<LoginOutcome, AuthError> {
    let http = default_http_client()?;
    login_with(cfg, opts, out, &http, None).await
}

/// Logs in through the browser and saves the login, using the given HTTP client.
///
/// Prints the authorize URL and progress to `out`. When `pasted` is given, each line received
/// on it is tried as the address the browser ended on, for machines whose browser cannot reach
/// this one's 127.0.0.1 (see [`stdin_lines`]).
pub async fn login_with(
    cfg: &AuthConfig,
    opts: &LoginOptions,
    out: &mut (dyn Write + Send),
    http: &reqwest::Client,
    pasted: Option<mpsc::Receiver<String>>,
) -> Result<LoginOutcome, AuthError> {
    login_with_scopes(cfg, opts, SCOPES, out, http, pasted).await
}

/// [`login_with`] asking for `scopes` (`login --write` adds [`super::WRITE_SCOPES`]); the
/// granted scopes are saved with the login so `restore` can tell whether it may write.
pub async fn login_with_scopes(
    cfg: &AuthConfig,
    opts: &LoginOptions,
    scopes: &[&str],
    out: &mut (dyn Write + Send),
    http: &reqwest::Client,
    pasted: Option<mpsc::Receiver<String>>,
) -> Result<LoginOutcome, AuthError> {
    let client_id = cfg.client_id.trim();
    if client_id.is_empty() {
        return Err(AuthError::MissingClientId);
    }
    let token_url = cfg.token_url()?;
    let server = CallbackServer::bind(opts.port).await?;
    let redirect_uri = server.redirect_uri();
    let verifier = pkce::new_verifier()?;
    let state = pkce::new_state()?;
    let authorize_url =
        cfg.authorize_url_with_scopes(&redirect_uri, &state, &pkce::challenge(&verifier), scopes)?;

    print_instructions(out, &authorize_url, opts, pasted.is_some())
        .map_err(|source| AuthError::Output { source })?;
    if opts.open_browser {
        open_browser(out, &authorize_url).await;
    }

    let code = tokio::time::timeout(opts.timeout, wait_for_code(server, &state, pasted, out))
        .await
        .map_err(|_| AuthError::Timeout {
            waited: opts.timeout,
        })??;

    let authorized_at = Utc::now();
    let grant =
        token_endpoint::exchange_code(http, &token_url, client_id, &code, &redirect_uri, &verifier)
            .await?;
    let Some(refresh_token) = grant.refresh_token else {
        return Err(AuthError::MalformedTokenResponse {
            reason: "it has no refresh_token".to_owned(),
        });
    };
    let scope = grant.scope.unwrap_or_default();
    let token = StoredToken {
        client_id: client_id.to_owned(),
        access_token: grant.access_token,
        refresh_token,
        expires_at: expires_at(Utc::now(), grant.expires_in_secs),
        scope: scope.clone(),
        authorized_at,
    };
    let token_path = save_token(&cfg.config_dir, &token)?;

    let granted_scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    let missing_scopes: Vec<String> = scopes
        .iter()
        .filter(|s| !granted_scopes.iter().any(|g| g == *s))
        .map(|s| (*s).to_owned())
        .collect();
    if !missing_scopes.is_empty() {
        tracing::warn!(
            "Spotify did not grant the scopes {}; parts of the library may be missing from backups (and restores)",
            missing_scopes.join(", ")
        );
    }
    writeln!(
        out,
        "Logged in to Spotify; the login is saved in {}.",
        token_path.display()
    )
    .map_err(|source| AuthError::Output { source })?;
    Ok(LoginOutcome {
        token_path,
        client_id: token.client_id,
        granted_scopes,
        missing_scopes,
        expires_at: token.expires_at,
    })
}

/// Lines typed on standard input, read by a detached thread (a tokio stdin read would keep
/// the runtime from shutting down). Pass it to [`login_with`] when stdin is a terminal.
pub fn stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A client for the accounts server: no redirects followed, bounded time per request.
pub fn default_http_client() -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .user_agent(concat!("trackvault/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|source| AuthError::HttpClient { source })
}

fn print_instructions(
    out: &mut (dyn Write + Send),
    authorize_url: &Url,
    opts: &LoginOptions,
    can_paste: bool,
) -> std::io::Result<()> {
    writeln!(out, "Open this address in a browser to log in to Spotify:")?;
    writeln!(out)?;
    writeln!(out, "    {authorize_url}")?;
    writeln!(out)?;
    writeln!(
        out,
        "(Your Spotify app must list the redirect URI http://127.0.0.1/callback.)"
    )?;
    writeln!(
        out,
        "Waiting up to {} for the browser to return to this machine…",
        seconds(opts.timeout)
    )?;
    if can_paste {
        writeln!(
            out,
            "If the browser runs elsewhere, paste the address it ended on here and press Enter."
        )?;
    }
    out.flush()
}

async fn open_browser(out: &mut (dyn Write + Send), authorize_url: &Url) {
    let target = authorize_url.to_string();
    // Launching a browser may block briefly while the opener checks for failure.
    let opened = tokio::task::spawn_blocking(move || open::that_detached(target)).await;
    let failure = match opened {
        Ok(Ok(())) => return,
        Ok(Err(err)) => err.to_string(),
        Err(err) => err.to_string(),
    };
    tracing::debug!(error = %failure, "could not open a browser");
    let _ = writeln!(
        out,
        "Could not open a browser ({failure}); open the address above yourself."
    );
}

/// Waits for the callback, or for a pasted address when a paste channel is given.
async fn wait_for_code(
    server: CallbackServer,
    state: &str,
    pasted: Option<mpsc::Receiver<String>>,
    out: &mut (dyn Write + Send),
) -> Result<Secret, AuthError> {
    let Some(pasted) = pasted else {
        return server.wait_for_code(state).await;
    };
    tokio::select! {
        result = server.wait_for_code(state) => result,
        result = read_pasted_code(pasted, state, out) => result,
    }
}

/// Tries each pasted line until one is a redirect address. Never finishes once input ends, so
/// the callback server keeps waiting.
async fn read_pasted_code(
    mut pasted: mpsc::Receiver<String>,
    state: &str,
    out: &mut (dyn Write + Send),
) -> Result<Secret, AuthError> {
    while let Some(line) = pasted.recv().await {
        if line.trim().is_empty() {
            continue;
        }
        match super::parse_redirect(&line, state) {
            Ok(code) => return Ok(Secret::new(code)),
            Err(err @ (AuthError::InvalidRedirectUrl { .. } | AuthError::MissingState)) => {
                let _ = writeln!(out, "{err}.");
            }
            Err(err) => return Err(err),
        }
    }
    std::future::pending().await
}
