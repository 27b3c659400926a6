//! Matcher quality and cost on both labeled sets (`fixtures/matching/cases.json`, generated
//! beside the matcher, and `fixtures/matching/blind/cases.json`, written blind to it):
//! precision and recall split by ISRC-bearing and ISRC-less tracks, per category, and the CPU
//! time of `decide` alone. Run: `cargo bench --bench matching`.

#[path = "../tests/support/matching_cases.rs"]
mod matching_cases;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use matching_cases::{add, answer, load_holdout, sets, IsrcSplit, Tally};
use trackvault::enrich::matcher::decide;

const ITERATIONS: usize = 50;

fn quality(name: &str, cases: &[matching_cases::Case]) {
    let mut split = IsrcSplit::default();
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    for case in cases {
        let got = answer(case);
        split.add(case, got);
        add(
            by_category.entry(case.category.clone()).or_default(),
            case,
            got,
        );
    }
    println!("matching quality on the {name} set");
    println!();
    let IsrcSplit { all, isrc, no_isrc } = split;
    println!("| slice                  | cases | positives | matched | precision | target  | recall | target  |");
    println!("|------------------------|-------|-----------|---------|-----------|---------|--------|---------|");
    row("with ISRC", &isrc, ">=0.995", ">=0.96");
    row("without ISRC", &no_isrc, ">=0.995", ">=0.85");
    row("all", &all, ">=0.995", "");
    for (cat, t) in &by_category {
        row(&format!("  {cat}"), t, "", "");
    }
    println!();
}

fn row(name: &str, t: &Tally, target_p: &str, target_r: &str) {
    println!(
        "| {name:<22} | {:>5} | {:>9} | {:>7} | {:>9.4} | {:>7} | {:>6.4} | {:>7} |",
        t.cases,
        t.positives,
        t.matched,
        t.precision(),
        target_p,
        t.recall(),
        target_r
    );
}

fn main() {
    let all_sets = sets();
    for (name, cases) in &all_sets {
        quality(name, cases);
    }
    // Never tuned against: the honest estimate.
    quality("holdout", &load_holdout());
    let cases: Vec<_> = all_sets.into_iter().flat_map(|(_, c)| c).collect();

    // CPU time of matching alone: every case's decide(), ITERATIONS times.
    let candidates: usize = cases.iter().map(|c| c.candidates.len()).sum();
    let start = Instant::now();
    for _ in 0..ITERATIONS {
        for case in &cases {
            black_box(decide(
                black_box(&case.query),
                black_box(&case.candidates),
                case.evidence,
            ));
        }
    }
    let elapsed = start.elapsed();
    let decisions = ITERATIONS * cases.len();
    println!();
    println!("| matching CPU time      | value |");
    println!("|------------------------|-------|");
    println!(
        "| decisions              | {decisions} ({} cases x {ITERATIONS}) |",
        cases.len()
    );
    println!(
        "| candidates per case    | {:.2} |",
        candidates as f64 / cases.len() as f64
    );
    println!(
        "| total                  | {:.1} ms |",
        elapsed.as_secs_f64() * 1e3
    );
    println!(
        "| per decision           | {:.1} us |",
        elapsed.as_secs_f64() * 1e6 / decisions as f64
    );
    println!(
        "| per candidate scored   | {:.1} us |",
        elapsed.as_secs_f64() * 1e6 / (candidates * ITERATIONS) as f64
    );
    println!(
        "| 10,000 tracks (est.)   | {:.2} s |",
        elapsed.as_secs_f64() / decisions as f64 * 10_000.0
    );
}
