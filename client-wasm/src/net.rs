//! The browser's network and clock, as the driver uses them: WebSocket (binary as
//! `ArrayBuffer`), `fetch` for long-polling (abortable), and `setTimeout`.
//!
//! Nothing here calls user code or the core: every browser callback only hands an [`Input`]
//! to a sink, which queues it and wakes the driver.

use std::rc::Rc;

use bytes::Bytes;
use js_sys::{ArrayBuffer, Function, Promise, Uint8Array};
use sio_core::engineio::Frame;
use sio_core::{HttpRequest, Method, RequestId, TransportId, TransportInput};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, BinaryType, CloseEvent, Headers, MessageEvent, RequestCredentials,
    RequestInit, Response, WebSocket,
};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(input: &str, init: &RequestInit) -> Promise;
    /// The global `setTimeout`.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);
    /// The global `reportError` (reports an exception without throwing it).
    #[wasm_bindgen(js_name = reportError, catch)]
    fn report_error_js(error: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(error: &JsValue);
}

/// Reports an exception thrown by a user callback without interrupting the driver
/// (`reportError`, or `console.error` where it does not exist).
pub(crate) fn report_error(error: &JsValue) {
    if report_error_js(error).is_err() {
        console_error(error);
    }
}

/// What the browser reports to the driver.
#[derive(Debug)]
pub(crate) enum Input {
    /// A network report for the core.
    Transport(TransportInput),
    /// The armed timer fired.
    Timeout,
}

/// Where browser callbacks put their inputs (the driver queues them and wakes up).
pub(crate) type Sink = Rc<dyn Fn(Input)>;

/// One open WebSocket and the handlers that must live as long as it does.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn shut(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// The transports in use: WebSockets by id, and the abort switches of polling requests.
pub(crate) struct Net {
    sink: Sink,
    with_credentials: bool,
    // A handful of entries at most: vectors are smaller than hash maps in the bundle.
    sockets: Vec<(TransportId, Socket)>,
    requests: Vec<(TransportId, RequestId, AbortController)>,
}

impl Net {
    pub(crate) fn new(sink: Sink, with_credentials: bool) -> Self {
        Self {
            sink,
            with_credentials,
            sockets: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// Opens a WebSocket; a failure to even construct it is reported as a close.
    pub(crate) fn open_websocket(&mut self, id: TransportId, url: &str) {
        let ws = match WebSocket::new(url) {
            Ok(ws) => ws,
            Err(e) => {
                let error = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "cannot open WebSocket".into());
                (self.sink)(Input::Transport(TransportInput::Closed {
                    id,
                    error: Some(error),
                }));
                return;
            }
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let sink = self.sink.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            sink(Input::Transport(TransportInput::Opened { id }));
        });
        let sink = self.sink.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let frame = if let Some(text) = data.as_string() {
                Frame::Text(text)
            } else if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
                Frame::Binary(Bytes::from(Uint8Array::new(buffer).to_vec()))
            } else {
                return;
            };
            sink(Input::Transport(TransportInput::Frame { id, frame }));
        });
        let sink = self.sink.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let error =
                (!e.was_clean()).then(|| format!("websocket closed with code {}", e.code()));
            sink(Input::Transport(TransportInput::Closed { id, error }));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.sockets.push((
            id,
            Socket {
                ws,
                _on_open: on_open,
                _on_message: on_message,
                _on_close: on_close,
            },
        ));
    }

    /// Writes one frame; a WebSocket that refuses it is reported as failed.
    pub(crate) fn send(&mut self, id: TransportId, frame: &Frame) {
        let Some((_, socket)) = self.sockets.iter().find(|(i, _)| *i == id) else {
            return;
        };
        let sent = match frame {
            Frame::Text(text) => socket.ws.send_with_str(text),
            Frame::Binary(bytes) => socket.ws.send_with_u8_array(bytes),
        };
        if sent.is_err() {
            (self.sink)(Input::Transport(TransportInput::Closed {
                id,
                error: Some("websocket send failed".into()),
            }));
        }
    }

    /// Starts a polling request; its outcome is reported when it completes.
    pub(crate) fn http(&mut self, id: TransportId, request: HttpRequest) {
        let controller = AbortController::new().ok();
        let init = RequestInit::new();
        init.set_method(match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        });
        init.set_credentials(if self.with_credentials {
            RequestCredentials::Include
        } else {
            RequestCredentials::SameOrigin
        });
        if let Ok(headers) = Headers::new() {
            for (name, value) in &request.headers {
                let _ = headers.append(name, value);
            }
            init.set_headers(&headers);
        }
        if let Some(body) = &request.body {
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(controller) = &controller {
            init.set_signal(Some(&controller.signal()));
            self.requests.push((id, request.id, controller.clone()));
        }
        let promise = fetch_with_init(&request.url, &init);
        let sink = self.sink.clone();
        let request_id = request.id;
        wasm_bindgen_futures::spawn_local(async move {
            let input = match complete(promise).await {
                Ok((status, body)) => TransportInput::HttpResponse {
                    id,
                    request: request_id,
                    status,
                    body,
                },
                Err(error) => TransportInput::HttpFailed {
                    id,
                    request: request_id,
                    error,
                },
            };
            sink(Input::Transport(input));
        });
    }

    /// Forgets a finished request's abort switch.
    pub(crate) fn request_done(&mut self, id: TransportId, request: RequestId) {
        self.requests
            .retain(|(t, r, _)| !(*t == id && *r == request));
    }

    /// Tears a transport down: closes its WebSocket, aborts its requests.
    pub(crate) fn close(&mut self, id: TransportId) {
        if let Some(i) = self.sockets.iter().position(|(t, _)| *t == id) {
            self.sockets.swap_remove(i).1.shut();
        }
        self.requests.retain(|(t, _, controller)| {
            if *t == id {
                controller.abort();
            }
            *t != id
        });
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for (_, socket) in self.sockets.drain(..) {
            socket.shut();
        }
        for (_, _, controller) in self.requests.drain(..) {
            controller.abort();
        }
    }
}

fn error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "request failed".into())
}

/// Waits for a `fetch` and reads its body as text.
async fn complete(fetch: Promise) -> Result<(u16, String), String> {
    let response: Response = JsFuture::from(fetch)
        .await
        .map_err(|e| error_text(&e))?
        .dyn_into()
        .map_err(|_| "fetch did not return a Response".to_string())?;
    let status = response.status();
    let text = response.text().map_err(|e| error_text(&e))?;
    let body = JsFuture::from(text)
        .await
        .map_err(|e| error_text(&e))?
        .as_string()
        .unwrap_or_default();
    Ok((status, body))
}
