//! What the library's logs (`tracing`) share. The program that uses the
//! library decides where they go and how much of them (`cargo xtask -v`).

use std::fmt;
use std::time::Instant;

/// Time since a step began, as logs show it (`took=12.3ms`, `took=1.2s`).
pub(crate) struct Took(pub Instant);

impl fmt::Display for Took {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1?}", self.0.elapsed())
    }
}
