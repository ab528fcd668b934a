//! A container's resource usage as the engine samples it (`stats`): the
//! raw counters, from which `compose::stats` computes percentages.

/// One sample of a container's counters; zero where the engine says
/// nothing (a stopped container).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsSample {
    /// CPU time used by the container, now and at the previous sample (ns).
    pub cpu_total: u64,
    pub precpu_total: u64,
    /// CPU time of the whole host, now and at the previous sample (ns).
    pub system_cpu: u64,
    pub presystem_cpu: u64,
    /// CPUs the container can use (the per-CPU list's length when the
    /// engine leaves it out).
    pub online_cpus: u32,
    /// Memory in use, its limit, and the inactive file cache to subtract
    /// from the use (as the docker CLI does), in bytes.
    pub mem_usage: u64,
    pub mem_limit: u64,
    pub mem_inactive_file: Option<u64>,
    /// Bytes received and sent over all networks.
    pub net_rx: u64,
    pub net_tx: u64,
    /// Bytes read and written on block devices.
    pub blk_read: u64,
    pub blk_write: u64,
    pub pids: u64,
}
