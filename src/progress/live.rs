//! The live multi-line view on a terminal: one line per resource with a
//! spinner while it works and a check mark when done; pulls show bytes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Event, Reporter, Status};

pub struct Live {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

fn finished(s: Status) -> bool {
    matches!(
        s,
        Status::Created
            | Status::Recreated
            | Status::Started
            | Status::Running
            | Status::Healthy
            | Status::Exited
            | Status::Stopped
            | Status::Removed
            | Status::Built
            | Status::Pulled
            | Status::Copied
            | Status::Exported
            | Status::Committed
            | Status::Paused
            | Status::Unpaused
    )
}

impl Live {
    pub fn new(target: ProgressDrawTarget) -> Live {
        Live { multi: MultiProgress::with_draw_target(target), bars: Mutex::new(HashMap::new()) }
    }

    pub fn stderr() -> Live {
        Live::new(ProgressDrawTarget::stderr())
    }
}

impl Reporter for Live {
    fn event(&self, e: Event) {
        let key = format!("{:?} {}", e.kind, e.name);
        let mut bars = self.bars.lock().expect("lock");
        let bar = bars.entry(key).or_insert_with(|| {
            let b = self.multi.add(ProgressBar::new_spinner());
            b.set_style(ProgressStyle::with_template(" {spinner} {prefix} {msg}").expect("template").tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔"));
            b.set_prefix(format!("{:?} {}", e.kind, e.name));
            b.enable_steady_tick(Duration::from_millis(100));
            b
        });
        let text = match &e.detail {
            Some(d) => format!("{:?} {d}", e.status),
            None => format!("{:?}", e.status),
        };
        if finished(e.status) {
            bar.finish_with_message(text);
        } else if e.status == Status::Error {
            bar.abandon_with_message(text);
        } else {
            bar.set_message(text);
        }
    }

    /// Above the bars; straight to stderr while there are none (loader
    /// warnings come first) or the view is not on a terminal.
    fn warning(&self, message: &str) {
        let no_bars = self.bars.lock().expect("lock").is_empty();
        if no_bars || self.multi.is_hidden() || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprintln!("WARN {message}");
        } else {
            let _ = self.multi.println(format!("WARN {message}"));
        }
    }

    fn wants_bytes(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Kind;
    use indicatif::InMemoryTerm;

    #[test]
    fn one_line_per_resource_updated_in_place() {
        let term = InMemoryTerm::new(10, 80);
        let live = Live::new(ProgressDrawTarget::term_like(Box::new(term.clone())));
        live.event(Event::new(Kind::Network, "demo_default", Status::Creating));
        live.event(Event::new(Kind::Container, "demo-db-1", Status::Creating));
        live.event(Event::new(Kind::Image, "demo-web", Status::Pulling).detail("abc: Downloading 1.0MB/3.0MB"));
        live.event(Event::new(Kind::Network, "demo_default", Status::Created));
        live.event(Event::new(Kind::Container, "demo-db-1", Status::Started));
        std::thread::sleep(Duration::from_millis(150));
        let screen = term.contents();
        let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 3, "{screen}");
        assert!(lines[0].contains("Network demo_default Created"), "{screen}");
        assert!(lines[1].contains("Container demo-db-1 Started"), "{screen}");
        assert!(lines[2].contains("Image demo-web Pulling abc: Downloading 1.0MB/3.0MB"), "{screen}");
    }
}
