//! What a run tells people and tools: a line per check on the terminal,
//! JUnit XML for CI, and an HTML page with each call's SIP ladder.
//!
//! The ladder goes, a file per stage: captures → [`parse`] (SIP messages) →
//! [`correlate`] (one call per ladder, end to end across the calling site,
//! the operator and the far site) → [`attribute`] (the check that made it)
//! → [`layout`] → [`svg`], shown by [`html`].

mod attribute;
mod correlate;
pub mod html;
mod junit;
mod layout;
mod names;
mod parse;
mod svg;
mod text;

pub use junit::{junit, write_junit};
pub use text::{line, summary};
