//! A small Brainfuck interpreter and the program it runs.

/// The embedded program: prints `i * i mod 256` for `i` in 1..=70, each
/// square computed by repeated addition (`i` additions of `i`): 1,852,531
/// Brainfuck instructions executed per run. Cells: c0 counts down the
/// iterations, c1 = i, c2 = the square, c3 and c4 = copies of i, c5 = temp.
pub const PROGRAM: &[u8] = concat!(
    ">+++++++[<++++++++++>-]<", // c0 = 7 * 10, using c1
    "[",                        // while c0 != 0:
    ">+",                       //   c1 += 1
    ">[-]",                     //   c2 = 0
    "<[>>+>+>+<<<<-]",          //   move c1 into c3, c4 and c5
    ">>>>[<<<<+>>>>-]",         //   move c5 back into c1
    "<<[",                      //   while c3 != 0:
    ">[<<+>>>+<-]",             //     add c4 to c2, moving c4 into c5
    ">[<+>-]",                  //     move c5 back into c4
    "<<-",                      //     c3 -= 1
    "]",                        //
    ">[-]",                     //   c4 = 0
    "<<.",                      //   print c2
    "<<-",                      //   c0 -= 1
    "]",
)
.as_bytes();

/// The jump table, computed at compile time: for the `[` at `i`, the index of
/// its matching `]`, and the other way round; 0 elsewhere. An unbalanced
/// program fails to compile.
pub const JUMPS: [u16; PROGRAM.len()] = jump_table(PROGRAM);

const fn jump_table<const N: usize>(program: &[u8]) -> [u16; N] {
    let mut jumps = [0u16; N];
    let mut stack = [0u16; 64];
    let mut depth = 0;
    let mut i = 0;
    while i < N {
        match program[i] {
            b'[' => {
                stack[depth] = i as u16;
                depth += 1;
            }
            b']' => {
                assert!(depth > 0, "unmatched ]");
                depth -= 1;
                let open = stack[depth] as usize;
                jumps[open] = i as u16;
                jumps[i] = open as u16;
            }
            _ => {}
        }
        i += 1;
    }
    assert!(depth == 0, "unmatched [");
    jumps
}

/// Tape length in cells (a power of two; the head wraps around).
const TAPE: usize = 4096;

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Folds one output byte into a 64-bit FNV-1a hash.
pub fn fnv1a(hash: &mut u64, byte: u8) {
    *hash = (*hash ^ byte as u64).wrapping_mul(FNV_PRIME);
}

/// Runs `program` (with its jump table) once on a fresh zeroed tape of 8-bit
/// wrapping cells, passing every byte it prints to `out`. `,` reads 0 (there
/// is no input).
pub fn run(program: &[u8], jumps: &[u16], mut out: impl FnMut(u8)) {
    let mut tape = [0u8; TAPE];
    let mut head = 0usize;
    let mut pc = 0usize;
    while pc < program.len() {
        match program[pc] {
            b'+' => tape[head] = tape[head].wrapping_add(1),
            b'-' => tape[head] = tape[head].wrapping_sub(1),
            b'>' => head = (head + 1) % TAPE,
            b'<' => head = (head + TAPE - 1) % TAPE,
            // A jump lands on the matching bracket; `pc += 1` then steps past it.
            b'[' if tape[head] == 0 => pc = jumps[pc] as usize,
            b']' if tape[head] != 0 => pc = jumps[pc] as usize,
            b'.' => out(tape[head]),
            b',' => tape[head] = 0,
            _ => {}
        }
        pc += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output<const N: usize>(program: &[u8; N]) -> Vec<u8> {
        let jumps = jump_table::<N>(program);
        let mut out = Vec::new();
        run(program, &jumps, |b| out.push(b));
        out
    }

    #[test]
    fn interpreter_basics() {
        assert_eq!(output(b"++++++++[>++++++++<-]>+.+.+."), b"ABC");
        assert_eq!(output(b"-.<-.,."), [255, 255, 0]); // wrapping cells and head
        assert_eq!(output(b"[.]+."), [1]); // a loop skipped at zero
        assert_eq!(output(b"+++[>++[>+<-]<-]>>."), [6]); // nested loops
    }

    #[test]
    fn program_prints_the_squares() {
        let expected: Vec<u8> = (1u32..=70).map(|i| (i * i) as u8).collect();
        let mut out = Vec::new();
        run(PROGRAM, &JUMPS, |b| out.push(b));
        assert_eq!(out, expected);
    }

    #[test]
    fn jump_table_matches_brackets() {
        for (i, &c) in PROGRAM.iter().enumerate() {
            let j = JUMPS[i] as usize;
            match c {
                b'[' => assert_eq!((PROGRAM[j], JUMPS[j] as usize), (b']', i)),
                b']' => assert_eq!((PROGRAM[j], JUMPS[j] as usize), (b'[', i)),
                _ => assert_eq!(j, 0),
            }
        }
    }
}
