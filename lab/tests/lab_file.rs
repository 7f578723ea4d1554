//! The lab file is checked at the edge: every error at once, with file, line, column and key.

use lab::model::{Diagnostics, Lab};

fn errors(text: &str) -> String {
    let err: Diagnostics = Lab::parse("bad.toml", text).expect_err("the file is invalid");
    err.to_string()
}

#[test]
fn default_lab_has_four_sites_of_24_phones_and_two_test_phones() {
    let lab = Lab::sae();
    assert_eq!(lab.sites.len(), 4);
    assert_eq!(lab.phone_count(), 96);
    let t2 = lab.site("table2").expect("table2 exists");
    let sec1 = t2.phones.iter().find(|p| p.extension == "13").expect("extension 13");
    assert_eq!(sec1.account, "secretaire1");
    assert_eq!(t2.public_number(&lab.numbering, "13"), "0320000213");
    assert_eq!(t2.intersite_number(&lab.numbering, "13"), "*213");
    let numbers: Vec<_> = lab.operator.test_phones.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["0212345677", "0212345678"]);
}

#[test]
fn unknown_keys_are_all_reported_with_their_place() {
    let text = "name = \"x\"\ncolour = 1\n[[sites]]\nindex = 1\ncabinetz = 3\n";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn semantic_errors_are_reported_together() {
    let text = r#"name = "two"

[[roles]]
digit = 1
name = "patron"

[[roles]]
digit = 1
name = "assistant"

[[sites]]
index = 1

[[sites]]
index = 100

[[sites]]
index = 1
cabinets = 0
"#;
    insta::assert_snapshot!(errors(text));
}

#[test]
fn broken_toml_names_the_line() {
    insta::assert_snapshot!(errors("name = \"x\"\n[[sites]\nindex = 1\n"));
}

#[test]
fn wrong_type_names_the_key() {
    insta::assert_snapshot!(errors("name = \"x\"\n[[sites]]\nindex = \"one\"\n"));
}

#[test]
fn values_of_the_wrong_type_are_all_reported() {
    let text =
        "name = \"x\"\n[network]\nsubnet = 16\n[[sites]]\nindex = 1\ncabinets = \"two\"\n[[sites]]\nindex = [2]\n";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn a_small_lab_file_keeps_the_defaults() {
    let lab = Lab::parse(
        "small.toml",
        "name = \"duo\"\n[defaults]\ncabinets = 1\npassword = \"toto\"\n[[sites]]\nindex = 1\n[[sites]]\nindex = 2\nname = \"annexe\"\n",
    )
    .expect("valid");
    assert_eq!(lab.sites.len(), 2);
    assert_eq!(lab.sites[1].name, "annexe");
    assert_eq!(lab.phone_count(), 6);
    assert_eq!(lab.sites[0].password.as_deref(), Some("toto"));
    assert_eq!(lab.operator.test_phones.len(), 2);
}

/// The sixteen-table lab shipped beside the SAE's.
fn classroom16() -> Lab {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("classroom16.toml");
    Lab::load(&path).expect("lab/classroom16.toml is valid")
}

/// A lab of `sites` sites of 8 cabinets, with `extra` appended (a `[host]` table…).
fn sites(sites: u8, extra: &str) -> String {
    let list: String = (1..=sites).map(|i| format!("[[sites]]\nindex = {i}\n")).collect();
    format!("name = \"many\"\n{extra}\n{list}")
}

#[test]
fn past_nine_sites_every_site_number_has_two_digits_and_public_numbers_ten() {
    let lab = classroom16();
    assert_eq!((lab.sites.len(), lab.phone_count()), (16, 384));
    let n = &lab.numbering;
    let t2 = lab.site("table2").expect("table2");
    let t16 = lab.site("table16").expect("table16");
    assert_eq!(t2.intersite_number(n, "13"), "*0213");
    assert_eq!(t16.intersite_number(n, "13"), "*1613");
    assert_eq!(t2.public_number(n, "13"), "0320000213", "the SAE's public number, still");
    assert_eq!(t16.public_number(n, "13"), "0320001613");
    let mut numbers = std::collections::BTreeSet::new();
    for site in &lab.sites {
        for p in &site.phones {
            let public = site.public_number(n, &p.number);
            assert_eq!(public.len(), 10, "{public}");
            assert!(numbers.insert(public.clone()), "{public} twice");
            assert!(numbers.insert(site.intersite_number(n, &p.number)));
        }
    }
    // Up to nine sites, nothing changes: the SAE's plan.
    let nine = Lab::parse("nine.toml", &sites(9, "")).expect("valid");
    assert_eq!(nine.site("table9").unwrap().intersite_number(&nine.numbering, "13"), "*913");
    assert_eq!(nine.numbering.public_prefix, "0320000");
}

#[test]
fn thirty_two_sites_get_their_own_subnets_addresses_and_ports() {
    for lab in [
        classroom16(),
        Lab::parse("32.toml", &sites(32, "")).expect("valid"),
        Lab::parse("32.toml", &sites(32, "[host]\nsip_port = 17000\nrtp_port = 2000\n")).expect("valid"),
    ] {
        let net = &lab.network;
        let mut seen = std::collections::BTreeSet::new();
        for s in &lab.sites {
            for addr in [net.site_subnet(s.index), net.ipbx_backbone(s.index).to_string()] {
                assert!(seen.insert(addr.clone()), "{addr} twice in {}", lab.name);
            }
            assert!(net.site_subnet(s.index) != net.backbone_subnet());
        }
        let mut ports = std::collections::BTreeSet::new();
        for s in &lab.sites {
            let p = s.host_ports;
            assert!(ports.insert(p.sip), "SIP {} twice", p.sip);
            for rtp in p.rtp.ports() {
                assert!(ports.insert(rtp), "{rtp} twice");
            }
            assert!(!p.rtp.contains(lab::model::ports::SIP), "{}: RTP {} holds SIP 5060", s.name, p.rtp);
        }
    }
}

#[test]
fn a_seven_digit_public_prefix_is_refused_once_sites_have_two_digits() {
    let text = sites(12, "[numbering]\npublic_prefix = \"0320000\"\n");
    insta::assert_snapshot!(errors(&text));
    let lab = Lab::parse("ok.toml", &sites(12, "[numbering]\npublic_prefix = \"044000\"\n")).expect("valid");
    assert_eq!(lab.site("table12").unwrap().public_number(&lab.numbering, "13"), "0440001213");
}

#[test]
fn host_ports_must_fit_every_site_and_stay_apart() {
    // 32 sites: RTP up to rtp_port + 3259 (room of 3300), SIP up to sip_port + 32.
    insta::assert_snapshot!(errors(&sites(32, "[host]\nsip_port = 65510\nrtp_port = 63000\n")));
    // SIP on 5091..=5106 would fall in table11's RTP ports, 5100-5159.
    insta::assert_snapshot!(errors(&sites(16, "[host]\nsip_port = 5090\nrtp_port = 4000\n")));
}

#[test]
fn the_classroom_across_machines_runs_on_the_swarm_with_the_sae_numbering() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("classroom-swarm.toml");
    let lab = Lab::load(&path).expect("lab/classroom-swarm.toml is valid");
    assert_eq!(lab.deploy, lab::model::Deploy::Swarm);
    assert_eq!((lab.sites.len(), lab.phone_count()), (8, 192));
    let t3 = lab.site("table3").expect("table3");
    assert_eq!(t3.intersite_number(&lab.numbering, "13"), "*313");
    assert_eq!(Lab::sae().deploy, lab::model::Deploy::Docker, "one machine unless a lab file says otherwise");
}

#[test]
fn an_unknown_engine_is_named_with_its_place_and_the_choices() {
    let text = "name = \"x\"\n[deploy]\nengine = \"kubernetes\"\nnodes = 3\n[[sites]]\nindex = 1\n";
    let err = errors(text);
    assert!(err.contains("bad.toml:3:10"), "{err}");
    assert!(err.contains("`deploy.engine`: unknown engine \"kubernetes\""), "{err}");
    assert!(err.contains("\"swarm\" on the nodes of the swarm"), "{err}");
    assert!(err.contains("`deploy.nodes`: unknown key") && err.contains("bad.toml:4:1"), "{err}");
}
