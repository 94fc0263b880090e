//! The browser driver against the bundled reference server (real Node socket.io 4.8), in
//! headless Chromium: `wasm-pack test --headless --chrome client-wasm`, with the server's URL
//! given at build time in `SIO_TEST_SERVER_URL` (scripts/test-browser.sh starts the server
//! on a free port and sets it). Browser code cannot read the environment, hence
//! `option_env!`.
//!
//! The tests run one after another in one page; the restart test takes the server down for
//! a moment, and every test waits for its own connection.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array, JSON};
use sio_wasm::CoreClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

fn server() -> &'static str {
    match option_env!("SIO_TEST_SERVER_URL") {
        Some(url) => url,
        None => panic!(
            "SIO_TEST_SERVER_URL was not set when the tests were built; run scripts/test-browser.sh"
        ),
    }
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn json_of(value: &JsValue) -> String {
    JSON::stringify(value)
        .map(String::from)
        .unwrap_or_else(|_| "<unserialisable>".into())
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn bytes_of(value: &JsValue) -> Vec<u8> {
    let buffer = value
        .dyn_ref::<ArrayBuffer>()
        .unwrap_or_else(|| panic!("expected an ArrayBuffer, got {value:?}"));
    Uint8Array::new(buffer).to_vec()
}

/// One event as the client reported it.
#[derive(Debug, Clone)]
struct Rec {
    kind: String,
    ns: Option<String>,
    a: JsValue,
    b: JsValue,
    c: JsValue,
}

type Reaction = Box<dyn FnMut(&Rec)>;
type EmitResult = Result<Option<f64>, JsValue>;

/// A client plus everything it reported.
struct Harness {
    client: Rc<CoreClient>,
    events: Rc<RefCell<Vec<Rec>>>,
    reaction: Rc<RefCell<Option<Reaction>>>,
    _handler: Closure<dyn FnMut(JsValue, JsValue, JsValue, JsValue, JsValue)>,
}

impl Harness {
    fn new(options: &str) -> Harness {
        let events: Rc<RefCell<Vec<Rec>>> = Rc::default();
        let reaction: Rc<RefCell<Option<Reaction>>> = Rc::default();
        let (log, react) = (events.clone(), reaction.clone());
        let handler = Closure::<dyn FnMut(JsValue, JsValue, JsValue, JsValue, JsValue)>::new(
            move |kind: JsValue, ns: JsValue, a, b, c| {
                let rec = Rec {
                    kind: kind.as_string().unwrap_or_default(),
                    ns: ns.as_string(),
                    a,
                    b,
                    c,
                };
                log.borrow_mut().push(rec.clone());
                if let Some(f) = react.borrow_mut().as_mut() {
                    f(&rec);
                }
            },
        );
        let function: Function = handler.as_ref().unchecked_ref::<Function>().clone();
        let client = CoreClient::new(server(), js(options), function).expect("client");
        Harness {
            client: Rc::new(client),
            events,
            reaction,
            _handler: handler,
        }
    }

    fn count(&self, kind: &str, ns: &str) -> usize {
        self.events
            .borrow()
            .iter()
            .filter(|r| r.kind == kind && r.ns.as_deref().unwrap_or("") == ns)
            .count()
    }

    /// Waits (up to 10 s) until `pick` finds something among the events.
    async fn wait<T>(&self, what: &str, pick: impl Fn(&[Rec]) -> Option<T>) -> T {
        let start = performance_now();
        loop {
            if let Some(found) = pick(&self.events.borrow()) {
                return found;
            }
            if performance_now() - start > 10_000.0 {
                let seen: Vec<String> = self
                    .events
                    .borrow()
                    .iter()
                    .map(|r| format!("{}{:?} {}", r.kind, r.ns, json_of(&r.a)))
                    .collect();
                panic!("timed out waiting for {what}; events: {seen:?}");
            }
            sleep(5).await;
        }
    }

    /// Waits for the `n`-th (1-based) event `kind` on `ns`.
    async fn nth(&self, kind: &str, ns: &str, n: usize) -> Rec {
        self.wait(&format!("{kind} #{n} on {ns}"), |events| {
            events
                .iter()
                .filter(|r| r.kind == kind && r.ns.as_deref().unwrap_or("") == ns)
                .nth(n - 1)
                .cloned()
        })
        .await
    }

    async fn connect(&self, ns: &str) -> Rec {
        let before = self.count("connect", ns);
        self.client.connect(ns).expect("connect");
        self.nth("connect", ns, before + 1).await
    }

    /// Emits with an ack and waits for the ack's arguments.
    async fn call(&self, ns: &str, event: &str, args: &Array) -> Array {
        let handle = self
            .client
            .emit(ns, event, args, true, Some(5000.0), false)
            .expect("emit")
            .expect("ack handle");
        let rec = self
            .wait(&format!("ack of {event}"), |events| {
                events
                    .iter()
                    .find(|r| {
                        (r.kind == "ack" || r.kind == "ack_error") && r.a.as_f64() == Some(handle)
                    })
                    .cloned()
            })
            .await;
        assert_eq!(rec.kind, "ack", "{event}: {}", json_of(&rec.b));
        rec.b.unchecked_into()
    }

    async fn whoami(&self, ns: &str) -> JsValue {
        self.call(ns, "whoami", &Array::new()).await.get(0)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.client.close();
    }
}

#[wasm_bindgen_test]
async fn connects_and_reports_its_namespace_id() {
    let h = Harness::new("{}");
    let connect = h.connect("/").await;
    let id = connect.a.as_string().expect("id");
    assert_eq!(connect.b, JsValue::FALSE, "not recovered");
    assert!(h.client.connected("/"));
    assert!(h.client.active("/"));
    assert_eq!(h.client.id("/").as_deref(), Some(id.as_str()));
    let me = h.whoami("/").await;
    assert_eq!(get(&me, "nsp").as_string().as_deref(), Some("/"));
    assert_eq!(get(&me, "id").as_string(), Some(id));
    assert_eq!(h.count("open", ""), 1);
}

#[wasm_bindgen_test]
async fn query_and_auth_object_reach_the_server() {
    let h = Harness::new(r#"{"query":{"room":"lobby","n":7}}"#);
    h.client
        .set_auth("/guarded", js(r#"{"token":"secret","user":"ann"}"#));
    h.connect("/guarded").await;
    let me = h.whoami("/guarded").await;
    assert_eq!(
        json_of(&get(&me, "auth")),
        r#"{"token":"secret","user":"ann"}"#
    );
    let query = get(&me, "query");
    assert_eq!(get(&query, "room").as_string().as_deref(), Some("lobby"));
    assert_eq!(get(&query, "n").as_string().as_deref(), Some("7"));
    assert_eq!(get(&query, "EIO").as_string().as_deref(), Some("4"));
}

#[wasm_bindgen_test]
async fn auth_function_is_called_on_every_connect() {
    let h = Harness::new(r#"{"reconnectionDelay":50,"reconnectionDelayMax":100}"#);
    let calls = Rc::new(RefCell::new(0u32));
    let counter = calls.clone();
    let auth = Closure::<dyn FnMut(Function)>::new(move |cb: Function| {
        *counter.borrow_mut() += 1;
        let n = *counter.borrow();
        let data = js(&format!(r#"{{"token":"secret","n":{n}}}"#));
        // answer asynchronously, like a token refresh would
        let answer = Closure::once_into_js(move || {
            let _ = cb.call1(&JsValue::NULL, &data);
        });
        set_timeout(answer.unchecked_ref(), 5);
    });
    h.client.set_auth("/guarded", auth.as_ref().clone());
    h.connect("/guarded").await;
    assert_eq!(*calls.borrow(), 1);
    assert_eq!(
        json_of(&get(&h.whoami("/guarded").await, "auth")),
        r#"{"token":"secret","n":1}"#
    );
    // the server drops the transport: the client reconnects and asks for auth again
    h.client
        .emit(
            "/guarded",
            "close-transport",
            &Array::new(),
            false,
            None,
            false,
        )
        .expect("emit");
    h.nth("disconnect", "/guarded", 1).await;
    h.nth("connect", "/guarded", 2).await;
    assert_eq!(*calls.borrow(), 2);
}

#[wasm_bindgen_test]
async fn a_rejected_connect_is_an_error_with_data() {
    let h = Harness::new("{}");
    h.client.set_auth("/guarded", js(r#"{"token":"wrong"}"#));
    h.client.connect("/guarded").expect("connect");
    let rec = h.nth("connect_error", "/guarded", 1).await;
    let error: js_sys::Error = rec.a.dyn_into().expect("an Error");
    assert_eq!(String::from(error.message()), "unauthorized");
    assert_eq!(json_of(&get(&error, "data")), r#"{"reason":"bad token"}"#);
    assert!(
        !h.client.active("/guarded"),
        "no automatic retry after a rejection"
    );
    assert!(!h.client.connected("/guarded"));
    // the application fixes its credentials and connects again, on the same client
    h.client.set_auth("/guarded", js(r#"{"token":"secret"}"#));
    h.connect("/guarded").await;
    let me = h.whoami("/guarded").await;
    assert_eq!(json_of(&get(&me, "auth")), r#"{"token":"secret"}"#);
}

#[wasm_bindgen_test]
async fn acks_in_both_directions() {
    let h = Harness::new("{}");
    h.connect("/").await;
    // client -> server
    let args = Array::of3(&1.into(), &"two".into(), &js(r#"{"three":[3,null,true]}"#));
    let answer = h.call("/", "echo", &args).await;
    assert_eq!(json_of(&answer), r#"[1,"two",{"three":[3,null,true]}]"#);
    // server -> client: the server asks, the client answers from outside the handler
    let ask = js(r#"{"event":"question","args":["what?",2],"timeoutMs":3000}"#);
    let handle = h
        .client
        .emit("/", "ask", &Array::of1(&ask), true, None, false)
        .expect("emit")
        .expect("handle");
    let question = h
        .wait("question", |events| {
            events
                .iter()
                .find(|r| r.kind == "event" && r.a.as_string().as_deref() == Some("question"))
                .cloned()
        })
        .await;
    assert_eq!(json_of(&question.b), r#"["what?",2]"#);
    let ack_id = question.c.as_f64().expect("the server wants an ack");
    let reply = Array::of2(&"forty".into(), &42.into());
    assert!(h.client.ack("/", ack_id, &reply).expect("ack"));
    assert!(
        !h.client.ack("/", ack_id, &reply).expect("ack"),
        "answered once only"
    );
    let result = h
        .wait("ask's ack", |events| {
            events
                .iter()
                .find(|r| r.kind == "ack" && r.a.as_f64() == Some(handle))
                .cloned()
        })
        .await;
    assert_eq!(json_of(&result.b), r#"[{"ok":true,"args":["forty",42]}]"#);
}

#[wasm_bindgen_test]
async fn an_unanswered_ack_times_out() {
    let h = Harness::new("{}");
    h.connect("/").await;
    let handle = h
        .client
        .emit(
            "/",
            "nobody-answers",
            &Array::new(),
            true,
            Some(100.0),
            false,
        )
        .expect("emit")
        .expect("handle");
    let rec = h
        .wait("ack_error", |events| {
            events
                .iter()
                .find(|r| r.kind == "ack_error" && r.a.as_f64() == Some(handle))
                .cloned()
        })
        .await;
    assert_eq!(rec.c.as_string().as_deref(), Some("timeout"));
    let error: js_sys::Error = rec.b.dyn_into().expect("an Error");
    assert_eq!(String::from(error.message()), "operation has timed out");
}

async fn binary_round_trip(h: &Harness) {
    let bytes = Uint8Array::from(&[9u8, 8, 7, 6][..]);
    let sub = bytes.subarray(1, 3); // a view with an offset: [8, 7]
    let raw = Uint8Array::from(&[4u8, 5][..]).buffer();
    let nested = Object::new();
    Reflect::set(&nested, &"nested".into(), &Array::of2(&raw, &"x".into())).expect("set");
    let args = Array::of3(&sub, &nested, &"text".into());
    let answer = h.call("/", "echo", &args).await;
    assert_eq!(answer.length(), 3);
    assert_eq!(bytes_of(&answer.get(0)), vec![8, 7]);
    let back = Array::from(&get(&answer.get(1), "nested"));
    assert_eq!(bytes_of(&back.get(0)), vec![4, 5]);
    assert_eq!(back.get(1).as_string().as_deref(), Some("x"));
    assert_eq!(answer.get(2).as_string().as_deref(), Some("text"));
    // the user's objects were not modified
    assert!(get(&nested, "nested").is_object());
    assert!(Array::from(&get(&nested, "nested"))
        .get(0)
        .is_instance_of::<ArrayBuffer>());
    // server -> client binary event (no ack: the recovery offset follows as a last string)
    let blob = Uint8Array::from(&[1u8, 2, 3][..]);
    h.client
        .emit("/", "echo", &Array::of1(&blob), false, None, false)
        .expect("emit");
    let echoed = h
        .wait("binary echo", |events| {
            events
                .iter()
                .find(|r| r.kind == "event" && r.a.as_string().as_deref() == Some("echo"))
                .cloned()
        })
        .await;
    let echoed = Array::from(&echoed.b);
    assert_eq!(bytes_of(&echoed.get(0)), vec![1, 2, 3]);
    assert!(echoed.get(1).is_string(), "recovery offset");
}

#[wasm_bindgen_test]
async fn binary_anywhere_in_the_arguments_over_websocket() {
    let h = Harness::new(r#"{"transports":["websocket"]}"#);
    h.connect("/").await;
    assert_eq!(h.client.transport().as_deref(), Some("websocket"));
    binary_round_trip(&h).await;
}

#[wasm_bindgen_test]
async fn binary_over_polling_only() {
    let h = Harness::new(r#"{"transports":["polling"]}"#);
    h.connect("/").await;
    binary_round_trip(&h).await;
    let me = h.whoami("/").await;
    assert_eq!(
        get(&me, "transport").as_string().as_deref(),
        Some("polling")
    );
    assert_eq!(h.count("upgrade", ""), 0);
}

#[wasm_bindgen_test]
async fn polling_upgrades_to_websocket() {
    let h = Harness::new("{}");
    h.connect("/").await;
    h.wait("upgrade", |events| {
        events.iter().find(|r| r.kind == "upgrade").cloned()
    })
    .await;
    assert_eq!(h.client.transport().as_deref(), Some("websocket"));
    let me = h.whoami("/").await;
    assert_eq!(
        get(&me, "transport").as_string().as_deref(),
        Some("websocket")
    );
}

#[wasm_bindgen_test]
async fn namespaces_share_one_connection() {
    let h = Harness::new("{}");
    let main = h.connect("/").await;
    let admin = h.connect("/admin").await;
    assert_ne!(main.a.as_string(), admin.a.as_string());
    assert_eq!(h.count("open", ""), 1, "one Engine.IO connection");
    let me = h.whoami("/admin").await;
    assert_eq!(get(&me, "nsp").as_string().as_deref(), Some("/admin"));
    h.client.disconnect("/admin").expect("disconnect");
    let rec = h.nth("disconnect", "/admin", 1).await;
    assert_eq!(rec.a.as_string().as_deref(), Some("io client disconnect"));
    assert!(h.client.connected("/"));
    assert_eq!(
        get(&h.whoami("/").await, "nsp").as_string().as_deref(),
        Some("/")
    );
}

#[wasm_bindgen_test]
async fn a_server_disconnect_does_not_reconnect() {
    let h = Harness::new(r#"{"reconnectionDelay":20,"reconnectionDelayMax":40}"#);
    h.connect("/").await;
    h.client
        .emit("/", "server-disconnect", &Array::new(), false, None, false)
        .expect("emit");
    let rec = h.nth("disconnect", "/", 1).await;
    assert_eq!(rec.a.as_string().as_deref(), Some("io server disconnect"));
    assert!(!h.client.active("/"));
    sleep(200).await;
    assert_eq!(h.count("reconnect_attempt", ""), 0);
    // connect() brings it back
    h.connect("/").await;
}

#[wasm_bindgen_test]
async fn connection_state_recovery_keeps_the_session() {
    let h = Harness::new(
        r#"{"transports":["websocket"],"reconnectionDelay":50,"reconnectionDelayMax":100}"#,
    );
    let first = h.connect("/").await;
    // receive events so the client holds an offset to recover from
    let n = h
        .call(
            "/",
            "emit-n",
            &Array::of1(&js(r#"{"event":"tick","count":3}"#)),
        )
        .await;
    assert_eq!(json_of(&n), "[3]");
    h.wait("three ticks", |events| {
        (events
            .iter()
            .filter(|r| r.kind == "event" && r.a.as_string().as_deref() == Some("tick"))
            .count()
            == 3)
            .then_some(())
    })
    .await;
    h.client
        .emit("/", "close-transport", &Array::new(), false, None, false)
        .expect("emit");
    let rec = h.nth("disconnect", "/", 1).await;
    assert_eq!(rec.a.as_string().as_deref(), Some("transport close"));
    let second = h.nth("connect", "/", 2).await;
    assert_eq!(second.b, JsValue::TRUE, "recovered");
    assert_eq!(second.a.as_string(), first.a.as_string(), "same id");
    assert!(h.client.recovered("/"));
    assert!(h.count("reconnect", "") >= 1);
}

#[wasm_bindgen_test]
async fn restart_reconnects_and_rejoins_rooms() {
    let h = Harness::new(r#"{"reconnectionDelay":100,"reconnectionDelayMax":300}"#);
    h.connect("/").await;
    h.client.join("/", "room-a").expect("join");
    h.nth("joined", "/", 1).await;
    let rooms = h.call("/", "rooms", &Array::new()).await;
    assert!(json_of(&rooms).contains("room-a"), "{}", json_of(&rooms));
    h.client
        .emit(
            "/",
            "restart",
            &Array::of1(&js(r#"{"downMs":300,"forgetSessions":true}"#)),
            false,
            None,
            false,
        )
        .expect("emit");
    h.nth("disconnect", "/", 1).await;
    assert!(h.client.active("/"), "still wants to be connected");
    let connect = h.nth("connect", "/", 2).await;
    assert_eq!(
        connect.b,
        JsValue::FALSE,
        "sessions were forgotten: not recovered"
    );
    assert!(h.count("reconnect_attempt", "") >= 1);
    assert!(h.count("reconnect", "") >= 1);
    // the room is re-joined by itself (the join is sent before `connect` is reported; the
    // server's ack, `joined`, follows)
    let rejoined = h.nth("joined", "/", 2).await;
    assert_eq!(rejoined.a.as_string().as_deref(), Some("room-a"));
    let rooms = h.call("/", "rooms", &Array::new()).await;
    assert!(json_of(&rooms).contains("room-a"), "{}", json_of(&rooms));
    // and messages to the room arrive again
    let req = js(r#"{"room":"room-a","event":"news","args":["hello room"]}"#);
    h.call("/", "broadcast", &Array::of1(&req)).await;
    let news = h
        .wait("news", |events| {
            events
                .iter()
                .find(|r| r.kind == "event" && r.a.as_string().as_deref() == Some("news"))
                .cloned()
        })
        .await;
    assert_eq!(
        Array::from(&news.b).get(0).as_string().as_deref(),
        Some("hello room")
    );
}

#[wasm_bindgen_test]
async fn listeners_may_call_the_client_while_it_dispatches() {
    let h = Harness::new("{}");
    let client = h.client.clone();
    let results: Rc<RefCell<Vec<EmitResult>>> = Rc::default();
    let out = results.clone();
    *h.reaction.borrow_mut() = Some(Box::new(move |rec: &Rec| {
        if rec.kind == "connect" {
            // re-entrant emit from inside the connect listener
            out.borrow_mut().push(client.emit(
                "/",
                "echo",
                &Array::of1(&"from the listener".into()),
                true,
                None,
                false,
            ));
        }
    }));
    h.connect("/").await;
    let handle = results.borrow()[0]
        .clone()
        .expect("emit from a listener")
        .expect("handle");
    let rec = h
        .wait("ack", |events| {
            events
                .iter()
                .find(|r| r.kind == "ack" && r.a.as_f64() == Some(handle))
                .cloned()
        })
        .await;
    assert_eq!(json_of(&rec.b), r#"["from the listener"]"#);
}

#[wasm_bindgen_test]
async fn bad_arguments_are_refused_with_errors() {
    let h = Harness::new("{}");
    h.connect("/").await;
    let reserved = h
        .client
        .emit("/", "connect", &Array::new(), false, None, false);
    let error: js_sys::Error = reserved.expect_err("reserved").dyn_into().expect("Error");
    assert_eq!(
        String::from(error.message()),
        "\"connect\" is a reserved event name"
    );
    let blob = web_sys::Blob::new().expect("blob");
    let refused = h
        .client
        .emit("/", "echo", &Array::of1(&blob), false, None, false);
    assert!(refused
        .expect_err("blob")
        .is_instance_of::<js_sys::TypeError>());
    let cyclic = Object::new();
    Reflect::set(&cyclic, &"self".into(), &cyclic).expect("set");
    let refused = h
        .client
        .emit("/", "echo", &Array::of1(&cyclic), false, None, false);
    assert!(refused
        .expect_err("cycle")
        .is_instance_of::<js_sys::TypeError>());
    let bad = CoreClient::new(
        server(),
        js(r#"{"transports":"websocket"}"#),
        Function::new_no_args(""),
    );
    assert!(bad.is_err(), "transports must be an array");
    let bad = CoreClient::new("ftp://nowhere", js("{}"), Function::new_no_args(""));
    assert!(bad.is_err(), "bad scheme");
    // the connection is still fine
    assert_eq!(
        json_of(&h.call("/", "echo", &Array::of1(&1.into())).await.into()),
        "[1]"
    );
}

#[wasm_bindgen_test]
async fn an_unreachable_server_reports_connect_errors_and_retries() {
    // port 9 (discard) on loopback: nothing listens there
    let events: Rc<RefCell<Vec<Rec>>> = Rc::default();
    let log = events.clone();
    let handler = Closure::<dyn FnMut(JsValue, JsValue, JsValue, JsValue, JsValue)>::new(
        move |kind: JsValue, ns: JsValue, a, b, c| {
            log.borrow_mut().push(Rec {
                kind: kind.as_string().unwrap_or_default(),
                ns: ns.as_string(),
                a,
                b,
                c,
            });
        },
    );
    let client = CoreClient::new(
        "http://127.0.0.1:9",
        js(r#"{"reconnectionDelay":20,"reconnectionDelayMax":20,"reconnectionAttempts":2}"#),
        handler.as_ref().unchecked_ref::<Function>().clone(),
    )
    .expect("client");
    client.connect("/").expect("connect");
    let start = performance_now();
    while !events.borrow().iter().any(|r| r.kind == "reconnect_failed") {
        assert!(
            performance_now() - start < 10_000.0,
            "no reconnect_failed: {:?}",
            events
                .borrow()
                .iter()
                .map(|r| r.kind.clone())
                .collect::<Vec<_>>()
        );
        sleep(10).await;
    }
    let kinds: Vec<String> = events.borrow().iter().map(|r| r.kind.clone()).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "connect_error").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "reconnect_attempt").count(),
        2,
        "{kinds:?}"
    );
    assert!(!client.connected("/"));
    client.close().expect("close");
}

/// The server pings every `--ping-interval` ms (scripts/test-browser.sh starts it with 1000
/// ms); over polling, after the upgrade and over WebSocket only, the client answers and the
/// connection stays up for several intervals.
async fn stays_up_across_heartbeats(options: &str) {
    let h = Harness::new(options);
    h.connect("/").await;
    sleep(3500).await;
    let pings = h.count("ping", "");
    assert!(pings >= 2, "pings seen: {pings}");
    assert_eq!(h.count("disconnect", "/"), 0, "no disconnect");
    assert_eq!(h.count("close", ""), 0, "no close");
    assert_eq!(
        json_of(
            &h.call("/", "echo", &Array::of1(&"still here".into()))
                .await
                .into()
        ),
        r#"["still here"]"#
    );
}

#[wasm_bindgen_test]
async fn heartbeats_over_polling_then_websocket() {
    stays_up_across_heartbeats("{}").await;
}

#[wasm_bindgen_test]
async fn heartbeats_over_polling_only() {
    stays_up_across_heartbeats(r#"{"transports":["polling"]}"#).await;
}

#[wasm_bindgen_test]
async fn heartbeats_over_websocket_only() {
    stays_up_across_heartbeats(r#"{"transports":["websocket"]}"#).await;
}

#[wasm_bindgen_test]
async fn volatile_emits_are_dropped_while_they_cannot_be_sent() {
    let h = Harness::new(r#"{"transports":["websocket"]}"#);
    h.client.connect("/").expect("connect");
    // nothing is open yet: a volatile emit is dropped, its ack fails at once
    let dropped = h
        .client
        .emit("/", "echo", &Array::of1(&"lost".into()), true, None, true)
        .expect("emit")
        .expect("handle");
    let rec = h
        .wait("not_sent", |events| {
            events
                .iter()
                .find(|r| r.kind == "ack_error" && r.a.as_f64() == Some(dropped))
                .cloned()
        })
        .await;
    assert_eq!(rec.c.as_string().as_deref(), Some("not_sent"));
    // a plain emit made at the same time is buffered and delivered once connected
    let kept = h
        .client
        .emit("/", "echo", &Array::of1(&"kept".into()), true, None, false)
        .expect("emit")
        .expect("handle");
    h.nth("connect", "/", 1).await;
    let rec = h
        .wait("buffered ack", |events| {
            events
                .iter()
                .find(|r| r.kind == "ack" && r.a.as_f64() == Some(kept))
                .cloned()
        })
        .await;
    assert_eq!(json_of(&rec.b), r#"["kept"]"#);
    // connected over WebSocket, a volatile emit goes through
    let sent = h
        .client
        .emit(
            "/",
            "echo",
            &Array::of1(&"sent".into()),
            true,
            Some(2000.0),
            true,
        )
        .expect("emit")
        .expect("handle");
    let rec = h
        .wait("volatile ack", |events| {
            events
                .iter()
                .find(|r| (r.kind == "ack" || r.kind == "ack_error") && r.a.as_f64() == Some(sent))
                .cloned()
        })
        .await;
    assert_eq!(rec.kind, "ack");
}
