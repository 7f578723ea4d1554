//! What Docker costs on this machine beyond the lab's containers, read from
//! /proc (Linux).

/// Docker's userland port proxies (one process per published port):
/// how many, and their proportional memory (PSS) in KiB. `None` where /proc
/// does not tell, or no proxy runs.
pub fn port_proxies() -> Option<(usize, u64)> {
    proxies(|_| true).filter(|(count, _)| *count > 0)
}

/// The port proxies of these host ports alone (one lab's, while other labs
/// run or come and go): how many, and their memory (PSS) in KiB.
pub fn port_proxies_of(host_ports: &[u16]) -> Option<(usize, u64)> {
    proxies(|args| host_port(args).is_some_and(|p| host_ports.contains(&p)))
}

/// The host port a proxy serves, from its arguments (`-host-port 5061`).
fn host_port(args: &[&str]) -> Option<u16> {
    args.iter().skip_while(|a| **a != "-host-port").nth(1)?.parse().ok()
}

/// The proxies whose command line `keep` accepts.
fn proxies(keep: impl Fn(&[&str]) -> bool) -> Option<(usize, u64)> {
    let mut count = 0;
    let mut kib = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let dir = entry.path();
        if !std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "docker-proxy") {
            continue;
        }
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if !keep(&cmdline.split('\0').collect::<Vec<_>>()) {
            continue;
        }
        count += 1;
        let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).ok()?;
        let pss = rollup.lines().find_map(|l| l.strip_prefix("Pss:"))?;
        kib += pss.trim().trim_end_matches("kB").trim().parse::<u64>().ok()?;
    }
    Some((count, kib))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_proxy_is_known_by_its_host_port() {
        let args = "/usr/sbin/docker-proxy -proto udp -host-ip 127.0.0.1 -host-port 5062 -container-ip 172.28.2.2 -container-port 5060";
        assert_eq!(super::host_port(&args.split(' ').collect::<Vec<_>>()), Some(5062));
        assert_eq!(super::host_port(&["docker-proxy", "-host-port"]), None);
    }
}
