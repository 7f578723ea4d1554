//! A multi-site Asterisk teaching lab: a checked model of the sites, pure
//! generation of every config file, and the container runtime that runs them.

pub mod asterisk_conf;
pub mod diagnostic;
pub mod gen;
pub mod grade;
pub mod graph;
pub mod load;
mod logs;
pub mod model;
pub mod prompt;
pub mod runtime;
pub mod scenario;
pub mod secrets;
pub mod state;
pub mod status;
mod toml_file;
pub mod wait;
mod xml;
