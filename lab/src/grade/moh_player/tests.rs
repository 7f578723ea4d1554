use super::*;

fn of(class: &str) -> Vec<MohFault> {
    let conf = Conf::parse(MOH_CONF, &format!("[hold]\nmode = custom\n{class}\n"));
    let mut findings = Vec::new();
    check(Some(&conf), &mut findings);
    match findings.as_slice() {
        [] => Vec::new(),
        [f] => match &f.problem {
            Problem::MohCommand { faults, .. } => faults.clone(),
            other => panic!("{other:?}"),
        },
        many => panic!("{many:?}"),
    }
}

const DIR: &str = "directory = /var/lib/asterisk/moh";

fn with_dir(application: &str) -> Vec<MohFault> {
    of(&format!("{DIR}\napplication = {application}"))
}

fn alone(application: &str) -> Vec<MohFault> {
    of(&format!("application = {application}"))
}

fn rate_missing() -> MohFault {
    MohFault::Rate { given: None, expected: 8000 }
}

#[test]
fn the_commands_asterisk_can_read_give_nothing() {
    assert_eq!(with_dir("/usr/bin/mpg123 -q -s -r 8000 -m"), []);
    assert_eq!(with_dir("/usr/bin/mpg123 -qs --mono -r 8000 -b 2048"), []);
    assert_eq!(with_dir("/usr/bin/madplay -a -12 --mono -R 8000 --output=raw:-"), []);
    assert_eq!(alone("/usr/bin/sox /var/lib/asterisk/moh/a.wav -q -t raw -r 8000 -c 1 -b 16 -e signed-integer -"), []);
    assert_eq!(alone("/usr/bin/sox /var/lib/asterisk/moh/a.mp3 -t sln -"), []);
    assert_eq!(alone("/usr/bin/sox -q /moh/a.wav -t raw -e signed -b 16 - rate -v 8k remix -"), []);
    assert_eq!(alone("/usr/bin/ffmpeg -loglevel quiet -i /moh/a.mp3 -f s16le -ar 8000 -ac 1 -"), []);
    assert_eq!(alone("/usr/local/bin/own-player --whatever"), [], "a program not known is left alone");
    assert_eq!(of("mode = files\napplication = /usr/bin/play"), [], "not custom: no program runs");
}

#[test]
fn the_sound_must_reach_the_standard_output() {
    assert_eq!(with_dir("/usr/bin/mpg123 -q -r 8000 --mono"), [MohFault::Output(Output::SoundCard)]);
    assert_eq!(
        with_dir("/usr/bin/mpg123 -q -w /tmp/moh.wav -r 8000 -m"),
        [MohFault::Output(Output::File("/tmp/moh.wav".into()))]
    );
    assert_eq!(with_dir("/usr/bin/madplay --mono -R 8000"), [MohFault::Output(Output::SoundCard)]);
    assert_eq!(alone("/usr/bin/play /moh/a.wav"), [MohFault::Output(Output::SoundCard)]);
    let faults = alone("/usr/bin/sox /moh/a.wav -r 8000 -c 1 /tmp/out.raw");
    assert_eq!(faults, [MohFault::Output(Output::File("/tmp/out.raw".into()))]);
    assert_eq!(alone("/usr/bin/sox /moh/a.wav -r 8000 -c 1 -d"), [MohFault::Output(Output::SoundCard)]);
}

#[test]
fn rate_channels_and_format_are_asterisks() {
    assert_eq!(with_dir("/usr/bin/mpg123 -q -s -m"), [rate_missing()]);
    assert_eq!(
        with_dir("/usr/bin/mpg123 -q -s -r 44100"),
        [MohFault::Rate { given: Some(44100), expected: 8000 }, MohFault::Channels { given: None }]
    );
    assert_eq!(with_dir("/usr/bin/mpg123 -q -w - -r 8000 -m"), [MohFault::Encoding { given: Some("WAV".into()) }]);
    assert_eq!(alone("/usr/bin/sox /moh/a.wav -q -t raw -c 1 -"), [rate_missing()]);
    assert_eq!(alone("/usr/bin/sox /moh/a.wav -r 8000 -c 1 -"), [MohFault::Encoding { given: None }]);
    assert_eq!(
        alone("/usr/bin/sox /moh/a.wav -t wav -r 8000 -c 1 -"),
        [MohFault::Encoding { given: Some("wav".into()) }]
    );
    assert_eq!(
        alone("/usr/bin/sox /moh/a.wav -t raw -r 8000 -b 8 -c 1 -"),
        [MohFault::Encoding { given: Some("8-bit".into()) }]
    );
    assert_eq!(
        alone("/usr/bin/sox /moh/a.wav -t raw -r 8000 -c 2 -"),
        [MohFault::Channels { given: Some("2".into()) }]
    );
    assert_eq!(
        alone("/usr/bin/ffmpeg -i /moh/a.mp3 -f wav -ar 8000 -ac 1 -"),
        [MohFault::Encoding { given: Some("wav".into()) }]
    );
    let wide = of("format = slin16\napplication = /usr/bin/sox /moh/a.wav -t raw -r 8000 -c 1 -");
    assert_eq!(wide, [MohFault::Rate { given: Some(8000), expected: 16000 }]);
}

#[test]
fn options_the_program_does_not_have_stop_it() {
    let unknown = |o: &str| MohFault::UnknownOption { option: o.into() };
    assert_eq!(with_dir("/usr/bin/mpg123 -q -s -r 8000 -m -x"), [unknown("-x")]);
    // mpg123 reads no `--name=value`.
    assert_eq!(with_dir("/usr/bin/mpg123 -q -s --rate=8000 -m"), [unknown("--rate=8000"), rate_missing()]);
    assert_eq!(with_dir("/usr/bin/madplay -o raw:- -R 8000 -m --loud"), [unknown("--loud")]);
    assert_eq!(alone("/usr/bin/sox /moh/a.wav -t raw -r 8000 -c 1 -k -"), [unknown("-k")]);
}

#[test]
fn the_sae_reports_player_is_read_as_madplay_reads_it() {
    let faults = with_dir("/usr/bin/madplay -a -12 --mono -R 800 -output=raw:-");
    let one_dash = MohFault::OneDash { written: "-output=raw:-".into(), meant: "--output=raw:-".into() };
    assert_eq!(faults, [one_dash, MohFault::Rate { given: Some(800), expected: 8000 }]);
}

#[test]
fn asterisk_runs_no_shell_and_cuts_at_each_space() {
    assert_eq!(with_dir("mpg123 -q -s -r 8000 -m"), [MohFault::NoPath { program: "mpg123".into() }]);
    assert_eq!(with_dir("/usr/bin/mpg123 -q  -s -r 8000 -m"), [MohFault::EmptyArgument]);
    assert_eq!(alone("/usr/bin/mpg123 -q -s -r 8000 -m /moh/*.mp3"), [MohFault::Shell { token: "/moh/*.mp3".into() }]);
    assert_eq!(with_dir("/usr/bin/madplay -o \"raw:-\" -R 8000 -m")[0], MohFault::Quotes);
    assert_eq!(
        with_dir("/usr/bin/mpg123 -q -s -r 8000 -m 2>/dev/null")[0],
        MohFault::Shell { token: "2>/dev/null".into() }
    );
}

#[test]
fn files_come_from_the_command_or_the_directory() {
    assert_eq!(alone("/usr/bin/mpg123 -q -s -r 8000 -m"), [MohFault::NoInput]);
    assert_eq!(alone("/usr/bin/mpg123 -q -s -r 8000 -m /moh/a.mp3"), []);
    assert_eq!(alone("/usr/bin/sox -t raw -r 8000 -c 1 -"), [MohFault::NoInput]);
    assert_eq!(with_dir("/usr/bin/sox /moh/a.wav -t raw -r 8000 -c 1 -"), [MohFault::FilesAppended]);
}

#[test]
fn the_finding_says_what_to_write() {
    let conf = Conf::parse(MOH_CONF, "[hold]\nmode = custom\napplication = /usr/bin/sox /moh/a.wav -r 8000 -\n");
    let mut findings = Vec::new();
    check(Some(&conf), &mut findings);
    let en = findings[0].message(crate::grade::Lang::En);
    assert!(
        en.contains("application = /usr/bin/sox /moh/a.wav -q -t raw -r 8000 -c 1 -b 16 -e signed-integer -"),
        "{en}"
    );
    assert_eq!(findings[0].at.line, 3);
    assert_ne!(findings[0].message(crate::grade::Lang::Fr), en);
}
