//! A laid-out ladder as SVG, for the HTML report to show inline.

use maud::{html, Markup};

use super::layout::{Ladder, Row, HEAD_H};

/// The ladder as an SVG element: host boxes and lifelines, then an arrow
/// per message with its label and its time since the call's first message.
pub fn svg(l: &Ladder) -> Markup {
    let half = l.column_width / 2;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(l.width) height=(l.height)
            viewBox={ "0 0 " (l.width) " " (l.height) }
            font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12" {
            "\n"
            rect width=(l.width) height=(l.height) fill="#ffffff" {} "\n"
            @for c in &l.columns {
                rect x=(c.x - half + 6) y="4" width=(l.column_width - 12) height=(HEAD_H - 8) rx="5" fill="#dbe9f7" stroke="#444" {} "\n"
                text x=(c.x) y="19" text-anchor="middle" font-weight="bold" { (c.name) } "\n"
                text x=(c.x) y="32" text-anchor="middle" font-size="11" { (c.addresses) } "\n"
                line x1=(c.x) y1=(HEAD_H) x2=(c.x) y2=(l.height) stroke="#999" stroke-dasharray="3 3" {} "\n"
            }
            @for r in &l.rows {
                text x="4" y=(r.y) fill="#555" { (format!("+{:.3} s", r.since_start)) } "\n"
                (arrow(r))
            }
            @if l.cut > 0 {
                text x="4" y=(l.height - 8) { "… " (l.cut) " more message(s) in the capture" } "\n"
            }
        }
        "\n"
    }
}

fn arrow(r: &Row) -> Markup {
    let (x1, x2, y, color) = (r.from_x, r.to_x, r.y, r.color);
    html! {
        @if x1 == x2 {
            // Between two addresses of one host: a loop back to itself.
            path d={ "M " (x1) " " (y - 6) " h 30 v 10 h -24" } fill="none" stroke=(color) stroke-width="1.5" {} "\n"
            (head(x1, y + 4, true, color))
            text x=(x1 + 36) y=(y + 2) fill=(color) { (r.label) } "\n"
        } @else {
            line x1=(x1) y1=(y) x2=(x2) y2=(y) stroke=(color) stroke-width="1.5" {} "\n"
            (head(x2, y, x2 < x1, color))
            text x=((x1 + x2) / 2) y=(y - 5) text-anchor="middle" fill=(color) { (r.label) } "\n"
        }
    }
}

/// An arrowhead with its tip at (x, y), pointing left or right. Drawn as a
/// polygon rather than an SVG marker: marker ids would repeat across the many
/// ladders of one page, and markers inside collapsed sections may not render.
fn head(x: usize, y: usize, left: bool, color: &str) -> Markup {
    let back = if left { x + 9 } else { x.saturating_sub(9) };
    html! {
        polygon points={ (x) "," (y) " " (back) "," (y - 4) " " (back) "," (y + 4) } fill=(color) {} "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lab;
    use crate::scenario::pcap::build;
    use crate::scenario::report::correlate::calls;
    use crate::scenario::report::layout::ladder;
    use crate::scenario::report::parse::tests::{at, sip, T};

    /// table1/patron1 calls TM1: its leg on table1's LAN, the trunk leg
    /// (captured by both table1's IPBX and the operator, retransmitted once)
    /// and the operator's leg to the test phone, one ladder.
    #[test]
    fn the_ladder_names_hosts_from_the_lab() {
        let (phones, ipbx, ipbx_backbone, operator, test_phones) =
            (at([172, 28, 1, 10]), at([172, 28, 1, 2]), at([172, 28, 0, 11]), at([172, 28, 0, 2]), at([172, 28, 0, 3]));
        let invite = sip("INVITE sip:0212345677@172.28.1.2 SIP/2.0", "leg1", "1 INVITE", "patron1", "0212345677");
        let ringing = sip("SIP/2.0 180 Ringing", "leg1", "1 INVITE", "patron1", "0212345677");
        let trunk = sip("INVITE sip:0212345677@172.28.0.2 SIP/2.0", "leg2", "5 INVITE", "0320000111", "0212345677");
        let trunk_ringing = sip("SIP/2.0 180 Ringing", "leg2", "5 INVITE", "0320000111", "0212345677");
        let tm = sip("INVITE sip:tm1-0x7f@172.28.0.3 SIP/2.0", "leg3", "2 INVITE", "0320000111", "tm1");
        let tm_ringing = sip("SIP/2.0 180 Ringing", "leg3", "2 INVITE", "0320000111", "tm1");
        let register = sip("REGISTER sip:172.28.0.2 SIP/2.0", "reg", "9 REGISTER", "table1", "table1");
        let table1 = build(&[
            (T + 1.0, phones, ipbx, &invite),
            (T + 1.01, ipbx_backbone, operator, &trunk),
            (T + 1.2, operator, ipbx_backbone, &trunk_ringing),
            (T + 1.21, ipbx, phones, &ringing),
            (T + 1.5, ipbx_backbone, operator, &trunk), // retransmission
            (T + 2.0, ipbx_backbone, operator, &register),
        ]);
        let operator = build(&[
            (T + 1.0101, ipbx_backbone, operator, &trunk),
            (T + 1.02, operator, test_phones, &tm),
            (T + 1.19, test_phones, operator, &tm_ringing),
            (T + 1.1999, operator, ipbx_backbone, &trunk_ringing),
        ]);
        let lab = Lab::sae();
        let calls = calls(&lab, &[table1, operator]);
        assert_eq!(calls.len(), 1);
        let svg = svg(&ladder(&lab, &calls[0])).into_string();
        assert_eq!(crate::xml::well_formed(&svg), Ok(()));
        insta::assert_snapshot!(svg);
    }
}
