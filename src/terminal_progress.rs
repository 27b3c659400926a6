//! indicatif rendering of [`trackvault::progress::Progress`]: one bar per stage with an ETA.
//! Only used when stderr is a terminal.

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use trackvault::progress::Progress;

pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            current: Mutex::new(None),
        }
    }
}

fn style(known_total: bool) -> ProgressStyle {
    let template = if known_total {
        "{prefix:>16} [{bar:30}] {pos}/{len} ({eta} left)"
    } else {
        "{prefix:>16} {spinner} {pos}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: Option<u64>) {
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(style(true)),
            None => ProgressBar::new_spinner().with_style(style(false)),
        };
        bar.set_prefix(stage.to_string());
        if let Ok(mut current) = self.current.lock() {
            if let Some(old) = current.replace(bar) {
                old.finish();
            }
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(bar) = current.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn set_total(&self, total: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(bar) = current.as_ref() {
                bar.set_style(style(true));
                bar.set_length(total);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.finish();
            }
        }
    }
}
