// The implementation of `wazi:test/values`, shared by `p2_values` and
// `p2_invoke` (each includes it after generating its world's bindings).

use std::cell::Cell;

use exports::wazi::test::values::{Big, Color, Counter, CounterBorrow, Guest, GuestCounter, Perms, Point, Shape};

thread_local! {
    static LIVE: Cell<u32> = const { Cell::new(0) };
}

struct MyCounter(Cell<u32>);

impl GuestCounter for MyCounter {
    fn new(start: u32) -> MyCounter {
        LIVE.with(|l| l.set(l.get() + 1));
        MyCounter(Cell::new(start))
    }
    fn inc(&self, by: u32) -> u32 {
        self.0.set(self.0.get() + by);
        self.0.get()
    }
    fn get(&self) -> u32 {
        self.0.get()
    }
    fn merge(a: CounterBorrow<'_>, b: CounterBorrow<'_>) -> Counter {
        let sum = a.get::<MyCounter>().get() + b.get::<MyCounter>().get();
        Counter::new(MyCounter::new(sum))
    }
    fn take(c: Counter) -> u32 {
        c.get::<MyCounter>().get()
    }
}

impl Drop for MyCounter {
    fn drop(&mut self) {
        LIVE.with(|l| l.set(l.get() - 1));
    }
}

struct G;

impl Guest for G {
    type Counter = MyCounter;

    fn echo_bool(x: bool) -> bool { x }
    fn echo_s8(x: i8) -> i8 { x }
    fn echo_u8(x: u8) -> u8 { x }
    fn echo_s16(x: i16) -> i16 { x }
    fn echo_u16(x: u16) -> u16 { x }
    fn echo_s32(x: i32) -> i32 { x }
    fn echo_u32(x: u32) -> u32 { x }
    fn echo_s64(x: i64) -> i64 { x }
    fn echo_u64(x: u64) -> u64 { x }
    fn echo_f32(x: f32) -> f32 { x }
    fn echo_f64(x: f64) -> f64 { x }
    fn echo_char(x: char) -> char { x }
    fn echo_string(x: String) -> String { x }
    fn echo_bytes(x: Vec<u8>) -> Vec<u8> { x }
    fn echo_strings(x: Vec<String>) -> Vec<String> { x }
    fn echo_point(x: Point) -> Point { x }
    fn echo_big(x: Big) -> Big { x }
    fn echo_tuple(x: (u8, String, f32)) -> (u8, String, f32) { x }
    fn echo_shape(x: Shape) -> Shape { x }
    fn echo_color(x: Color) -> Color { x }
    fn echo_perms(x: Perms) -> Perms { x }
    fn echo_option(x: Option<String>) -> Option<String> { x }
    fn echo_result(x: Result<u32, String>) -> Result<u32, String> { x }
    fn echo_nested(x: Vec<Option<Result<Point, Color>>>) -> Vec<Option<Result<Point, Color>>> { x }
    #[allow(clippy::too_many_arguments)]
    fn sum17(a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, a7: u32, a8: u32, a9: u32,
             a10: u32, a11: u32, a12: u32, a13: u32, a14: u32, a15: u32, a16: u32, a17: u64) -> u64 {
        [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16]
            .iter()
            .map(|&v| v as u64)
            .sum::<u64>()
            + a17
    }
    fn repeat(c: char, n: u32) -> String {
        std::iter::repeat_n(c, n as usize).collect()
    }
    fn string_len(s: String) -> u32 {
        s.chars().count() as u32
    }
    fn odd_nan() -> f32 {
        f32::from_bits(0x7fc0_1234)
    }
    fn live_counters() -> u32 {
        LIVE.with(|l| l.get())
    }
}

