//! `Send`/`Sync` where the target has threads, nothing on wasm32.
//!
//! Natively the client runs on a (possibly multi-threaded) tokio runtime, so listeners and
//! their futures must be `Send + Sync`. In the browser everything runs on one thread and
//! values such as JavaScript handles or Rc-based UI callbacks are not `Send`: the same API
//! takes them there.

/// `Send` natively; every type on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` natively; every type on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` natively; every type on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}

/// `Sync` natively; every type on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// A shared callback type: `Arc<dyn Fn… + Send + Sync>` natively, `Arc<dyn Fn…>` on wasm32.
macro_rules! shared_fn {
    ($(#[$meta:meta])* $name:ident = $($sig:tt)*) => {
        $(#[$meta])*
        #[cfg(not(target_arch = "wasm32"))]
        pub(crate) type $name = std::sync::Arc<dyn $($sig)* + Send + Sync>;
        $(#[$meta])*
        #[cfg(target_arch = "wasm32")]
        pub(crate) type $name = std::sync::Arc<dyn $($sig)*>;
    };
}
pub(crate) use shared_fn;

/// A boxed future: `Send` natively.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
/// A boxed future: `Send` natively.
#[cfg(target_arch = "wasm32")]
pub(crate) type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;
