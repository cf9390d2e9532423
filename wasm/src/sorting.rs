//! The crate's one sort: a small stable merge sort.
//!
//! The library's `slice::sort*` costs 6-8 KB of the WASM module per element type; this costs a
//! few hundred bytes and is instantiated twice: for `u64` keys (resolve's hot path) and for
//! indexes compared through a `dyn` function (everything else).

/// Sorts `v` stably by `less`: runs of 8 by insertion, then bottom-up merges through a buffer.
fn merge_sort<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    const RUN: usize = 8;
    let n = v.len();
    for run in v.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && less(&run[j], &run[j - 1]) {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    let mut buf = v.to_vec();
    let mut width = RUN;
    let mut in_buf = false;
    while width < n {
        if in_buf {
            merge_pass(&buf, v, width, &less);
        } else {
            merge_pass(v, &mut buf, width, &less);
        }
        in_buf = !in_buf;
        width *= 2;
    }
    if in_buf {
        v.copy_from_slice(&buf);
    }
}

/// Merges each pair of adjacent sorted runs of `width` from `src` into `dst`.
fn merge_pass<T: Copy>(src: &[T], dst: &mut [T], width: usize, less: &impl Fn(&T, &T) -> bool) {
    let n = src.len();
    let mut lo = 0;
    while lo < n {
        let mid = (lo + width).min(n);
        let hi = (lo + 2 * width).min(n);
        let (mut i, mut j) = (lo, mid);
        for out in &mut dst[lo..hi] {
            // Ties take the left run's element: stable.
            if j >= hi || (i < mid && !less(&src[j], &src[i])) {
                *out = src[i];
                i += 1;
            } else {
                *out = src[j];
                j += 1;
            }
        }
        lo = hi;
    }
}

/// Sorts keys ascending.
pub fn sort_u64(v: &mut [u64]) {
    merge_sort(v, |a, b| a < b);
}

/// The permutation that sorts `0..n` stably by `less` on indexes.
fn order(n: usize, less: &dyn Fn(usize, usize) -> bool) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    merge_sort(&mut idx, |&a, &b| less(a as usize, b as usize));
    idx
}

fn permuted<T>(v: Vec<T>, idx: Vec<u32>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = v.into_iter().map(Some).collect();
    idx.into_iter().filter_map(|i| slots.get_mut(i as usize).and_then(Option::take)).collect()
}

/// `v` sorted, stably.
pub fn sorted<T: Ord>(v: Vec<T>) -> Vec<T> {
    let idx = order(v.len(), &|a, b| v[a] < v[b]);
    permuted(v, idx)
}

/// `v` sorted stably by `key`.
pub fn sorted_by_key<T, K: Ord>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let idx = order(v.len(), &|a, b| key(&v[a]) < key(&v[b]));
    permuted(v, idx)
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

    #[test]
    fn agrees_with_the_library_sort_on_random_input() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in 0..200 {
            // Few distinct keys, so stability is tested too.
            let v: Vec<(u64, usize)> = (0..n).map(|i| (next() % 7, i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            assert_eq!(sorted_by_key(v, |p| p.0), want);
            let mut keys: Vec<u64> = (0..n).map(|_| next() >> (next() % 64)).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_u64(&mut keys);
            assert_eq!(keys, want);
        }
    }
}
