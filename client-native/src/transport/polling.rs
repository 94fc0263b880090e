//! The HTTP requests of the long-polling transport, performed with reqwest on the connection's
//! shared client. Each request is one future owned by [`Transports`](super::Transports);
//! dropping it abandons the request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use sio_core::{HttpRequest, Method, RequestId, TransportId, TransportInput};

use hyper_util::client::proxy::matcher::Intercept;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION};

use super::cookies::Cookies;
use super::proxy::describe_proxy;
use super::tls::{
    describe_tls_eof, describe_tls_error, error_chain, find_io_error, find_rustls_error,
};

/// At most this much is reserved up front for a response body of declared length.
const PREALLOCATE_MAX: u64 = 64 * 1024;

/// A request in flight; resolves to the report for it.
type ExchangeFuture = Pin<Box<dyn Future<Output = TransportInput> + Send>>;

/// One HTTP request of a polling transport.
pub(super) struct HttpExchange {
    /// The polling transport the request belongs to.
    pub(super) id: TransportId,
    /// GET (poll) or POST (send).
    pub(super) method: Method,
    /// `false` once the transport was closed: the request may finish, but nothing is reported.
    pub(super) report: bool,
    future: ExchangeFuture,
}

/// What a request needs besides the HTTP client.
pub(super) struct RequestContext {
    /// Largest response body accepted, in bytes.
    pub(super) max_body: usize,
    /// Bound for the whole exchange.
    pub(super) timeout: Option<Duration>,
    /// The connection's cookie jar: sent with the request, updated from the response.
    pub(super) cookies: Option<Cookies>,
    /// The proxy the request goes through (reqwest routes it; this names it in errors).
    pub(super) proxy: Option<Intercept>,
}

impl HttpExchange {
    /// Starts `request` on `client`; nothing is sent until the first poll.
    pub(super) fn start(
        client: reqwest::Client,
        id: TransportId,
        request: HttpRequest,
        context: RequestContext,
    ) -> HttpExchange {
        let method = request.method;
        HttpExchange {
            id,
            method,
            report: true,
            future: Box::pin(perform(client, id, request, context)),
        }
    }

    /// Drives the request; `Ready` with its report when it is done.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<TransportInput> {
        self.future.as_mut().poll(cx)
    }
}

/// Performs the request and turns the outcome into a report.
async fn perform(
    client: reqwest::Client,
    id: TransportId,
    request: HttpRequest,
    context: RequestContext,
) -> TransportInput {
    let request_id: RequestId = request.id;
    match exchange(client, request, &context).await {
        Ok((status, body)) => TransportInput::HttpResponse {
            id,
            request: request_id,
            status,
            body,
        },
        Err(error) => {
            tracing::debug!(?id, ?request_id, %error, "polling request failed");
            TransportInput::HttpFailed {
                id,
                request: request_id,
                error,
            }
        }
    }
}

/// Sends the request and reads the whole body as UTF-8, at most `max_body` bytes.
async fn exchange(
    client: reqwest::Client,
    request: HttpRequest,
    context: &RequestContext,
) -> Result<(u16, String), String> {
    let RequestContext {
        max_body, timeout, ..
    } = *context;
    let method = match request.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    };
    let authority = authority(&request.url);
    let secure = request.url.starts_with("https://");
    let headers = request_headers(&request, context)?;
    let mut builder = client
        .request(method, request.url.as_str())
        .headers(headers);
    if let Some(body) = request.body {
        builder = builder.body(body);
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    let proxy = context.proxy.as_ref().map(describe_proxy);
    let describe = |e| describe_http_error(e, &authority, secure, timeout, proxy.as_deref());
    let mut response = builder.send().await.map_err(describe)?;
    if let Some(cookies) = &context.cookies {
        cookies.store(&request.url, response.headers());
    }
    let status = response.status().as_u16();
    if let (Some(proxy), 407) = (&proxy, status) {
        return Err(proxy_refused(proxy, context));
    }
    let too_big = |size: &dyn std::fmt::Display| {
        format!(
            "HTTP response body from {authority} ({size} bytes) exceeds the limit of {max_body} bytes"
        )
    };
    let declared = response.content_length();
    if let Some(length) = declared {
        if length > max_body as u64 {
            return Err(too_big(&length));
        }
    }
    // trust the declared length only so far: the body may still be cut short
    let mut body = Vec::with_capacity(declared.map_or(0, |n| n.min(PREALLOCATE_MAX) as usize));
    while let Some(chunk) = response.chunk().await.map_err(describe)? {
        let size = body.len().saturating_add(chunk.len());
        if size > max_body {
            return Err(too_big(&format_args!("at least {size}")));
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body).map_err(|e| {
        format!(
            "HTTP response body from {authority} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((status, body))
}

/// The request's headers, with the jar's cookies (and `Connection: close` through a proxy).
fn request_headers(request: &HttpRequest, context: &RequestContext) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::with_capacity(request.headers.len() + 1);
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid HTTP header name {name:?}"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("invalid value for HTTP header {name:?}"))?;
        headers.append(name, value);
    }
    if let Some(cookies) = &context.cookies {
        cookies.apply(&request.url, &mut headers);
    }
    if context.proxy.is_some() {
        // tinyproxy (1.11) closes the connection after every response without saying so: a
        // pooled connection would race its FIN ("connection closed before message
        // completed"). One connection per proxied request; WebSockets keep one tunnel.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(headers)
}

/// The error for a proxy's 407: the credentials were wrong, or there were none.
fn proxy_refused(proxy: &str, context: &RequestContext) -> String {
    let with_auth = context
        .proxy
        .as_ref()
        .is_some_and(|p| p.basic_auth().is_some());
    if with_auth {
        format!("the proxy {proxy} refused the credentials in its URL (HTTP 407)")
    } else {
        format!(
            "the proxy {proxy} requires authentication (HTTP 407): give \
             http://user:password@host:port"
        )
    }
}

/// `host:port` of an `http(s)://` URL, for messages (the URL's query holds the session id).
fn authority(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// A sentence for a failed request; TLS failures say so plainly.
fn describe_http_error(
    error: reqwest::Error,
    authority: &str,
    secure: bool,
    timeout: Option<Duration>,
    proxy: Option<&str>,
) -> String {
    if let Some(tls) = find_rustls_error(&error) {
        return describe_tls_error(authority, tls);
    }
    if secure && error.is_connect() {
        if let Some(eof) = find_io_error(&error, std::io::ErrorKind::UnexpectedEof) {
            return describe_tls_eof(authority, eof);
        }
    }
    if error.is_timeout() {
        if let Some(timeout) = timeout {
            return format!("HTTP request to {authority} timed out after {timeout:?}");
        }
    }
    // reqwest's own text repeats the URL, whose query carries the session id: leave it out
    let error = error.without_url();
    if let Some(proxy) = proxy {
        if error.is_connect() {
            return format!(
                "HTTP request to {authority} through the proxy {proxy} failed: {}",
                error_chain(&error)
            );
        }
    }
    format!(
        "HTTP request to {authority} failed: {}",
        error_chain(&error)
    )
}
