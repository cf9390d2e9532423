//! Sorting through one shared instance of the library sort.
//!
//! Each element type sorted with `slice::sort*` instantiates the library's sort again, at ~6-8 KB
//! of the WASM module apiece. Here every caller sorts indexes through a `dyn` comparison, so the
//! module holds the sort once. Ties keep their original order (the index breaks them): stable.

use std::cmp::Ordering;

/// `v` sorted, stably.
pub fn sorted<T: Ord>(v: Vec<T>) -> Vec<T> {
    let idx = order(v.len(), &|a, b| v[a].cmp(&v[b]));
    permuted(v, idx)
}

/// `v` sorted stably by `key`.
pub fn sorted_by_key<T, K: Ord>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let idx = order(v.len(), &|a, b| key(&v[a]).cmp(&key(&v[b])));
    permuted(v, idx)
}

fn permuted<T>(v: Vec<T>, idx: Vec<usize>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = v.into_iter().map(Some).collect();
    idx.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[inline(never)]
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_and_keeps_ties_in_order() {
        assert_eq!(sorted(vec![3, 1, 2, 1]), [1, 1, 2, 3]);
        assert_eq!(sorted(Vec::<u8>::new()), Vec::<u8>::new());
        let v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        assert_eq!(sorted_by_key(v, |p| p.0), [(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }
}
