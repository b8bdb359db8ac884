//! Sieve of Eratosthenes over a byte array.

/// Largest `n` accepted by the `sieve` export: 16 MiB of flags.
pub const MAX_N: usize = 16 << 20;

/// Counts the primes below `flags.len()`, using `flags` (any contents) as
/// the sieve: `flags[i]` ends up 1 exactly when `i` is prime.
pub fn count_primes(flags: &mut [u8]) -> u32 {
    let n = flags.len();
    if n < 2 {
        return 0;
    }
    flags.fill(1);
    flags[0] = 0;
    flags[1] = 0;
    let mut i = 2;
    while i * i < n {
        if flags[i] != 0 {
            let mut j = i * i;
            while j < n {
                flags[j] = 0;
                j += i;
            }
        }
        i += 1;
    }
    flags.iter().map(|&f| f as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_mark_exactly_the_primes() {
        let mut flags = [0xAA; 30];
        assert_eq!(count_primes(&mut flags), 10);
        let primes: Vec<usize> = (0..30).filter(|&i| flags[i] == 1).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }
}
