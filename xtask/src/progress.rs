//! Terminal progress: a spinner for the current step, a line for each one done.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use lab::runtime::progress::Progress;

pub struct Term {
    bar: ProgressBar,
    step: std::sync::Mutex<Option<(String, Instant)>>,
}

impl Term {
    pub fn new() -> Term {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {prefix} {wide_msg:.dim}").expect("a valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Term { bar, step: std::sync::Mutex::new(None) }
    }

    fn close_step(&self) {
        if let Some((step, started)) = self.step.lock().expect("not poisoned").take() {
            let line = format!("✓ {step} ({:.1} s)", started.elapsed().as_secs_f64());
            if self.bar.is_hidden() {
                eprintln!("{line}");
            } else {
                self.bar.println(line);
            }
        }
    }

    pub fn finish(&self) {
        self.close_step();
        self.bar.finish_and_clear();
    }
}

impl Progress for Term {
    fn step(&self, message: &str) {
        self.close_step();
        *self.step.lock().expect("not poisoned") = Some((message.to_string(), Instant::now()));
        self.bar.set_prefix(message.to_string());
        self.bar.set_message("");
    }

    fn detail(&self, line: &str) {
        self.bar.set_message(line.trim().to_string());
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
