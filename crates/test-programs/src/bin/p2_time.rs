//! Clocks and randomness through Rust's std on WASI 0.2: a sleep measured
//! on the monotonic clock, the wall clock, and hash maps (seeded from
//! `wasi:random/insecure-seed`).

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(50));
    let slept = start.elapsed();
    println!("slept at least 50ms: {}", slept >= Duration::from_millis(50));
    println!("slept less than 5s: {}", slept < Duration::from_secs(5));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    // 2023-11-14 and 2100-01-01.
    println!(
        "wall clock plausible: {}",
        now.as_secs() > 1_700_000_000 && now.as_secs() < 4_102_444_800
    );
    let mut m = HashMap::new();
    for i in 0..100 {
        m.insert(i, i * i);
    }
    println!("map of {} squares, 9 -> {}", m.len(), m[&9]);
    let a = std::collections::hash_map::RandomState::new();
    let b = std::collections::hash_map::RandomState::new();
    use std::hash::BuildHasher;
    println!("hashers differ: {}", a.hash_one(1u32) != b.hash_one(1u32));
}
