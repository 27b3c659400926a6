#![allow(dead_code)] // each includer uses a different part
//! The labeled matching sets and how to score the matcher on them. Shared by
//! `tests/matching_precision.rs` and `benches/matching.rs`.
//!
//! - `fixtures/matching/cases.json`: generated beside the matcher (`make_cases.py`);
//! - `fixtures/matching/blind/cases.json`: written blind to the matcher's rules and frozen.
//!   It may name, per case, `acceptable` recordings (unmerged duplicates) that count as
//!   correct like `expected`, and in the query `disc_number` and `artist_mbids`.
//! - `fixtures/matching/holdout/cases.json`: written later by someone who saw neither the
//!   matcher nor the other sets; frozen and never tuned against (same shape as `blind`).

use serde::Deserialize;
use trackvault::enrich::matcher::{decide, Candidate, Decision, Evidence, TrackQuery};

pub const CASES_JSON: &str = include_str!("../../fixtures/matching/cases.json");
pub const BLIND_JSON: &str = include_str!("../../fixtures/matching/blind/cases.json");
pub const HOLDOUT_JSON: &str = include_str!("../../fixtures/matching/holdout/cases.json");

/// The two labeled sets, by name.
pub fn sets() -> Vec<(&'static str, Vec<Case>)> {
    vec![("generated", load()), ("blind", load_blind())]
}

/// The frozen holdout set: written by someone who saw neither the matcher nor the other sets,
/// and never tuned against, so its numbers estimate real accuracy.
pub fn load_holdout() -> Vec<Case> {
    let file: CaseFile =
        serde_json::from_str(HOLDOUT_JSON).expect("fixtures/matching/holdout/cases.json parses");
    file.cases
}

/// The frozen blind set.
pub fn load_blind() -> Vec<Case> {
    let file: CaseFile =
        serde_json::from_str(BLIND_JSON).expect("fixtures/matching/blind/cases.json parses");
    file.cases
}

#[derive(Debug, Deserialize)]
pub struct CaseFile {
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
pub struct Case {
    pub id: String,
    pub category: String,
    pub evidence: Evidence,
    pub query: TrackQuery,
    pub candidates: Vec<Candidate>,
    /// The right recording MBID, or None when the right answer is "no match".
    pub expected: Option<String>,
    /// Other recordings that are equally right (unmerged duplicates of `expected`).
    #[serde(default)]
    pub acceptable: Vec<String>,
    #[serde(default)]
    pub note: String,
}

pub fn load() -> Vec<Case> {
    let file: CaseFile =
        serde_json::from_str(CASES_JSON).expect("fixtures/matching/cases.json parses");
    file.cases
}

/// Counts for one slice of the set.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub cases: usize,
    /// Cases with an expected recording.
    pub positives: usize,
    /// Matches made.
    pub matched: usize,
    /// Matches made that name the expected recording.
    pub correct: usize,
}

impl Tally {
    /// Correct matches / matches made. A run that matched nothing although there was
    /// something to match scores 0, so an empty run can never pass a precision floor.
    pub fn precision(&self) -> f64 {
        if self.matched == 0 {
            if self.positives == 0 {
                1.0
            } else {
                0.0
            }
        } else {
            self.correct as f64 / self.matched as f64
        }
    }
    /// Correct matches / cases that have an answer.
    pub fn recall(&self) -> f64 {
        if self.positives == 0 {
            1.0
        } else {
            self.correct as f64 / self.positives as f64
        }
    }
}

impl Case {
    /// Whether matching `recording` is right for this case.
    pub fn is_right(&self, recording: &str) -> bool {
        self.expected.as_deref() == Some(recording)
            || (self.expected.is_some() && self.acceptable.iter().any(|a| a == recording))
    }
}

/// What the matcher answered for a case: the matched recording id, if any.
pub fn answer(case: &Case) -> Option<&str> {
    match decide(&case.query, &case.candidates, case.evidence) {
        Decision::Matched { index, .. } => Some(case.candidates[index].recording_id.as_str()),
        Decision::Unmatched { .. } => None,
    }
}

pub fn add(t: &mut Tally, case: &Case, got: Option<&str>) {
    t.cases += 1;
    if case.expected.is_some() {
        t.positives += 1;
    }
    if let Some(g) = got {
        t.matched += 1;
        if case.is_right(g) {
            t.correct += 1;
        }
    }
}

/// Tallies over every case and split by whether the query carries an ISRC (the split the
/// issue's targets are stated in).
#[derive(Debug, Default)]
pub struct IsrcSplit {
    pub all: Tally,
    pub isrc: Tally,
    pub no_isrc: Tally,
}

impl IsrcSplit {
    pub fn add(&mut self, case: &Case, got: Option<&str>) {
        add(&mut self.all, case, got);
        let slice = if case.query.isrc.is_some() {
            &mut self.isrc
        } else {
            &mut self.no_isrc
        };
        add(slice, case, got);
    }
}
