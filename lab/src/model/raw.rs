//! The lab file as written: serde schema with spans, before any check.
//!
//! Unknown keys are not rejected by serde here: they are collected all at once
//! by `serde_ignored` so that every one of them is reported with its place.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
pub struct RawLab {
    pub name: Spanned<String>,
    #[serde(default)]
    pub numbering: Option<RawNumbering>,
    #[serde(default)]
    pub network: Option<RawNetwork>,
    #[serde(default)]
    pub defaults: Option<RawDefaults>,
    #[serde(default)]
    pub roles: Vec<RawRole>,
    #[serde(default)]
    pub sites: Vec<RawSite>,
    #[serde(default)]
    pub operator: Option<RawOperator>,
    #[serde(default)]
    pub voicemail: Option<RawVoicemail>,
    #[serde(default)]
    pub host: Option<RawHost>,
    #[serde(default)]
    pub deploy: Option<RawDeploy>,
}

#[derive(Debug, Deserialize)]
pub struct RawDeploy {
    pub engine: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawHost {
    pub bind: Option<Spanned<String>>,
    pub sip_port: Option<Spanned<i64>>,
    pub rtp_port: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawVoicemail {
    pub ring_seconds: Option<Spanned<i64>>,
    pub pin: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawNumbering {
    pub public_prefix: Option<Spanned<String>>,
    pub intersite_prefix: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawNetwork {
    pub subnet: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawDefaults {
    pub cabinets: Option<Spanned<i64>>,
    pub password: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawRole {
    pub digit: Spanned<i64>,
    pub name: Spanned<String>,
    pub label: Option<Spanned<String>>,
    pub device: Option<Spanned<String>>,
    pub pickup: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct RawSite {
    pub index: Spanned<i64>,
    pub name: Option<Spanned<String>>,
    pub cabinets: Option<Spanned<i64>>,
    pub password: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawOperator {
    pub password: Option<Spanned<String>>,
    #[serde(default)]
    pub test_phones: Vec<RawTestPhone>,
}

#[derive(Debug, Deserialize)]
pub struct RawTestPhone {
    pub name: Spanned<String>,
    pub number: Spanned<String>,
    pub password: Option<Spanned<String>>,
}
