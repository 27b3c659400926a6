//! Edit planning, pure and synchronous: given the recordings a ListenBrainz playlist holds now
//! and the recordings it should hold, the shortest list of playlist-API edits (delete a range,
//! add up to 100 recordings at an offset, move a block) that turns one into the other, with the
//! exact index semantics of the server (a move's `to` counts in the list after the block was
//! taken out; an add past the end appends). Costs are in requests: a diff (common prefix and
//! suffix kept, Myers' shortest edit script for the middle, whole deleted runs that reappear
//! elsewhere turned into moves) is used when it is cheaper than clearing and refilling the list.

use std::collections::HashMap;
use std::ops::Range;

/// Recordings per `item/add` (and per create request), the server's `MAX_RECORDINGS_PER_ADD`.
pub const MAX_PER_ADD: usize = 100;

/// Beyond this many differing recordings the middle is not diffed but replaced: the edit script
/// search costs O(d²) memory, and by then replacing is within a few requests of the best plan.
const MAX_SCRIPT: usize = 1000;

/// One playlist-API edit. Indices are positions in the list as it is when the edit is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// `item/delete {index, count}`.
    Delete { index: usize, count: usize },
    /// `item/add/{at}` with the recordings `new[from_new]` (at most [`MAX_PER_ADD`]).
    Add { at: usize, from_new: Range<usize> },
    /// `item/move {from, to, count}`: take `count` from `from`, insert them at `to` of the rest.
    Move {
        from: usize,
        to: usize,
        count: usize,
    },
}

/// Applies `edit` to `list` the way ListenBrainz does; `new` is the target list the plan was made
/// for (adds copy from it).
pub fn apply(list: &mut Vec<String>, edit: &Edit, new: &[String]) {
    match edit {
        Edit::Delete { index, count } => {
            let start = (*index).min(list.len());
            let end = index.saturating_add(*count).min(list.len());
            list.drain(start..end);
        }
        Edit::Add { at, from_new } => {
            let at = (*at).min(list.len());
            let items = new[from_new.clone()].iter().cloned();
            list.splice(at..at, items);
        }
        Edit::Move { from, to, count } => {
            let start = (*from).min(list.len());
            let end = from.saturating_add(*count).min(list.len());
            let block: Vec<String> = list.drain(start..end).collect();
            let to = (*to).min(list.len());
            list.splice(to..to, block);
        }
    }
}

/// The cheapest edits that turn `old` into `new` (empty when they are equal).
pub fn plan(old: &[String], new: &[String]) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let replace = replace_plan(old, new);
    match diff_plan(old, new) {
        Some(edits) if worth_keeping(&edits, &replace, old.len().max(new.len())) => edits,
        _ => replace,
    }
}

/// Edits in place keep each untouched recording's history on ListenBrainz (when and by whom it
/// was added); clearing and refilling loses it. So the diff wins when it is no dearer, and also
/// when it keeps at least half the list for at most twice the requests.
fn worth_keeping(edits: &[Edit], replace: &[Edit], longest: usize) -> bool {
    if edits.len() <= replace.len() {
        return true;
    }
    let deleted: usize = edits
        .iter()
        .map(|e| match e {
            Edit::Delete { count, .. } => *count,
            _ => 0,
        })
        .sum();
    let kept = longest.saturating_sub(deleted);
    kept * 2 >= longest && edits.len() <= replace.len() * 2
}

/// Clear the list, then append `new` in batches.
pub fn replace_plan(old: &[String], new: &[String]) -> Vec<Edit> {
    let mut edits = Vec::new();
    if !old.is_empty() {
        edits.push(Edit::Delete {
            index: 0,
            count: old.len(),
        });
    }
    push_adds(&mut edits, 0, 0..new.len());
    edits
}

fn push_adds(edits: &mut Vec<Edit>, at: usize, range: Range<usize>) {
    let mut start = range.start;
    while start < range.end {
        let end = (start + MAX_PER_ADD).min(range.end);
        edits.push(Edit::Add {
            at: at + (start - range.start),
            from_new: start..end,
        });
        start = end;
    }
}

/// What happens to each element in a shortest edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Keep(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// A plan from a shortest edit script with moves; `None` if the result would not equal `new`
/// (never expected; the caller then replaces).
pub fn diff_plan(old: &[String], new: &[String]) -> Option<Vec<Edit>> {
    let steps = script(old, new);
    // Maximal runs of deleted old positions and inserted new positions.
    let mut deleted: Vec<Range<usize>> = Vec::new();
    let mut inserted: Vec<Range<usize>> = Vec::new();
    // Each new position's old position when kept.
    let mut kept_from: Vec<Option<usize>> = vec![None; new.len()];
    for step in &steps {
        match *step {
            Step::Keep(i, j) => kept_from[j] = Some(i),
            Step::Delete(i) => extend_runs(&mut deleted, i),
            Step::Insert(j) => extend_runs(&mut inserted, j),
        }
    }
    // A deleted run whose exact content is inserted elsewhere becomes one move.
    let mut by_content: HashMap<&[String], Vec<usize>> = HashMap::new();
    for (r, run) in deleted.iter().enumerate().rev() {
        by_content.entry(&old[run.clone()]).or_default().push(r);
    }
    let mut moved_old = vec![false; deleted.len()];
    let mut moves: Vec<(Range<usize>, Range<usize>)> = Vec::new(); // (old run, new run)
    let mut adds: Vec<Range<usize>> = Vec::new();
    for run in &inserted {
        match by_content.get_mut(&new[run.clone()]).and_then(Vec::pop) {
            Some(r) => {
                moved_old[r] = true;
                moves.push((deleted[r].clone(), run.clone()));
                for (k, j) in run.clone().enumerate() {
                    kept_from[j] = Some(deleted[r].start + k);
                }
            }
            None => adds.push(run.clone()),
        }
    }

    let mut edits = Vec::new();
    // Working list: old positions still present, in order.
    let mut work: Vec<usize> = (0..old.len()).collect();
    // 1. Deletes, last first, so earlier indices stay valid.
    for (r, run) in deleted.iter().enumerate().rev() {
        if !moved_old[r] {
            edits.push(Edit::Delete {
                index: run.start,
                count: run.len(),
            });
            work.drain(run.clone());
        }
    }
    // 2. Moves, in target order, each block placed right after its predecessor in `new` among
    //    the elements already in final relative order.
    moves.sort_by_key(|(_, to)| to.start);
    for (from_old, to_new) in &moves {
        let from = work.iter().position(|&p| p == from_old.start)?;
        let count = from_old.len();
        let block: Vec<usize> = work.drain(from..from + count).collect();
        let predecessor = (0..to_new.start).rev().find_map(|j| kept_from[j]);
        let to = match predecessor {
            Some(p) => work.iter().position(|&q| q == p)? + 1,
            None => 0,
        };
        work.splice(to..to, block);
        if to != from {
            edits.push(Edit::Move { from, to, count });
        }
    }
    // 3. Adds, in target order: everything before each run is then already in place.
    for run in &adds {
        push_adds(&mut edits, run.start, run.clone());
    }
    let mut check = old.to_vec();
    for edit in &edits {
        apply(&mut check, edit, new);
    }
    (check == new).then_some(edits)
}

fn extend_runs(runs: &mut Vec<Range<usize>>, i: usize) {
    match runs.last_mut() {
        Some(last) if last.end == i => last.end = i + 1,
        _ => runs.push(i..i + 1),
    }
}

/// A shortest edit script: common prefix and suffix kept, Myers' algorithm on the middle, and
/// the middle replaced outright when it differs in more than [`MAX_SCRIPT`] places.
fn script(old: &[String], new: &[String]) -> Vec<Step> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];
    let mut steps: Vec<Step> = (0..prefix).map(|i| Step::Keep(i, i)).collect();
    match myers(a, b, MAX_SCRIPT) {
        Some(middle) => steps.extend(middle.into_iter().map(|s| match s {
            Step::Keep(i, j) => Step::Keep(i + prefix, j + prefix),
            Step::Delete(i) => Step::Delete(i + prefix),
            Step::Insert(j) => Step::Insert(j + prefix),
        })),
        None => {
            steps.extend((0..a.len()).map(|i| Step::Delete(i + prefix)));
            steps.extend((0..b.len()).map(|j| Step::Insert(j + prefix)));
        }
    }
    let (old_tail, new_tail) = (old.len() - suffix, new.len() - suffix);
    steps.extend((0..suffix).map(|k| Step::Keep(old_tail + k, new_tail + k)));
    steps
}

/// Myers' O((n+m)·d) shortest edit script, or `None` when it needs more than `max_d` edits.
/// Steps come in order (deletes of a replaced stretch before its inserts).
fn myers(a: &[String], b: &[String], max_d: usize) -> Option<Vec<Step>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (a.len() + b.len()).min(max_d) as isize;
    let offset = max + 1;
    let at = |k: isize| (k + offset) as usize;
    let mut v = vec![0isize; (2 * max + 3) as usize];
    // trace[d] = the furthest x per diagonal before step d (only diagonals -d-1..=d+1 kept).
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = None;
    'search: for d in 0..=max {
        trace.push(v[at(-d - 1)..=at(d + 1)].to_vec());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let total = found?;
    let mut steps = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=total).rev() {
        let row = &trace[d as usize];
        let get = |k: isize| row[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = if d == 0 { 0 } else { get(prev_k) };
        let prev_y = if d == 0 { 0 } else { prev_x - prev_k };
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            steps.push(Step::Keep(x as usize, y as usize));
        }
        if d > 0 {
            if x == prev_x {
                steps.push(Step::Insert((y - 1) as usize));
            } else {
                steps.push(Step::Delete((x - 1) as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    steps.reverse();
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list(s: &str) -> Vec<String> {
        s.chars().map(|c| c.to_string()).collect()
    }

    fn run(old: &[String], new: &[String], edits: &[Edit]) -> Vec<String> {
        let mut l = old.to_vec();
        for e in edits {
            apply(&mut l, e, new);
        }
        l
    }

    fn requests(edits: &[Edit]) -> usize {
        edits.len()
    }

    #[test]
    fn equal_lists_need_nothing() {
        assert!(plan(&list("abcabc"), &list("abcabc")).is_empty());
        assert!(plan(&[], &[]).is_empty());
    }

    #[test]
    fn appending_is_one_add_at_the_end() {
        let (old, new) = (list("abc"), list("abcde"));
        assert_eq!(
            plan(&old, &new),
            vec![Edit::Add {
                at: 3,
                from_new: 3..5
            }]
        );
    }

    #[test]
    fn removing_a_stretch_is_one_delete() {
        let (old, new) = (list("abcdef"), list("abf"));
        assert_eq!(plan(&old, &new), vec![Edit::Delete { index: 2, count: 3 }]);
    }

    #[test]
    fn moving_a_track_is_one_move() {
        let (old, new) = (list("xabcdefg"), list("abcdefgx"));
        let edits = plan(&old, &new);
        assert_eq!(edits.len(), 1, "{edits:?}");
        assert!(matches!(edits[0], Edit::Move { count: 1, .. }));
        assert_eq!(run(&old, &new, &edits), new);
    }

    #[test]
    fn moving_a_block_backwards_is_one_move() {
        let (old, new) = (list("abcdefgh"), list("afgbcdeh"));
        let edits = plan(&old, &new);
        assert_eq!(edits.len(), 1, "{edits:?}");
        assert_eq!(run(&old, &new, &edits), new);
    }

    #[test]
    fn move_uses_the_index_after_removal() {
        // ListenBrainz: take [1,2) out of abcd -> acd, insert at 2 -> acbd.
        let mut l = list("abcd");
        apply(
            &mut l,
            &Edit::Move {
                from: 1,
                to: 2,
                count: 1,
            },
            &[],
        );
        assert_eq!(l, list("acbd"));
    }

    #[test]
    fn large_additions_go_in_batches_of_100() {
        let old: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
        let mut new = old.clone();
        new.splice(5..5, (0..250).map(|i| format!("n{i}")));
        let edits = plan(&old, &new);
        assert_eq!(edits.len(), 3, "{edits:?}");
        assert_eq!(run(&old, &new, &edits), new);
    }

    #[test]
    fn a_complete_rewrite_clears_and_refills() {
        let old: Vec<String> = (0..300).map(|i| format!("o{i}")).collect();
        let new: Vec<String> = (0..120).map(|i| format!("n{i}")).collect();
        let edits = plan(&old, &new);
        assert_eq!(edits, replace_plan(&old, &new));
        assert_eq!(edits.len(), 3);
        assert_eq!(run(&old, &new, &edits), new);
    }

    #[test]
    fn huge_differences_fall_back_to_a_correct_plan() {
        let old: Vec<String> = (0..5000).map(|i| format!("r{}", i % 97)).collect();
        let new: Vec<String> = (0..5000).map(|i| format!("r{}", (i * 7) % 89)).collect();
        let edits = plan(&old, &new);
        assert_eq!(run(&old, &new, &edits), new);
        assert!(requests(&edits) <= 2 * requests(&replace_plan(&old, &new)));
    }

    #[test]
    fn scattered_deletions_from_a_long_list_clear_and_refill() {
        // 250 one-track deletes would cost 250 requests; replacing costs 9.
        let old: Vec<String> = (0..1000).map(|i| format!("r{i}")).collect();
        let new: Vec<String> = old.iter().step_by(4).cloned().collect();
        let edits = plan(&old, &new);
        assert_eq!(edits, replace_plan(&old, &new));
    }

    #[test]
    fn a_small_change_keeps_the_list_even_when_replacing_is_one_request_cheaper() {
        // delete + move + add (3) against clear + refill (2): history is worth one request.
        let old = list("abcdefghij");
        let new = list("bcdexyzfgja");
        let edits = plan(&old, &new);
        assert_ne!(edits, replace_plan(&old, &new));
        assert_eq!(run(&old, &new, &edits), new);
    }

    fn lists() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
        let item = prop::sample::select(vec!["a", "b", "c", "d", "e", "f", "g", "h"]);
        let l = prop::collection::vec(item.prop_map(String::from), 0..40);
        (l.clone(), l)
    }

    /// `new` derived from `old` by a few block moves, inserts and deletes (realistic edits).
    fn edited() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
        let old = prop::collection::vec(0u16..500, 0..300)
            .prop_map(|v| v.into_iter().map(|i| format!("r{i}")).collect::<Vec<_>>());
        (
            old,
            prop::collection::vec((0u8..3, any::<u16>(), any::<u16>(), 1u16..30), 0..6),
        )
            .prop_map(|(old, ops)| {
                let mut new = old.clone();
                for (kind, a, b, len) in ops {
                    let n = new.len();
                    let len = len as usize;
                    match kind {
                        0 => {
                            let at = a as usize % (n + 1);
                            let extra = (0..len).map(|i| format!("x{a}-{i}"));
                            new.splice(at..at, extra);
                        }
                        1 if n > 0 => {
                            let at = a as usize % n;
                            new.drain(at..(at + len).min(n));
                        }
                        _ if n > 0 => {
                            let at = a as usize % n;
                            let block: Vec<String> = new.drain(at..(at + len).min(n)).collect();
                            let to = b as usize % (new.len() + 1);
                            new.splice(to..to, block);
                        }
                        _ => {}
                    }
                }
                (old, new)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn any_plan_turns_old_into_new((old, new) in lists()) {
            let edits = plan(&old, &new);
            prop_assert_eq!(run(&old, &new, &edits), new.clone());
            prop_assert!(requests(&edits) <= 2 * requests(&replace_plan(&old, &new)));
            // The diff itself never needs the safety fallback.
            prop_assert!(diff_plan(&old, &new).is_some());
        }

        #[test]
        fn realistic_edits_are_cheap((old, new) in edited()) {
            let edits = plan(&old, &new);
            prop_assert_eq!(run(&old, &new, &edits), new.clone());
            prop_assert!(diff_plan(&old, &new).is_some());
            for e in &edits {
                match e {
                    Edit::Add { at, from_new } => {
                        prop_assert!(from_new.len() <= MAX_PER_ADD && !from_new.is_empty());
                        prop_assert!(*at <= new.len());
                    }
                    Edit::Delete { count, .. } | Edit::Move { count, .. } => prop_assert!(*count > 0),
                }
            }
        }
    }
}
