//! Printing that survives a closed pipe (`cargo xtask lab status | head`).

use std::io::Write;

pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write to standard output: {e}"),
        Ok(()) => {}
    }
}
