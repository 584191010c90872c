//! Request metrics in Prometheus text format: counts by route, method and status, and
//! latency histograms by route. Per process, as Prometheus expects: each instance is
//! scraped on its own and the server sums them.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Instant};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use super::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The process's request metrics.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    fn observe(&self, route: &str, method: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), method.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
    }

    /// Renders everything in the Prometheus text exposition format.
    pub fn render(&self, pool_size: u32, pool_idle: usize) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP liaison_http_requests_total HTTP requests by route, method and status.\n");
        out.push_str("# TYPE liaison_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, method, status), n) in m.iter() {
                let _ =
                    writeln!(out, "liaison_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}", escape(route));
            }
        }
        out.push_str("# HELP liaison_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE liaison_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                let r = escape(route);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(out, "liaison_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}", h.counts[i]);
                }
                let _ = writeln!(out, "liaison_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "liaison_http_request_duration_seconds_sum{{route=\"{r}\"}} {}", h.sum);
                let _ = writeln!(out, "liaison_http_request_duration_seconds_count{{route=\"{r}\"}} {}", h.count);
            }
        }
        let _ = writeln!(
            out,
            "# HELP liaison_db_pool_connections Open database connections.\n# TYPE liaison_db_pool_connections gauge\nliaison_db_pool_connections {pool_size}"
        );
        let _ = writeln!(
            out,
            "# HELP liaison_db_pool_idle Idle database connections.\n# TYPE liaison_db_pool_idle gauge\nliaison_db_pool_idle {pool_idle}"
        );
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The route template that answered, put on the response by the route guard (the
/// outer metrics layer runs before routing and cannot see `MatchedPath` itself).
#[derive(Clone)]
pub struct RouteTemplate(pub String);

/// Middleware: times each request, logs it, and counts it under its route template
/// (never the raw path, which would make label cardinality unbounded).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let route = res.extensions().get::<RouteTemplate>().map(|r| r.0.as_str()).unwrap_or("unmatched").to_string();
    let status = res.status().as_u16();
    state.metrics.observe(&route, &method, status, secs);
    tracing::info!(target: "liaison::http", %method, %path, %route, status, ms = secs * 1000.0, "request");
    res
}
