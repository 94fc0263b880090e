//! A real HTTP proxy for tests: tinyproxy (Debian) as a plain process on a free port, with a
//! generated configuration (loopback only, CONNECT to any port, optional Basic auth).

use std::fs;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::free_port;
use crate::temp::TempDir;

/// How long tinyproxy may take to listen.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// Options for an [`HttpProxy`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct HttpProxyBuilder {
    auth: Option<(String, String)>,
}

impl HttpProxyBuilder {
    /// Require `Proxy-Authorization: Basic` with these credentials (tinyproxy `BasicAuth`).
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// Starts tinyproxy and waits until it listens. Needs `tinyproxy` installed
    /// (`make cluster-deps`).
    pub fn spawn(self) -> io::Result<HttpProxy> {
        HttpProxy::spawn_with(self)
    }
}

/// tinyproxy on 127.0.0.1; stopped by pid on drop (its log is printed first when the current
/// thread is panicking).
#[derive(Debug)]
pub struct HttpProxy {
    child: Child,
    port: u16,
    auth: Option<(String, String)>,
    log_path: PathBuf,
    _dir: TempDir,
}

impl HttpProxy {
    /// Options for a new proxy.
    pub fn builder() -> HttpProxyBuilder {
        HttpProxyBuilder::default()
    }

    fn spawn_with(builder: HttpProxyBuilder) -> io::Result<HttpProxy> {
        // the port is chosen before tinyproxy binds it: try again if it was taken meanwhile
        let mut last_error = None;
        for _ in 0..5 {
            match HttpProxy::try_spawn(&builder) {
                Ok(proxy) => return Ok(proxy),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("tinyproxy did not start")))
    }

    fn try_spawn(builder: &HttpProxyBuilder) -> io::Result<HttpProxy> {
        let dir = TempDir::new("sio-tinyproxy")?;
        let log_path = dir.path().join("tinyproxy.log");
        let config_path = dir.path().join("tinyproxy.conf");
        let port = free_port()?;
        // no ConnectPort line: CONNECT is allowed to every port
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 200\nLogLevel Info\n\
             LogFile \"{}\"\nAllow 127.0.0.1\nDisableViaHeader Yes\n",
            log_path.display()
        );
        if let Some((user, password)) = &builder.auth {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        fs::write(&config_path, config)?;
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(fs::File::create(
                dir.path().join("stderr.log"),
            )?))
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot start tinyproxy (run `make cluster-deps`): {e}"),
                )
            })?;
        let mut proxy = HttpProxy {
            child,
            port,
            auth: builder.auth.clone(),
            log_path,
            _dir: dir,
        };
        // on error `proxy` is dropped, which stops the process
        proxy.wait_listening()?;
        Ok(proxy)
    }

    fn wait_listening(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(io::Error::other(format!(
                    "tinyproxy exited at start ({status}):\n{}",
                    self.log()
                )));
            }
            if TcpStream::connect(self.addr()).is_ok() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("tinyproxy did not listen within {STARTUP_TIMEOUT:?}"),
        ))
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// `http://127.0.0.1:port`, without credentials.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// `http://user:password@127.0.0.1:port` with the configured credentials (the plain
    /// [`url`](Self::url) when there are none).
    pub fn url_with_auth(&self) -> String {
        match &self.auth {
            Some((user, password)) => format!("http://{user}:{password}@{}", self.addr()),
            None => self.url(),
        }
    }

    /// What tinyproxy logged so far (each request and CONNECT is a line).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for HttpProxy {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("--- tinyproxy log ---\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
