//! How long operations report what they are doing, without printing themselves.

pub trait Progress: Send + Sync {
    /// A new phase of the work ("building image ...").
    fn step(&self, message: &str);
    /// A line of output from inside the current phase (build log, apt).
    fn detail(&self, line: &str);
}

/// Reports nothing; for tests and tools.
pub struct Silent;

impl Progress for Silent {
    fn step(&self, _: &str) {}
    fn detail(&self, _: &str) {}
}
