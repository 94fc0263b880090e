//! `io(url, opts)`: socket.io-client's entry point, with its cache of managers per server.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast as _, JsValue};

use crate::manager::ManagerInner;
use crate::values::{get, type_error};

thread_local! {
    /// The shared managers, by `protocol//host:port/path` (socket.io-client's `cache`; a page
    /// talks to a few servers).
    static MANAGERS: RefCell<Vec<(String, Rc<ManagerInner>)>> = const { RefCell::new(Vec::new()) };
}

/// Where `io()` connects: the manager's cache key, the URL it is created with (origin and
/// query), and the namespace.
struct Target {
    key: String,
    source: String,
    nsp: String,
}

/// The page's address and origin (`protocol//host`), outside a page `None`.
pub(crate) fn page() -> Option<(String, String)> {
    let location = get(&js_sys::global(), "location");
    if !location.is_object() {
        return None;
    }
    let href = get(&location, "href").as_string()?;
    let origin = format!(
        "{}//{}",
        get(&location, "protocol").as_string().unwrap_or_default(),
        get(&location, "host").as_string().unwrap_or_default()
    );
    Some((href, origin))
}

/// `uri`, or the page's origin; a `TypeError` outside a page without a URL.
pub(crate) fn uri_or_origin(uri: Option<String>) -> Result<String, JsValue> {
    match (uri, page()) {
        (Some(uri), _) => Ok(uri),
        (None, Some((_, origin))) => Ok(origin),
        (None, None) => Err(type_error("a URL is needed outside a browser page")),
    }
}

/// Resolves `uri` (default: the page's origin) against the page's address, as
/// socket.io-client's `url()` does.
fn target(uri: Option<String>, path: Option<&str>) -> Result<Target, JsValue> {
    let page = page().map(|(href, _)| href);
    let uri = uri_or_origin(uri)?;
    let url = match &page {
        Some(base) => web_sys::Url::new_with_base(&uri, base),
        None => web_sys::Url::new(&uri),
    }
    .map_err(|_| type_error(&format!("invalid URL {}", sio_core::error::quoted(&uri))))?;
    let protocol = url.protocol();
    let secure = protocol == "https:" || protocol == "wss:";
    let port = match url.port() {
        port if port.is_empty() => if secure { "443" } else { "80" }.to_string(),
        port => port,
    };
    let nsp = js_sys::decode_uri_component(&url.pathname())
        .map(String::from)
        .unwrap_or_else(|_| url.pathname());
    Ok(Target {
        key: format!(
            "{protocol}//{}:{port}{}",
            url.hostname(),
            path.unwrap_or("/socket.io")
        ),
        source: format!("{protocol}//{}{}", url.host(), url.search()),
        nsp: if nsp.is_empty() { "/".into() } else { nsp },
    })
}

/// A socket for the namespace in `uri` (default: the page's origin), on a connection shared
/// per server and path unless `forceNew` / `multiplex: false`, or unless that namespace is
/// taken on the shared one (socket.io-client's `io()`). `io(opts)` is `io(undefined, opts)`.
#[wasm_bindgen]
pub fn io(uri: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let (uri, opts) = if uri.is_object() {
        (JsValue::UNDEFINED, uri)
    } else {
        (uri, opts)
    };
    let uri = match uri.as_string() {
        Some(uri) => Some(uri),
        None if uri.is_undefined() || uri.is_null() => None,
        None => return Err(type_error("io() takes a URL string")),
    };
    // a copy: the manager keeps the options as given now
    let options: JsValue = if opts.is_object() {
        Object::assign(&Object::new(), opts.unchecked_ref()).into()
    } else {
        Object::new().into()
    };
    let path = get(&options, "path").as_string();
    let target = target(uri, path.as_deref())?;
    let flag = |key: &str| get(&options, key);
    let fresh = flag("forceNew") == JsValue::TRUE || flag("multiplex") == JsValue::FALSE;
    let cached = MANAGERS.with(|m| {
        m.borrow()
            .iter()
            .find(|(key, _)| *key == target.key)
            .map(|(_, manager)| manager.clone())
    });
    let same_namespace = cached.as_ref().is_some_and(|m| m.has_socket(&target.nsp));
    let manager = match cached {
        Some(manager) if !fresh && !same_namespace => manager,
        _ if fresh || same_namespace => ManagerInner::create(target.source, options.clone())?,
        _ => {
            let manager = ManagerInner::create(target.source, options.clone())?;
            MANAGERS.with(|m| m.borrow_mut().push((target.key, manager.clone())));
            manager
        }
    };
    manager.socket(&target.nsp, &options)
}
