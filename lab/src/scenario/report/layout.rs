//! Where a call's ladder puts things: a column per host, a row per message.
//! Pure geometry, in pixels; text is measured at a fixed width per character
//! (the picture uses a monospace font).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::correlate::Call;
use super::parse::SipMessage;
use crate::graph::host_name;
use crate::model::Lab;

/// A ladder longer than this is cut, saying how many messages were left out.
const MAX_ROWS: usize = 80;
const CHAR_W: usize = 7;
/// Left of the first column: each row's time.
pub const GUTTER: usize = 90;
pub const HEAD_H: usize = 40;
pub const ROW_H: usize = 26;
/// Arrow colours: requests, provisional, success, failure responses.
const COLORS: [&str; 4] = ["#2f6db3", "#777777", "#2e8b3a", "#c0392b"];

/// A call's ladder, laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    pub width: usize,
    pub height: usize,
    pub column_width: usize,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Messages left out at the end.
    pub cut: usize,
}

/// A host, with the lifeline below its box.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// `table1 IPBX`, or an address the lab does not know.
    pub name: String,
    /// Its addresses seen in the call, space separated.
    pub addresses: String,
    /// Centre of the column.
    pub x: usize,
}

/// A message: an arrow at height `y` from one column to another (or a loop
/// back when a host sends to itself, between two of its addresses).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub y: usize,
    pub from_x: usize,
    pub to_x: usize,
    /// `INVITE (SDP)`, `180 Ringing`.
    pub label: String,
    pub color: &'static str,
    /// Seconds since the call's first message.
    pub since_start: f64,
}

/// Lays out `call`, naming hosts from the lab's plan, columns in order of
/// appearance; an IPBX's two addresses are one column.
pub fn ladder(lab: &Lab, call: &Call) -> Ladder {
    let mut columns: Vec<(String, BTreeSet<Ipv4Addr>)> = Vec::new();
    let mut column_of = |ip: Ipv4Addr| -> usize {
        let name = host_name(lab, ip).unwrap_or_else(|| ip.to_string());
        match columns.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                columns[i].1.insert(ip);
                i
            }
            None => {
                columns.push((name, BTreeSet::from([ip])));
                columns.len() - 1
            }
        }
    };
    let shown = &call.messages[..call.messages.len().min(MAX_ROWS)];
    let arrows: Vec<(usize, usize, &SipMessage)> =
        shown.iter().map(|m| (column_of(*m.src.ip()), column_of(*m.dst.ip()), m)).collect();
    let columns: Vec<(String, String)> = columns
        .into_iter()
        .map(|(name, ips)| (name, ips.iter().map(Ipv4Addr::to_string).collect::<Vec<_>>().join(" ")))
        .collect();
    let widest_label = arrows.iter().map(|(_, _, m)| label(m).chars().count()).max().unwrap_or(0);
    let widest_head = columns.iter().map(|(n, ips)| n.chars().count().max(ips.len())).max().unwrap_or(0);
    let column_width = ((widest_label + 4).max(widest_head + 2) * CHAR_W).max(150);
    let x_of = |c: usize| GUTTER + column_width / 2 + c * column_width;
    let cut = call.messages.len() - shown.len();
    let t0 = call.start();
    Ladder {
        width: GUTTER + columns.len().max(2) * column_width,
        height: HEAD_H + 20 + arrows.len() * ROW_H + if cut > 0 { ROW_H } else { 10 },
        column_width,
        rows: arrows
            .iter()
            .enumerate()
            .map(|(i, (from, to, m))| Row {
                y: HEAD_H + 28 + i * ROW_H,
                from_x: x_of(*from),
                to_x: x_of(*to),
                label: label(m),
                color: color(m),
                since_start: m.time - t0,
            })
            .collect(),
        columns: columns
            .into_iter()
            .enumerate()
            .map(|(i, (name, addresses))| Column { name, addresses, x: x_of(i) })
            .collect(),
        cut,
    }
}

fn label(m: &SipMessage) -> String {
    if m.sdp {
        format!("{} (SDP)", m.label())
    } else {
        m.label()
    }
}

fn color(m: &SipMessage) -> &'static str {
    COLORS[match m.status() {
        None => 0,
        Some(100..=199) => 1,
        Some(200..=299) => 2,
        Some(_) => 3,
    }]
}
