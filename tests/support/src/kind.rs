//! Which real server a [`TestServer`](crate::TestServer) runs, and what each one can do.
//!
//! The three fixture servers share one contract (tests/server/server.js's header: CLI flags,
//! the `PORT n` line, stdin commands, the fixture namespaces and events); what a server
//! library cannot do is a [`Skip`] with its reason, so a test prints it instead of passing
//! silently.

use std::fmt;
use std::path::PathBuf;

/// A Socket.IO server implementation with the fixture contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ServerKind {
    /// `node tests/server/server.js`: socket.io 4.8.4 (the reference).
    #[default]
    Node,
    /// `tests/interop/python/server.py`: python-socketio 5.18.1 on uvicorn, from the venv
    /// `make interop-deps` creates.
    Python,
    /// `tests/interop/socketioxide`: socketioxide 0.18.9 on hyper, built by
    /// `make interop-deps`.
    Socketioxide,
}

impl ServerKind {
    /// Every kind, the reference first.
    pub const ALL: [ServerKind; 3] = [
        ServerKind::Node,
        ServerKind::Python,
        ServerKind::Socketioxide,
    ];

    /// `node`, `python` or `socketioxide` (for test output).
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Node => "node",
            ServerKind::Python => "python",
            ServerKind::Socketioxide => "socketioxide",
        }
    }

    /// The server library and its pinned version.
    pub fn library(self) -> &'static str {
        match self {
            ServerKind::Node => "socket.io 4.8.4",
            ServerKind::Python => "python-socketio 5.18.1",
            ServerKind::Socketioxide => "socketioxide 0.18.9",
        }
    }

    /// `Ok` if this server has `feature`, else the named reason it has not.
    pub fn supports(self, feature: Feature) -> Result<(), Skip> {
        let reason = match (self, feature) {
            (ServerKind::Node, _) => None,
            (ServerKind::Python, Feature::Recovery) => {
                Some("python-socketio 5.18 has no connection state recovery")
            }
            (ServerKind::Socketioxide, Feature::Recovery) => {
                Some("socketioxide 0.18 has no connection state recovery")
            }
            (ServerKind::Socketioxide, Feature::ConnectErrorData) => Some(
                "socketioxide 0.18 middleware errors carry only a message (connect_error has no data)",
            ),
            (ServerKind::Socketioxide, Feature::CloseTransport) => {
                Some("socketioxide 0.18 has no API to close one engine.io connection")
            }
            (ServerKind::Socketioxide, Feature::NoUpgrades) => {
                Some("socketioxide 0.18 has no allowUpgrades option")
            }
            (ServerKind::Python | ServerKind::Socketioxide, Feature::Tls) => {
                Some("the fixture serves plain HTTP only")
            }
            (ServerKind::Python, Feature::ConnectTimeout) => {
                Some("python-socketio 5.18 has no connectTimeout option")
            }
            _ => None,
        };
        match reason {
            None => Ok(()),
            Some(reason) => Err(Skip {
                kind: self,
                feature,
                reason,
            }),
        }
    }

    /// Where the server's program is, and what to check before starting it.
    pub(crate) fn program(self) -> Program {
        let root = || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .to_path_buf()
        };
        match self {
            ServerKind::Node => Program {
                command: std::env::var_os("SIO_TEST_NODE")
                    .map_or_else(|| "node".into(), PathBuf::from),
                script: Some(root().join("server").join("server.js")),
                needs: root().join("server").join("node_modules").join("socket.io"),
                install: "npm ci --prefix tests/server (or make test)",
            },
            ServerKind::Python => {
                let dir = root().join("interop").join("python");
                let python = dir.join(".venv").join("bin").join("python");
                Program {
                    command: python.clone(),
                    script: Some(dir.join("server.py")),
                    needs: python,
                    install: "make interop-deps",
                }
            }
            ServerKind::Socketioxide => {
                let bin = root()
                    .join("interop")
                    .join("socketioxide")
                    .join("target")
                    .join("debug")
                    .join("sio-interop-socketioxide");
                Program {
                    command: bin.clone(),
                    script: None,
                    needs: bin,
                    install: "make interop-deps",
                }
            }
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to start a server kind.
#[derive(Debug)]
pub(crate) struct Program {
    pub(crate) command: PathBuf,
    pub(crate) script: Option<PathBuf>,
    /// A path that exists once the server is installed.
    pub(crate) needs: PathBuf,
    pub(crate) install: &'static str,
}

/// A server feature that a test may need and a server kind may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Connection state recovery: same id after a reconnect, missed events delivered.
    Recovery,
    /// A middleware rejection's `connect_error` carries `data` besides `message`.
    ConnectErrorData,
    /// The MessagePack parser (`--parser msgpack`).
    MessagePack,
    /// The `close-transport` fixture: the server closes one engine.io connection.
    CloseTransport,
    /// Refusing the WebSocket upgrade (`--no-upgrades`).
    NoUpgrades,
    /// HTTPS/WSS (`--tls-cert`/`--tls-key`).
    Tls,
    /// Socket.IO `connectTimeout` (`--connect-timeout`).
    ConnectTimeout,
}

impl Feature {
    /// A short name for test output.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Recovery => "recovery",
            Feature::ConnectErrorData => "connect_error data",
            Feature::MessagePack => "msgpack",
            Feature::CloseTransport => "close-transport",
            Feature::NoUpgrades => "no-upgrades",
            Feature::Tls => "tls",
            Feature::ConnectTimeout => "connect-timeout",
        }
    }
}

/// A feature a server kind does not have, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The server.
    pub kind: ServerKind,
    /// What it lacks.
    pub feature: Feature,
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for Skip {
    /// `SKIP [socketioxide] recovery: socketioxide 0.18 has no connection state recovery`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SKIP [{}] {}: {}",
            self.kind,
            self.feature.name(),
            self.reason
        )
    }
}

impl std::error::Error for Skip {}
