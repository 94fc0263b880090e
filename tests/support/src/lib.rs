//! Test support for the `sio` workspace: real servers and real faults for integration tests.
//!
//! - [`TestServer`]: the bundled reference server (`tests/server/server.js`, Node + the pinned
//!   `socket.io` 4.8) as a child process on a free port, with its control channel: restart it,
//!   broadcast, kill every transport, count clients. The same fixture contract runs on
//!   python-socketio and socketioxide ([`ServerKind`]); what one of them lacks is a named
//!   [`Skip`] ([`ServerKind::supports`]).
//! - [`FaultProxy`]: a TCP proxy between a client and a server that can pass, blackhole or
//!   reset traffic (or add latency), to exercise ping timeouts, transport closes and reconnection.
//! - [`TlsFiles`]: a throwaway self-signed certificate for `127.0.0.1`/`localhost`, for
//!   [`TestServerBuilder::tls`].
//! - [`Cluster`]: redis-server, N reference server nodes with a Redis adapter and HAProxy
//!   with cookie stickiness in front (`tests/server/cluster.js`), with node kills, Redis
//!   restarts and load balancer states.
//! - [`HttpProxy`]: tinyproxy (Debian) as a plain process on a free port, with or without
//!   Basic authentication.
//! - [`HostileServer`]: a scripted, hostile Engine.IO server (floods, huge frames, absurd
//!   handshakes, invalid UTF-8, endless responses, silence) over WebSocket and polling.
//! - [`free_port`], [`golden_vectors_path`], [`rss_kib`], [`cpu_time`].
//!
//! Everything here is blocking `std` code with no async runtime of the caller's (the hostile
//! server runs its own on a thread), so tests of any driver (tokio, wasm tooling, plain
//! threads) can use it. Nothing is left running: dropping a
//! [`TestServer`] kills the Node process, and the process also exits by itself when the test
//! process dies (its stdin closes).
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use sio_test_support::{FaultProxy, Mode, TestServer};
//!
//! let server = TestServer::builder().ping_interval(300).ping_timeout(200).spawn()?;
//! let proxy = FaultProxy::start(server.addr())?;
//! // point the client at proxy.url() ... then:
//! proxy.set_mode(Mode::Blackhole); // the client should see "ping timeout"
//! proxy.set_mode(Mode::Pass);
//! server.restart(Duration::from_millis(500), true)?; // "transport close", a new session
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The server's `node_modules` must be installed first: `npm ci --prefix tests/server`.

mod cluster;
mod hostile;
mod http_proxy;
mod kind;
mod process;
mod proxy;
mod server;
mod temp;
mod tls;

use std::io;
use std::net::{Ipv4Addr, TcpListener};

pub use cluster::{Adapter, Cluster, ClusterBuilder, LbState, Node};
pub use hostile::{handshake, Behaviour, HostileServer, HostileServerBuilder, Stats};
pub use http_proxy::{HttpProxy, HttpProxyBuilder};
pub use kind::{Feature, ServerKind, Skip};
pub use process::{cpu_time, rss_kib};
pub use proxy::{FaultProxy, Mode};
pub use server::{golden_vectors_path, TestServer, TestServerBuilder};
pub use tls::TlsFiles;

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is bound and released again, so another process may take it before it is used;
/// prefer letting a server bind port 0 and report its port (as [`TestServer`] does). This is
/// for the few tests that need a port number before anything listens on it, such as a client
/// that should find a dead port first and the server later ([`TestServerBuilder::port`]).
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests;
