//! What Docker costs on this machine beyond the lab's containers, read from
//! /proc (Linux).

/// Docker's userland port proxies (one process per published port):
/// how many, and their proportional memory (PSS) in KiB. `None` where /proc
/// does not tell, or no proxy runs.
pub fn port_proxies() -> Option<(usize, u64)> {
    let mut count = 0;
    let mut kib = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let dir = entry.path();
        if std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "docker-proxy") {
            count += 1;
            let rollup = std::fs::read_to_string(dir.join("smaps_rollup")).ok()?;
            let pss = rollup.lines().find_map(|l| l.strip_prefix("Pss:"))?;
            kib += pss.trim().trim_end_matches("kB").trim().parse::<u64>().ok()?;
        }
    }
    (count > 0).then_some((count, kib))
}
