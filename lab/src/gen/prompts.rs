//! A site's own prompts, as in the SAE: dialling 560 records a message that
//! becomes the site's music on hold and its pre-answer message; `lab prompt`
//! installs one from a sound file instead.
//!
//! They live on the site's volume (they survive restarts), one file per use,
//! played by absolute path. Until one is recorded or installed, each is the
//! lab's shipped tone: the IPBX image copies `lab-sounds/prompts/` of the
//! config onto the volume for any file missing there when it starts.

use super::sounds;
use crate::model::Site;

/// Where a site's prompts live, on its `/var/lib/asterisk` volume.
pub const DIR: &str = "/var/lib/asterisk/prompts";
/// What a site's phones dial to record the site's prompt.
pub const RECORD: &str = "560";
/// The last recording made on [`RECORD`], under [`DIR`].
pub const RECORDED: &str = "recorded.wav";
/// The longest prompt: as long as [`RECORD`] records.
pub const MAX_SECONDS: u32 = 600;
/// Folder, under the site's config, of the shipped prompts the image seeds from.
pub const SHIPPED_DIR: &str = "lab-sounds/prompts";

/// The folder of the site's music on hold class: it plays every file there (one).
pub fn hold_dir() -> String {
    format!("{DIR}/hold")
}

/// One use of a site's prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    Hold,
    PreAnswer,
}

impl Use {
    /// The file Asterisk plays for this use, under [`DIR`].
    pub fn file(self) -> &'static str {
        match self {
            Use::Hold => "hold/prompt.wav",
            Use::PreAnswer => "pre-answer.wav",
        }
    }

    /// The file's full path in the IPBX.
    pub fn path(self) -> String {
        format!("{DIR}/{}", self.file())
    }

    /// The shipped prompt, as a path under the site's config folder.
    pub fn shipped(self) -> String {
        format!("{SHIPPED_DIR}/{}", self.file())
    }

    pub fn label(self) -> &'static str {
        match self {
            Use::Hold => "music on hold",
            Use::PreAnswer => "pre-answer message",
        }
    }

    /// A shell command that puts `source` in place of this use's file under
    /// `dir`, at once (a copy beside it, then renamed): a call playing it
    /// meanwhile keeps the old one.
    pub fn install_command(self, dir: &str, source: &str) -> String {
        let tmp = format!("{dir}/.{}.tmp", self.file().replace('/', "-"));
        format!("cp {source} {tmp} && mv -f {tmp} {dir}/{}", self.file())
    }
}

/// The shipped prompts of a site: path under its config folder and bytes.
pub fn shipped(site: &Site) -> Vec<(String, Vec<u8>)> {
    vec![
        (Use::Hold.shipped(), sounds::tone_wav(sounds::moh_hz(site), sounds::MOH_SECONDS)),
        (Use::PreAnswer.shipped(), sounds::tone_wav(sounds::WELCOME_HZ, sounds::WELCOME_SECONDS)),
    ]
}

/// The dialplan of [`RECORD`], for the site's phones; `${PROMPTS}` is [`DIR`].
pub fn record_context() -> String {
    let recorded = format!("${{PROMPTS}}/{RECORDED}");
    format!(
        "\n; {RECORD}: record the site's own prompt. Speak after the beep, # ends; the\n\
         ; recording becomes at once the music on hold and the pre-answer message of\n\
         ; trunk callers (on the site's volume, kept across restarts), even when the\n\
         ; caller hangs up right after #. It is played back, then: 1 done, 2 listen\n\
         ; again, 3 record again.\n[own-prompts]\n\
         exten => {RECORD},1,Answer()\n \
         same => n,Set(CHANNEL(hangup_handler_push)=own-prompt-install,s,1)\n \
         same => n(record),Set(INSTALLED=)\n \
         same => n,Record({recorded},0,{MAX_SECONDS})\n \
         same => n,Gosub(own-prompt-install,s,1)\n \
         same => n,GotoIf($[\"${{INSTALLED}}\" != \"yes\"]?done)\n \
         same => n(listen),Playback({played})\n \
         same => n,Read(CHOICE,vm-review,1,,1,5)\n \
         same => n,GotoIf($[\"${{CHOICE}}\" = \"2\"]?listen)\n \
         same => n,GotoIf($[\"${{CHOICE}}\" = \"3\"]?record)\n \
         same => n(done),Hangup()\n\n\
         ; A take ended by # (or by its {MAX_SECONDS} s limit) replaces both prompts, once:\n\
         ; right after it, or on hangup if the caller hung up first.\n[own-prompt-install]\n\
         exten => s,1,GotoIf($[\"${{INSTALLED}}\" = \"yes\" | (\"${{RECORD_STATUS}}\" != \"DTMF\" & \"${{RECORD_STATUS}}\" != \"TIMEOUT\")]?end)\n \
         same => n,System({hold})\n \
         same => n,System({pre_answer})\n \
         same => n,Set(INSTALLED=yes)\n \
         same => n(end),Return()\n",
        hold = Use::Hold.install_command("${PROMPTS}", &recorded),
        pre_answer = Use::PreAnswer.install_command("${PROMPTS}", &recorded),
        played = recorded.trim_end_matches(".wav"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_use_has_its_file_and_its_shipped_seed() {
        assert_eq!(Use::Hold.path(), "/var/lib/asterisk/prompts/hold/prompt.wav");
        assert_eq!(Use::Hold.shipped(), "lab-sounds/prompts/hold/prompt.wav");
        assert_eq!(Use::PreAnswer.shipped(), "lab-sounds/prompts/pre-answer.wav");
    }

    #[test]
    fn installing_renames_a_copy_into_place() {
        assert_eq!(
            Use::Hold.install_command("/p", "/tmp/x.wav"),
            "cp /tmp/x.wav /p/.hold-prompt.wav.tmp && mv -f /p/.hold-prompt.wav.tmp /p/hold/prompt.wav"
        );
    }
}
