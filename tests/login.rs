//! Login and token refresh against a wiremock "accounts server", with this test acting as the
//! browser: the authorize URL is read from `login`'s output and the redirect is sent with a
//! real HTTP client to the loopback callback server.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{TimeDelta, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use trackvault::spotify::auth::{
    load_token, login, login_with, logout, save_token, token_path, AuthConfig, AuthError,
    LoginOptions, LoginOutcome, Secret, StoredToken, TokenProvider, SCOPES,
};
use url::Url;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "test-client-id";
/// Long enough for any test machine, short enough that a hang fails fast.
const STEP: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- helpers

/// A `Write` that forwards everything `login` prints to the test.
struct ChannelWriter(mpsc::UnboundedSender<Vec<u8>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What `login` printed so far.
struct Printed {
    rx: mpsc::UnboundedReceiver<Vec<u8>>,
    text: String,
}

impl Printed {
    /// Waits until the authorize URL has been printed and returns it.
    async fn authorize_url(&mut self) -> Url {
        tokio::time::timeout(STEP, async {
            loop {
                let found = self
                    .text
                    .lines()
                    .map(str::trim)
                    .find(|l| l.starts_with("http") && l.contains("/authorize?"))
                    .map(|l| Url::parse(l).expect("printed authorize URL parses"));
                if let Some(url) = found {
                    return url;
                }
                let chunk = self
                    .rx
                    .recv()
                    .await
                    .expect("login printed no authorize URL");
                self.text.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("authorize URL printed in time")
    }

    /// Everything printed, after `login` has finished.
    fn rest(mut self) -> String {
        while let Ok(chunk) = self.rx.try_recv() {
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
        self.text
    }
}

fn no_proxy_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn config(server: &MockServer, dir: &Path) -> AuthConfig {
    AuthConfig {
        client_id: CLIENT_ID.into(),
        accounts_url: Url::parse(&server.uri()).unwrap(),
        config_dir: dir.join("config"),
    }
}

fn quick_options() -> LoginOptions {
    LoginOptions {
        open_browser: false,
        port: None,
        timeout: STEP,
    }
}

type LoginTask = JoinHandle<Result<LoginOutcome, AuthError>>;

fn spawn_login(
    cfg: AuthConfig,
    opts: LoginOptions,
    pasted: Option<mpsc::Receiver<String>>,
) -> (LoginTask, Printed) {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut out = ChannelWriter(tx);
        login_with(&cfg, &opts, &mut out, &no_proxy_client(), pasted).await
    });
    (
        task,
        Printed {
            rx,
            text: String::new(),
        },
    )
}

async fn finish(task: LoginTask) -> Result<LoginOutcome, AuthError> {
    tokio::time::timeout(STEP, task)
        .await
        .expect("login finished in time")
        .expect("login task did not panic")
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

fn form(request: &Request) -> HashMap<String, String> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

fn grant_json(access: &str, refresh: Option<&str>) -> serde_json::Value {
    let mut body = serde_json::json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": SCOPES.join(" "),
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    body
}

/// Acts as the browser: follows the redirect with `query` appended to the redirect URI.
async fn browser_get(redirect_uri: &str, query: &str) -> (u16, String) {
    let response = no_proxy_client()
        .get(format!("{redirect_uri}?{query}"))
        .send()
        .await
        .expect("callback server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Runs a login whose browser comes back with `callback_query` (`{state}` is replaced by the
/// real state); returns the browser's status and page and the login's result.
async fn login_with_callback(
    server: &MockServer,
    dir: &Path,
    callback_query: &str,
) -> (u16, String, Result<LoginOutcome, AuthError>) {
    let (task, mut printed) = spawn_login(config(server, dir), quick_options(), None);
    let url = printed.authorize_url().await;
    let params = query(&url);
    let query = callback_query.replace("{state}", &params["state"]);
    let (status, page) = browser_get(&params["redirect_uri"], &query).await;
    (status, page, finish(task).await)
}

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} leaked into {text:?}");
    }
}

// ---------------------------------------------------------------- login

#[tokio::test]
async fn full_login_flow_saves_a_private_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(grant_json("BQD-e2e-access", Some("AQD-e2e-refresh"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&server, dir.path());
    let (task, mut printed) = spawn_login(cfg.clone(), quick_options(), None);

    // The printed authorize URL asks for the right thing.
    let url = printed.authorize_url().await;
    assert_eq!(url.origin(), Url::parse(&server.uri()).unwrap().origin());
    assert_eq!(url.path(), "/authorize");
    let params = query(&url);
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], SCOPES.join(" "));
    assert!(params["state"].len() >= 16);
    let redirect_uri = Url::parse(&params["redirect_uri"]).unwrap();
    assert_eq!(redirect_uri.scheme(), "http");
    assert_eq!(redirect_uri.host_str(), Some("127.0.0.1"));
    assert_eq!(redirect_uri.path(), "/callback");
    assert!(redirect_uri.port().is_some_and(|p| p != 0));

    // A browser pre-connection that never sends anything must not block the real request.
    let port = redirect_uri.port().unwrap();
    let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    // The favicon request is answered with a 404 and does not end the login.
    let favicon = no_proxy_client()
        .get(format!("http://127.0.0.1:{port}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(favicon.status().as_u16(), 404);

    let query_string = format!("code=AQ-e2e-code&state={}", params["state"]);
    let (status, page) = browser_get(redirect_uri.as_str(), &query_string).await;
    assert_eq!(status, 200);
    assert!(page.contains("close this tab"), "{page}");

    let outcome = finish(task).await.unwrap();
    assert_eq!(outcome.token_path, token_path(&cfg.config_dir));
    assert_eq!(outcome.client_id, CLIENT_ID);
    assert!(outcome.missing_scopes.is_empty());
    assert_eq!(outcome.granted_scopes.len(), SCOPES.len());
    assert!(outcome.expires_at > Utc::now() + TimeDelta::minutes(50));

    // The token endpoint got the code, the same redirect URI and a verifier matching the
    // challenge that was sent to /authorize.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].headers.get("authorization").is_none());
    let sent = form(&requests[0]);
    assert_eq!(sent["grant_type"], "authorization_code");
    assert_eq!(sent["code"], "AQ-e2e-code");
    assert_eq!(sent["redirect_uri"], redirect_uri.as_str());
    assert_eq!(sent["client_id"], CLIENT_ID);
    assert!(!sent.contains_key("client_secret"));
    let verifier = &sent["code_verifier"];
    assert!((43..=128).contains(&verifier.len()));
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        params["code_challenge"]
    );

    // The saved login is private and complete.
    let saved = load_token(&cfg.config_dir).unwrap();
    assert_eq!(saved.access_token.expose(), "BQD-e2e-access");
    assert_eq!(saved.refresh_token.expose(), "AQD-e2e-refresh");
    assert_eq!(saved.client_id, CLIENT_ID);
    assert!(Utc::now() - saved.authorized_at < TimeDelta::minutes(1));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&outcome.token_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Nothing secret was printed or is visible in Debug output.
    let printed = printed.rest();
    assert!(printed.contains("Logged in"), "{printed}");
    let secrets = ["BQD-e2e-access", "AQD-e2e-refresh", "AQ-e2e-code", verifier];
    assert_no_secret(&printed, &secrets);
    assert_no_secret(&format!("{outcome:?} {saved:?}"), &secrets);

    // The saved login now serves the API client without another token request.
    let provider = TokenProvider::from_store(cfg, no_proxy_client()).unwrap();
    assert_eq!(provider.access_token().await.unwrap(), "BQD-e2e-access");
    assert_no_secret(&format!("{provider:?}"), &secrets);
}

/// Like [`login_with_callback`], but `login` gives up after `timeout`.
async fn login_with_callback_within(
    server: &MockServer,
    dir: &Path,
    callback_query: &str,
    timeout: Duration,
) -> (u16, String, Result<LoginOutcome, AuthError>) {
    let opts = LoginOptions {
        timeout,
        ..quick_options()
    };
    let (task, mut printed) = spawn_login(config(server, dir), opts, None);
    let url = printed.authorize_url().await;
    let params = query(&url);
    let query = callback_query.replace("{state}", &params["state"]);
    let (status, page) = browser_get(&params["redirect_uri"], &query).await;
    (status, page, finish(task).await)
}

#[tokio::test]
async fn a_forged_state_is_ignored_and_nothing_is_saved() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(grant_json("a", Some("r"))))
        .expect(0)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (status, page, result) = login_with_callback_within(
        &server,
        dir.path(),
        "code=AQ-forged-code&state=forged",
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("keeps waiting"), "{page}");
    // The forged request did not end the login: it ran into its timeout.
    let err = result.unwrap_err();
    assert!(matches!(err, AuthError::Timeout { .. }), "{err:?}");
    assert_no_secret(&format!("{err} {err:?} {page}"), &["AQ-forged-code"]);
    assert!(!token_path(&dir.path().join("config")).exists());
}

#[tokio::test]
async fn a_callback_without_state_is_ignored() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (status, _, result) = login_with_callback_within(
        &server,
        dir.path(),
        "code=AQ-code",
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        matches!(result, Err(AuthError::Timeout { .. })),
        "{result:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn stray_and_forged_callbacks_do_not_end_the_login_and_the_real_one_does() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .and(body_string_contains("code=AQ-real-code"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(grant_json("BQD-real", Some("AQD-real"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (task, mut printed) = spawn_login(config(&server, dir.path()), quick_options(), None);
    let url = printed.authorize_url().await;
    let params = query(&url);
    let redirect = params["redirect_uri"].clone();
    let state = params["state"].clone();
    for stray in [
        "code=AQ-forged&state=forged".to_string(),
        "code=AQ-forged".to_string(),
        format!("state={state}"),
        format!("code=&state={state}"),
        "error=access_denied&state=forged".to_string(),
        "%%%&&=&state".to_string(),
    ] {
        let (status, page) = browser_get(&redirect, &stray).await;
        assert_eq!(status, 400, "{stray}");
        assert!(page.contains("keeps waiting"), "{stray}: {page}");
        assert!(!task.is_finished(), "{stray} ended the login");
    }
    let favicon = redirect.replace("/callback", "/favicon.ico");
    let response = no_proxy_client().get(&favicon).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert!(!task.is_finished());

    let (status, page) = browser_get(&redirect, &format!("code=AQ-real-code&state={state}")).await;
    assert_eq!(status, 200, "{page}");
    let outcome = finish(task).await.unwrap();
    let saved = load_token(&dir.path().join("config")).unwrap();
    assert_eq!(saved.access_token.expose(), "BQD-real");
    assert_eq!(outcome.token_path, token_path(&dir.path().join("config")));
}

#[tokio::test]
async fn access_denied_in_the_browser() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (status, page, result) =
        login_with_callback(&server, dir.path(), "error=access_denied&state={state}").await;
    assert_eq!(status, 400);
    assert!(page.contains("denied"), "{page}");
    let err = result.unwrap_err();
    assert!(matches!(err, AuthError::AccessDenied), "{err:?}");
    assert!(err.to_string().contains("trackvault login"));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn login_times_out_when_the_browser_never_returns() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let opts = LoginOptions {
        timeout: Duration::from_millis(200),
        ..quick_options()
    };
    let mut out = Vec::new();
    let err = login(&config(&server, dir.path()), &opts, &mut out)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("run `trackvault login` again"));
    // The URL is printed even when no browser is opened.
    let printed = String::from_utf8(out).unwrap();
    assert!(printed.contains("/authorize?"), "{printed}");
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let opts = LoginOptions {
        port: Some(port),
        ..quick_options()
    };
    let err = login(&config(&server, dir.path()), &opts, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::BindCallback { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&port.to_string()) && text.contains("--port"),
        "{text}"
    );
}

#[tokio::test]
async fn an_empty_client_id_is_refused_before_anything_starts() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = AuthConfig {
        client_id: "  ".into(),
        ..config(&server, dir.path())
    };
    let err = login(&cfg, &quick_options(), &mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::MissingClientId), "{err:?}");
    assert!(err.to_string().contains("SPOTIFY_CLIENT_ID"));
}

#[tokio::test]
async fn a_pasted_redirect_address_completes_the_login() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .and(body_string_contains("code=AQ-pasted-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(grant_json("a", Some("r"))))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (paste_tx, paste_rx) = mpsc::channel(4);
    let (task, mut printed) =
        spawn_login(config(&server, dir.path()), quick_options(), Some(paste_rx));
    let params = query(&printed.authorize_url().await);
    paste_tx.send("not an address".into()).await.unwrap();
    let pasted = format!(
        "{}?code=AQ-pasted-code&state={}",
        params["redirect_uri"], params["state"]
    );
    paste_tx.send(pasted).await.unwrap();
    let outcome = finish(task).await.unwrap();
    assert!(outcome.token_path.exists());
    let printed = printed.rest();
    assert!(printed.contains("paste the address"), "{printed}");
    assert!(printed.contains("that is not the address"), "{printed}");
}

/// Runs a login whose token exchange gets `response`; returns the error.
async fn login_error_for_token_response(response: ResponseTemplate) -> AuthError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_, _, result) =
        login_with_callback(&server, dir.path(), "code=AQ-secret-code&state={state}").await;
    let err = result.unwrap_err();
    assert!(!token_path(&dir.path().join("config")).exists());
    assert_no_secret(&format!("{err} {err:?}"), &["AQ-secret-code", "BQD-leak"]);
    err
}

#[tokio::test]
async fn token_endpoint_400_is_a_clear_error() {
    let err = login_error_for_token_response(ResponseTemplate::new(400).set_body_json(
        serde_json::json!({"error": "invalid_grant", "error_description": "Invalid authorization code"}),
    ))
    .await;
    let text = err.to_string();
    assert!(
        matches!(err, AuthError::TokenRejected { status: 400, .. }),
        "{err:?}"
    );
    assert!(text.contains("Invalid authorization code"), "{text}");
    assert!(text.contains("run `trackvault login` again"), "{text}");
}

#[tokio::test]
async fn token_endpoint_400_invalid_client_points_at_the_client_id() {
    let err = login_error_for_token_response(ResponseTemplate::new(400).set_body_json(
        serde_json::json!({"error": "invalid_client", "error_description": "Invalid client"}),
    ))
    .await;
    assert!(err.to_string().contains("SPOTIFY_CLIENT_ID"), "{err}");
}

#[tokio::test]
async fn token_endpoint_500_is_a_clear_error() {
    let err = login_error_for_token_response(
        ResponseTemplate::new(500).set_body_string("<html>internal error BQD-leak</html>"),
    )
    .await;
    assert!(
        matches!(err, AuthError::TokenRejected { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("try again"), "{err}");
}

#[tokio::test]
async fn malformed_token_json_is_a_clear_error() {
    let err = login_error_for_token_response(ResponseTemplate::new(200).set_body_raw(
        r#"{"access_token": "BQD-leak", "expires_in": "#,
        "application/json",
    ))
    .await;
    assert!(
        matches!(err, AuthError::MalformedTokenResponse { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cannot be understood"), "{err}");
}

#[tokio::test]
async fn a_code_grant_without_refresh_token_is_refused() {
    let err = login_error_for_token_response(
        ResponseTemplate::new(200).set_body_json(grant_json("BQD-leak", None)),
    )
    .await;
    assert!(
        matches!(err, AuthError::MalformedTokenResponse { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("refresh_token"), "{err}");
}

// ---------------------------------------------------------------- token provider

fn stored(expires_in_secs: i64) -> StoredToken {
    let now = Utc::now();
    StoredToken {
        client_id: "stored-client".into(),
        access_token: Secret::new("BQD-old-access"),
        refresh_token: Secret::new("AQD-old-refresh"),
        expires_at: now + TimeDelta::seconds(expires_in_secs),
        scope: SCOPES.join(" "),
        authorized_at: now - TimeDelta::days(10),
    }
}

/// A provider over a saved login that expires in `expires_in_secs`.
fn provider_with(
    server: &MockServer,
    dir: &Path,
    expires_in_secs: i64,
) -> (TokenProvider, AuthConfig) {
    let cfg = config(server, dir);
    save_token(&cfg.config_dir, &stored(expires_in_secs)).unwrap();
    (
        TokenProvider::from_store(cfg.clone(), no_proxy_client()).unwrap(),
        cfg,
    )
}

async fn mount_refresh(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn not_logged_in_says_to_log_in() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let err =
        TokenProvider::from_store(config(&server, dir.path()), no_proxy_client()).unwrap_err();
    assert!(matches!(err, AuthError::NotLoggedIn { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("not logged in: run `trackvault login`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_corrupt_token_file_is_a_clear_error() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&server, dir.path());
    std::fs::create_dir_all(&cfg.config_dir).unwrap();
    std::fs::write(
        token_path(&cfg.config_dir),
        r#"{"access_token": "BQD-leak", "#,
    )
    .unwrap();
    let err = TokenProvider::from_store(cfg, no_proxy_client()).unwrap_err();
    assert!(matches!(err, AuthError::CorruptTokenFile { .. }), "{err:?}");
    assert!(
        err.to_string().contains("run `trackvault login` again"),
        "{err}"
    );
    assert_no_secret(&format!("{err} {err:?}"), &["BQD-leak"]);
}

#[tokio::test]
async fn a_fresh_token_is_used_without_refreshing() {
    let server = MockServer::start().await;
    mount_refresh(&server, ResponseTemplate::new(500), 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, _) = provider_with(&server, dir.path(), 3600);
    assert_eq!(provider.access_token().await.unwrap(), "BQD-old-access");
    assert_eq!(provider.access_token().await.unwrap(), "BQD-old-access");
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_and_saved() {
    let server = MockServer::start().await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(grant_json("BQD-new-access", Some("AQD-new-refresh"))),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), 30);
    let before = load_token(&cfg.config_dir).unwrap();
    assert_eq!(provider.access_token().await.unwrap(), "BQD-new-access");
    // Fresh now: no second refresh.
    assert_eq!(provider.access_token().await.unwrap(), "BQD-new-access");

    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("authorization").is_none());
    let sent = form(&requests[0]);
    assert_eq!(sent["grant_type"], "refresh_token");
    assert_eq!(sent["refresh_token"], "AQD-old-refresh");
    assert_eq!(sent["client_id"], "stored-client");
    assert_eq!(sent.len(), 3);

    let saved = load_token(&cfg.config_dir).unwrap();
    assert_eq!(saved.access_token.expose(), "BQD-new-access");
    assert_eq!(saved.refresh_token.expose(), "AQD-new-refresh");
    // Refreshing does not extend the six-month consent.
    assert_eq!(saved.authorized_at, before.authorized_at);
    assert!(saved.expires_at > Utc::now() + TimeDelta::minutes(50));
}

#[tokio::test]
async fn a_refresh_without_refresh_token_keeps_the_old_one() {
    let server = MockServer::start().await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(grant_json("BQD-new-access", None)),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), -10);
    assert_eq!(provider.access_token().await.unwrap(), "BQD-new-access");
    let saved = load_token(&cfg.config_dir).unwrap();
    assert_eq!(saved.refresh_token.expose(), "AQD-old-refresh");
    assert_eq!(saved.access_token.expose(), "BQD-new-access");
}

#[tokio::test]
async fn invalid_grant_means_the_login_expired() {
    let server = MockServer::start().await;
    mount_refresh(
        &server,
        ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error": "invalid_grant", "error_description": "Refresh token revoked"}),
        ),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), 5);
    let err = provider.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::LoginExpired), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("run `trackvault login` again"), "{text}");
    assert_eq!(text.matches(". ").count(), 0, "one sentence: {text}");
    // The dead login is gone and not tried again (the mock expects exactly one request).
    assert!(!token_path(&cfg.config_dir).exists());
    let again = provider
        .refresh_after_unauthorized("BQD-old-access")
        .await
        .unwrap_err();
    assert!(matches!(again, AuthError::LoginExpired), "{again:?}");
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_login() {
    let server = MockServer::start().await;
    mount_refresh(&server, ResponseTemplate::new(503), 1).await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), 5);
    let err = provider.access_token().await.unwrap_err();
    assert!(
        matches!(err, AuthError::TokenRejected { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(
        load_token(&cfg.config_dir).unwrap().refresh_token.expose(),
        "AQD-old-refresh"
    );
}

#[tokio::test]
async fn concurrent_callers_refresh_only_once() {
    let server = MockServer::start().await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(grant_json("BQD-new-access", Some("AQD-new-refresh")))
            .set_delay(Duration::from_millis(150)),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, _) = provider_with(&server, dir.path(), 10);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.access_token().await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "BQD-new-access");
    }
}

#[tokio::test]
async fn two_401s_for_the_same_old_token_refresh_once() {
    let server = MockServer::start().await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(grant_json("BQD-new-access", None)),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, _) = provider_with(&server, dir.path(), 3600);
    // Two requests carried the old token; the second 401 gets the token the first refreshed.
    assert_eq!(
        provider
            .refresh_after_unauthorized("BQD-old-access")
            .await
            .unwrap(),
        "BQD-new-access"
    );
    assert_eq!(
        provider
            .refresh_after_unauthorized("BQD-old-access")
            .await
            .unwrap(),
        "BQD-new-access"
    );
    assert_eq!(provider.access_token().await.unwrap(), "BQD-new-access");
}

#[tokio::test]
async fn a_401_for_the_token_just_refreshed_refreshes_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(grant_json("BQD-first", None)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_refresh(
        &server,
        ResponseTemplate::new(200).set_body_json(grant_json("BQD-second", None)),
        1,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), 3600);
    let first = provider
        .refresh_after_unauthorized("BQD-old-access")
        .await
        .unwrap();
    assert_eq!(first, "BQD-first");
    // A short-lived token rejected a moment after its refresh: it is the current one, so
    // it is refreshed again rather than retried as it is.
    let second = provider.refresh_after_unauthorized(&first).await.unwrap();
    assert_eq!(second, "BQD-second");
    assert_eq!(
        load_token(&cfg.config_dir).unwrap().access_token.expose(),
        "BQD-second"
    );
}

#[tokio::test]
async fn a_token_refreshed_by_another_process_is_adopted() {
    let server = MockServer::start().await;
    mount_refresh(&server, ResponseTemplate::new(500), 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (provider, cfg) = provider_with(&server, dir.path(), 10);
    let newer = StoredToken {
        access_token: Secret::new("BQD-other-process"),
        expires_at: Utc::now() + TimeDelta::hours(1),
        ..stored(0)
    };
    save_token(&cfg.config_dir, &newer).unwrap();
    assert_eq!(provider.access_token().await.unwrap(), "BQD-other-process");
}

#[tokio::test]
async fn a_static_token_cannot_be_refreshed() {
    let provider = TokenProvider::from_static("BQD-static".into());
    assert_eq!(provider.access_token().await.unwrap(), "BQD-static");
    let err = provider
        .refresh_after_unauthorized("BQD-static")
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::StaticTokenRejected), "{err:?}");
    assert!(err.to_string().contains("TRACKVAULT_ACCESS_TOKEN"));
    assert_no_secret(&format!("{err} {err:?} {provider:?}"), &["BQD-static"]);
}

#[tokio::test]
async fn logout_deletes_the_saved_login() {
    let dir = tempfile::tempdir().unwrap();
    save_token(dir.path(), &stored(3600)).unwrap();
    assert!(logout(dir.path()).unwrap());
    assert!(!logout(dir.path()).unwrap());
    assert!(matches!(
        load_token(dir.path()),
        Err(AuthError::NotLoggedIn { .. })
    ));
}

#[test]
fn provider_and_tokens_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<TokenProvider>();
    assert_send_sync::<StoredToken>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<AuthError>();
}

#[tokio::test]
async fn login_with_write_scopes_asks_for_them_and_saves_what_was_granted() {
    use trackvault::spotify::auth::{login_with_scopes, missing_write_scopes, WRITE_SCOPES};
    let server = MockServer::start().await;
    let all: Vec<&str> = SCOPES.iter().chain(WRITE_SCOPES).copied().collect();
    let mut grant = grant_json("BQD-write-access", Some("AQD-write-refresh"));
    grant["scope"] = all.join(" ").into();
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(grant))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&server, dir.path());
    let (tx, rx) = mpsc::unbounded_channel();
    let scopes = all
        .clone()
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    let task_cfg = cfg.clone();
    let task = tokio::spawn(async move {
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let mut out = ChannelWriter(tx);
        login_with_scopes(
            &task_cfg,
            &quick_options(),
            &scopes,
            &mut out,
            &no_proxy_client(),
            None,
        )
        .await
    });
    let mut printed = Printed {
        rx,
        text: String::new(),
    };
    let params = query(&printed.authorize_url().await);
    assert_eq!(params["scope"], all.join(" "));
    let callback = format!("code=AQ-code&state={}", params["state"]);
    let (status, _) = browser_get(&params["redirect_uri"], &callback).await;
    assert_eq!(status, 200);
    let outcome = finish(task).await.unwrap();
    assert!(outcome.missing_scopes.is_empty());
    let saved = load_token(&cfg.config_dir).unwrap();
    assert!(
        missing_write_scopes(&saved.scope).is_empty(),
        "{}",
        saved.scope
    );
}
