//! A small but real program over a few sizeable crates, built for
//! `wasm32-wasip1` as `startup.wasm`, the module of wazi's start-up
//! benchmarks (decoding, validation, compilation and instantiation of a
//! multi-megabyte module).
//!
//! What it does is deliberately quick, deterministic and independent of the
//! environment (no clock, no files, no arguments): it reads a TOML settings
//! document and a JSON event log embedded in the binary, extracts and checks
//! dates with a regex and chrono, and prints one summary line to stdout:
//!
//! ```text
//! startup: 4 events (3 ok, 1 failed), 2024-02-27 to 2024-03-02 (5 days), longest message 30 chars, service "wazi-bench"
//! ```

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// Settings, read from TOML.
#[derive(Debug, Deserialize)]
struct Settings {
    service: String,
    /// Events at or above this severity count as failures.
    failure_severity: u8,
}

/// One entry of the event log, read from JSON.
#[derive(Debug, Deserialize, Serialize)]
struct Event {
    /// `YYYY-MM-DD` somewhere in free text, e.g. "deployed on 2024-03-01".
    when: String,
    severity: u8,
    message: String,
}

const SETTINGS: &str = r#"
service = "wazi-bench"
failure_severity = 3
"#;

const EVENTS: &str = r#"[
    {"when": "build finished on 2024-02-27", "severity": 1, "message": "compiled 3 crates"},
    {"when": "tests ran on 2024-02-28",      "severity": 2, "message": "2 slow tests"},
    {"when": "deploy on 2024-03-01",         "severity": 3, "message": "rollout halted at 40% of hosts"},
    {"when": "rollback on 2024-03-02",       "severity": 1, "message": "previous release restored"}
]"#;

fn main() {
    let settings: Settings = toml::from_str(SETTINGS).expect("valid TOML settings");
    let events: Vec<Event> = serde_json::from_str(EVENTS).expect("valid JSON events");
    let date = Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("valid regex");

    let mut dates: Vec<NaiveDate> = events
        .iter()
        .map(|event| {
            let caps = date.captures(&event.when).expect("every event has a date");
            let field = |i: usize| caps[i].parse().expect("digits");
            NaiveDate::from_ymd_opt(field(1) as i32, field(2), field(3)).expect("a real date")
        })
        .collect();
    dates.sort();
    let (first, last) = (dates[0], dates[dates.len() - 1]);

    let failed = events
        .iter()
        .filter(|event| event.severity >= settings.failure_severity)
        .count();
    let longest = events
        .iter()
        .map(|event| event.message.chars().count())
        .max()
        .unwrap_or(0);
    // Round-trip one event through serde_json's writer as a self-check.
    let reparsed: Event =
        serde_json::from_str(&serde_json::to_string(&events[2]).unwrap()).unwrap();
    assert_eq!(reparsed.message, events[2].message);

    println!(
        "startup: {} events ({} ok, {} failed), {} to {} ({} days), longest message {} chars, service {:?}",
        events.len(),
        events.len() - failed,
        failed,
        first,
        last,
        (last - first).num_days() + 1,
        longest,
        settings.service,
    );
}
