//! Matching the entries of one collection across two snapshots.
//!
//! An entry's identity is its item's URI; `added_at` tells duplicates of the same track apart.
//! Matching is a multiset match, in three passes over what is still unpaired:
//!
//! 1. same URI and same `added_at` (the common case: the entry did not change),
//! 2. same URI only (the entry's `added_at` changed, e.g. a data-download import with dates only),
//! 3. null rows: a new null row is paired with the old entry at "its" slot — an old null row with
//!    the same `added_at`, else an old item with the same `added_at` (it became unavailable),
//!    else whatever unpaired old entry sat at the same position.
//!
//! Everything is O(n) with hash maps, so 100,000-entry collections match in milliseconds.

use std::collections::{HashMap, VecDeque};

use super::view::{EntryView, Str};

type Entry<'a> = EntryView<'a>;

/// How an old entry relates to a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    /// The same entry in both snapshots (possibly at another position).
    Same,
    /// The old entry had an item; the new one is a null row at its slot.
    BecameUnavailable,
}

/// Indices into the old and new slices that belong together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub old: usize,
    pub new: usize,
    pub kind: PairKind,
}

/// The result of matching two collections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    /// Sorted by old index.
    pub pairs: Vec<Pair>,
    /// Old indices with no partner: removed entries.
    pub removed: Vec<usize>,
    /// New indices with no partner: added entries.
    pub added: Vec<usize>,
}

/// The URI identifying an entry; `None` for a null row.
pub fn entry_uri<'e>(entry: &'e Entry<'_>) -> Option<&'e str> {
    entry.item.as_ref().map(|item| item.uri.as_str())
}

fn date<'e>(entry: &'e Entry<'_>) -> Option<&'e str> {
    entry.added_at.as_ref().map(Str::as_str)
}

/// Matches `old` against `new` (see the module docs).
pub fn match_entries(old: &[Entry<'_>], new: &[Entry<'_>]) -> Matching {
    if unchanged(old, new) {
        // What the passes below would find, without their hash maps: most collections do not
        // change between two backups, and the report diffs every pair of snapshots.
        return Matching {
            pairs: (0..old.len())
                .map(|i| Pair {
                    old: i,
                    new: i,
                    kind: PairKind::Same,
                })
                .collect(),
            removed: Vec::new(),
            added: Vec::new(),
        };
    }
    let mut old_partner: Vec<Option<(usize, PairKind)>> = vec![None; old.len()];
    let mut new_taken = vec![false; new.len()];
    pair_exact(old, new, &mut old_partner, &mut new_taken);
    pair_by_uri(old, new, &mut old_partner, &mut new_taken);
    pair_null_rows(old, new, &mut old_partner, &mut new_taken);
    matching_of(&old_partner, &new_taken)
}

/// The same items with the same `added_at` in the same order, and no null row.
fn unchanged(old: &[Entry<'_>], new: &[Entry<'_>]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(o, n)| {
            entry_uri(o).is_some() && entry_uri(o) == entry_uri(n) && date(o) == date(n)
        })
}

/// Pass 1 of [`match_entries`]: same URI and same `added_at`. Queues keep duplicates in their
/// original order.
fn pair_exact(
    old: &[Entry<'_>],
    new: &[Entry<'_>],
    old_partner: &mut [Option<(usize, PairKind)>],
    new_taken: &mut [bool],
) {
    let mut exact: HashMap<(&str, Option<&str>), VecDeque<usize>> = HashMap::new();
    for (i, e) in old.iter().enumerate() {
        if let Some(uri) = entry_uri(e) {
            exact.entry((uri, date(e))).or_default().push_back(i);
        }
    }
    for (j, e) in new.iter().enumerate() {
        let Some(uri) = entry_uri(e) else { continue };
        if let Some(i) = exact.get_mut(&(uri, date(e))).and_then(VecDeque::pop_front) {
            old_partner[i] = Some((j, PairKind::Same));
            new_taken[j] = true;
        }
    }
}

/// Pass 2 of [`match_entries`]: same URI only, among the leftovers.
fn pair_by_uri(
    old: &[Entry<'_>],
    new: &[Entry<'_>],
    old_partner: &mut [Option<(usize, PairKind)>],
    new_taken: &mut [bool],
) {
    let mut by_uri: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, e) in old.iter().enumerate() {
        if old_partner[i].is_none() {
            if let Some(uri) = entry_uri(e) {
                by_uri.entry(uri).or_default().push_back(i);
            }
        }
    }
    if !by_uri.is_empty() {
        for (j, e) in new.iter().enumerate() {
            if new_taken[j] {
                continue;
            }
            let Some(uri) = entry_uri(e) else { continue };
            if let Some(i) = by_uri.get_mut(uri).and_then(VecDeque::pop_front) {
                old_partner[i] = Some((j, PairKind::Same));
                new_taken[j] = true;
            }
        }
    }
}

/// Pass 3 of [`match_entries`]: a new null row (unavailable) finds the old entry that was at
/// its slot: by `added_at` among old null rows, then among old items, then by position.
fn pair_null_rows(
    old: &[Entry<'_>],
    new: &[Entry<'_>],
    old_partner: &mut [Option<(usize, PairKind)>],
    new_taken: &mut [bool],
) {
    let new_nulls: Vec<usize> = (0..new.len())
        .filter(|&j| !new_taken[j] && new[j].item.is_none())
        .collect();
    if !new_nulls.is_empty() {
        let mut null_by_date: HashMap<&str, VecDeque<usize>> = HashMap::new();
        let mut item_by_date: HashMap<&str, VecDeque<usize>> = HashMap::new();
        let mut by_position: HashMap<u32, usize> = HashMap::new();
        for (i, e) in old.iter().enumerate() {
            if old_partner[i].is_some() {
                continue;
            }
            by_position.insert(e.position, i);
            if let Some(day) = date(e) {
                let map = if e.item.is_none() {
                    &mut null_by_date
                } else {
                    &mut item_by_date
                };
                map.entry(day).or_default().push_back(i);
            }
        }
        for j in new_nulls {
            let e = &new[j];
            let free = |i: &usize| old_partner[*i].is_none();
            let day = date(e);
            let found = day
                .and_then(|d| take_free(null_by_date.get_mut(d), old_partner))
                .or_else(|| day.and_then(|d| take_free(item_by_date.get_mut(d), old_partner)))
                .or_else(|| {
                    by_position
                        .get(&e.position)
                        .copied()
                        .filter(free)
                        .filter(|&i| {
                            // Same slot, but a different known added_at means a different row.
                            match (date(&old[i]), day) {
                                (Some(a), Some(b)) => a == b,
                                _ => true,
                            }
                        })
                });
            if let Some(i) = found {
                let kind = if old[i].item.is_some() {
                    PairKind::BecameUnavailable
                } else {
                    PairKind::Same
                };
                old_partner[i] = Some((j, kind));
                new_taken[j] = true;
            }
        }
    }
}

/// The pairs found, and what stayed unpaired on each side (removed, added).
fn matching_of(old_partner: &[Option<(usize, PairKind)>], new_taken: &[bool]) -> Matching {
    let mut matching = Matching::default();
    for (i, partner) in old_partner.iter().enumerate() {
        match partner {
            Some((j, kind)) => matching.pairs.push(Pair {
                old: i,
                new: *j,
                kind: *kind,
            }),
            None => matching.removed.push(i),
        }
    }
    matching.added = (0..new_taken.len()).filter(|&j| !new_taken[j]).collect();
    matching
}

fn take_free(
    queue: Option<&mut VecDeque<usize>>,
    old_partner: &[Option<(usize, PairKind)>],
) -> Option<usize> {
    let queue = queue?;
    while let Some(i) = queue.pop_front() {
        if old_partner[i].is_none() {
            return Some(i);
        }
    }
    None
}

/// Which pairs moved: the fewest pairs whose removal leaves the rest in the same relative
/// order in both snapshots (the complement of a longest increasing subsequence of new indices,
/// taken in old order). Inserting or removing an entry therefore moves nothing, and moving one
/// entry reports exactly that entry. `pairs` must be sorted by old index.
///
/// Ties (two neighbours swapping places) are broken towards reporting the entry that moved up,
/// which is how playlists are usually edited (drag to the top). That is why the scan runs from
/// the end: a longest decreasing run, read backwards.
pub fn moved_pairs(pairs: &[Pair]) -> Vec<bool> {
    let n = pairs.len();
    // Patience sorting over the reversed sequence: tails[k] = index (into pairs) of the largest
    // possible tail of a decreasing run of length k + 1; prev links rebuild the run.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; n];
    for k in (0..n).rev() {
        let new = pairs[k].new;
        let at = tails.partition_point(|&t| pairs[t].new > new);
        if at > 0 {
            prev[k] = Some(tails[at - 1]);
        }
        if at == tails.len() {
            tails.push(k);
        } else {
            tails[at] = k;
        }
    }
    let mut moved = vec![true; n];
    let mut cursor = tails.last().copied();
    while let Some(k) = cursor {
        moved[k] = false;
        cursor = prev[k];
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, EntryKind, Item};

    fn entry(position: u32, uri: Option<&str>, added_at: &str) -> model::Entry {
        model::Entry {
            position,
            added_at: Some(added_at.to_string()),
            added_by: None,
            kind: if uri.is_some() {
                EntryKind::Track
            } else {
                EntryKind::Unavailable
            },
            item: uri.map(|uri| {
                Item::bare(
                    "track",
                    uri.rsplit(':').next().map(str::to_string),
                    uri,
                    uri,
                )
            }),
        }
    }

    fn list(rows: &[(Option<&str>, &str)]) -> Vec<model::Entry> {
        rows.iter()
            .enumerate()
            .map(|(i, (uri, date))| entry(i as u32, *uri, date))
            .collect()
    }

    fn match_entries(old: &[model::Entry], new: &[model::Entry]) -> Matching {
        let old: Vec<EntryView> = old.iter().map(EntryView::of).collect();
        let new: Vec<EntryView> = new.iter().map(EntryView::of).collect();
        super::match_entries(&old, &new)
    }

    #[test]
    fn the_unchanged_shortcut_agrees_with_the_full_passes() {
        let rows = list(&[
            (Some("spotify:track:a"), "2024-01-01"),
            (Some("spotify:track:a"), "2024-01-01"),
            (Some("spotify:track:b"), "2024-01-02"),
            (Some("spotify:track:a"), "2024-01-03"),
        ]);
        let views: Vec<EntryView> = rows.iter().map(EntryView::of).collect();
        assert!(unchanged(&views, &views));
        let mut full_old = vec![None; views.len()];
        let mut full_new = vec![false; views.len()];
        pair_exact(&views, &views, &mut full_old, &mut full_new);
        pair_by_uri(&views, &views, &mut full_old, &mut full_new);
        pair_null_rows(&views, &views, &mut full_old, &mut full_new);
        assert_eq!(
            super::match_entries(&views, &views),
            matching_of(&full_old, &full_new)
        );
        // A null row, a changed date or another order takes the full passes.
        let with_null = list(&[(None, "2024-01-01")]);
        let null_views: Vec<EntryView> = with_null.iter().map(EntryView::of).collect();
        assert!(!unchanged(&null_views, &null_views));
        let mut reordered = views.clone();
        reordered.swap(0, 2);
        assert!(!unchanged(&views, &reordered));
    }

    #[test]
    fn duplicates_are_told_apart_by_added_at() {
        let old = list(&[(Some("a"), "1"), (Some("a"), "2"), (Some("b"), "3")]);
        // The second copy of `a` (added at 2) was removed; the first stays.
        let new = list(&[(Some("a"), "1"), (Some("b"), "3")]);
        let m = match_entries(&old, &new);
        assert_eq!(m.removed, vec![1]);
        assert!(m.added.is_empty());
    }

    #[test]
    fn a_third_copy_of_a_track_is_one_addition() {
        let old = list(&[(Some("a"), "1"), (Some("a"), "1")]);
        let new = list(&[(Some("a"), "1"), (Some("a"), "1"), (Some("a"), "1")]);
        let m = match_entries(&old, &new);
        assert_eq!(m.pairs.len(), 2);
        assert_eq!(m.added, vec![2]);
        assert!(m.removed.is_empty());
    }

    #[test]
    fn a_null_row_is_matched_to_the_item_that_was_at_its_slot() {
        let old = list(&[(Some("a"), "1"), (Some("b"), "2"), (None, "0")]);
        let new = list(&[(Some("a"), "1"), (None, "2"), (None, "0")]);
        let m = match_entries(&old, &new);
        assert!(m.added.is_empty() && m.removed.is_empty());
        assert!(m.pairs.contains(&Pair {
            old: 1,
            new: 1,
            kind: PairKind::BecameUnavailable
        }));
        assert!(m.pairs.contains(&Pair {
            old: 2,
            new: 2,
            kind: PairKind::Same
        }));
    }

    #[test]
    fn of_two_swapped_neighbours_the_one_that_moved_up_is_the_move() {
        let old = list(&[(Some("a"), "1"), (Some("b"), "1"), (Some("c"), "1")]);
        let new = list(&[(Some("b"), "1"), (Some("a"), "1"), (Some("c"), "1")]);
        let m = match_entries(&old, &new);
        let moved = moved_pairs(&m.pairs);
        assert_eq!(moved, vec![false, true, false]);
    }

    #[test]
    fn only_the_entry_that_moved_is_a_move() {
        // Old order a b c d e; new order b c d a e plus an insertion: `a` moved.
        let old = list(&[
            (Some("a"), "1"),
            (Some("b"), "1"),
            (Some("c"), "1"),
            (Some("d"), "1"),
            (Some("e"), "1"),
        ]);
        let new = list(&[
            (Some("x"), "9"),
            (Some("b"), "1"),
            (Some("c"), "1"),
            (Some("d"), "1"),
            (Some("a"), "1"),
            (Some("e"), "1"),
        ]);
        let m = match_entries(&old, &new);
        let moved = moved_pairs(&m.pairs);
        let moved_old: Vec<usize> = m
            .pairs
            .iter()
            .zip(&moved)
            .filter(|(_, &mv)| mv)
            .map(|(p, _)| p.old)
            .collect();
        assert_eq!(moved_old, vec![0]);
        assert_eq!(m.added, vec![0]);
    }
}
