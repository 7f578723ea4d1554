//! The lab as a picture: an SVG of its networks, boxes, addresses and trunks,
//! drawn from the checked model alone.
//!
//! The SVG is written by hand with a fixed layout (no Graphviz), so the same
//! lab always gives the same bytes, the picture can be golden-tested, and a
//! report embedding it needs nothing installed to be viewed.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use crate::gen::OPERATOR;
use crate::model::{Lab, Site};
use crate::runtime::topology::{container_name, Kind};
use crate::xml::esc;

/// A box of the lab that has addresses, as pictures and SIP ladders name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// `table1 IPBX`, `table1 phones`, `operator`, `test phones`, `mail`.
    pub name: String,
    pub container: String,
    /// Backbone first for an IPBX, then its LAN.
    pub addresses: Vec<Ipv4Addr>,
}

/// Every addressed box of the lab, in drawing order: operator, its test
/// phones, mail, then each site's IPBX and phones.
pub fn hosts(lab: &Lab) -> Vec<Host> {
    let net = &lab.network;
    let host = |name: String, kind: Kind, addresses: Vec<Ipv4Addr>| Host {
        name,
        container: container_name(lab, &kind),
        addresses,
    };
    let mut out = vec![
        host(OPERATOR.into(), Kind::Operator, vec![net.operator()]),
        host("test phones".into(), Kind::OperatorPhones, vec![net.operator_phones()]),
        host("mail".into(), Kind::Mail, vec![net.mail()]),
    ];
    for s in &lab.sites {
        out.push(host(
            format!("{} IPBX", s.name),
            Kind::Ipbx { site: s.name.clone() },
            vec![net.ipbx_backbone(s.index), net.ipbx_lan(s.index)],
        ));
        out.push(host(
            format!("{} phones", s.name),
            Kind::Phones { site: s.name.clone() },
            vec![net.site_phones(s.index)],
        ));
    }
    out
}

/// The name of the box at `ip`; Docker's gateways are the host machine (a
/// student's softphone reaches the lab through a published port).
pub fn host_name(lab: &Lab, ip: Ipv4Addr) -> Option<String> {
    if let Some(h) = hosts(lab).into_iter().find(|h| h.addresses.contains(&ip)) {
        return Some(h.name);
    }
    let net = &lab.network;
    if ip == net.backbone_gateway() {
        return Some("host (backbone gw)".into());
    }
    lab.sites.iter().find(|s| net.site_gateway(s.index) == ip).map(|s| format!("host ({} gw)", s.name))
}

// Layout, in pixels. Text is measured at a fixed width per character (the
// picture uses a monospace font so this holds in every browser).
const MARGIN: u32 = 20;
const CHAR_W: u32 = 8;
const LINE_H: u32 = 16;
const PAD: u32 = 8;
const GAP: u32 = 24;

/// A box: a bold first line, then plain lines.
struct Card {
    lines: Vec<String>,
    fill: &'static str,
}

impl Card {
    fn width(&self) -> u32 {
        self.lines.iter().map(|l| l.chars().count() as u32).max().unwrap_or(0) * CHAR_W + 2 * PAD
    }

    fn height(&self) -> u32 {
        self.lines.len() as u32 * LINE_H + 2 * PAD - 4
    }

    fn draw(&self, svg: &mut String, x: u32, y: u32, w: u32, h: u32) {
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{}" stroke="#444"/>"##,
            self.fill
        );
        for (i, l) in self.lines.iter().enumerate() {
            let weight = if i == 0 { r#" font-weight="bold""# } else { "" };
            let ty = y + PAD + 8 + i as u32 * LINE_H;
            // SVG collapses runs of spaces; no-break spaces keep the columns.
            let l = l.replace("  ", "\u{a0}\u{a0}");
            let _ = writeln!(svg, r#"<text x="{}" y="{ty}"{weight}>{}</text>"#, x + PAD, esc(&l));
        }
    }
}

/// The lab's topology as a standalone SVG document.
pub fn svg(lab: &Lab) -> String {
    let net = &lab.network;
    let operator = Card {
        lines: vec![
            "operator (Asterisk)".into(),
            format!("{} · {}", container_name(lab, &Kind::Operator), net.operator()),
            format!("{} site trunk(s) register here", lab.sites.len()),
        ],
        fill: "#fde2cf",
    };
    let mut tm = vec![
        "operator's test phones".into(),
        format!("{} · {}", container_name(lab, &Kind::OperatorPhones), net.operator_phones()),
    ];
    tm.extend(lab.operator.test_phones.iter().map(|t| format!("{} {} ({})", t.name, t.number, t.account)));
    let test_phones = Card { lines: tm, fill: "#e3f4e1" };
    let mail = Card {
        lines: vec![
            "mail (OpenSMTPD)".into(),
            format!("{} · {}", container_name(lab, &Kind::Mail), net.mail()),
            "voicemail to e-mail".into(),
        ],
        fill: "#efe3f7",
    };
    let ipbxs: Vec<Card> = lab.sites.iter().map(|s| ipbx_card(lab, s)).collect();
    let phones: Vec<Card> = lab.sites.iter().map(|s| phones_card(lab, s)).collect();

    let col_w = ipbxs.iter().chain(&phones).map(Card::width).max().unwrap_or(0).max(240);
    let n = lab.sites.len() as u32;
    let top = [&operator, &test_phones, &mail];
    let top_w: u32 = top.iter().map(|c| c.width()).sum::<u32>() + 2 * GAP;
    let sites_w = n * col_w + n.saturating_sub(1) * GAP;
    let width = 2 * MARGIN + sites_w.max(top_w);

    let top_y = 50;
    let top_h = top.iter().map(|c| c.height()).max().unwrap_or(0);
    let backbone_y = top_y + top_h + 50;
    let ipbx_y = backbone_y + 40;
    let ipbx_h = ipbxs.iter().map(Card::height).max().unwrap_or(0);
    let lan_y = ipbx_y + ipbx_h + 36;
    let phones_y = lan_y + 30;
    let phones_h = phones.iter().map(Card::height).max().unwrap_or(0);
    let legend_y = phones_y + phones_h + 30;
    let height = legend_y + 12;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">"#
    );
    let _ = writeln!(svg, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="28" font-size="16" font-weight="bold">lab {} · {}</text>"#,
        esc(&lab.name),
        esc(&net.subnet())
    );

    // Top row: operator, its phones and the mail server, each on the backbone.
    let mut x = MARGIN + (width - 2 * MARGIN - top_w) / 2;
    let mut operator_box = (0, 0);
    for (i, card) in top.iter().enumerate() {
        let w = card.width();
        card.draw(&mut svg, x, top_y, w, top_h);
        link(&mut svg, x + w / 2, top_y + top_h, backbone_y);
        if i == 0 {
            operator_box = (x, w);
        }
        x += w + GAP;
    }
    let _ = writeln!(
        svg,
        r##"<line x1="{MARGIN}" y1="{backbone_y}" x2="{}" y2="{backbone_y}" stroke="#333" stroke-width="6"/>"##,
        width - MARGIN
    );

    let sites_x = MARGIN + (width - 2 * MARGIN - sites_w) / 2;
    for (i, site) in lab.sites.iter().enumerate() {
        let x = sites_x + i as u32 * (col_w + GAP);
        let cx = x + col_w / 2;
        link(&mut svg, cx, backbone_y, ipbx_y);
        ipbxs[i].draw(&mut svg, x, ipbx_y, col_w, ipbx_h);
        // The trunk: a SIP registration from the IPBX to the operator, over the backbone.
        let (ox, ow) = operator_box;
        let tx = ox + ow * (i as u32 + 1) / (n + 1);
        let _ = writeln!(
            svg,
            r##"<path d="M {} {ipbx_y} C {} {}, {tx} {}, {tx} {}" fill="none" stroke="#c0504d" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
            cx + 30,
            cx + 30,
            ipbx_y - 40,
            top_y + top_h + 40,
            top_y + top_h
        );
        link(&mut svg, cx, ipbx_y + ipbx_h, lan_y);
        let _ = writeln!(
            svg,
            r##"<line x1="{x}" y1="{lan_y}" x2="{}" y2="{lan_y}" stroke="#2f6db3" stroke-width="4"/>"##,
            x + col_w
        );
        let label = format!("LAN {} · gw {}", net.site_subnet(site.index), net.site_gateway(site.index));
        blank(&mut svg, x + 2, lan_y - 6, &label);
        let _ = writeln!(svg, r##"<text x="{}" y="{}" fill="#2f6db3">{}</text>"##, x + 2, lan_y - 6, esc(&label));
        link(&mut svg, cx, lan_y, phones_y);
        phones[i].draw(&mut svg, x, phones_y, col_w, phones_h);
    }
    // Labelled last, over the links and trunks that cross it.
    let label = format!("backbone {} · gateway {}", net.backbone_subnet(), net.backbone_gateway());
    blank(&mut svg, MARGIN, backbone_y + 20, &label);
    let _ = writeln!(svg, r#"<text x="{MARGIN}" y="{}" font-weight="bold">{}</text>"#, backbone_y + 20, esc(&label));
    let _ = writeln!(
        svg,
        r##"<line x1="{MARGIN}" y1="{}" x2="{}" y2="{}" stroke="#c0504d" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
        legend_y - 4,
        MARGIN + 40,
        legend_y - 4
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{legend_y}">SIP trunk: the IPBX registers to the operator (account = site name); thick lines are networks</text>"#,
        MARGIN + 48
    );
    svg.push_str("</svg>\n");
    svg
}

fn link(svg: &mut String, x: u32, y1: u32, y2: u32) {
    let _ = writeln!(svg, r##"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#444" stroke-width="1.5"/>"##);
}

/// A white background under a label that lines cross.
fn blank(svg: &mut String, x: u32, baseline: u32, text: &str) {
    let w = text.chars().count() as u32 * CHAR_W;
    let _ = writeln!(svg, r##"<rect x="{x}" y="{}" width="{w}" height="15" fill="#ffffff"/>"##, baseline - 11);
}

fn ipbx_card(lab: &Lab, site: &Site) -> Card {
    let net = &lab.network;
    Card {
        lines: vec![
            format!("{} IPBX (Asterisk)", site.name),
            container_name(lab, &Kind::Ipbx { site: site.name.clone() }),
            format!("backbone {}", net.ipbx_backbone(site.index)),
            format!("LAN      {}", net.ipbx_lan(site.index)),
            format!("trunk '{}' to {}", site.trunk_account(), net.operator()),
        ],
        fill: "#dbe9f7",
    }
}

/// The site's phones summarised by role: accounts, extensions, numbers.
fn phones_card(lab: &Lab, site: &Site) -> Card {
    let mut lines = vec![
        format!("{} phones (baresip)", site.name),
        format!(
            "{} · {}",
            container_name(lab, &Kind::Phones { site: site.name.clone() }),
            lab.network.site_phones(site.index)
        ),
    ];
    lines.push(format!("{} phones:", site.phones.len()));
    let by_role: Vec<(String, Vec<&str>)> = lab
        .roles
        .iter()
        .map(|r| {
            let exts = site.phones.iter().filter(|p| p.role.name == r.name).map(|p| p.extension.as_str()).collect();
            (format!("{}1..{}", r.name, site.cabinets), exts)
        })
        .filter(|(_, exts): &(String, Vec<&str>)| !exts.is_empty())
        .collect();
    let pad = by_role.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, exts) in &by_role {
        let (first, last) = (exts.first().unwrap_or(&""), exts.last().unwrap_or(&""));
        lines.push(format!("  {name:pad$}  ext {first}..{last}"));
    }
    let mut exts: Vec<&str> = site.phones.iter().map(|p| p.extension.as_str()).collect();
    exts.sort_by_key(|e| (e.len(), *e));
    if let (Some(first), Some(last)) = (exts.first(), exts.last()) {
        lines.push(format!(
            "public    {}..{}",
            site.public_number(&lab.numbering, first),
            site.public_number(&lab.numbering, last)
        ));
        lines.push(format!(
            "intersite {}..{}",
            site.intersite_number(&lab.numbering, first),
            site.intersite_number(&lab.numbering, last)
        ));
    }
    Card { lines, fill: "#e3f4e1" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sae_lab_picture() {
        let svg = svg(&Lab::sae());
        assert_eq!(crate::xml::well_formed(&svg), Ok(()));
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn addresses_name_their_box() {
        let lab = Lab::sae();
        let name = |ip: [u8; 4]| host_name(&lab, Ipv4Addr::from(ip));
        assert_eq!(name([172, 28, 0, 2]).as_deref(), Some("operator"));
        assert_eq!(name([172, 28, 0, 11]).as_deref(), Some("table1 IPBX"));
        assert_eq!(name([172, 28, 1, 2]).as_deref(), Some("table1 IPBX"));
        assert_eq!(name([172, 28, 2, 10]).as_deref(), Some("table2 phones"));
        assert_eq!(name([172, 28, 3, 1]).as_deref(), Some("host (table3 gw)"));
        assert_eq!(name([10, 0, 0, 1]), None);
    }
}
