//! Quicksort of pseudo-random u32 values.

/// Largest `n` accepted by the `sort` export: 4 Mi elements (16 MiB).
pub const MAX_N: usize = 4 << 20;

/// Below this length a partition is finished by insertion sort.
const INSERTION_THRESHOLD: usize = 16;

/// Fills `a` with successive outputs of xorshift32 (13, 17, 5).
pub fn fill(a: &mut [u32]) {
    let mut x: u32 = 0x9E37_79B9;
    for v in a {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *v = x;
    }
}

/// `sum(a[i] * (i + 1))`, wrapping: depends on every element and its place.
pub fn checksum(a: &[u32]) -> u64 {
    a.iter().enumerate().fold(0u64, |sum, (i, &v)| {
        sum.wrapping_add(v as u64 * (i as u64 + 1))
    })
}

/// Sorts `a` ascending: quicksort with a median-of-three pivot and Lomuto
/// partitioning, recursing into the smaller part and looping on the larger
/// (so the recursion depth stays below log2(n)), and insertion sort for
/// short parts.
pub fn quicksort(mut a: &mut [u32]) {
    while a.len() > INSERTION_THRESHOLD {
        let p = partition(a);
        let (low, high) = core::mem::take(&mut a).split_at_mut(p);
        let high = &mut high[1..]; // a[p] is already in its final place
        if low.len() < high.len() {
            quicksort(low);
            a = high;
        } else {
            quicksort(high);
            a = low;
        }
    }
    insertion_sort(a);
}

/// Partitions `a` (length >= 3) around the median of its first, middle and
/// last elements; returns the pivot's final index.
fn partition(a: &mut [u32]) -> usize {
    let last = a.len() - 1;
    let mid = a.len() / 2;
    // Order the three samples so that a[0] <= a[last] <= a[mid].
    if a[mid] < a[0] {
        a.swap(mid, 0);
    }
    if a[last] < a[0] {
        a.swap(last, 0);
    }
    if a[mid] < a[last] {
        a.swap(mid, last);
    }
    let pivot = a[last];
    let mut store = 0;
    for i in 0..last {
        if a[i] < pivot {
            a.swap(i, store);
            store += 1;
        }
    }
    a.swap(store, last);
    store
}

fn insertion_sort(a: &mut [u32]) {
    for i in 1..a.len() {
        let v = a[i];
        let mut j = i;
        while j > 0 && a[j - 1] > v {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(mut a: Vec<u32>) {
        let mut expected = a.clone();
        expected.sort_unstable();
        quicksort(&mut a);
        assert_eq!(a, expected);
    }

    #[test]
    fn sorts_random_data() {
        for n in [0, 1, 2, 3, 15, 16, 17, 100, 12_345] {
            let mut a = vec![0; n];
            fill(&mut a);
            check(a);
        }
    }

    #[test]
    fn sorts_awkward_inputs() {
        check((0..1000).collect());
        check((0..1000).rev().collect());
        check(vec![7; 1000]);
        check((0..1000).map(|i| i % 3).collect());
    }
}
