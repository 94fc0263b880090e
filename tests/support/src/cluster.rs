//! A production-shaped cluster (`tests/server/cluster.js`) as a child process: redis-server,
//! N reference server nodes sharing rooms through a Redis adapter, HAProxy in front with
//! cookie stickiness, health checks and redispatch.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::temp::TempDir;

/// How long to wait for the cluster to start (Redis, Node nodes, HAProxy, first checks).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to wait for the answer to one command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// Log lines of each process printed when a test fails.
const LOG_TAIL_LINES: usize = 30;

/// Which Redis adapter the nodes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// `@socket.io/redis-adapter` (pub/sub).
    Redis,
    /// `@socket.io/redis-streams-adapter`: also keeps connection state recovery sessions in
    /// Redis, so a client recovers its session on another node.
    RedisStreams,
}

/// HAProxy's administrative state for one node (`set server ... state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbState {
    /// Takes traffic.
    Ready,
    /// Keeps sticky clients, takes no new ones.
    Drain,
    /// Takes no traffic at all (sticky clients are re-dispatched).
    Maint,
}

/// Options for a [`Cluster`]; finished by [`spawn`](Self::spawn).
#[derive(Debug, Clone)]
#[must_use]
pub struct ClusterBuilder {
    nodes: usize,
    adapter: Adapter,
    ping_interval: Option<u64>,
    ping_timeout: Option<u64>,
}

impl ClusterBuilder {
    /// Number of nodes, named `a`, `b`, `c`, … (default 2).
    pub fn nodes(mut self, nodes: usize) -> Self {
        self.nodes = nodes;
        self
    }

    /// The Redis adapter of every node (default [`Adapter::Redis`]).
    pub fn adapter(mut self, adapter: Adapter) -> Self {
        self.adapter = adapter;
        self
    }

    /// Engine.IO `pingInterval` of every node, in milliseconds.
    pub fn ping_interval(mut self, ms: u64) -> Self {
        self.ping_interval = Some(ms);
        self
    }

    /// Engine.IO `pingTimeout` of every node, in milliseconds.
    pub fn ping_timeout(mut self, ms: u64) -> Self {
        self.ping_timeout = Some(ms);
        self
    }

    /// Starts the cluster and waits until HAProxy sees every node up. Needs `redis-server`
    /// and `haproxy` on `PATH` (`make cluster-deps`) and `tests/server/node_modules`.
    pub fn spawn(self) -> io::Result<Cluster> {
        Cluster::spawn_with(&self)
    }
}

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `a`, `b`, …: also the value of HAProxy's `SERVERID` cookie and of `whoami`'s `node`.
    pub name: String,
    /// Its own port on 127.0.0.1 (bypassing the load balancer).
    pub port: u16,
}

#[derive(Debug, Default)]
struct Lines {
    queue: VecDeque<Value>,
    closed: bool,
}

#[derive(Debug, Default)]
struct Shared {
    lines: Mutex<Lines>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Lines> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running cluster; dropping it stops every process (by pid) and removes the logs, which
/// are printed first when the current thread is panicking.
#[derive(Debug)]
pub struct Cluster {
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    lb_port: u16,
    nodes: Vec<Node>,
    /// Every pid the launcher reported (a backstop if it dies without stopping them).
    pids: Mutex<Vec<u32>>,
    next_id: AtomicU64,
    log_dir: TempDir,
}

impl Cluster {
    /// Options for a new cluster.
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder {
            nodes: 2,
            adapter: Adapter::Redis,
            ping_interval: None,
            ping_timeout: None,
        }
    }

    fn spawn_with(builder: &ClusterBuilder) -> io::Result<Cluster> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server");
        for tool in ["redis-server", "haproxy"] {
            if !on_path(tool) {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{tool} is not installed: run `make cluster-deps`"),
                ));
            }
        }
        let log_dir = TempDir::new("sio-cluster")?;
        let mut args = vec![
            dir.join("cluster.js").display().to_string(),
            "--nodes".to_owned(),
            builder.nodes.to_string(),
            "--adapter".to_owned(),
            match builder.adapter {
                Adapter::Redis => "redis",
                Adapter::RedisStreams => "redis-streams",
            }
            .to_owned(),
            "--log-dir".to_owned(),
            log_dir.path().display().to_string(),
        ];
        for (flag, value) in [
            ("--ping-interval", builder.ping_interval),
            ("--ping-timeout", builder.ping_timeout),
        ] {
            if let Some(value) = value {
                args.push(flag.to_owned());
                args.push(value.to_string());
            }
        }
        let launcher_log = fs::File::create(log_dir.path().join("cluster.log"))?;
        let node = std::env::var_os("SIO_TEST_NODE").unwrap_or_else(|| "node".into());
        let mut child = Command::new(node)
            .args(&args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(launcher_log))
            .spawn()?;
        let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(stdin), Some(stdout)) => (stdin, stdout),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::other("launcher has no stdin/stdout pipe"));
            }
        };
        let shared = Arc::new(Shared::default());
        let reader = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("sio-cluster-stdout".to_owned())
                .spawn(move || read_lines(stdout, &shared))?
        };
        let mut cluster = Cluster {
            child,
            stdin: Mutex::new(Some(stdin)),
            shared,
            reader: Some(reader),
            lb_port: 0,
            nodes: Vec::new(),
            pids: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            log_dir,
        };
        // on error `cluster` is dropped here, which stops whatever started
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// Reads the startup lines until `ready`.
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.wait_line(|v| v.get("id").is_none(), left, "the cluster to start")?;
            if let Some(pid) = line.get("pid").and_then(Value::as_u64) {
                self.remember_pid(pid);
            }
            let port = line
                .get("port")
                .and_then(Value::as_u64)
                .and_then(|p| u16::try_from(p).ok());
            match (line.get("event").and_then(Value::as_str), port) {
                (Some("node"), Some(port)) => {
                    let name = line
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    self.nodes.push(Node { name, port });
                }
                (Some("ready"), Some(port)) => {
                    self.lb_port = port;
                    return Ok(());
                }
                _ => {}
            }
        }
    }

    fn remember_pid(&self, pid: u64) {
        if let Ok(pid) = u32::try_from(pid) {
            self.pids
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(pid);
        }
    }

    /// The load balancer: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.lb_port)
    }

    /// The load balancer's port.
    pub fn lb_port(&self) -> u16 {
        self.lb_port
    }

    /// The nodes, in start order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Runs a `tests/server/server.js` stdin command on node `node` and returns its answer.
    pub fn node_command(&self, node: &str, command: Value) -> io::Result<Value> {
        let answer = self.command(json!({ "cmd": "node", "node": node, "command": command }))?;
        let inner = answer.get("answer").cloned().unwrap_or(Value::Null);
        if inner.get("event").and_then(Value::as_str) == Some("error") {
            return Err(self.error(&format!("node {node} refused {command}: {inner}")));
        }
        Ok(inner)
    }

    /// Emits `event(...args)` from node `node` to `room` of namespace `nsp`: through the
    /// adapter, to members on every node.
    pub fn broadcast(
        &self,
        node: &str,
        nsp: &str,
        room: &str,
        event: &str,
        args: Value,
    ) -> io::Result<()> {
        self.node_command(
            node,
            json!({ "cmd": "broadcast", "nsp": nsp, "room": room, "event": event, "args": args }),
        )
        .map(drop)
    }

    /// Closes every Engine.IO connection of node `node` (clients see `transport close`;
    /// connection state recovery sessions are kept); returns how many there were.
    pub fn kill_transports(&self, node: &str) -> io::Result<u64> {
        let answer = self.node_command(node, json!({ "cmd": "kill_transports" }))?;
        Ok(answer.get("count").and_then(Value::as_u64).unwrap_or(0))
    }

    /// The number of Engine.IO clients connected to node `node`.
    pub fn client_count(&self, node: &str) -> io::Result<u64> {
        let answer = self.node_command(node, json!({ "cmd": "count" }))?;
        Ok(answer.get("clients").and_then(Value::as_u64).unwrap_or(0))
    }

    /// SIGKILLs node `node` (no goodbye to its clients; HAProxy's checks find it down).
    pub fn kill_node(&self, node: &str) -> io::Result<()> {
        self.command(json!({ "cmd": "kill", "node": node }))
            .map(drop)
    }

    /// Starts node `node` again on its port.
    pub fn start_node(&self, node: &str) -> io::Result<()> {
        let answer = self.command(json!({ "cmd": "start", "node": node }))?;
        if let Some(pid) = answer.get("pid").and_then(Value::as_u64) {
            self.remember_pid(pid);
        }
        Ok(())
    }

    /// Sets HAProxy's administrative state of node `node`.
    pub fn set_lb_state(&self, node: &str, state: LbState) -> io::Result<()> {
        let state = match state {
            LbState::Ready => "ready",
            LbState::Drain => "drain",
            LbState::Maint => "maint",
        };
        self.command(json!({ "cmd": "lb", "node": node, "state": state }))
            .map(drop)
    }

    /// Waits until HAProxy reports node `node` with `status` (`UP`, `DOWN`, `MAINT`).
    pub fn wait_lb_status(&self, node: &str, status: &str) -> io::Result<()> {
        self.command(json!({ "cmd": "wait-lb", "node": node, "status": status }))
            .map(drop)
    }

    /// HAProxy's figures per node: `{"a": {"status": "UP", "current": N, "total": N}, …}`
    /// (current and total sessions, i.e. TCP connections, through the balancer).
    pub fn lb_stats(&self) -> io::Result<Value> {
        let answer = self.command(json!({ "cmd": "stats" }))?;
        Ok(answer.get("nodes").cloned().unwrap_or(Value::Null))
    }

    /// SIGKILLs redis-server.
    pub fn stop_redis(&self) -> io::Result<()> {
        self.command(json!({ "cmd": "redis-stop" })).map(drop)
    }

    /// Starts redis-server again on its port (empty: nothing is persisted).
    pub fn start_redis(&self) -> io::Result<()> {
        let answer = self.command(json!({ "cmd": "redis-start" }))?;
        if let Some(pid) = answer.get("pid").and_then(Value::as_u64) {
            self.remember_pid(pid);
        }
        Ok(())
    }

    /// The tail of every process's log (launcher, Redis, nodes, HAProxy).
    pub fn log_tails(&self) -> String {
        let mut text = String::new();
        let Ok(entries) = fs::read_dir(self.log_dir.path()) else {
            return text;
        };
        let mut logs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect();
        logs.sort();
        for path in logs {
            let content = fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = content.lines().collect();
            let start = lines.len().saturating_sub(LOG_TAIL_LINES);
            text.push_str(&format!("--- {} ---\n", path.display()));
            for line in &lines[start..] {
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }

    /// Sends one command and waits for its answer (an `error` answer is an `Err`).
    fn command(&self, mut cmd: Value) -> io::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Some(obj) = cmd.as_object_mut() {
            obj.insert("id".to_owned(), Value::from(id));
        }
        {
            let mut stdin = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
            let pipe = stdin
                .as_mut()
                .ok_or_else(|| io::Error::other("the cluster launcher's stdin is closed"))?;
            writeln!(pipe, "{cmd}")
                .and_then(|()| pipe.flush())
                .map_err(|e| self.error(&format!("cannot write to the launcher: {e}")))?;
        }
        let answer = self.wait_line(
            |v| v.get("id").and_then(Value::as_u64) == Some(id),
            COMMAND_TIMEOUT,
            &format!("the answer to {cmd}"),
        )?;
        if answer.get("event").and_then(Value::as_str) == Some("error") {
            return Err(self.error(&format!("the cluster refused {cmd}: {answer}")));
        }
        Ok(answer)
    }

    fn wait_line(
        &self,
        mut matches: impl FnMut(&Value) -> bool,
        timeout: Duration,
        what: &str,
    ) -> io::Result<Value> {
        let deadline = Instant::now() + timeout;
        let mut lines = self.shared.lock();
        loop {
            if let Some(pos) = lines.queue.iter().position(&mut matches) {
                if let Some(v) = lines.queue.remove(pos) {
                    return Ok(v);
                }
            }
            if lines.closed {
                drop(lines);
                return Err(self.error(&format!("the launcher exited while waiting for {what}")));
            }
            let now = Instant::now();
            if now >= deadline {
                drop(lines);
                return Err(self.error(&format!("no {what} within {timeout:?}")));
            }
            lines = self
                .shared
                .changed
                .wait_timeout(lines, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn error(&self, message: &str) -> io::Error {
        io::Error::other(format!("{message}\n{}", self.log_tails()))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("--- cluster logs ---\n{}", self.log_tails());
        }
        // EOF makes the launcher stop its processes; give it a moment, then make sure
        drop(self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let pids = std::mem::take(&mut *self.pids.lock().unwrap_or_else(|e| e.into_inner()));
        for pid in pids {
            if Path::new(&format!("/proc/{pid}")).exists() {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Queues every JSON line of the launcher's stdout.
fn read_lines(stdout: impl io::Read, shared: &Shared) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if let Ok(value) = serde_json::from_str::<Value>(&line) {
            shared.lock().queue.push_back(value);
            shared.changed.notify_all();
        }
    }
    shared.lock().closed = true;
    shared.changed.notify_all();
}

/// Whether `tool` is an executable in a `PATH` directory.
fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| dir.join(tool).is_file())
            || ["/usr/sbin", "/sbin"]
                .iter()
                .any(|dir| Path::new(dir).join(tool).is_file())
    })
}
