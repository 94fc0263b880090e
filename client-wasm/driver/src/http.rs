//! The HTTP requests of the long-polling transport, with `fetch` (`web_sys::Request`,
//! `Headers`, `AbortController`). Each request is one future owned by
//! [`Transports`](crate::Transports); a GET the core abandons is aborted.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use sio_core::{HttpRequest, Method, TransportId, TransportInput};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestCredentials, RequestInit, Response};

use crate::js_error_message;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window, worker or Node).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
}

/// A request in flight; resolves to the report for it.
type ExchangeFuture = Pin<Box<dyn Future<Output = TransportInput>>>;

/// One HTTP request of a polling transport.
pub(crate) struct HttpExchange {
    /// The polling transport the request belongs to.
    pub(crate) id: TransportId,
    /// GET (poll) or POST (send).
    pub(crate) method: Method,
    /// `false` once the transport was closed: the request may finish, but nothing is reported.
    pub(crate) report: bool,
    abort: Option<AbortController>,
    future: ExchangeFuture,
}

impl HttpExchange {
    /// Starts `request` now. `credentials` is the fetch credentials mode; the response body
    /// may hold at most `max_body` bytes.
    pub(crate) fn start(
        id: TransportId,
        request: HttpRequest,
        credentials: RequestCredentials,
        max_body: usize,
    ) -> HttpExchange {
        let method = request.method;
        let request_id = request.id;
        let abort = AbortController::new().ok();
        // the promise gets its handlers now: an abort before the first poll is not an
        // unhandled rejection
        let started =
            build(&request, credentials, abort.as_ref()).map(|r| JsFuture::from(global_fetch(&r)));
        let future = async move {
            let outcome = match started {
                Ok(response) => exchange(response, max_body).await,
                Err(error) => Err(error),
            };
            match outcome {
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
            }
        };
        HttpExchange {
            id,
            method,
            report: true,
            abort,
            future: Box::pin(future),
        }
    }

    /// Drives the request; `Ready` with its report when it is done.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<TransportInput> {
        self.future.as_mut().poll(cx)
    }

    /// Aborts the request (for a GET the core abandoned).
    pub(crate) fn abort(&self) {
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}

/// The `Request` for `request`. A header the browser refuses (a forbidden name, say) is left
/// out, as the browser would.
fn build(
    request: &HttpRequest,
    credentials: RequestCredentials,
    abort: Option<&AbortController>,
) -> Result<Request, String> {
    let init = RequestInit::new();
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    init.set_credentials(credentials);
    let headers = Headers::new().map_err(|e| failure(&e))?;
    for (name, value) in &request.headers {
        let _ = headers.append(name, value);
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(abort) = abort {
        init.set_signal(Some(&abort.signal()));
    }
    Request::new_with_str_and_init(&request.url, &init).map_err(|e| failure(&e))
}

/// Awaits the response and its whole body as text, at most `max_body` bytes.
async fn exchange(response: JsFuture, max_body: usize) -> Result<(u16, String), String> {
    let response: Response = response
        .await
        .and_then(|value| value.dyn_into())
        .map_err(|e| failure(&e))?;
    let status = response.status();
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|n| n.trim().parse::<u64>().ok());
    if let Some(length) = declared {
        if length > max_body as u64 {
            return Err(too_big(length as usize, max_body));
        }
    }
    let text = response.text().map_err(|e| failure(&e))?;
    let body = JsFuture::from(text).await.map_err(|e| failure(&e))?;
    let body = body.as_string().unwrap_or_default();
    if body.len() > max_body {
        return Err(too_big(body.len(), max_body));
    }
    Ok((status, body))
}

fn too_big(size: usize, max_body: usize) -> String {
    format!("HTTP response body ({size} bytes) exceeds the limit of {max_body} bytes")
}

/// The text of a failed request (the browser says little: "Failed to fetch" for a refused
/// connection, a CORS refusal or a network error alike).
fn failure(error: &JsValue) -> String {
    format!(
        "HTTP request failed: {}",
        js_error_message(error, "unknown error")
    )
}
