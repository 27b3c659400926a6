//! The one-shot loopback server that receives Spotify's redirect after consent.
//!
//! Listens on 127.0.0.1 only. Every connection is served by its own task, so a browser's idle
//! pre-connection cannot hold up the real request. Requests for other paths (`/favicon.ico`)
//! get a 404 and are ignored. Only a `GET /callback` carrying this login's `state` ends the
//! wait (with its code, or with the error Spotify reported); a stray or forged callback (no
//! or another `state`, no code) gets a polite page and the wait goes on until the timeout.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use super::{parse_redirect, AuthError, Secret};

/// The path Spotify redirects to; the app must list `http://127.0.0.1/callback`.
pub const CALLBACK_PATH: &str = "/callback";
/// Largest request head read from the browser.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound loopback listener waiting for the redirect.
pub(crate) struct CallbackServer {
    listener: TcpListener,
    port: u16,
}

impl CallbackServer {
    /// Binds 127.0.0.1 on `port`, or on a free port when `None` or `Some(0)`.
    pub(crate) async fn bind(port: Option<u16>) -> Result<Self, AuthError> {
        let wanted = port.unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, wanted)))
            .await
            .map_err(|source| AuthError::BindCallback {
                port: wanted,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| AuthError::BindCallback {
                port: wanted,
                source,
            })?
            .port();
        Ok(Self { listener, port })
    }

    /// `http://127.0.0.1:<port>/callback`, the `redirect_uri` of this login attempt.
    pub(crate) fn redirect_uri(&self) -> Url {
        let text = format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port);
        Url::parse(&text).unwrap_or_else(|_| unreachable!("a loopback URL with a port parses"))
    }

    /// Serves connections until a `/callback` request arrives and returns its code.
    pub(crate) async fn wait_for_code(self, expected_state: &str) -> Result<Secret, AuthError> {
        let expected_state: Arc<str> = Arc::from(expected_state);
        let (tx, mut rx) = mpsc::channel(1);
        // Dropping the set when this returns aborts connections still being served.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, _) = accepted.map_err(|source| AuthError::CallbackServer { source })?;
                    connections.spawn(serve(stream, Arc::clone(&expected_state), tx.clone()));
                }
                Some(result) = rx.recv() => return result,
                // Reap finished connection tasks so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// Serves one connection; sends the outcome when it was the `/callback` request.
async fn serve(
    mut stream: TcpStream,
    expected_state: Arc<str>,
    outcome: mpsc::Sender<Result<Secret, AuthError>>,
) {
    let Ok(Ok(head)) = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await else {
        return;
    };
    let Some((method, target)) = request_line(&head) else {
        let _ = respond(&mut stream, "400 Bad Request", "Bad request.").await;
        return;
    };
    let path = target.split('?').next().unwrap_or_default();
    if path != CALLBACK_PATH {
        tracing::debug!(path = %path.escape_default(), "ignoring a request to the login callback server");
        let _ = respond(&mut stream, "404 Not Found", "Not found.").await;
        return;
    }
    if method != "GET" {
        let _ = respond(&mut stream, "405 Method Not Allowed", "Use GET.").await;
        return;
    }
    let result = parse_redirect(target, &expected_state).map(Secret::new);
    let ends_login = match &result {
        Ok(_) => true,
        // Spotify's own answer to this login (the state matched): the user denied it, or
        // Spotify failed; waiting longer cannot help.
        Err(AuthError::AccessDenied | AuthError::AuthorizationFailed { .. }) => true,
        // Without this login's state (or without a code) it is not the redirect we wait for.
        Err(_) => false,
    };
    let page = match &result {
        Ok(_) => respond(&mut stream, "200 OK", &success_page()).await,
        Err(err) if ends_login => respond(&mut stream, "400 Bad Request", &error_page(err)).await,
        Err(err) => {
            tracing::debug!(error = %err, "ignoring a callback request that is not this login's");
            respond(&mut stream, "400 Bad Request", &stray_page()).await
        }
    };
    if let Err(err) = page {
        tracing::debug!(error = %err, "could not answer the browser on the login callback");
    }
    if ends_login {
        let _ = outcome.send(result).await;
    }
}

/// Reads up to the blank line that ends the request head (a GET has no body), so closing the
/// socket afterwards does not reset the connection under the browser.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() >= MAX_HEAD_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// `("GET", "/callback?…")` from `GET /callback?… HTTP/1.1`; `None` unless the target is a path.
fn request_line(head: &str) -> Option<(&str, &str)> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    (version.starts_with("HTTP/") && target.starts_with('/') && parts.next().is_none())
        .then_some((method, target))
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn success_page() -> String {
    page(
        "trackvault: Spotify login received",
        "Spotify login received",
        "You can close this tab and return to the terminal.",
    )
}

fn stray_page() -> String {
    page(
        "trackvault: not the expected login",
        "Not the login trackvault is waiting for",
        "This address does not belong to the Spotify login trackvault started, so it was \
         ignored; trackvault keeps waiting. Finish the login in the tab trackvault opened, or \
         open the address it printed.",
    )
}

fn error_page(err: &AuthError) -> String {
    page(
        "trackvault: Spotify login failed",
        "Spotify login failed",
        &format!("{err}. Return to the terminal for details."),
    )
}

fn page(title: &str, heading: &str, message: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">\
         <h1>{}</h1><p>{}</p></body></html>",
        crate::html::escape(title),
        crate::html::escape(heading),
        crate::html::escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_accepts_only_origin_form_targets() {
        assert_eq!(
            request_line("GET /callback?code=a HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(("GET", "/callback?code=a"))
        );
        assert_eq!(request_line("GET http://evil/callback HTTP/1.1\r\n"), None);
        assert_eq!(request_line("garbage"), None);
        assert_eq!(request_line(""), None);
    }

    #[test]
    fn error_page_escapes_outside_text() {
        let err = AuthError::AuthorizationFailed {
            error: "<script>alert(1)</script>".into(),
        };
        let html = error_page(&err);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[tokio::test]
    async fn binds_loopback_only_and_reports_its_port() {
        let server = CallbackServer::bind(None).await.unwrap();
        let addr = server.listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback());
        assert_eq!(
            server.redirect_uri().as_str(),
            format!("http://127.0.0.1:{}/callback", addr.port())
        );
    }
}
