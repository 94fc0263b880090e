//! The `auth` payload of CONNECT packets, asked for before every connect.

use std::future::Future;
use std::sync::Arc;

use crate::maybe_send::{shared_fn, BoxFuture, MaybeSend, MaybeSync};

shared_fn!(
    /// The provider function, boxed.
    ProviderFn = Fn(&str) -> BoxFuture<serde_json::Value>
);

/// An async function called before every (re)connect of a namespace to produce its `auth`
/// payload, a JSON object (for example to refresh a token). Anything but an object sends no
/// payload. It may ignore the namespace ([`new`](Self::new)) or be told it
/// ([`per_namespace`](Self::per_namespace)).
#[derive(Clone)]
pub struct AuthProvider(ProviderFn);

impl std::fmt::Debug for AuthProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthProvider")
    }
}

impl AuthProvider {
    /// Wraps an async function.
    pub fn new<F, Fut>(provider: F) -> Self
    where
        F: Fn() -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = serde_json::Value> + MaybeSend + 'static,
    {
        Self(Arc::new(move |_ns: &str| Box::pin(provider())))
    }

    /// Wraps an async function of the namespace being connected (`/`, `/admin`, …).
    pub fn per_namespace<F, Fut>(provider: F) -> Self
    where
        F: Fn(&str) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = serde_json::Value> + MaybeSend + 'static,
    {
        Self(Arc::new(move |ns: &str| Box::pin(provider(ns))))
    }

    /// Asks for the payload of namespace `ns`.
    pub(crate) fn call(&self, ns: &str) -> BoxFuture<serde_json::Value> {
        (self.0)(ns)
    }
}
