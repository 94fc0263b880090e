//! `sio bench URL --clients N`: a load test. N clients, each its own connection, connect with
//! bounded concurrency, then emit for `--duration` seconds; the summary has connect time,
//! events/s, the ack round trip, errors, RSS per connection and client CPU per event.
//!
//! Pacing (see [`BenchArgs`]): `--rate 0` is a closed loop per client (one ack in flight, the
//! next event as soon as it is acknowledged); `--rate R` emits R events per second per client
//! on a fixed schedule, however many acks are outstanding. `--fire-and-forget` emits without
//! acks and closes every batch with one acknowledged barrier event.
//!
//! Memory is the process's resident set (`VmRSS` in /proc/self/status) before the first client
//! is built, once every client is connected, and at the end; per connection is the growth
//! divided by the connected clients. CPU is user + system time of the whole process
//! (/proc/self/stat, in USER_HZ = 100 ticks per second) during the emitting phase only.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use sio_client::payload::from_json_with_binary as json_to_payload;
use sio_client::{AckError, Client, ClientBuilder, Error, Payload, Socket};

use crate::args::{BenchArgs, TransportArg};
use crate::bench_nodes::{self, Nodes};
use crate::{explain, Failure};

/// Largest value a latency histogram records, in nanoseconds (10 minutes).
const HIST_MAX_NS: u64 = 600_000_000_000;

/// How long closing the clients at the end may take.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Linux reports process CPU time in USER_HZ ticks, 100 per second on every architecture.
const USER_HZ: f64 = 100.0;

/// A latency histogram shared by the client tasks, in nanoseconds.
struct Latencies(Mutex<Histogram<u64>>);

impl Latencies {
    fn new() -> Result<Self, Failure> {
        Histogram::new_with_bounds(1, HIST_MAX_NS, 3)
            .map(|h| Latencies(Mutex::new(h)))
            .map_err(|e| Failure::failed(format!("histogram: {e}")))
    }

    fn record(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let mut h = self.0.lock().unwrap_or_else(|e| e.into_inner());
        h.saturating_record(ns.clamp(1, HIST_MAX_NS));
    }

    fn take(&self) -> Histogram<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Counters the client tasks update while they run.
#[derive(Default)]
struct Counters {
    /// Acknowledged events (ack mode) or events confirmed by a barrier (fire-and-forget).
    events: AtomicU64,
    /// Acks that did not come within `--ack-timeout`.
    ack_timeouts: AtomicU64,
    /// Emits that failed otherwise (the connection went away).
    failed: AtomicU64,
    /// Clients whose connection was lost during the run.
    disconnected: AtomicU64,
}

/// What every client task needs.
struct Load {
    event: String,
    barrier_event: String,
    payload: Payload,
    barrier: Payload,
    ack_timeout: Duration,
    /// Time between two events of one client (`None`: closed loop).
    period: Option<Duration>,
    fire_and_forget: bool,
    batch: u64,
    end: tokio::time::Instant,
    counters: Counters,
    rtt: Latencies,
}

pub(crate) async fn run(args: BenchArgs) -> Result<(), Failure> {
    validate(&args)?;
    let nofile = rlimit::increase_nofile_limit(u64::MAX).ok();
    let ns = match &args.namespace {
        Some(ns) => ns.clone(),
        None => args.common.url_namespace()?,
    };
    let builder = args.common.builder()?.reconnection(false);
    // a configuration error is the same for every client: report it once, as usage
    drop(builder.clone().build().map_err(|e| explain(&e))?);

    let show = !args.json && std::io::stderr().is_terminal();
    let rss_before = rss_kib();

    let connect_times = Latencies::new()?;
    let bar = progress(show, args.clients as u64, "connecting");
    let started = Instant::now();
    let (clients, connect_errors, first_error) =
        connect_all(&args, &builder, &ns, &connect_times, &bar).await;
    let connect_wall = started.elapsed();
    bar.finish_and_clear();
    if clients.is_empty() {
        return Err(Failure::failed(format!(
            "no client could connect: {}",
            first_error.unwrap_or_else(|| "no clients".into())
        )));
    }
    let connected = clients.len();
    let rss_connected = rss_kib();
    // --node-event: which node each client is on (a cluster behind a load balancer)
    let (nodes, node_counters) = match &args.node_event {
        Some(event) => {
            let (nodes, counters) = Nodes::ask(event, clients.iter().map(|(_, s)| s)).await;
            (Some(nodes), counters)
        }
        None => (None, Vec::new()),
    };

    let load = Arc::new(Load::new(&args)?);
    let (elapsed, cpu) = drive(&clients, &load, &node_counters, show).await;
    let rss_end = rss_kib();

    let summary = Summary {
        args: &args,
        ns: &ns,
        nofile,
        connected,
        connect_errors,
        connect_wall,
        connect: connect_times.take(),
        rss: (rss_before, rss_connected, rss_end),
        load: &load,
        rtt: load.rtt.take(),
        elapsed,
        cpu,
        nodes: nodes.as_ref(),
    };
    if args.json {
        crate::out::lines::line(&summary.json());
    } else {
        print!("{}", summary.table());
    }

    let closing = futures_util::future::join_all(clients.iter().map(|(c, _)| c.close()));
    let _ = tokio::time::timeout(CLOSE_GRACE, closing).await;
    Ok(())
}

impl Load {
    /// The load of `args`, its clock started now.
    fn new(args: &BenchArgs) -> Result<Self, Failure> {
        Ok(Self {
            event: args.event.clone(),
            barrier_event: args.barrier_event.clone(),
            payload: json_to_payload(&[Value::String("x".repeat(args.payload_bytes))]),
            barrier: json_to_payload(&[Value::String("barrier".into())]),
            ack_timeout: Duration::from_millis(args.ack_timeout),
            period: (args.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / args.rate)),
            fire_and_forget: args.fire_and_forget,
            batch: args.batch as u64,
            end: tokio::time::Instant::now() + Duration::from_secs_f64(args.duration),
            counters: Counters::default(),
            rtt: Latencies::new()?,
        })
    }
}

/// Runs every client's loop until the load ends: the wall time it took and the process's
/// (user, system) CPU seconds over it.
async fn drive(
    clients: &Connected,
    load: &Arc<Load>,
    node_counters: &[Arc<AtomicU64>],
    show: bool,
) -> (Duration, Option<(f64, f64)>) {
    let connected = clients.len();
    let cpu_before = cpu_ticks();
    let t0 = Instant::now();
    let bar = progress(
        show,
        (load.end - tokio::time::Instant::now()).as_millis() as u64,
        "emitting",
    );
    let ticker = spawn_ticker(bar.clone(), load.clone(), t0);
    let mut tasks = Vec::with_capacity(connected);
    for (i, (_, socket)) in clients.iter().enumerate() {
        // spread the first events of paced clients over one period
        let offset = load
            .period
            .map_or(Duration::ZERO, |p| p.mul_f64(i as f64 / connected as f64));
        tasks.push(tokio::spawn(bench_nodes::scoped(
            node_counters.get(i).cloned(),
            client_loop(socket.clone(), load.clone(), offset),
        )));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = t0.elapsed();
    let cpu = cpu_ticks().zip(cpu_before).map(|(a, b)| {
        (
            (a.0.saturating_sub(b.0)) as f64 / USER_HZ,
            (a.1.saturating_sub(b.1)) as f64 / USER_HZ,
        )
    });
    ticker.abort();
    bar.finish_and_clear();
    (elapsed, cpu)
}

fn validate(args: &BenchArgs) -> Result<(), Failure> {
    if args.clients == 0 {
        return Err(Failure::usage("--clients must be at least 1"));
    }
    if !(args.rate.is_finite() && args.rate >= 0.0) {
        return Err(Failure::usage("--rate must be a number ≥ 0"));
    }
    if !(args.duration.is_finite() && args.duration >= 0.0) {
        return Err(Failure::usage("--duration must be a number of seconds ≥ 0"));
    }
    if args.batch == 0 || args.connect_concurrency == 0 {
        return Err(Failure::usage(
            "--batch and --connect-concurrency must be at least 1",
        ));
    }
    Ok(())
}

type Connected = Vec<(Client, Socket)>;

/// Connects `--clients` clients, `--connect-concurrency` at a time. Returns the connected
/// ones, the number of failures and the first failure's message.
async fn connect_all(
    args: &BenchArgs,
    builder: &ClientBuilder,
    ns: &str,
    times: &Latencies,
    bar: &ProgressBar,
) -> (Connected, u64, Option<String>) {
    let mut clients = Vec::with_capacity(args.clients);
    let mut errors = 0;
    let mut first_error = None;
    let mut attempts = futures_util::stream::iter(0..args.clients)
        .map(|_| async move {
            let client = builder.clone().build()?;
            let socket = client.socket(ns);
            let start = Instant::now();
            match socket.connect().await {
                Ok(_) => Ok((client, socket, start.elapsed())),
                Err(e) => {
                    client.close().await;
                    Err(e)
                }
            }
        })
        .buffer_unordered(args.connect_concurrency);
    while let Some(result) = attempts.next().await {
        match result {
            Ok((client, socket, took)) => {
                times.record(took);
                clients.push((client, socket));
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| explain(&e).message);
            }
        }
        bar.inc(1);
    }
    (clients, errors, first_error)
}

/// One client's emitting loop, until the end of the run.
async fn client_loop(socket: Socket, load: Arc<Load>, offset: Duration) {
    let lost = match (load.period, load.fire_and_forget) {
        (None, false) => closed_loop(&socket, &load).await,
        (None, true) => closed_loop_fire_and_forget(&socket, &load).await,
        (Some(period), _) => paced(&socket, &load, period, offset).await,
    };
    if lost {
        load.counters.disconnected.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts a failed ack; `true` when the connection is gone (stop this client).
fn count_failure(load: &Load, error: &Error) -> bool {
    match error {
        Error::Ack(AckError::Timeout) => {
            load.counters.ack_timeouts.fetch_add(1, Ordering::Relaxed);
            false
        }
        _ => {
            load.counters.failed.fetch_add(1, Ordering::Relaxed);
            true
        }
    }
}

async fn closed_loop(socket: &Socket, load: &Load) -> bool {
    let emitter = socket.timeout(load.ack_timeout);
    while tokio::time::Instant::now() < load.end {
        let start = Instant::now();
        match emitter
            .emit_payload_with_ack(&load.event, load.payload.clone())
            .await
        {
            Ok(_) => {
                load.rtt.record(start.elapsed());
                load.counters.events.fetch_add(1, Ordering::Relaxed);
                bench_nodes::count(1);
            }
            Err(e) => {
                if count_failure(load, &e) {
                    return true;
                }
            }
        }
    }
    false
}

async fn closed_loop_fire_and_forget(socket: &Socket, load: &Load) -> bool {
    let emitter = socket.timeout(load.ack_timeout);
    while tokio::time::Instant::now() < load.end {
        for _ in 0..load.batch {
            if emitter
                .emit_payload(&load.event, load.payload.clone())
                .is_err()
            {
                load.counters.failed.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        }
        match emitter
            .emit_payload_with_ack(&load.barrier_event, load.barrier.clone())
            .await
        {
            Ok(_) => {
                load.counters
                    .events
                    .fetch_add(load.batch + 1, Ordering::Relaxed);
                bench_nodes::count(load.batch + 1);
            }
            Err(e) => {
                if count_failure(load, &e) {
                    return true;
                }
            }
        }
    }
    false
}

/// `--rate R`: one event every `period`, acks awaited concurrently. In fire-and-forget mode
/// every `batch`-th event is the acknowledged barrier, which confirms the events before it.
async fn paced(socket: &Socket, load: &Load, period: Duration, offset: Duration) -> bool {
    let emitter = socket.timeout(load.ack_timeout);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut in_flight = FuturesUnordered::new();
    let mut unconfirmed = 0u64;
    let mut lost = false;
    loop {
        let emitting = !lost && tokio::time::Instant::now() < load.end;
        if !emitting && in_flight.is_empty() {
            break;
        }
        tokio::select! {
            _ = ticks.tick(), if emitting => {
                if load.fire_and_forget && unconfirmed + 1 < load.batch {
                    if emitter.emit_payload(&load.event, load.payload.clone()).is_err() {
                        load.counters.failed.fetch_add(1, Ordering::Relaxed);
                        lost = true;
                    }
                    unconfirmed += 1;
                    continue;
                }
                let (event, payload, confirms) = if load.fire_and_forget {
                    (&load.barrier_event, load.barrier.clone(), unconfirmed + 1)
                } else {
                    (&load.event, load.payload.clone(), 1)
                };
                unconfirmed = 0;
                let emitter = &emitter;
                in_flight.push(async move {
                    let start = Instant::now();
                    let result = emitter.emit_payload_with_ack(event, payload).await;
                    (result, start.elapsed(), confirms)
                });
            }
            Some((result, took, confirms)) = in_flight.next() => match result {
                Ok(_) => {
                    if !load.fire_and_forget {
                        load.rtt.record(took);
                    }
                    load.counters.events.fetch_add(confirms, Ordering::Relaxed);
                    bench_nodes::count(confirms);
                }
                Err(e) => lost |= count_failure(load, &e),
            },
            () = tokio::time::sleep_until(load.end), if emitting => {}
        }
    }
    lost
}

fn progress(show: bool, len: u64, what: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = if what == "connecting" {
        "{prefix:>10} [{bar:30}] {pos}/{len} {msg}"
    } else {
        "{prefix:>10} [{bar:30}] {msg}"
    };
    let style = ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(what);
    bar
}

/// Moves the emitting bar (in milliseconds) and shows the running events/s.
fn spawn_ticker(bar: ProgressBar, load: Arc<Load>, t0: Instant) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if bar.is_hidden() {
            return;
        }
        bar.set_length(bar.length().unwrap_or(0).max(1));
        let mut every = tokio::time::interval(Duration::from_millis(100));
        loop {
            every.tick().await;
            let secs = t0.elapsed().as_secs_f64();
            let events = load.counters.events.load(Ordering::Relaxed);
            let total = bar.length().unwrap_or(0) as f64 / 1000.0;
            bar.set_position((secs * 1000.0) as u64);
            bar.set_message(format!(
                "{secs:.1}/{total:.1} s, {:.0} events/s",
                events as f64 / secs.max(1e-9)
            ));
        }
    })
}

/// The process's resident set, in KiB.
fn rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The process's (user, system) CPU time, in USER_HZ ticks.
fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after "pid (comm)": state is field 3, utime 14, stime 15
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let user = fields.next()?.parse().ok()?;
    let system = fields.next()?.parse().ok()?;
    Some((user, system))
}

/// Everything measured, for the table and the JSON object.
struct Summary<'a> {
    args: &'a BenchArgs,
    ns: &'a str,
    nofile: Option<u64>,
    connected: usize,
    connect_errors: u64,
    connect_wall: Duration,
    connect: Histogram<u64>,
    rss: (Option<u64>, Option<u64>, Option<u64>),
    load: &'a Load,
    rtt: Histogram<u64>,
    elapsed: Duration,
    cpu: Option<(f64, f64)>,
    /// Figures per server node (`--node-event`).
    nodes: Option<&'a Nodes>,
}

impl Summary<'_> {
    fn transport(&self) -> &'static str {
        match self.args.common.transport {
            TransportArg::Auto => "auto",
            TransportArg::Websocket => "websocket",
            TransportArg::Polling => "polling",
        }
    }

    fn events(&self) -> u64 {
        self.load.counters.events.load(Ordering::Relaxed)
    }

    fn events_per_s(&self) -> f64 {
        self.events() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn rss_per_connection(&self, at: Option<u64>) -> Option<f64> {
        let (before, at) = (self.rss.0?, at?);
        Some(at.saturating_sub(before) as f64 / self.connected as f64)
    }

    fn cpu_per_event_us(&self) -> Option<f64> {
        let (user, system) = self.cpu?;
        let events = self.events();
        (events > 0).then(|| (user + system) * 1e6 / events as f64)
    }

    fn rtt_us(&self) -> Option<[f64; 4]> {
        if self.args.fire_and_forget || self.rtt.is_empty() {
            return None;
        }
        let q = |q: f64| self.rtt.value_at_quantile(q) as f64 / 1000.0;
        Some([q(0.5), q(0.99), q(0.999), self.rtt.max() as f64 / 1000.0])
    }

    fn connect_ms(&self) -> [f64; 3] {
        let q = |q: f64| self.connect.value_at_quantile(q) as f64 / 1e6;
        [q(0.5), q(0.99), self.connect.max() as f64 / 1e6]
    }

    fn json(&self) -> Value {
        let c = &self.load.counters;
        let [c50, c99, cmax] = self.connect_ms();
        let rtt = self.rtt_us().map(|[p50, p99, p999, max]| {
            json!({"p50": p50, "p99": p99, "p999": p999, "max": max, "count": self.rtt.len()})
        });
        json!({
            "url": self.args.common.url,
            "namespace": self.ns,
            "transport": self.transport(),
            "mode": if self.args.fire_and_forget { "fire-and-forget" } else { "ack" },
            "clients": self.args.clients,
            "connected": self.connected,
            "rate_per_client": self.args.rate,
            "duration_s": self.elapsed.as_secs_f64(),
            "payload_bytes": self.args.payload_bytes,
            "open_files_limit": self.nofile,
            "connect_ms": {"p50": c50, "p99": c99, "max": cmax, "all_s": self.connect_wall.as_secs_f64()},
            "events": self.events(),
            "events_per_s": self.events_per_s(),
            "ack_rtt_us": rtt,
            "errors": {
                "connect": self.connect_errors,
                "ack_timeout": c.ack_timeouts.load(Ordering::Relaxed),
                "failed": c.failed.load(Ordering::Relaxed),
                "disconnected": c.disconnected.load(Ordering::Relaxed),
            },
            "rss_kib": {"before": self.rss.0, "connected": self.rss.1, "end": self.rss.2},
            "rss_per_connection_kib": self.rss_per_connection(self.rss.1),
            "rss_per_connection_end_kib": self.rss_per_connection(self.rss.2),
            "cpu_s": self.cpu.map(|(user, system)| json!({"user": user, "system": system})),
            "cpu_us_per_event": self.cpu_per_event_us(),
            "nodes": self.nodes.map(|n| n.json(self.elapsed)),
        })
    }

    /// The table's first line: what ran, against what, for how long.
    fn heading(&self) -> String {
        let a = self.args;
        let pacing = if a.rate > 0.0 {
            format!("{} events/s per client", a.rate)
        } else {
            "closed loop".into()
        };
        let mode = if a.fire_and_forget {
            format!("fire-and-forget, batches of {}", a.batch)
        } else {
            "with acks".into()
        };
        format!(
            "sio bench {} (ns {}, {}): {} clients, {}, {}, {}-byte payload, {:.1} s\n",
            a.common.url,
            self.ns,
            self.transport(),
            a.clients,
            pacing,
            mode,
            a.payload_bytes,
            self.elapsed.as_secs_f64()
        )
    }

    fn table(&self) -> String {
        let c = &self.load.counters;
        let a = self.args;
        let [c50, c99, cmax] = self.connect_ms();
        let mut rows: Vec<(&str, String)> = vec![
            (
                "clients connected",
                format!("{} / {}", self.connected, a.clients),
            ),
            (
                "connect time p50 / p99 / max",
                format!("{} / {} / {}", ms(c50), ms(c99), ms(cmax)),
            ),
            (
                if a.fire_and_forget {
                    "delivered events/s"
                } else {
                    "acked events/s"
                },
                format!("{:.0} ({} events)", self.events_per_s(), self.events()),
            ),
        ];
        if let Some([p50, p99, p999, max]) = self.rtt_us() {
            rows.push((
                "ack round trip p50 / p99 / p99.9 / max",
                format!("{} / {} / {} / {}", us(p50), us(p99), us(p999), us(max)),
            ));
        }
        rows.push((
            "errors",
            format!(
                "{} connect, {} ack timeouts, {} failed emits, {} lost connections",
                self.connect_errors,
                c.ack_timeouts.load(Ordering::Relaxed),
                c.failed.load(Ordering::Relaxed),
                c.disconnected.load(Ordering::Relaxed)
            ),
        ));
        let kib = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.1} KiB"));
        rows.push((
            "RSS per connection",
            format!(
                "{} connected, {} at the end",
                kib(self.rss_per_connection(self.rss.1)),
                kib(self.rss_per_connection(self.rss.2))
            ),
        ));
        if let (Some(per), Some((user, system))) = (self.cpu_per_event_us(), self.cpu) {
            rows.push((
                "client CPU per event",
                format!("{per:.2} µs (user {user:.2} s + system {system:.2} s)"),
            ));
        }
        let node_rows = self.nodes.map(|n| n.rows(self.elapsed)).unwrap_or_default();
        rows.extend(node_rows.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = self.heading();
        for (k, v) in rows {
            out.push_str(&format!("  {k:<width$}  {v}\n"));
        }
        out
    }
}

fn ms(v: f64) -> String {
    format!("{v:.1} ms")
}

fn us(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} ms", v / 1000.0)
    } else {
        format!("{v:.0} µs")
    }
}
