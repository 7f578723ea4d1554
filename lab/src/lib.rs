//! A multi-site Asterisk teaching lab: a checked model of the sites, pure
//! generation of every config file, and the container runtime that runs them.

pub mod gen;
mod diagnostic;
pub mod model;
pub mod runtime;
pub mod secrets;
pub mod state;
pub mod status;
