//! The cookie jar of one client connection (reqwest's [`Jar`], backed by `cookie_store`),
//! shared by its polling requests and WebSocket handshakes and kept across reconnects.
//!
//! Load balancers keep a client on one node with a cookie (HAProxy `cookie SERVERID insert`,
//! nginx `sticky cookie`, AWS ALB `AWSALB`); socket.io's own `io` cookie works the same way.
//! Every response updates the jar (a balancer that re-dispatched after a node died sets a new
//! cookie), and every request sends what the jar holds for its URL. The jar is per connection,
//! not per process: two clients of one program are two browsers, each with its own stickiness.
//!
//! The HTTP client itself is shared between connections, so the jar is applied here, around
//! each request, instead of through reqwest's `cookie_provider`.

use std::sync::{Arc, OnceLock};

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use reqwest::Url;

/// One connection's cookies. The jar (~120 bytes) is made on the first `Set-Cookie`: most
/// connections never get one, and each would hold an empty jar for its life.
#[derive(Clone, Default)]
pub(super) struct Cookies(Arc<OnceLock<Box<Jar>>>);

impl std::fmt::Debug for Cookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // values are secrets (session cookies): never printed
        f.write_str("Cookies(..)")
    }
}

impl Cookies {
    /// The `Cookie` header for a request to `url` (`http(s)://` or `ws(s)://`), if the jar
    /// holds cookies for it.
    pub(super) fn header_for(&self, url: &str) -> Option<HeaderValue> {
        self.0.get()?.cookies(&http_url(url)?)
    }

    /// Stores the `Set-Cookie` headers of a response from `url`.
    pub(super) fn store(&self, url: &str, headers: &HeaderMap) {
        let mut set_cookies = headers.get_all(SET_COOKIE).iter().peekable();
        if set_cookies.peek().is_none() {
            return;
        }
        if let Some(url) = http_url(url) {
            self.0
                .get_or_init(Box::default)
                .set_cookies(&mut set_cookies, &url);
        }
    }

    /// Adds the jar's cookies for `url` to `headers`, after a `Cookie` header the user set
    /// (HTTP/1.1 allows one `Cookie` header: both go in it, the user's first).
    pub(super) fn apply(&self, url: &str, headers: &mut HeaderMap) {
        let Some(jar) = self.header_for(url) else {
            return;
        };
        let combined = match headers.get(COOKIE) {
            Some(user) => {
                let mut value = user.as_bytes().to_vec();
                value.extend_from_slice(b"; ");
                value.extend_from_slice(jar.as_bytes());
                HeaderValue::from_bytes(&value).unwrap_or(jar)
            }
            None => jar,
        };
        headers.insert(COOKIE, combined);
    }
}

/// `url` as the cookie store sees it: a WebSocket handshake is an HTTP request, so `ws://` is
/// `http://` and `wss://` is `https://` (cookies marked `HttpOnly` or `Secure` then apply as
/// in a browser).
fn http_url(url: &str) -> Option<Url> {
    let mut url = Url::parse(url).ok()?;
    let http = match url.scheme() {
        "ws" => "http",
        "wss" => "https",
        "http" | "https" => return Some(url),
        _ => return None,
    };
    url.set_scheme(http).ok()?;
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cookies: &Cookies, url: &str, values: &[&str]) {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(SET_COOKIE, HeaderValue::from_str(value).expect("valid"));
        }
        cookies.store(url, &headers);
    }

    #[test]
    fn websocket_urls_share_the_http_cookies() {
        let cookies = Cookies::default();
        set(
            &cookies,
            "http://127.0.0.1:4000/socket.io/?EIO=4&transport=polling",
            &[
                "SERVERID=b; path=/",
                "io=abc; Path=/; HttpOnly; SameSite=Lax",
            ],
        );
        let ws = cookies
            .header_for("ws://127.0.0.1:4000/socket.io/?EIO=4&transport=websocket&sid=x")
            .expect("cookies for the websocket");
        // the store is a map: compare as a set
        let mut sent: Vec<&str> = ws.to_str().expect("ascii").split("; ").collect();
        sent.sort_unstable();
        assert_eq!(sent, ["SERVERID=b", "io=abc"]);
        // another host gets none
        assert!(cookies.header_for("http://localhost:4000/").is_none());
        // a secure cookie never goes over plain ws (loopback counts as secure, as in
        // browsers, so this uses a name)
        set(&cookies, "https://example.test/", &["s=1; Secure", "p=2"]);
        assert_eq!(
            cookies.header_for("ws://example.test/").expect("cookies"),
            "p=2"
        );
        let tls = cookies.header_for("wss://example.test/").expect("cookies");
        assert!(tls.to_str().expect("ascii").contains("s=1"));
    }

    #[test]
    fn a_new_value_replaces_the_old_one_and_user_cookies_come_first() {
        let cookies = Cookies::default();
        let url = "http://127.0.0.1:4000/socket.io/";
        set(&cookies, url, &["SERVERID=a; path=/"]);
        set(&cookies, url, &["SERVERID=b; path=/"]);
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("token=t"));
        cookies.apply(url, &mut headers);
        assert_eq!(headers[COOKIE], "token=t; SERVERID=b");
        // expired by the server: gone
        set(&cookies, url, &["SERVERID=; path=/; Max-Age=0"]);
        assert!(cookies.header_for(url).is_none());
        assert!(cookies.header_for("not a url").is_none());
    }

    #[test]
    fn the_jar_is_made_by_the_first_set_cookie_and_shared_by_clones() {
        let cookies = Cookies::default();
        let url = "http://127.0.0.1:4000/socket.io/";
        let handshake = cookies.clone();
        handshake.store(url, &HeaderMap::new());
        assert!(cookies.0.get().is_none(), "no jar without a Set-Cookie");
        assert!(cookies.header_for(url).is_none());
        set(&handshake, url, &["io=x; path=/"]);
        assert_eq!(cookies.header_for(url).expect("cookie"), "io=x");
    }
}
