//! One WebSocket transport on `web_sys::WebSocket`: binary frames as `ArrayBuffer`, every
//! browser event pushed into the [`Inbox`] as a [`TransportInput`].

use std::rc::Rc;

use bytes::Bytes;
use sio_core::engineio::Frame;
use sio_core::{TransportId, TransportInput};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast as _, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent};

use crate::inbox::Inbox;
use crate::js_error_message;

/// The event handlers of one socket, kept alive as long as the socket is in the table.
struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

/// One WebSocket of a client connection.
pub(crate) struct WebSocket {
    /// The transport this socket is.
    pub(crate) id: TransportId,
    socket: web_sys::WebSocket,
    _handlers: Handlers,
}

impl WebSocket {
    /// Opens `url`; `Opened`, every message (`Frame`) and `Closed` (once) go to `inbox`.
    /// A socket the browser refuses to create (bad URL, no `WebSocket` in this host) is
    /// reported `Closed` at once, and `None` is returned.
    pub(crate) fn open(id: TransportId, url: &str, inbox: &Rc<Inbox>) -> Option<WebSocket> {
        let socket = match web_sys::WebSocket::new(url) {
            Ok(socket) => socket,
            Err(error) => {
                inbox.push(TransportInput::Closed {
                    id,
                    error: Some(format!(
                        "cannot open a WebSocket: {}",
                        js_error_message(&error, "refused by the browser")
                    )),
                });
                return None;
            }
        };
        socket.set_binary_type(BinaryType::Arraybuffer);
        let open = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut()>::new(move || inbox.push(TransportInput::Opened { id }))
        };
        let message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(frame) = frame_of(event.data()) {
                    inbox.push(TransportInput::Frame { id, frame });
                }
            })
        };
        let close = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                let error = (!event.was_clean())
                    .then(|| format!("websocket closed with code {}", event.code()));
                inbox.push(TransportInput::Closed { id, error });
            })
        };
        socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        Some(WebSocket {
            id,
            socket,
            _handlers: Handlers {
                _open: open,
                _message: message,
                _close: close,
            },
        })
    }

    /// Sends `frame`; the error text if the browser refuses (the socket is then unusable).
    pub(crate) fn send(&self, frame: &Frame) -> Result<(), String> {
        let sent = match frame {
            Frame::Text(text) => self.socket.send_with_str(text),
            Frame::Binary(bytes) => self.socket.send_with_u8_array(bytes),
        };
        sent.map_err(|e| format!("websocket send failed: {}", js_error_message(&e, "refused")))
    }

    /// Closes the socket without reporting anything more: its handlers are removed first.
    pub(crate) fn close(self) {
        self.detach();
        // (closing a socket that is already closing or closed does nothing)
        let _ = self.socket.close();
    }

    /// Removes the handlers (before they are dropped with `self`).
    pub(crate) fn detach(&self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
    }
}

/// A message's data as a frame: text, or the bytes of an `ArrayBuffer`.
fn frame_of(data: JsValue) -> Option<Frame> {
    if let Some(text) = data.as_string() {
        return Some(Frame::Text(text));
    }
    let buffer = data.dyn_into::<js_sys::ArrayBuffer>().ok()?;
    Some(Frame::Binary(Bytes::from(
        js_sys::Uint8Array::new(&buffer).to_vec(),
    )))
}
