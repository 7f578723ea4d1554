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
index = 12

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
