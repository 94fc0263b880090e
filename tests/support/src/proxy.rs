//! A TCP proxy that injects faults: pass, blackhole, reset, delay.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use socket2::SockRef;

/// How long the proxy waits to connect to its target for a new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Writes wake up this often to notice a reset or a stop while the peer does not read.
const WRITE_POLL: Duration = Duration::from_millis(200);

/// What a [`FaultProxy`] does with traffic. Changing the mode applies at once to every open
/// connection and to new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Forward bytes both ways (and half-closes), like a plain TCP proxy.
    #[default]
    Pass,
    /// Keep connections open but silently drop every byte both ways; new connections are
    /// accepted and connected to the target, then blackholed too. A client sees no error,
    /// only silence (the way to provoke a ping timeout).
    Blackhole,
    /// Close every current connection abruptly (TCP RST to the client and to the target),
    /// and reset every new connection right after accepting it, until the mode changes.
    Reset,
    /// Forward bytes, waiting this long before passing on each chunk read (added latency,
    /// per direction and serialised within a connection).
    Delay(Duration),
}

/// Mode and open connections under one lock, so a connection is either reset by
/// [`FaultProxy::set_mode`] or sees the new mode.
#[derive(Debug, Default)]
struct State {
    mode: Mode,
    conns: HashMap<u64, Conn>,
}

/// The proxy's handles to one proxied connection (the pump threads hold clones).
#[derive(Debug)]
struct Conn {
    client: TcpStream,
    upstream: TcpStream,
    aborted: Arc<AtomicBool>,
}

impl Conn {
    fn abort(&self) {
        abort_pair(&self.client, &self.upstream, &self.aborted);
    }
}

/// Marks a connection aborted and makes both sockets close with RST once the last handle is
/// dropped; shutting down the read side wakes the pump threads without sending a FIN.
fn abort_pair(a: &TcpStream, b: &TcpStream, aborted: &AtomicBool) {
    aborted.store(true, Ordering::SeqCst);
    for s in [a, b] {
        let _ = SockRef::from(s).set_linger(Some(Duration::ZERO));
        let _ = s.shutdown(Shutdown::Read);
    }
}

/// Closes a socket with RST right away.
fn reset_now(s: TcpStream) {
    let _ = SockRef::from(&s).set_linger(Some(Duration::ZERO));
    drop(s);
}

#[derive(Debug)]
struct Inner {
    target: SocketAddr,
    state: Mutex<State>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    accepted: AtomicU64,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mode(&self) -> Mode {
        self.lock().mode
    }
}

/// A TCP proxy on `127.0.0.1:<free port>` in front of one target address, whose behaviour
/// can be switched between [`Mode`]s while clients are connected. Std threads only.
///
/// ```no_run
/// use sio_test_support::{FaultProxy, Mode, TestServer};
///
/// let server = TestServer::spawn()?;
/// let proxy = FaultProxy::start(server.addr())?;
/// let url = proxy.url(); // connect the client here instead of server.url()
/// proxy.set_mode(Mode::Reset); // every open connection dies, new ones are refused
/// proxy.set_mode(Mode::Pass); // and the client can reconnect
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Dropping the proxy stops accepting and resets every open connection.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    inner: Arc<Inner>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy in [`Mode::Pass`] that forwards every accepted connection to `target`.
    pub fn start(target: SocketAddr) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            target,
            state: Mutex::new(State::default()),
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
        });
        let acceptor = {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name("fault-proxy-accept".to_owned())
                .spawn(move || accept_loop(&listener, &inner))?
        };
        Ok(FaultProxy {
            addr,
            inner,
            acceptor: Some(acceptor),
        })
    }

    /// The address clients should connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` of the proxy (the scheme is only a convenience: the proxy
    /// forwards any TCP bytes, TLS included, so use `https://` in front of a TLS server).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the proxy forwards to.
    pub fn target(&self) -> SocketAddr {
        self.inner.target
    }

    /// Switches the mode for open and future connections. [`Mode::Reset`] resets every
    /// open connection before this returns.
    pub fn set_mode(&self, mode: Mode) {
        let drained: Vec<Conn> = {
            let mut state = self.inner.lock();
            state.mode = mode;
            if mode == Mode::Reset {
                state.conns.drain().map(|(_, c)| c).collect()
            } else {
                Vec::new()
            }
        };
        for conn in &drained {
            conn.abort();
        }
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.inner.mode()
    }

    /// Connections currently proxied (accepted, connected to the target, not yet closed).
    pub fn active_connections(&self) -> usize {
        self.inner.lock().conns.len()
    }

    /// Connections accepted since the start, including those reset at once in
    /// [`Mode::Reset`] or because the target refused them.
    pub fn accepted_connections(&self) -> u64 {
        self.inner.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        // wake the blocking accept()
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let drained: Vec<Conn> = self.inner.lock().conns.drain().map(|(_, c)| c).collect();
        for conn in &drained {
            conn.abort();
        }
    }
}

fn accept_loop(listener: &TcpListener, inner: &Arc<Inner>) {
    for incoming in listener.incoming() {
        if inner.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = incoming else { continue };
        inner.accepted.fetch_add(1, Ordering::SeqCst);
        if inner.mode() == Mode::Reset {
            reset_now(client);
            continue;
        }
        let upstream = match TcpStream::connect_timeout(&inner.target, CONNECT_TIMEOUT) {
            Ok(s) => s,
            Err(_) => {
                // the target refused: refuse the client as abruptly
                reset_now(client);
                continue;
            }
        };
        if let Err(e) = start_conn(client, upstream, inner) {
            eprintln!("fault proxy: cannot start a connection: {e}");
        }
    }
}

fn start_conn(client: TcpStream, upstream: TcpStream, inner: &Arc<Inner>) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    client.set_write_timeout(Some(WRITE_POLL))?;
    upstream.set_write_timeout(Some(WRITE_POLL))?;
    let aborted = Arc::new(AtomicBool::new(false));
    let id = inner.next_id.fetch_add(1, Ordering::SeqCst);
    let conn = Conn {
        client: client.try_clone()?,
        upstream: upstream.try_clone()?,
        aborted: Arc::clone(&aborted),
    };
    {
        let mut state = inner.lock();
        if state.mode == Mode::Reset {
            // set_mode(Reset) ran while we were connecting to the target
            drop(state);
            reset_now(upstream);
            reset_now(client);
            return Ok(());
        }
        state.conns.insert(id, conn);
    }
    let pumps = (|| -> io::Result<_> {
        Ok((
            (client.try_clone()?, upstream.try_clone()?),
            (upstream, client),
        ))
    })();
    let ((c_read, u_write), (u_read, c_write)) = match pumps {
        Ok(p) => p,
        Err(e) => {
            if let Some(conn) = inner.lock().conns.remove(&id) {
                conn.abort();
            }
            return Err(e);
        }
    };
    let inner = Arc::clone(inner);
    thread::Builder::new()
        .name(format!("fault-proxy-conn-{id}"))
        .spawn(move || {
            let back = {
                let inner = Arc::clone(&inner);
                let aborted = Arc::clone(&aborted);
                thread::Builder::new()
                    .name(format!("fault-proxy-conn-{id}-back"))
                    .spawn(move || pump(u_read, c_write, &inner, &aborted))
            };
            pump(c_read, u_write, &inner, &aborted);
            if let Ok(back) = back {
                let _ = back.join();
            }
            inner.lock().conns.remove(&id);
        })?;
    Ok(())
}

/// Copies `from` to `to` according to the mode until EOF, an error or an abort.
fn pump(mut from: TcpStream, mut to: TcpStream, inner: &Inner, aborted: &AtomicBool) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                // the peer reset us (or worse): reset the other side too
                abort_pair(&from, &to, aborted);
                return;
            }
        };
        if aborted.load(Ordering::SeqCst) || inner.stopping.load(Ordering::SeqCst) {
            return;
        }
        let mode = inner.mode();
        if n == 0 {
            // half-close: pass the FIN on unless the traffic is being dropped
            if matches!(mode, Mode::Pass | Mode::Delay(_)) {
                let _ = to.shutdown(Shutdown::Write);
            }
            return;
        }
        match mode {
            Mode::Pass => {}
            Mode::Delay(d) => thread::sleep(d),
            Mode::Blackhole => continue,
            Mode::Reset => {
                abort_pair(&from, &to, aborted);
                return;
            }
        }
        if write_all(&mut to, &buf[..n], inner, aborted).is_err() {
            abort_pair(&from, &to, aborted);
            return;
        }
    }
}

/// `write_all` that gives up when the connection is aborted or the proxy stops.
fn write_all(
    to: &mut TcpStream,
    mut data: &[u8],
    inner: &Inner,
    aborted: &AtomicBool,
) -> io::Result<()> {
    while !data.is_empty() {
        if aborted.load(Ordering::SeqCst) || inner.stopping.load(Ordering::SeqCst) {
            return Err(io::Error::from(io::ErrorKind::ConnectionAborted));
        }
        match to.write(data) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => data = &data[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
