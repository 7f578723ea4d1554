//! The lab's images, built from `images/` with no registry needed.
//!
//! `root` is a Debian sid file system: pulled (`debian:sid-slim`) where a
//! registry answers, otherwise bootstrapped with mmdebstrap and imported.
//! `base` adds every package on top, `asterisk`, `phone` and `mail` add their
//! entry points. Each tag is a hash of the image's inputs and of its parent's tag, so
//! an unchanged image is never rebuilt.

use std::collections::HashMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::docker::{Engine, EngineError};
use super::progress::Progress;
use super::LABEL_PREFIX;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/images.rs"));
}

/// Repository prefix of every image the lab makes.
pub const REPOSITORY: &str = "sae-lab";
const PULLED_ROOT: (&str, &str) = ("debian", "sid-slim");
const SUITE: &str = "sid";

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(
        "no Debian image could be pulled ({pull}) and mmdebstrap is not installed to bootstrap one.\n\
         Install it (`sudo apt-get install mmdebstrap`) or make a registry reachable, then try again"
    )]
    NoBootstrapTool { pull: String },
    #[error("bootstrapping Debian {SUITE} with mmdebstrap failed ({status}); its last lines:\n{tail}")]
    Bootstrap { status: String, tail: String },
    #[error("cannot {action}: {source}")]
    Io { action: String, source: std::io::Error },
}

/// How to get the Debian root file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RootSource {
    /// Pull where a registry answers, bootstrap otherwise.
    #[default]
    Auto,
    Pull,
    Bootstrap,
}

/// Tags of the images the lab runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    pub asterisk: String,
    pub phone: String,
    pub mail: String,
}

/// The tag every image would have, computed from `images/` alone.
pub fn planned() -> Images {
    let base = tag("base", &hash_dir("base", &root_tag()));
    Images {
        asterisk: tag("asterisk", &hash_dir("asterisk", &base)),
        phone: tag("phone", &hash_dir("phone", &base)),
        mail: tag("mail", &hash_dir("mail", &base)),
    }
}

fn tag(name: &str, hash: &str) -> String {
    format!("{REPOSITORY}/{name}:{hash}")
}

fn root_tag() -> String {
    let packages = file("base/packages");
    let mut h = Sha256::new();
    h.update(SUITE);
    h.update(packages);
    tag("root", &short(h))
}

fn short(h: Sha256) -> String {
    h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn file(path: &str) -> &'static [u8] {
    embedded::FILES.iter().find(|(p, _, _)| *p == path).map(|(_, _, c)| *c).unwrap_or_default()
}

fn files_of(dir: &str) -> impl Iterator<Item = (&'static str, u32, &'static [u8])> + '_ {
    embedded::FILES
        .iter()
        .filter_map(move |(p, mode, c)| p.strip_prefix(dir).and_then(|r| r.strip_prefix('/')).map(|r| (r, *mode, *c)))
}

fn hash_dir(dir: &str, parent: &str) -> String {
    let mut h = Sha256::new();
    h.update(parent);
    for (path, mode, contents) in files_of(dir) {
        h.update(path);
        h.update(mode.to_le_bytes());
        h.update((contents.len() as u64).to_le_bytes());
        h.update(contents);
    }
    short(h)
}

/// Packages listed in `images/base/packages`.
fn packages() -> Vec<String> {
    String::from_utf8_lossy(file("base/packages"))
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Builds whatever image is missing and returns the tags to run.
pub async fn ensure(engine: &Engine, source: RootSource, progress: &dyn Progress) -> Result<Images, ImageError> {
    let planned = planned();
    let present = [&planned.asterisk, &planned.phone, &planned.mail];
    if futures_util::future::try_join_all(present.map(|i| engine.image_exists(i))).await?.into_iter().all(|e| e) {
        return Ok(planned);
    }
    let root = root_tag();
    if !engine.image_exists(&root).await? {
        make_root(engine, &root, source, progress).await?;
    }
    let base = tag("base", &hash_dir("base", &root));
    build(engine, "base", &base, ("ROOT", &root), progress).await?;
    build(engine, "asterisk", &planned.asterisk, ("BASE", &base), progress).await?;
    build(engine, "phone", &planned.phone, ("BASE", &base), progress).await?;
    build(engine, "mail", &planned.mail, ("BASE", &base), progress).await?;
    Ok(planned)
}

async fn build(
    engine: &Engine,
    name: &str,
    image: &str,
    parent: (&str, &str),
    progress: &dyn Progress,
) -> Result<(), ImageError> {
    if engine.image_exists(image).await? {
        return Ok(());
    }
    progress.step(&format!("building image {image}"));
    let mut context = tar::Builder::new(Vec::new());
    for (path, mode, contents) in files_of(name) {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(mode);
        header.set_cksum();
        context
            .append_data(&mut header, path, contents)
            .map_err(|source| ImageError::Io { action: format!("pack the build context of {name}"), source })?;
    }
    let context = context
        .into_inner()
        .map_err(|source| ImageError::Io { action: format!("pack the build context of {name}"), source })?;
    let args = HashMap::from([(parent.0.to_string(), parent.1.to_string())]);
    let labels = HashMap::from([(format!("{LABEL_PREFIX}.image"), name.to_string())]);
    engine.build(context, image, args, labels, |line| progress.detail(line)).await?;
    Ok(())
}

async fn make_root(engine: &Engine, root: &str, source: RootSource, progress: &dyn Progress) -> Result<(), ImageError> {
    let (repo, tag) = root.split_once(':').expect("image tags have a colon");
    let pull_error = if source == RootSource::Bootstrap {
        "not tried".to_string()
    } else {
        progress.step(&format!("pulling {}:{}", PULLED_ROOT.0, PULLED_ROOT.1));
        match engine.pull(PULLED_ROOT.0, PULLED_ROOT.1).await {
            Ok(()) => return Ok(engine.tag(&format!("{}:{}", PULLED_ROOT.0, PULLED_ROOT.1), repo, tag).await?),
            Err(e) if source == RootSource::Pull => return Err(e.into()),
            Err(e) => {
                progress.detail(&format!("no registry: {e}"));
                e.to_string()
            }
        }
    };
    let tool = which("mmdebstrap").ok_or(ImageError::NoBootstrapTool { pull: pull_error })?;
    let dir =
        tempfile::tempdir().map_err(|source| ImageError::Io { action: "create a temporary folder".into(), source })?;
    let tarball = dir.path().join("root.tar");
    progress.step(&format!("bootstrapping Debian {SUITE} with mmdebstrap (a few minutes the first time)"));
    bootstrap(&tool, &tarball, progress).await?;
    progress.step(&format!("importing the root file system as {root}"));
    let file = tokio::fs::File::open(&tarball)
        .await
        .map_err(|source| ImageError::Io { action: format!("open {}", tarball.display()), source })?;
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    engine.import(stream, repo, tag).await?;
    Ok(())
}

/// Runs mmdebstrap, streaming its output as progress detail.
async fn bootstrap(tool: &PathBuf, tarball: &std::path::Path, progress: &dyn Progress) -> Result<(), ImageError> {
    use tokio::io::AsyncBufReadExt;
    let mirror = std::env::var("SAE_LAB_MIRROR").unwrap_or_else(|_| "http://deb.debian.org/debian".into());
    let mut child = tokio::process::Command::new(tool)
        .arg("--variant=minbase")
        .arg(format!("--include={}", packages().join(",")))
        .arg("--aptopt=APT::Install-Recommends \"false\"")
        .arg("--aptopt=Acquire::Check-Valid-Until \"false\"")
        .args(
            ["/usr/share/man/*", "/usr/share/doc/*", "/usr/share/locale/*", "/usr/share/info/*"]
                .map(|p| format!("--dpkgopt=path-exclude={p}")),
        )
        .arg("--dpkgopt=path-include=/usr/share/doc/*/copyright")
        .arg(SUITE)
        .arg(tarball)
        .arg(&mirror)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| ImageError::Io { action: format!("run {}", tool.display()), source })?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut tail: Vec<String> = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        progress.detail(&line);
        tail.push(line);
        if tail.len() > 20 {
            tail.remove(0);
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|source| ImageError::Io { action: format!("wait for {}", tool.display()), source })?;
    if !status.success() {
        return Err(ImageError::Bootstrap { status: status.to_string(), tail: tail.join("\n") });
    }
    Ok(())
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| PathBuf::from(dir).join(tool)).find(|p| p.is_file())
}
