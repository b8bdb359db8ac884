//! Real libraries as benchmark workloads: what `miniz_oxide` (the deflate
//! of flate2 and of Rust's own toolchain), `regex` (ripgrep's engine) and
//! `serde_json` do to data generated here. Each export takes a size or a
//! round count and returns a checksum, so that both engines can be checked
//! to agree before they are timed. No imports: no WASI, no clock.

use serde::{Deserialize, Serialize};

/// Deterministic text: `n` log-like lines (a xorshift stream picks the
/// words and numbers).
pub fn text(lines: usize) -> String {
    const WORDS: &[&str] = &[
        "GET", "POST", "/index.html", "/api/v1/users", "/static/app.js", "200", "404", "500",
        "user", "session", "timeout", "retry", "cache", "miss", "hit", "upstream", "error",
    ];
    let mut x: u32 = 0x9e37_79b9;
    let mut out = String::with_capacity(lines * 64);
    for i in 0..lines {
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let (a, b, c) = (next(), next(), next());
        out.push_str(&format!(
            "2026-12-{:02}T{:02}:{:02}:{:02}Z 10.{}.{}.{} {} {} {} {}ms id={:08x}\n",
            1 + i % 28,
            a % 24,
            b % 60,
            c % 60,
            a % 256,
            b % 256,
            c % 256,
            WORDS[(a % 3) as usize],
            WORDS[3 + (b % 3) as usize],
            WORDS[5 + (c % 3) as usize],
            a % 2000,
            b ^ c,
        ));
        if c % 7 == 0 {
            out.push_str(WORDS[8 + (a % 9) as usize]);
            out.push_str(" message repeated\n");
        }
    }
    out
}

/// FNV-1a over `bytes`, continuing from `h`.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// `deflate(lines)`: compresses [`text`] of `lines` lines at level 6 and
/// inflates it back; returns the compressed size times 2^32 plus the
/// low 32 bits of the round trip's hash, or -1 if it came back changed.
pub fn deflate(lines: usize) -> i64 {
    let data = text(lines);
    let packed = miniz_oxide::deflate::compress_to_vec(data.as_bytes(), 6);
    match miniz_oxide::inflate::decompress_to_vec(&packed) {
        Ok(back) if back == data.as_bytes() => {
            ((packed.len() as i64) << 32) | (fnv(FNV_OFFSET, &back) as u32 as i64)
        }
        _ => -1,
    }
}

/// `regex(lines)`: over [`text`] of `lines` lines, counts the matches of
/// three patterns (an alternation with captures, a character-class scan, a
/// case-insensitive word) and hashes the captured groups.
pub fn regex(lines: usize) -> i64 {
    let data = text(lines);
    let request = regex::Regex::new(r"(GET|POST) (/[a-z0-9/._]+) (\d{3}) (\d+)ms").unwrap();
    let ip = regex::Regex::new(r"\b10\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b").unwrap();
    let word = regex::Regex::new(r"(?i)\b(TIMEOUT|retry|Upstream)\b").unwrap();
    let mut h = FNV_OFFSET;
    let mut count = 0i64;
    for c in request.captures_iter(&data) {
        count += 1;
        h = fnv(h, c[2].as_bytes());
        h = fnv(h, c[3].as_bytes());
    }
    for c in ip.captures_iter(&data) {
        count += 1;
        h = fnv(h, c[3].as_bytes());
    }
    count += word.find_iter(&data).count() as i64;
    (count << 32) | (h as u32 as i64)
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Record {
    id: u64,
    name: String,
    score: f64,
    tags: Vec<String>,
    active: bool,
    parent: Option<u64>,
}

/// `json(records)`: a JSON array of `records` generated records is
/// serialized, parsed back into typed records and into untyped values
/// (which must equal the records' own), and the values serialized again;
/// returns the document's length times 2^32 plus the low 32 bits of the
/// second serialization's hash, or -1 if a step changed anything.
pub fn json(records: usize) -> i64 {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let recs: Vec<Record> = (0..records as u64)
        .map(|id| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Record {
                id,
                name: format!("user-{:x}", x >> 40),
                score: (x % 100_000) as f64 / 7.0,
                tags: (0..x % 4).map(|t| format!("t{}", (x >> (8 * t)) % 50)).collect(),
                active: x % 3 == 0,
                parent: if x % 5 == 0 { None } else { Some(id / 2) },
            }
        })
        .collect();
    let doc = serde_json::to_string(&recs).unwrap();
    let typed: Vec<Record> = serde_json::from_str(&doc).unwrap();
    let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let again = serde_json::to_string(&value).unwrap();
    if typed != recs || value != serde_json::to_value(&recs).unwrap() {
        return -1;
    }
    ((doc.len() as i64) << 32) | (fnv(FNV_OFFSET, again.as_bytes()) as u32 as i64)
}

/// A non-negative size argument, or a trap.
fn size(n: i32) -> usize {
    usize::try_from(n).unwrap_or_else(|_| panic!("negative size"))
}

mod exports {
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    pub extern "C" fn deflate(lines: i32) -> i64 {
        super::deflate(super::size(lines))
    }

    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    pub extern "C" fn regex(lines: i32) -> i64 {
        super::regex(super::size(lines))
    }

    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    pub extern "C" fn json(records: i32) -> i64 {
        super::json(super::size(records))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn workloads_check_themselves() {
        assert!(super::deflate(2000) > 0);
        assert!(super::json(500) > 0);
        let r = super::regex(2000);
        assert!(r >> 32 > 4000, "{}", r >> 32);
    }
}
