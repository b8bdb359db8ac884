//! The `async-abi` target: a component whose `async` export (lifted with
//! a callback) runs a straight-line program of the component model's async
//! built-ins chosen by the input: streams and futures (new, read, write,
//! cancel, drop), waitable sets (new, join, poll, wait, drop), subtasks of
//! an `async` call into a second component, `task.return`, context,
//! backpressure and `thread.yield`, with handles and pointers that are
//! often valid and often not. Its callback runs a second program, up to a
//! few times. The call may trap, deadlock or return; the host must not
//! panic, and the store must go on working: another instance of the
//! component is made in it afterwards, and the whole is done twice.

use crate::Outcome;
use wazi::component::{Component, Linker};

/// The built-ins a program calls: name, core parameters (all i32s, by
/// what they usually are: `r`/`w` a stream's readable/writable end,
/// `R`/`W` a future's, `s` a waitable set, `t` a subtask, `x` any
/// waitable, `p` an address, `n` a length, `i` anything), and what it
/// returns (`""`, `"i32"` or `"i64"`).
const OPS: &[(&str, &str, &str)] = &[
    ("stream.new", "", "i64"),
    ("stream.read", "rpn", "i32"),
    ("stream.write", "wpn", "i32"),
    ("stream.cancel-read", "r", "i32"),
    ("stream.cancel-write", "w", "i32"),
    ("stream.drop-readable", "r", ""),
    ("stream.drop-writable", "w", ""),
    ("future.new", "", "i64"),
    ("future.read", "Rp", "i32"),
    ("future.write", "Wp", "i32"),
    ("future.cancel-read", "R", "i32"),
    ("future.cancel-write", "W", "i32"),
    ("future.drop-readable", "R", ""),
    ("future.drop-writable", "W", ""),
    ("waitable-set.new", "", "i32"),
    ("waitable-set.poll", "sp", "i32"),
    ("waitable-set.wait", "sp", "i32"),
    ("waitable-set.drop", "s", ""),
    ("waitable.join", "xs", ""),
    ("subtask.drop", "t", ""),
    ("subtask.cancel", "t", "i32"),
    ("context.get", "", "i32"),
    ("context.set", "i", ""),
    ("backpressure.inc", "", ""),
    ("backpressure.dec", "", ""),
    ("thread.yield", "", "i32"),
    ("task.return", "", ""),
    ("work", "", "i32"),
];

/// Reads the input a byte at a time (zeros once it is used up).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

/// An argument of kind `k` (see [`OPS`]): mostly the global holding that
/// kind of handle, sometimes anything.
fn typed_arg(b: &mut Bytes<'_>, k: char) -> String {
    if b.byte().is_multiple_of(8) {
        return arg(b);
    }
    let g = match k {
        'r' => 0,
        'w' => 1,
        'R' => 2,
        'W' => 3,
        's' => 4,
        't' => 5,
        'x' => [0, 1, 2, 3, 5][b.byte() as usize % 5],
        'p' => return format!("(i32.const {})", (b.byte() as u32 % 64) * 16),
        'n' => return format!("(i32.const {})", b.byte() % 24),
        _ => return arg(b),
    };
    format!("(global.get $g{g})")
}

/// An i32 argument: a small handle index, a value an earlier call gave, an
/// address in the memory, or anything.
fn arg(b: &mut Bytes<'_>) -> String {
    match b.byte() % 8 {
        0..=3 => format!("(global.get $g{})", b.byte() % 8),
        4 => format!("(i32.const {})", b.byte() % 8),
        5 | 6 => format!("(i32.const {})", (b.byte() as u32) * 64),
        _ => format!("(i32.const {})", b.u32() as i32),
    }
}

/// A program of up to `max` calls, each result kept in a global for the
/// calls after it.
fn program(b: &mut Bytes<'_>, max: usize) -> String {
    let mut out = String::new();
    let n = (b.byte() as usize) % (max + 1);
    for _ in 0..n {
        let (name, params, result) = OPS[b.byte() as usize % OPS.len()];
        let args: Vec<String> = params.chars().map(|k| typed_arg(b, k)).collect();
        let call = format!("(call ${name} {})", args.join(" "));
        // New handles mostly go where that kind is kept.
        let (g1, g2) = match (name, b.byte() % 4) {
            (_, 0) => (b.byte() % 8, b.byte() % 8),
            ("stream.new", _) => (0, 1),
            ("future.new", _) => (2, 3),
            ("waitable-set.new", _) => (4, 4),
            _ => (6 + b.byte() % 2, 7),
        };
        out.push_str(&match result {
            "i32" => format!("    (global.set $g{g1} {call})\n"),
            "i64" => format!(
                "    (local.set $w {call})\n    (global.set $g{g1} (i32.wrap_i64 (local.get $w)))\n    \
                 (global.set $g{g2} (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 32))))\n"
            ),
            _ => format!("    {call}\n"),
        });
    }
    out
}

/// What the program returns to the event loop: exit, yield, or wait on
/// the set in a global; the callback exits after a few rounds.
fn code(b: &mut Bytes<'_>) -> String {
    match b.byte() % 4 {
        0 => "(i32.const 0)".into(),
        1 => "(i32.const 1)".into(),
        _ => format!(
            "(i32.or (i32.const 2) (i32.shl (global.get $g{}) (i32.const 4)))",
            b.byte() % 8
        ),
    }
}

/// The component for input `data`, as text.
pub fn component_text(data: &[u8]) -> String {
    let mut b = Bytes(data);
    // Valid handles to start from: a stream's two ends, a future's, a
    // waitable set and a subtask.
    let prologue = "    (local.set $w (call $stream.new))\n    \
        (global.set $g0 (i32.wrap_i64 (local.get $w)))\n    \
        (global.set $g1 (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 32))))\n    \
        (local.set $w (call $future.new))\n    \
        (global.set $g2 (i32.wrap_i64 (local.get $w)))\n    \
        (global.set $g3 (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 32))))\n    \
        (global.set $g4 (call $waitable-set.new))\n    \
        (global.set $g5 (i32.shr_u (call $work) (i32.const 4)))\n";
    let run = format!("{prologue}{}", program(&mut b, 24));
    let run_code = code(&mut b);
    let cb = program(&mut b, 12);
    let cb_code = code(&mut b);
    let globals: String =
        (0..8).map(|i| format!("      (global $g{i} (mut i32) (i32.const {i}))\n")).collect();
    let imports: String = OPS
        .iter()
        .map(|(name, params, result)| {
            let params: String = params.chars().map(|_| " i32").collect();
            let params =
                if params.is_empty() { String::new() } else { format!(" (param{params})") };
            let result =
                if result.is_empty() { String::new() } else { format!(" (result {result})") };
            format!("      (import \"\" \"{name}\" (func ${name}{params}{result}))\n")
        })
        .collect();
    let exports: String = OPS
        .iter()
        .map(|(name, ..)| format!("        (export \"{name}\" (func ${name}))\n"))
        .collect();
    format!(
        r#"(component
  (component $Callee
    (core module $M
      (import "" "task.return" (func $task.return))
      (global $n (mut i32) (i32.const 0))
      (func (export "work") (result i32) (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (if (result i32) (i32.lt_u (global.get $n) (i32.const 2))
          (then (i32.const 1))
          (else (call $task.return) (i32.const 0))))
    )
    (canon task.return (core func $task.return))
    (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
    (func (export "work") async (canon lift (core func $m "work") async (callback (core func $m "cb"))))
  )
  (component $Caller
    (import "work" (func $work async))
  (core module $Memory (memory (export "mem") 1))
  (core instance $memory (instantiate $Memory))
  (type $ST (stream u8))
  (type $FT (future u32))
  (canon stream.new $ST (core func $stream.new))
  (canon stream.read $ST async (memory (core memory $memory "mem")) (core func $stream.read))
  (canon stream.write $ST async (memory (core memory $memory "mem")) (core func $stream.write))
  (canon stream.cancel-read $ST async (core func $stream.cancel-read))
  (canon stream.cancel-write $ST async (core func $stream.cancel-write))
  (canon stream.drop-readable $ST (core func $stream.drop-readable))
  (canon stream.drop-writable $ST (core func $stream.drop-writable))
  (canon future.new $FT (core func $future.new))
  (canon future.read $FT async (memory (core memory $memory "mem")) (core func $future.read))
  (canon future.write $FT async (memory (core memory $memory "mem")) (core func $future.write))
  (canon future.cancel-read $FT async (core func $future.cancel-read))
  (canon future.cancel-write $FT async (core func $future.cancel-write))
  (canon future.drop-readable $FT (core func $future.drop-readable))
  (canon future.drop-writable $FT (core func $future.drop-writable))
  (canon waitable-set.new (core func $waitable-set.new))
  (canon waitable-set.poll (memory (core memory $memory "mem")) (core func $waitable-set.poll))
  (canon waitable-set.wait (memory (core memory $memory "mem")) (core func $waitable-set.wait))
  (canon waitable-set.drop (core func $waitable-set.drop))
  (canon waitable.join (core func $waitable.join))
  (canon subtask.drop (core func $subtask.drop))
  (canon subtask.cancel async (core func $subtask.cancel))
  (canon context.get i32 0 (core func $context.get))
  (canon context.set i32 0 (core func $context.set))
  (canon backpressure.inc (core func $backpressure.inc))
  (canon backpressure.dec (core func $backpressure.dec))
  (canon thread.yield (core func $thread.yield))
  (canon task.return (core func $task.return))
  (canon lower (func $work) async (core func $work))
  (core module $Main
    (import "" "mem" (memory 1))
{imports}{globals}      (global $rounds (mut i32) (i32.const 0))
      (func (export "run") (result i32) (local $w i64)
{run}    {run_code})
      (func (export "cb") (param i32 i32 i32) (result i32) (local $w i64)
        (global.set $rounds (i32.add (global.get $rounds) (i32.const 1)))
        (if (i32.gt_u (global.get $rounds) (i32.const 3))
          (then (return (i32.const 0))))
{cb}    {cb_code})
  )
  (core instance $main (instantiate $Main (with "" (instance
        (export "mem" (memory $memory "mem"))
{exports}  ))))
  (func (export "run") async (canon lift (core func $main "run") async (callback (core func $main "cb"))))
  )
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "work" (func $callee "work"))))
  (export "run" (func $caller "run"))
)"#
    )
}

/// The `async-abi` target.
pub fn async_abi(data: &[u8]) -> Result<Outcome, String> {
    let text = component_text(data);
    let mut config = wazi::Config::new();
    config.consume_fuel(true);
    let engine = wazi::Engine::new(&config).map_err(|e| format!("{e:#}"))?;
    let component = Component::new(&engine, &text)
        .map_err(|e| format!("wazi refused a generated component: {e:#}\n{text}"))?;
    let linker: Linker<()> = Linker::new(&engine);
    for round in 0..2 {
        let mut store = wazi::Store::new(&engine, ());
        store.set_fuel(1_000_000).map_err(|e| format!("{e:#}"))?;
        let instance = linker
            .instantiate(&mut store, &component)
            .map_err(|e| format!("instantiation (round {round}): {e:#}"))?;
        let run = instance.get_func(&mut store, "run").ok_or("no run")?;
        // A trap, a deadlock or a return: all fine, reported as results.
        let _ = run.call(&mut store, &[], &mut []);
        // The store goes on: another instance in it instantiates.
        linker
            .instantiate(&mut store, &component)
            .map_err(|e| format!("instantiating again after the call: {e:#}"))?;
    }
    Ok(Outcome::Agreed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_text_parses() {
        for seed in 0..50u8 {
            let data: Vec<u8> = (0..300).map(|i| (i as u8).wrapping_mul(seed | 1)).collect();
            let text = super::component_text(&data);
            wat::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        }
    }
}

#[cfg(test)]
mod reach {
    /// The generated programs get past their first call: over many inputs
    /// the calls end in many different ways (each trap the rules define
    /// for a misuse, deadlocks, returns), not mostly the same early trap.
    #[test]
    fn programs_reach_many_outcomes() {
        let mut rng = crate::Rng(7);
        let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
        let engine = wazi::Engine::default();
        for _ in 0..1000 {
            let text = super::component_text(&rng.input());
            let c = wazi::component::Component::new(&engine, &text).unwrap();
            let linker: wazi::component::Linker<()> = wazi::component::Linker::new(&engine);
            let mut store = wazi::Store::new(&engine, ());
            let i = linker.instantiate(&mut store, &c).unwrap();
            let run = i.get_func(&mut store, "run").unwrap();
            let key = match run.call(&mut store, &[], &mut []) {
                Ok(()) => "returned".to_string(),
                // The message without handle numbers.
                Err(e) => format!("{e:#}")
                    .rsplit(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .to_string(),
            };
            *outcomes.entry(key).or_default() += 1;
        }
        assert!(outcomes.contains_key("returned"), "{outcomes:?}");
        assert!(outcomes.len() >= 20, "only {} outcomes: {outcomes:?}", outcomes.len());
        let most = outcomes.values().max().copied().unwrap_or(0);
        assert!(most < 300, "one outcome dominates: {outcomes:?}");
    }
}
