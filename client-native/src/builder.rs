//! [`ClientBuilder`]: every connection option, with socket.io-client's defaults.

use std::future::Future;
#[cfg(not(target_arch = "wasm32"))]
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sio_core::{Auth, Config, Parser, RoomEvents, Transports};

use crate::auth::AuthProvider;
use crate::client::{Client, Parts};
use crate::driver::Transports as Backend;
use crate::error::Error;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::shared::HandleOptions;
#[cfg(not(target_arch = "wasm32"))]
use crate::transport::{ProxyOptions, TlsOptions, TransportOptions};

/// Default room of each event stream, and of async listener calls running at once.
pub const DEFAULT_INBOUND_BUFFER: usize = 1024;

/// Builds a [`Client`].
///
/// ```no_run
/// # async fn demo() -> Result<(), sio_client::Error> {
/// use std::time::Duration;
/// let client = sio_client::Client::builder("http://localhost:3000")
///     .auth(serde_json::json!({ "token": "secret" }))
///     .reconnection_attempts(Some(10))
///     .ack_timeout(Duration::from_secs(5))
///     .build()?;
/// let socket = client.socket("/");
/// socket.connect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    url: String,
    path: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    transports: Transports,
    timeout: Option<Duration>,
    reconnection: bool,
    reconnection_attempts: Option<u32>,
    reconnection_delay: Duration,
    reconnection_delay_max: Duration,
    randomization_factor: f64,
    ack_timeout: Option<Duration>,
    retries: u32,
    auth: Option<serde_json::Value>,
    auth_provider: Option<AuthProvider>,
    room_events: RoomEvents,
    seed: Option<u64>,
    #[cfg(not(target_arch = "wasm32"))]
    tls: TlsOptions,
    #[cfg(not(target_arch = "wasm32"))]
    ca_files: Vec<std::path::PathBuf>,
    #[cfg(target_arch = "wasm32")]
    with_credentials: bool,
    max_inbound_bytes: usize,
    inbound_buffer: usize,
    // cookies and proxies (see the block of methods of the same name)
    #[cfg(not(target_arch = "wasm32"))]
    cookies: bool,
    #[cfg(not(target_arch = "wasm32"))]
    proxy: ProxyOptions,
    parser: Parser,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("transports", &self.transports)
            .field("reconnection", &self.reconnection)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            path: None,
            query: Vec::new(),
            headers: Vec::new(),
            transports: Transports::PollingThenWebSocket,
            timeout: Some(Duration::from_millis(20_000)),
            reconnection: true,
            reconnection_attempts: None,
            reconnection_delay: Duration::from_millis(1000),
            reconnection_delay_max: Duration::from_millis(5000),
            randomization_factor: 0.5,
            ack_timeout: None,
            retries: 0,
            auth: None,
            auth_provider: None,
            room_events: RoomEvents::default(),
            seed: None,
            #[cfg(not(target_arch = "wasm32"))]
            tls: TlsOptions::default(),
            #[cfg(not(target_arch = "wasm32"))]
            ca_files: Vec::new(),
            #[cfg(target_arch = "wasm32")]
            with_credentials: false,
            max_inbound_bytes: 100_000_000,
            inbound_buffer: DEFAULT_INBOUND_BUFFER,
            #[cfg(not(target_arch = "wasm32"))]
            cookies: true,
            #[cfg(not(target_arch = "wasm32"))]
            proxy: ProxyOptions::FromEnv,
            parser: Parser::Json,
        }
    }

    /// The Engine.IO path on the server (default `/socket.io/`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Adds a query parameter sent on every request (percent-encoded for you).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds an HTTP header sent with every polling request and the WebSocket handshake.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Which transports to use (default: polling, then upgrade to WebSocket).
    pub fn transports(mut self, transports: Transports) -> Self {
        self.transports = transports;
        self
    }

    /// Per-attempt connect timeout (default 20 s; `None` waits forever).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reconnect automatically after a lost connection (default true).
    pub fn reconnection(mut self, on: bool) -> Self {
        self.reconnection = on;
        self
    }

    /// Give up after this many attempts (`None`, the default, retries forever; `Some(0)` never
    /// retries).
    pub fn reconnection_attempts(mut self, attempts: Option<u32>) -> Self {
        self.reconnection_attempts = attempts;
        self
    }

    /// First backoff delay (default 1 s).
    pub fn reconnection_delay(mut self, delay: Duration) -> Self {
        self.reconnection_delay = delay;
        self
    }

    /// Largest backoff delay (default 5 s).
    pub fn reconnection_delay_max(mut self, delay: Duration) -> Self {
        self.reconnection_delay_max = delay;
        self
    }

    /// Jitter factor in `[0, 1]` (default 0.5).
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.randomization_factor = factor;
        self
    }

    /// Default deadline for every emit that expects an ack (default none; `emit_with_ack`
    /// falls back to 30 s so it never waits forever).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = Some(timeout);
        self
    }

    /// Re-send an unacknowledged emit up to `retries` times (needs [`ack_timeout`](Self::ack_timeout)).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// A fixed auth payload (a JSON object) sent in every CONNECT.
    pub fn auth(mut self, auth: serde_json::Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// An async function asked for the auth payload before every (re)connect (socket.io-client's
    /// `auth: (cb) => ...`), for example to refresh a token.
    pub fn auth_provider<F, Fut>(mut self, provider: F) -> Self
    where
        F: Fn() -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = serde_json::Value> + MaybeSend + 'static,
    {
        self.auth_provider = Some(AuthProvider::new(provider));
        self
    }

    /// Like [`auth_provider`](Self::auth_provider), with the namespace being connected as the
    /// argument, for a different payload per namespace (socket.io-client's `auth` belongs to
    /// each socket).
    pub fn namespace_auth_provider<F, Fut>(mut self, provider: F) -> Self
    where
        F: Fn(&str) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = serde_json::Value> + MaybeSend + 'static,
    {
        self.auth_provider = Some(AuthProvider::per_namespace(provider));
        self
    }

    /// Event names of the rooms convention (default `join` / `leave`).
    pub fn room_events(mut self, join: impl Into<String>, leave: impl Into<String>) -> Self {
        self.room_events = RoomEvents {
            join: join.into(),
            leave: leave.into(),
        };
        self
    }

    /// Fixes the jitter seed (reproducible schedules in tests); random by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Trusts the PEM certificates in `path` in addition to the WebPKI roots (for a private CA
    /// or a self-signed server).
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_files.push(path.as_ref().to_path_buf());
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Trusts the PEM certificates in `pem` in addition to the WebPKI roots.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.extra_ca_pem.push(pem.into());
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Accepts ANY server certificate. This removes the protection TLS gives against a
    /// man-in-the-middle: only for local experiments.
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.tls.danger_accept_invalid_certs = yes;
        self
    }

    #[cfg(target_arch = "wasm32")]
    /// Sends cookies and HTTP authentication with cross-origin long-polling requests
    /// (`fetch` with `credentials: "include"`, socket.io-client's `withCredentials`; default
    /// false). The server must allow credentials for the page's origin (CORS). WebSockets
    /// always carry the cookies of their host.
    pub fn with_credentials(mut self, yes: bool) -> Self {
        self.with_credentials = yes;
        self
    }

    /// Largest inbound message or polling response accepted (default 100 MB).
    pub fn max_inbound_bytes(mut self, bytes: usize) -> Self {
        self.max_inbound_bytes = bytes;
        self
    }

    /// How many events each [`EventStream`](crate::EventStream) holds before the client
    /// stops reading the network until it is read, and how many async listener calls may run
    /// at once (default [`DEFAULT_INBOUND_BUFFER`]). A flooding server is slowed down by TCP
    /// backpressure instead of growing the client's memory; nothing is dropped.
    pub fn inbound_buffer(mut self, events: usize) -> Self {
        self.inbound_buffer = events.max(1);
        self
    }

    // ----- cookies and proxies -------------------------------------------------------------

    #[cfg(not(target_arch = "wasm32"))]
    /// Keep a cookie jar for this client (default `true`). Every polling response and
    /// WebSocket handshake answer updates it; every request and handshake sends what it
    /// holds, across reconnects. Load balancers with cookie stickiness (HAProxy `cookie
    /// SERVERID insert`, nginx, AWS ALB, Kubernetes ingress) need it: without it, polling
    /// requests after the handshake may reach another node and get `400 Session ID unknown`.
    ///
    /// This is what a browser does for its own site. socket.io-client in Node keeps cookies
    /// only with `withCredentials: true`; its browser build sends them cross-origin only then.
    /// The jar belongs to this client: two clients never share cookies.
    pub fn cookies(mut self, on: bool) -> Self {
        self.cookies = on;
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Sends polling requests and WebSocket handshakes (through an HTTP `CONNECT` tunnel)
    /// through the HTTP proxy at `url`, `http://[user:password@]host:port`, for every
    /// destination, whatever `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` say.
    /// Credentials in the URL are sent as `Proxy-Authorization: Basic`. A URL that is not
    /// `http://` fails [`build`](Self::build) with [`Error::TransportSetup`].
    ///
    /// Without this option the environment decides, as for curl: `HTTP_PROXY` for `http://`
    /// and `ws://` servers, `HTTPS_PROXY` for `https://` and `wss://`, `ALL_PROXY` for both,
    /// except hosts listed in `NO_PROXY`.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyOptions::Url(url.into());
        self
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Connects directly, ignoring `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY`.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyOptions::Disabled;
        self
    }

    // ----- end of cookies and proxies ------------------------------------------------------

    /// The packet codec the server uses: [`Parser::Json`] (socket.io-parser, the default) or
    /// [`Parser::MessagePack`] (socket.io-msgpack-parser; python-socketio's
    /// `serializer='msgpack'`, socketioxide's `ParserConfig::msgpack()`). Both ends must agree.
    pub fn parser(mut self, parser: Parser) -> Self {
        self.parser = parser;
        self
    }

    fn core_config(&self) -> Result<Config, Error> {
        let mut config = Config::new(&self.url)?;
        if let Some(path) = &self.path {
            config.path = path.clone();
        }
        config.query = self.query.clone();
        config.headers = self.headers.clone();
        config.transports = self.transports;
        config.timeout = self.timeout;
        config.reconnection = self.reconnection;
        config.reconnection_attempts = self.reconnection_attempts;
        config.reconnection_delay = self.reconnection_delay;
        config.reconnection_delay_max = self.reconnection_delay_max;
        config.randomization_factor = self.randomization_factor;
        config.ack_timeout = self.ack_timeout;
        config.retries = self.retries;
        config.auth = if self.auth_provider.is_some() {
            Auth::Provider
        } else if let Some(auth) = &self.auth {
            Auth::Static(crate::payload::value_text(auth))
        } else {
            Auth::None
        };
        config.room_events = self.room_events.clone();
        config.seed = self.seed.unwrap_or_else(random_seed);
        config.max_inbound_bytes = self.max_inbound_bytes;
        config.parser = self.parser;
        config.validate()?;
        Ok(config)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn transport_options(&self) -> Result<TransportOptions, Error> {
        let mut tls = self.tls.clone();
        for path in &self.ca_files {
            let pem = std::fs::read(path).map_err(|source| Error::CaFile {
                path: path.clone(),
                source,
            })?;
            tls.extra_ca_pem.push(pem);
        }
        Ok(TransportOptions {
            tls,
            max_message_size: self.max_inbound_bytes,
            cookies: self.cookies,
            proxy: self.proxy.clone(),
            ..TransportOptions::default()
        })
    }

    /// Validates everything and prepares the transports.
    pub(crate) fn into_parts(self) -> Result<Parts, Error> {
        let (config, seed) = shared_config(self.core_config()?);
        #[cfg(not(target_arch = "wasm32"))]
        let transports = {
            // the driver's task and async listeners need a runtime
            tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
            Backend::new(self.transport_options()?)?
        };
        #[cfg(target_arch = "wasm32")]
        let transports = Backend::new(sio_browser::BrowserOptions {
            with_credentials: self.with_credentials,
            max_message_size: self.max_inbound_bytes,
        });
        Ok(Parts {
            handle_options: HandleOptions {
                ack_timeout: config.ack_timeout,
                stream_capacity: self.inbound_buffer,
            },
            config,
            seed,
            transports,
            auth_provider: self.auth_provider,
        })
    }

    /// Starts the client's driver task (on the current tokio runtime natively, with
    /// `spawn_local` in the browser). Nothing connects until a socket's
    /// [`connect`](crate::Socket::connect).
    pub fn build(self) -> Result<Client, Error> {
        Client::start(self.into_parts()?)
    }
}

/// The configuration most recently started, while a client still uses it.
static LAST_CONFIG: Mutex<Option<Weak<Config>>> = Mutex::new(None);

/// `config` shared with the clients already running on an equal one (clients built from
/// clones of one builder, the usual way to open many connections to one server: one copy in
/// all of them instead of one each, ~0.5 KiB per client), and its seed, which stays each
/// client's own.
fn shared_config(config: Config) -> (Arc<Config>, u64) {
    share_with(
        &mut LAST_CONFIG.lock().unwrap_or_else(|e| e.into_inner()),
        config,
    )
}

/// [`shared_config`] with `last` as the cache.
fn share_with(last: &mut Option<Weak<Config>>, mut config: Config) -> (Arc<Config>, u64) {
    let seed = std::mem::take(&mut config.seed);
    if let Some(shared) = last.as_ref().and_then(Weak::upgrade) {
        if *shared == config {
            return (shared, seed);
        }
    }
    let shared = Arc::new(config);
    *last = Some(Arc::downgrade(&shared));
    (shared, seed)
}

/// A seed for the backoff jitter from the process's hash randomness (no RNG dependency).
#[cfg(not(target_arch = "wasm32"))]
fn random_seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x0510_5eed);
    h.finish()
}

impl Client {
    /// Options for a client of the server at `url` (`http(s)://` or `ws(s)://`; the URL's
    /// path names the default namespace, its query string is sent on every request).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(url)
    }
}

/// A seed for the backoff jitter from `Math.random()` (std's hash keys are fixed on wasm32).
#[cfg(target_arch = "wasm32")]
fn random_seed() -> u64 {
    sio_browser::random_seed()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn equal_configurations_share_one_copy_and_keep_their_seeds() {
        let mut last = None;
        let config = |seed, path: &str| {
            let mut c = Config::new("http://127.0.0.1:3000").unwrap();
            c.seed = seed;
            c.path = path.to_owned();
            c
        };
        let (a, seed_a) = share_with(&mut last, config(1, "/socket.io/"));
        let (b, seed_b) = share_with(&mut last, config(2, "/socket.io/"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((seed_a, seed_b), (1, 2));
        let (c, _) = share_with(&mut last, config(3, "/other/"));
        assert!(
            !Arc::ptr_eq(&a, &c),
            "another configuration gets its own copy"
        );
        drop((a, b, c));
        // nothing is kept once no client uses it
        assert!(last.as_ref().and_then(Weak::upgrade).is_none());
    }
}
