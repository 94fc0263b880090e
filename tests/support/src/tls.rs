//! Self-signed TLS certificates for the test server.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::temp::TempDir;

/// A self-signed certificate and its private key, written as PEM files into a private
/// temporary directory that is removed when this value is dropped.
///
/// The certificate is valid for `localhost`, `127.0.0.1` and `::1`. Hand the paths to
/// [`TestServerBuilder::tls`](crate::TestServerBuilder::tls), and [`cert_pem`](Self::cert_pem)
/// (or [`cert_path`](Self::cert_path)) to the client as its trusted root.
///
/// ```no_run
/// use sio_test_support::{TestServer, TlsFiles};
///
/// let tls = TlsFiles::generate()?;
/// let server = TestServer::builder().tls(tls.cert_path(), tls.key_path()).spawn()?;
/// assert!(server.url().starts_with("https://"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TlsFiles {
    dir: TempDir,
    cert_pem: String,
}

impl TlsFiles {
    /// Generates a fresh key pair and self-signed certificate and writes `cert.pem` and
    /// `key.pem`.
    pub fn generate() -> io::Result<TlsFiles> {
        let names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| io::Error::other(format!("rcgen: {e}")))?;
        let cert_pem = certified.cert.pem();
        let key_pem = certified.key_pair.serialize_pem();
        let dir = TempDir::new("sio-tls")?;
        fs::write(dir.path().join("cert.pem"), &cert_pem)?;
        fs::write(dir.path().join("key.pem"), key_pem)?;
        Ok(TlsFiles { dir, cert_pem })
    }

    /// Path of the PEM certificate (also the root a client must trust).
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// Path of the PEM private key (PKCS#8).
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    /// The PEM certificate text.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The directory holding both files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
