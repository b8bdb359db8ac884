//! Dense f64 matrix multiplication.

/// Largest `n` accepted by the `matmul` export.
pub const MAX_N: usize = 256;

/// Fills the row-major `n`×`n` matrices `a` and `b` with small multiples of
/// 1/4 and 1/2, so that every product and partial sum is exact in f64.
pub fn fill(n: usize, a: &mut [f64], b: &mut [f64]) {
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = ((i * 3 + j * 5) % 17) as f64 * 0.25 - 1.0;
            b[i * n + j] = ((i * 7 + j * 11) % 13) as f64 * 0.5 - 2.0;
        }
    }
}

/// `c = a · b` for row-major `n`×`n` matrices: the naive algorithm, in i-k-j
/// order so that the inner loop walks rows of `b` and `c` contiguously.
pub fn multiply(n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    if n == 0 {
        return;
    }
    for (a_row, c_row) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
        c_row.fill(0.0);
        for (&a_ik, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            for (c_ij, &b_kj) in c_row.iter_mut().zip(b_row) {
                *c_ij += a_ik * b_kj;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_leaves_a_unchanged() {
        let n = 9;
        let mut a = vec![0.0; n * n];
        let mut b = vec![0.0; n * n];
        fill(n, &mut a, &mut b);
        let identity: Vec<f64> = (0..n * n)
            .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
            .collect();
        let mut c = vec![f64::NAN; n * n];
        multiply(n, &a, &identity, &mut c);
        assert_eq!(c, a);
        multiply(n, &identity, &b, &mut c);
        assert_eq!(c, b);
    }

    #[test]
    fn small_product_by_hand() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut c = [0.0; 4];
        multiply(2, &a, &b, &mut c);
        assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
    }
}
