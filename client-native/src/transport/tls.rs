//! TLS for `wss://` and `https://`: rustls with the ring provider, webpki roots by default,
//! extra roots from PEM, and an explicitly named escape hatch that accepts any certificate.
//!
//! Configurations are shared: every [`Transports`](super::Transports) whose [`TlsOptions`] are
//! equal uses the same `Arc<ClientConfig>` (and, per tokio runtime, the same lazily built HTTP
//! client, see [`TlsProfile`]), so 10 000 connections with the default options hold one root
//! store, one session-resumption cache and one connection pool between them.

use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::runtime::Id as RuntimeId;

use super::{ProxyOptions, TransportSetupError};

/// Which servers a client trusts for `wss://` and `https://`.
///
/// Two clients with equal options share one TLS configuration (and HTTP client) in the process.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TlsOptions {
    /// PEM text of extra trusted root certificates (each entry may hold several
    /// `CERTIFICATE` blocks), e.g. the certificate of a self-signed test server.
    pub extra_ca_pem: Vec<Vec<u8>>,
    /// Trust the Mozilla root program as bundled by `webpki-roots` (default `true`).
    pub use_webpki_roots: bool,
    /// Accept ANY server certificate, signed by anyone, for any name, expired or not.
    /// This removes all protection against impostors and eavesdroppers; only for tests and
    /// debugging. Default `false`.
    pub danger_accept_invalid_certs: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            extra_ca_pem: Vec::new(),
            use_webpki_roots: true,
            danger_accept_invalid_certs: false,
        }
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field(
                "extra_ca_pem",
                &format_args!("[{} PEM]", self.extra_ca_pem.len()),
            )
            .field("use_webpki_roots", &self.use_webpki_roots)
            .field(
                "danger_accept_invalid_certs",
                &self.danger_accept_invalid_certs,
            )
            .finish()
    }
}

/// One TLS configuration and the HTTP clients built on it, shared by all connections whose
/// [`TlsOptions`] are equal.
pub(super) struct TlsProfile {
    options: TlsOptions,
    /// The rustls configuration used for `wss://` (and cloned into the HTTP clients).
    pub(super) config: Arc<ClientConfig>,
    /// The HTTP clients for long-polling, one per tokio runtime (a client's pooled connections
    /// are tasks of the runtime that opened them, and die with it), each built the first time
    /// a polling request is made there and kept alive by the connections using it.
    /// Clients differ by proxy configuration too (reqwest sets its proxy at build time).
    http: Mutex<Vec<HttpClientEntry>>,
}

/// One HTTP client of a [`TlsProfile`]: the runtime it belongs to, its proxy configuration.
type HttpClientEntry = (Option<RuntimeId>, ProxyOptions, Weak<reqwest::Client>);

impl fmt::Debug for TlsProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsProfile")
            .field("options", &self.options)
            .field("http_clients", &lock(&self.http).len())
            .finish_non_exhaustive()
    }
}

/// Live profiles of the process; dead entries are pruned when a new profile is added.
static PROFILES: Mutex<Vec<Weak<TlsProfile>>> = Mutex::new(Vec::new());

impl TlsProfile {
    /// The shared profile for `options`, building it if no live client uses these options.
    pub(super) fn shared(options: &TlsOptions) -> Result<Arc<TlsProfile>, TransportSetupError> {
        let mut profiles = lock(&PROFILES);
        if let Some(profile) = profiles
            .iter()
            .filter_map(Weak::upgrade)
            .find(|p| p.options == *options)
        {
            return Ok(profile);
        }
        let profile = Arc::new(TlsProfile {
            options: options.clone(),
            config: Arc::new(build_config(options)?),
            http: Mutex::new(Vec::new()),
        });
        profiles.retain(|p| p.strong_count() > 0);
        profiles.push(Arc::downgrade(&profile));
        Ok(profile)
    }

    /// The HTTP client on this profile's TLS configuration for the current tokio runtime,
    /// built on first use there.
    pub(super) fn http_client(&self, proxy: &ProxyOptions) -> Result<Arc<reqwest::Client>, String> {
        let runtime = tokio::runtime::Handle::try_current().ok().map(|h| h.id());
        let mut clients = lock(&self.http);
        if let Some(client) = clients
            .iter()
            .filter(|(id, options, _)| *id == runtime && options == proxy)
            .find_map(|(_, _, client)| client.upgrade())
        {
            return Ok(client);
        }
        let builder = reqwest::Client::builder()
            .tls_backend_preconfigured(ClientConfig::clone(&self.config))
            .http1_only();
        // reqwest reads HTTP(S)_PROXY / ALL_PROXY / NO_PROXY itself by default, with the same
        // rules as `ProxyRules` (hyper-util's matcher)
        let builder = match proxy {
            ProxyOptions::FromEnv => builder,
            ProxyOptions::Disabled => builder.no_proxy(),
            ProxyOptions::Url(url) => builder.proxy(
                reqwest::Proxy::all(url.as_str())
                    .map_err(|e| format!("invalid proxy: {}", error_chain(&e)))?,
            ),
        };
        let client = builder
            .build()
            .map_err(|e| format!("could not build the HTTP client: {}", error_chain(&e)))?;
        let client = Arc::new(client);
        clients.retain(|(_, _, client)| client.strong_count() > 0);
        clients.push((runtime, proxy.clone(), Arc::downgrade(&client)));
        Ok(client)
    }
}

/// Locks `mutex`; a panic while it was held cannot leave these lists inconsistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The rustls provider: ring, chosen explicitly so the process-wide default does not matter.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds a client configuration for `options`; PEM problems are reported, not skipped.
fn build_config(options: &TlsOptions) -> Result<ClientConfig, TransportSetupError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportSetupError::Tls(e.to_string()))?;
    let mut config = if options.danger_accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(root_store(options)?)
            .with_no_client_auth()
    };
    // WebSocket and long-polling both speak HTTP/1.1
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The trusted roots: webpki-roots (unless disabled) plus every certificate in `extra_ca_pem`.
fn root_store(options: &TlsOptions) -> Result<RootCertStore, TransportSetupError> {
    let mut roots = RootCertStore::empty();
    if options.use_webpki_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for (index, pem) in options.extra_ca_pem.iter().enumerate() {
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| TransportSetupError::InvalidCaPem {
                index,
                reason: e.to_string(),
            })?;
            roots
                .add(cert)
                .map_err(|e| TransportSetupError::InvalidCaCertificate {
                    index,
                    reason: e.to_string(),
                })?;
            found += 1;
        }
        if found == 0 {
            return Err(TransportSetupError::InvalidCaPem {
                index,
                reason: "no CERTIFICATE block found".to_owned(),
            });
        }
    }
    if roots.is_empty() {
        return Err(TransportSetupError::NoTrustedRoots);
    }
    Ok(roots)
}

/// The verifier behind [`TlsOptions::danger_accept_invalid_certs`]: any certificate chain is
/// accepted; handshake signatures are still checked against the presented certificate.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `error` and its sources joined with `": "`, without repeating a source whose text the
/// previous message already contains.
pub(super) fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The rustls error somewhere in `error`'s source chain, looking inside `io::Error`s (whose
/// `source` skips the error they wrap).
pub(super) fn find_rustls_error<'a>(
    error: &'a (dyn StdError + 'static),
) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

/// The first `io::Error` of kind `kind` in `error`'s source chain (looking inside `io::Error`s).
pub(super) fn find_io_error<'a>(
    error: &'a (dyn StdError + 'static),
    kind: std::io::ErrorKind,
) -> Option<&'a std::io::Error> {
    let mut current = Some(error);
    while let Some(e) = current {
        let io = e.downcast_ref::<std::io::Error>();
        if let Some(io) = io.filter(|io| io.kind() == kind) {
            return Some(io);
        }
        current = match io.and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

/// The sentence for a server that hung up during the TLS handshake.
pub(super) fn describe_tls_eof(authority: &str, error: &std::io::Error) -> String {
    format!(
        "TLS problem with {authority}: the server closed the connection during the TLS \
         handshake (is it a TLS server?): {error}"
    )
}

/// A sentence explaining a rustls failure, saying plainly that it is a certificate/TLS problem.
pub(super) fn describe_tls_error(authority: &str, error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(cause) => format!(
            "TLS certificate problem with {authority}: the server's certificate was rejected \
             ({cause}); trust its CA with an extra root certificate (PEM) if it is self-signed"
        ),
        other => format!("TLS problem with {authority}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_PEM: &[u8] = b"hello";
    const BAD_BASE64: &[u8] = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";

    #[test]
    fn default_options_share_one_config() {
        let a = TlsProfile::shared(&TlsOptions::default()).expect("default config");
        let b = TlsProfile::shared(&TlsOptions::default()).expect("default config");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(Arc::ptr_eq(&a.config, &b.config));
        assert_eq!(a.config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn one_http_client_per_runtime() {
        let profile = TlsProfile::shared(&TlsOptions::default()).expect("default config");
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
        };
        let (a, b) = (runtime(), runtime());
        let a1 = a
            .block_on(async { profile.http_client(&ProxyOptions::default()) })
            .expect("client");
        let a2 = a
            .block_on(async { profile.http_client(&ProxyOptions::default()) })
            .expect("client");
        let b1 = b
            .block_on(async { profile.http_client(&ProxyOptions::default()) })
            .expect("client");
        assert!(Arc::ptr_eq(&a1, &a2));
        assert!(!Arc::ptr_eq(&a1, &b1));
        // a client nobody uses any more is not kept
        drop((a1, a2));
        let a3 = a
            .block_on(async { profile.http_client(&ProxyOptions::default()) })
            .expect("client");
        assert!(!Arc::ptr_eq(&a3, &b1));
        assert!(
            lock(&profile.http).len() <= 2 + 16,
            "dead clients are pruned"
        );
    }

    #[test]
    fn extra_ca_pem_is_parsed_and_shared() {
        let tls = sio_test_support::TlsFiles::generate().expect("generate cert");
        let options = TlsOptions {
            extra_ca_pem: vec![tls.cert_pem().as_bytes().to_vec()],
            use_webpki_roots: false,
            danger_accept_invalid_certs: false,
        };
        let a = TlsProfile::shared(&options).expect("config with extra root");
        let b = TlsProfile::shared(&options.clone()).expect("config with extra root");
        assert!(Arc::ptr_eq(&a, &b));
        let default = TlsProfile::shared(&TlsOptions::default()).expect("default config");
        assert!(!Arc::ptr_eq(&a, &default));
    }

    #[test]
    fn bad_pem_is_a_typed_error() {
        let cases: [(&[u8], &str); 3] = [
            (b"", "no certificate block"),
            (NOT_PEM, "no certificate block"),
            (BAD_BASE64, "base64"),
        ];
        for (pem, expected) in cases {
            let options = TlsOptions {
                extra_ca_pem: vec![pem.to_vec()],
                ..TlsOptions::default()
            };
            match TlsProfile::shared(&options) {
                Err(e @ TransportSetupError::InvalidCaPem { index: 0, .. }) => {
                    let text = e.to_string();
                    assert!(text.contains("PEM"), "{text}");
                    assert!(text.to_lowercase().contains(expected), "{text}");
                }
                other => panic!("expected InvalidCaPem, got {other:?}"),
            }
        }
    }

    #[test]
    fn garbage_der_in_valid_pem_is_rejected() {
        let pem = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let options = TlsOptions {
            extra_ca_pem: vec![pem.to_vec()],
            ..TlsOptions::default()
        };
        match TlsProfile::shared(&options) {
            Err(TransportSetupError::InvalidCaCertificate { index: 0, .. }) => {}
            other => panic!("expected InvalidCaCertificate, got {other:?}"),
        }
    }

    #[test]
    fn no_roots_is_an_error_unless_everything_is_accepted() {
        let options = TlsOptions {
            use_webpki_roots: false,
            ..TlsOptions::default()
        };
        assert!(matches!(
            TlsProfile::shared(&options),
            Err(TransportSetupError::NoTrustedRoots)
        ));
        let options = TlsOptions {
            use_webpki_roots: false,
            danger_accept_invalid_certs: true,
            ..TlsOptions::default()
        };
        assert!(TlsProfile::shared(&options).is_ok());
    }

    #[test]
    fn debug_does_not_dump_pem() {
        let options = TlsOptions {
            extra_ca_pem: vec![b"secret-ish bytes".to_vec()],
            ..TlsOptions::default()
        };
        let text = format!("{options:?}");
        assert!(text.contains("[1 PEM]"), "{text}");
        assert!(!text.contains("115"), "{text}");
    }
}
