//! Which reverse proxies are believed: `LIAISON_TRUSTED_PROXIES`, a list of addresses and
//! networks (`127.0.0.1, 10.0.0.0/8, ::1`). A request whose TCP peer is one of them may
//! name the client in `X-Forwarded-For`; from anyone else the header is ignored.

use std::net::IpAddr;

/// A network: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    bits: u8,
}

impl Network {
    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.bits == 0 { 0 } else { u32::MAX << (32 - u32::from(self.bits)) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.bits == 0 { 0 } else { u128::MAX << (128 - u32::from(self.bits)) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The trusted proxies (empty: none, the TCP peer is the client).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Reads a comma- or space-separated list of addresses and CIDR networks.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in text.split([',', ' ', '\n', '\t']).map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| format!("'{item}' is not an address or network like 10.0.0.0/8"))?;
            let addr = canonical(addr);
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => {
                    b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("'{item}': the prefix length must be 0 to {max}"))?
                }
                None => max,
            };
            nets.push(Network { addr, bits });
        }
        Ok(TrustedProxies(nets))
    }

    /// Whether none is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the TCP `peer`, or — when the peer is a trusted proxy — the
    /// last address in `X-Forwarded-For` (each header line in order) that is not itself
    /// a trusted proxy. Entries a client wrote itself stand left of what the proxies
    /// appended, so they are never reached while a trusted proxy added one; a malformed
    /// entry stops the walk at the last proxy.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|line| line.split(',')).map(str::trim).collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly bracketed or with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    hop.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn networks_hold_their_addresses() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ::1 fd00::/8").expect("valid");
        assert!(t.trusts(ip("127.0.0.1")));
        assert!(t.trusts(ip("::ffff:127.0.0.1")), "IPv4-mapped");
        assert!(t.trusts(ip("10.200.3.4")));
        assert!(!t.trusts(ip("11.0.0.1")));
        assert!(t.trusts(ip("fd12::1")));
        assert!(!t.trusts(ip("2001:db8::1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").expect("valid");
        let client = |peer: &str, xff: &[&str]| t.client(ip(peer), xff.iter().copied());
        // Behind one proxy.
        assert_eq!(client("127.0.0.1", &["203.0.113.9"]), ip("203.0.113.9"));
        // The client's own forged entry is left of what the proxy appended.
        assert_eq!(client("127.0.0.1", &["1.2.3.4, 203.0.113.9"]), ip("203.0.113.9"));
        // Two trusted proxies, two header lines.
        assert_eq!(client("10.0.0.2", &["203.0.113.9", "10.0.0.1"]), ip("203.0.113.9"));
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(client("198.51.100.7", &["203.0.113.9"]), ip("198.51.100.7"));
        // A trusted proxy that added nothing, or garbage.
        assert_eq!(client("127.0.0.1", &[]), ip("127.0.0.1"));
        assert_eq!(client("127.0.0.1", &["unknown"]), ip("127.0.0.1"));
        assert_eq!(client("127.0.0.1", &["[2001:db8::5]:4711"]), ip("2001:db8::5"));
    }
}
