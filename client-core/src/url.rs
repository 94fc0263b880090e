//! The server address: parsed once from the user's URL, then turned into Engine.IO request URLs.
//!
//! Like socket.io-client's `url()`: the scheme picks TLS and the default port, the URL's path is
//! the namespace, and its query string becomes the connection query.

use std::fmt;

use crate::error::quoted;

/// Why a server URL was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// The scheme is not one of `http`, `https`, `ws`, `wss`.
    UnsupportedScheme(String),
    /// No `scheme://` prefix.
    MissingScheme,
    /// Nothing between `://` and the path.
    MissingHost,
    /// The port is not a number in 1..=65535.
    InvalidPort(String),
    /// An IPv6 literal without its closing bracket, or a host with forbidden characters.
    InvalidHost(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::UnsupportedScheme(s) => write!(
                f,
                "unsupported URL scheme {} (expected http, https, ws or wss)",
                quoted(s)
            ),
            UrlError::MissingScheme => f.write_str("URL has no scheme (expected http://...)"),
            UrlError::MissingHost => f.write_str("URL has no host"),
            UrlError::InvalidPort(p) => write!(f, "invalid port {} in URL", quoted(p)),
            UrlError::InvalidHost(h) => write!(f, "invalid host {} in URL", quoted(h)),
        }
    }
}

impl std::error::Error for UrlError {}

/// A parsed Socket.IO server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// `https`/`wss`: use TLS.
    pub secure: bool,
    /// Host name or IP; IPv6 literals keep their brackets.
    pub host: String,
    /// Explicit or default (80/443) port.
    pub port: u16,
    /// The namespace named by the URL's path (`/` when there is none).
    pub namespace: String,
    /// Query pairs from the URL, percent-decoded.
    pub query: Vec<(String, String)>,
}

impl ServerUrl {
    /// Parses `http(s)://` or `ws(s)://host[:port][/namespace][?query]`.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let input = input.trim();
        // (no `str` indexing or substring search here: their panic and search code would
        // weigh on the browser bundle)
        let sep = input
            .as_bytes()
            .windows(3)
            .position(|w| w == b"://")
            .ok_or(UrlError::MissingScheme)?;
        let scheme = input.get(..sep).unwrap_or_default();
        let rest = input.get(sep + 3..).unwrap_or_default();
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "http" | "ws" => false,
            "https" | "wss" => true,
            other => return Err(UrlError::UnsupportedScheme(other.to_string())),
        };
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (authority_path, query) = match rest.split_once('?') {
            Some((a, q)) => (a, q),
            None => (rest, ""),
        };
        let (authority, path) = match authority_path.find('/') {
            Some(i) => (
                authority_path.get(..i).unwrap_or_default(),
                authority_path.get(i..).unwrap_or_default(),
            ),
            None => (authority_path, ""),
        };
        // Drop user-info, like browsers do for the host part.
        let authority = match rsplit(authority, b'@') {
            Some((_, host)) => host,
            None => authority,
        };
        if authority.is_empty() {
            return Err(UrlError::MissingHost);
        }
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            Some(p) => p,
            None if secure => 443,
            None => 80,
        };
        let namespace = if path.is_empty() {
            "/".to_string()
        } else {
            percent_decode(path)
        };
        let query = parse_query(query);
        Ok(Self {
            secure,
            host,
            port,
            namespace,
            query,
        })
    }

    /// `http://host:port` or `https://host:port`: the part that identifies one Manager.
    pub fn origin(&self, websocket: bool) -> String {
        let scheme = match (websocket, self.secure) {
            (false, false) => "http",
            (false, true) => "https",
            (true, false) => "ws",
            (true, true) => "wss",
        };
        let mut out = String::with_capacity(scheme.len() + self.host.len() + 9);
        out.push_str(scheme);
        out.push_str("://");
        out.push_str(&self.host);
        out.push(':');
        crate::json::write_u64(&mut out, self.port.into());
        out
    }
}

/// `s.rsplit_once(c)` for an ASCII `c`, with less code.
fn rsplit(s: &str, c: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == c)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), UrlError> {
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        let end = stripped
            .find(']')
            .ok_or_else(|| UrlError::InvalidHost(authority.to_string()))?;
        let host = authority.get(..end + 2).unwrap_or_default();
        let after = stripped.get(end + 1..).unwrap_or_default();
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UrlError::InvalidHost(authority.to_string())),
        };
        (host, port)
    } else {
        match rsplit(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '?' | '#'))
    {
        return Err(UrlError::InvalidHost(host.to_string()));
    }
    let port = match port {
        None | Some("") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(UrlError::InvalidPort(p.to_string())),
        },
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// Parses `a=1&b=2` into percent-decoded pairs (`+` is a space, as in forms).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

/// Appends `key=value` to `out`, percent-encoded like JavaScript's `encodeURIComponent`.
pub fn push_query_pair(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() && !out.ends_with('?') {
        out.push('&');
    }
    percent_encode_into(out, key);
    out.push('=');
    percent_encode_into(out, value);
}

fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_socket_io_client() {
        let u = ServerUrl::parse("http://localhost:3000/admin?token=a%20b&x").unwrap();
        assert!(!u.secure);
        assert_eq!(u.host, "localhost");
        assert_eq!(u.port, 3000);
        assert_eq!(u.namespace, "/admin");
        assert_eq!(
            u.query,
            vec![("token".into(), "a b".into()), ("x".into(), "".into())]
        );
        let u = ServerUrl::parse("wss://Example.com").unwrap();
        assert!(u.secure);
        assert_eq!((u.host.as_str(), u.port), ("example.com", 443));
        assert_eq!(u.namespace, "/");
        let u = ServerUrl::parse("http://[::1]:8080/").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("[::1]", 8080));
        assert_eq!(u.origin(true), "ws://[::1]:8080");
        assert_eq!(ServerUrl::parse("http://[::1]").unwrap().port, 80);
    }

    #[test]
    fn rejects_bad_urls_with_a_cause() {
        assert_eq!(
            ServerUrl::parse("localhost:3000"),
            Err(UrlError::MissingScheme)
        );
        assert!(matches!(
            ServerUrl::parse("ftp://x"),
            Err(UrlError::UnsupportedScheme(_))
        ));
        assert_eq!(ServerUrl::parse("http:///x"), Err(UrlError::MissingHost));
        assert!(matches!(
            ServerUrl::parse("http://h:99999"),
            Err(UrlError::InvalidPort(_))
        ));
        assert!(matches!(
            ServerUrl::parse("http://h:0"),
            Err(UrlError::InvalidPort(_))
        ));
        assert!(matches!(
            ServerUrl::parse("http://[::1"),
            Err(UrlError::InvalidHost(_))
        ));
        assert!(matches!(
            ServerUrl::parse("http://a b"),
            Err(UrlError::InvalidHost(_))
        ));
    }

    #[test]
    fn query_round_trips_special_characters() {
        let mut q = String::new();
        push_query_pair(&mut q, "&a", "&=?a");
        push_query_pair(&mut q, "é", "x y");
        assert_eq!(q, "%26a=%26%3D%3Fa&%C3%A9=x%20y");
        assert_eq!(
            parse_query(&q),
            vec![("&a".into(), "&=?a".into()), ("é".into(), "x y".into())]
        );
    }

    #[test]
    fn decoding_never_panics_on_truncated_escapes() {
        for s in ["%", "%4", "%zz", "a%", "%%%"] {
            let _ = percent_decode(s);
            let _ = ServerUrl::parse(&format!("http://h/{s}?{s}={s}"));
        }
    }
}
