#![allow(dead_code)] // each includer uses a different part
//! The labeled matching set (`fixtures/matching/cases.json`) and how to score the matcher on
//! it. Shared by `tests/matching_precision.rs` and `benches/matching.rs`.

use serde::Deserialize;
use trackvault::enrich::matcher::{decide, Candidate, Decision, Evidence, TrackQuery};

pub const CASES_JSON: &str = include_str!("../../fixtures/matching/cases.json");

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
    /// Correct matches / matches made (1.0 when nothing was matched).
    pub fn precision(&self) -> f64 {
        if self.matched == 0 {
            1.0
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
        if case.expected.as_deref() == Some(g) {
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
