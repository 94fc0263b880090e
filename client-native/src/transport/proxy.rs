//! HTTP proxies: which proxy a URL goes through (hyper-util's [`Matcher`], the rules reqwest
//! uses for `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`), and the CONNECT tunnel for
//! WebSockets (hyper-util's [`Tunnel`], with `Proxy-Authorization: Basic` from the proxy URL's
//! `user:password`). Long-polling goes through reqwest's own proxy support, set up from the
//! same [`ProxyOptions`] (see `tls::TlsProfile::http_client`).

use std::future::poll_fn;
use std::sync::{Arc, Mutex, Weak};

use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::http::Uri;
use tower_service::Service;

use super::tls::error_chain;
use super::TransportSetupError;

/// Which proxy the transports of a connection use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) enum ProxyOptions {
    /// `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` (and their lower-case forms), as
    /// curl and reqwest read them; read when the first client with these options is built.
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    Disabled,
    /// This `http://[user:password@]host:port` proxy for every destination.
    Url(String),
}

impl ProxyOptions {
    /// Checks an explicit proxy URL: `http://` only (the WebSocket tunnel is opened over
    /// plain TCP), with a host.
    pub(crate) fn validate(&self) -> Result<(), TransportSetupError> {
        let ProxyOptions::Url(url) = self else {
            return Ok(());
        };
        let invalid = |reason: &str| TransportSetupError::InvalidProxy {
            url: without_credentials(url),
            reason: reason.to_owned(),
        };
        let uri: Uri = url.parse().map_err(|_| invalid("not a URL"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(invalid(&format!(
                    "the {other}:// scheme is not supported; use an http:// proxy"
                )))
            }
            None => return Err(invalid("no scheme; write http://host:port")),
        }
        if uri.host().filter(|host| !host.is_empty()).is_none() {
            return Err(invalid("no host"));
        }
        Ok(())
    }
}

/// The proxy rules of a connection, shared by all connections with equal [`ProxyOptions`].
#[derive(Debug)]
pub(super) struct ProxyRules {
    options: ProxyOptions,
    matcher: Option<Matcher>,
}

/// hyper-util's tunnel error (its type is public but not exported under a name).
type TunnelError = <Tunnel<HttpConnector> as Service<Uri>>::Error;

/// Live rule sets of the process.
static RULES: Mutex<Vec<Weak<ProxyRules>>> = Mutex::new(Vec::new());

impl ProxyRules {
    /// The rules for `options`, built (and the environment read) if no live client uses them.
    pub(super) fn shared(options: &ProxyOptions) -> Arc<ProxyRules> {
        let mut rules = RULES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = rules
            .iter()
            .filter_map(Weak::upgrade)
            .find(|r| r.options == *options)
        {
            return found;
        }
        let matcher = match options {
            ProxyOptions::FromEnv => Some(Matcher::from_env()),
            ProxyOptions::Disabled => None,
            ProxyOptions::Url(url) => Some(Matcher::builder().all(url.clone()).build()),
        };
        let built = Arc::new(ProxyRules {
            options: options.clone(),
            matcher,
        });
        rules.retain(|r| r.strong_count() > 0);
        rules.push(Arc::downgrade(&built));
        built
    }

    /// The options these rules were built from.
    pub(super) fn options(&self) -> &ProxyOptions {
        &self.options
    }

    /// The proxy for a request to `url` (`http(s)://` or `ws(s)://`), if one applies.
    pub(super) fn proxy_for(&self, url: &str) -> Option<Intercept> {
        let matcher = self.matcher.as_ref()?;
        let http = if let Some(rest) = url.strip_prefix("ws://") {
            format!("http://{rest}")
        } else if let Some(rest) = url.strip_prefix("wss://") {
            format!("https://{rest}")
        } else {
            url.to_owned()
        };
        matcher.intercept(&http.parse::<Uri>().ok()?)
    }
}

/// How a proxy is named in messages: `http://host:port`, never its credentials.
pub(super) fn describe_proxy(proxy: &Intercept) -> String {
    without_credentials(&proxy.uri().to_string())
        .trim_end_matches('/')
        .to_owned()
}

/// `url` with any `user:password@` removed.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}{}", &rest[end..])
}

/// Opens a TCP connection to `host:port` through `proxy` with an HTTP CONNECT tunnel.
/// Errors are sentences naming the proxy and the destination.
pub(super) async fn connect_tunnel(
    proxy: &Intercept,
    host: &str,
    port: u16,
) -> Result<TcpStream, String> {
    let shown = describe_proxy(proxy);
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let mut tunnel = Tunnel::new(proxy.uri().clone(), connector);
    if let Some(auth) = proxy.basic_auth() {
        tunnel = tunnel.with_auth(auth.clone());
    }
    let destination: Uri = format!("http://{host}:{port}")
        .parse()
        .map_err(|_| format!("cannot tunnel to {host}:{port}: not a valid host"))?;
    let with_auth = proxy.basic_auth().is_some();
    let describe =
        |error: TunnelError| describe_tunnel_error(&error, &shown, host, port, with_auth);
    poll_fn(|cx| tunnel.poll_ready(cx))
        .await
        .map_err(describe)?;
    let io = tunnel.call(destination).await.map_err(describe)?;
    Ok(io.into_inner())
}

/// The sentence for a failed CONNECT.
fn describe_tunnel_error(
    error: &TunnelError,
    proxy: &str,
    host: &str,
    port: u16,
    with_auth: bool,
) -> String {
    match error {
        TunnelError::ConnectFailed(cause) => {
            format!(
                "could not connect to the proxy {proxy}: {}",
                error_chain(&**cause)
            )
        }
        TunnelError::ProxyAuthRequired if with_auth => format!(
            "the proxy {proxy} refused the credentials in its URL (407 Proxy Authentication \
             Required)"
        ),
        TunnelError::ProxyAuthRequired => format!(
            "the proxy {proxy} requires authentication (407 Proxy Authentication Required): \
             give http://user:password@host:port"
        ),
        // hyper-util keeps the status to itself: a refusal of the credentials (tinyproxy
        // answers 401, not 407) and an unreachable destination look the same here
        TunnelError::TunnelUnsuccessful if with_auth => format!(
            "the proxy {proxy} refused to open a tunnel to {host}:{port} (its answer to CONNECT \
             was not 200: wrong credentials, or the destination is unreachable)"
        ),
        TunnelError::TunnelUnsuccessful => format!(
            "the proxy {proxy} refused to open a tunnel to {host}:{port} (its answer to CONNECT \
             was not 200)"
        ),
        TunnelError::TunnelUnexpectedEof => format!(
            "the proxy {proxy} closed the connection instead of answering CONNECT for \
             {host}:{port}"
        ),
        TunnelError::ProxyHeadersTooLong => {
            format!("the proxy {proxy} answered CONNECT with oversized headers")
        }
        TunnelError::Io(io) => format!("CONNECT through the proxy {proxy} failed: {io}"),
        TunnelError::MissingHost => format!("cannot tunnel through {proxy}: no destination host"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_proxy_applies_to_every_scheme_and_hides_credentials() {
        let rules = ProxyRules::shared(&ProxyOptions::Url("http://u:p@127.0.0.1:3128".into()));
        let proxy = rules
            .proxy_for("ws://127.0.0.1:4000/socket.io/?EIO=4")
            .expect("proxied");
        assert_eq!(describe_proxy(&proxy), "http://127.0.0.1:3128");
        assert_eq!(
            proxy.basic_auth().expect("auth"),
            "Basic dTpw",
            "base64 of u:p"
        );
        assert!(rules.proxy_for("https://example.test/").is_some());
        let none = ProxyRules::shared(&ProxyOptions::Disabled);
        assert!(none.proxy_for("http://127.0.0.1:4000/").is_none());
    }

    #[test]
    fn explicit_proxy_urls_are_checked() {
        let check = |url: &str| ProxyOptions::Url(url.into()).validate();
        assert!(check("http://127.0.0.1:3128").is_ok());
        let err = check("socks5://user:secret@127.0.0.1:1080").expect_err("socks");
        let text = err.to_string();
        assert!(
            text.contains("socks5") && !text.contains("secret"),
            "{text}"
        );
        assert!(check("127.0.0.1:3128").is_err());
        assert!(check("http://").is_err());
        assert_eq!(
            without_credentials("http://a:b@h:1/x"),
            "http://h:1/x".to_owned()
        );
    }
}
