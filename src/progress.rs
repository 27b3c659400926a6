//! Progress reporting without UI dependencies: the library reports stages and steps through
//! [`Progress`]; the binary renders it (indicatif bars with ETA on a terminal, nothing in a pipe).

use std::sync::Arc;

/// Receives progress events from long stages.
pub trait Progress: Send + Sync {
    /// A new stage starts (`"liked songs"`, `"enrich"`…), with its step count when known.
    fn start(&self, stage: &str, total: Option<u64>);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
    /// The current stage's total became known or changed.
    fn set_total(&self, total: u64);
    /// The current stage ended.
    fn finish(&self);
}

/// Reports nothing: tests, pipes and library callers that don't care.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hidden;

impl Progress for Hidden {
    fn start(&self, _stage: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn set_total(&self, _total: u64) {}
    fn finish(&self) {}
}

/// Shared handle passed through the pipeline.
pub type ProgressHandle = Arc<dyn Progress>;

pub fn hidden() -> ProgressHandle {
    Arc::new(Hidden)
}
