//! Outbound HTTP: one way to build a `reqwest` client, over rustls with the *ring*
//! crypto provider (no aws-lc-rs, no OpenSSL) and the system's trusted roots.
//!
//! reqwest is built with `rustls-no-provider`, so a process-wide provider must be
//! installed before the first client is built; [`client`] does that itself.

use std::time::Duration;

/// Makes *ring* the process's TLS crypto provider. Calling it again does nothing.
pub fn install_tls() {
    // `Err` means a provider is already installed, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client for calls to other services: redirects not followed (a provider's answer
/// is read as given), a total timeout so a provider that hangs cannot hold a request.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    install_tls();
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent(concat!("Liaison/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
