//! The machine figures are measured on, read from /proc (Linux): a figure
//! means little without the processor, its cores and how busy it was.

use std::fmt;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo, or "unknown".
    pub cpu: String,
    /// Cores this process may run on.
    pub cores: usize,
    pub memory_gib: f64,
}

impl Machine {
    pub fn read() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
            })
            .unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                let kib = t.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().trim_end_matches("kB").trim();
                kib.parse::<f64>().ok()
            })
            .map_or(0.0, |kib| kib / (1024.0 * 1024.0));
        Machine { cpu, cores, memory_gib }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} cores, {:.1} GiB", self.cpu, self.cores, self.memory_gib)
    }
}

/// The one-minute load average: how many processes wanted a core, on average.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Time the machine's cores spent busy and in all, since boot, in clock
/// ticks (the `cpu` line of /proc/stat): two looks give how busy it was.
pub fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> =
        stat.lines().next()?.strip_prefix("cpu ")?.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    let total: u64 = ticks.iter().take(8).sum();
    // idle and iowait
    let idle = ticks.get(3)? + ticks.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// Share of the machine's cores that were busy between two looks of [`cpu_ticks`].
pub fn busy_between(from: Option<(u64, u64)>, to: Option<(u64, u64)>) -> Option<f64> {
    let ((b0, t0), (b1, t1)) = (from?, to?);
    (t1 > t0).then(|| (b1.saturating_sub(b0)) as f64 / (t1 - t0) as f64)
}
