//! `wazi run` on components (`wasm32-wasip2` guests from
//! `crates/test-programs`): output, arguments, environment, standard
//! streams, exit statuses and traps, and `--invoke` in WAVE. The expected
//! outputs are what wasmtime 48 prints for the same commands.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
#[allow(dead_code)]
mod support;

use test_programs_artifacts::{
    P2_CLI, P2_CONFIG, P2_INVOKE, P2_KEYVALUE, P2_TIME, P2_VALUES, P3_CLI,
};

fn wazi_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    wazi_with_late_stdin(args, stdin, Duration::ZERO)
}

/// Runs wazi, writing `stdin` to it after `delay`.
fn wazi_with_late_stdin(args: &[&str], stdin: &[u8], delay: Duration) -> Output {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wazi"))
        .env("RUST_BACKTRACE", "0")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(delay);
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(60), "wazi took too long");
    out
}

fn wazi(args: &[&str]) -> Output {
    wazi_with_stdin(args, b"")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn hello_p2_example() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hello-p2.wasm");
    let out = wazi(&["run", example]);
    assert_eq!(text(&out.stdout), "Hello, World!\n");
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    // The shorthand without `run`.
    let out = wazi(&[example]);
    assert_eq!(text(&out.stdout), "Hello, World!\n");
}

#[test]
fn arguments_and_environment() {
    let out = wazi(&["run", P2_CLI, "args", "a b", "--flag", "é"]);
    assert_eq!(text(&out.stdout), "p2_cli.wasm\nargs\na b\n--flag\né\n");
    let out = wazi(&["run", "--argv0", "prog", P2_CLI, "args"]);
    assert_eq!(text(&out.stdout), "prog\nargs\n");
    let out = wazi(&["run", "--env", "B=2", "--env", "A=1", P2_CLI, "env"]);
    assert_eq!(text(&out.stdout), "A=1\nB=2\n");
    let out = Command::new(env!("CARGO_BIN_EXE_wazi"))
        .env_clear()
        .env("WAZI_TEST_VAR", "yes")
        .args(["run", "-S", "inherit-env", P2_CLI, "env"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "WAZI_TEST_VAR=yes\n");
}

#[test]
fn initial_cwd_and_random_limits_as_in_wasmtime() {
    assert_eq!(text(&wazi(&["run", P2_CLI, "cwd"]).stdout), "none\n");
    let out = wazi(&["run", "-S", "cwd=/srv/app", P2_CLI, "cwd"]);
    assert_eq!(text(&out.stdout), "/srv/app\n");
    assert_eq!(text(&wazi(&["run", P2_CLI, "random", "100000"]).stdout), "100000\n");
    // Past the limit the call traps, with wasmtime's message.
    let out = wazi(&["run", "-S", "max-random-size=100", P2_CLI, "random", "101"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.trim_end().ends_with("requested len 101 exceeds limit 100"), "{err}");
    let out = wazi(&["run", "-S", "max-random-size=100", P2_CLI, "random", "100"]);
    assert_eq!(text(&out.stdout), "100\n");
    // The default limit is wasmtime's 64 MiB.
    let out = wazi(&["run", P2_CLI, "random", &(64u64 << 20 | 1).to_string()]);
    assert!(text(&out.stderr).contains("exceeds limit 67108864"), "{}", text(&out.stderr));
}

#[test]
fn resource_limits() {
    // With room for one WASI object, printing (which needs the stdout stream
    // and more) traps with wasmtime's message. (wasmtime keeps two more
    // objects of its own in the table: its limit bites earlier.)
    let out = wazi(&["run", "-S", "max-resources=1", P2_CLI, "args"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("resource table has no free keys"), "{}", text(&out.stderr));
    let out = wazi(&["run", "-S", "max-resources=10", P2_CLI, "args"]);
    assert_eq!(text(&out.stdout), "p2_cli.wasm\nargs\n");
    // Keys wasmtime has and wazi does not yet are refused by name.
    for key in ["max-component-handles=10", "nn-graph=openvino::nn"] {
        let out = wazi(&["run", "-S", key, P2_CLI, "args"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("is not supported yet"), "{}", text(&out.stderr));
    }
}

#[test]
fn wasi_config_variables_as_in_wasmtime() {
    let out = wazi(&[
        "run",
        "-S",
        "config",
        "-S",
        "config-var=greeting=hello",
        "-Sconfig-var=b=2=3",
        P2_CONFIG,
        "greeting",
        "missing",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "greeting = hello\nmissing is not set\nall: b=2=3\nall: greeting=hello\n"
    );
    // Without `-S config` the import is missing, in wasmtime's words.
    let out = wazi(&["run", P2_CONFIG]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "component imports instance `wasi:config/store@0.2.0-rc.1`, but a matching \
             implementation was not found in the linker"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn wasi_keyvalue_in_memory_as_in_wasmtime() {
    // tests/golden/p2_keyvalue.txt is wasmtime 48's output for the same
    // command line.
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/p2_keyvalue.txt");
    let expected = std::fs::read_to_string(golden).unwrap();
    let out = wazi(&[
        "run",
        "-S",
        "keyvalue",
        "-S",
        "keyvalue-in-memory-data=a=alpha",
        P2_KEYVALUE,
        "a",
        "b",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);
    let out = wazi(&["run", P2_KEYVALUE]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wasi:keyvalue/store@0.2.0-draft"));
}

#[test]
fn standard_streams_carry_large_data() {
    let input: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let out = wazi_with_stdin(&["run", P2_CLI, "cat"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, input);
    assert_eq!(text(&out.stderr), "300000 bytes\n");
    let out = wazi(&["run", P2_CLI, "big", "3000000"]);
    assert_eq!(out.stdout.len(), 3_000_000);
    assert!(out.stdout.iter().enumerate().all(|(i, b)| *b == b'a' + (i % 26) as u8));
    // No input at all.
    let out = Command::new(env!("CARGO_BIN_EXE_wazi"))
        .args(["run", P2_CLI, "cat"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(text(&out.stderr), "0 bytes\n");
}

#[test]
fn exit_statuses_follow_wasi_cli_exit() {
    let out = wazi(&["run", P2_CLI, "exit", "0"]);
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("exiting\n", Some(0)));
    // Rust's std exits with `exit(err)` for any non-zero status: 1.
    let out = wazi(&["run", P2_CLI, "exit", "7"]);
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("exiting\n", Some(1)));
    let out = wazi(&["run", P2_CLI, "err"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "Error: \"failure\"\n");
}

#[test]
fn traps_exit_like_an_abort() {
    let out = wazi(&["run", P2_CLI, "panic"]);
    assert_eq!(out.status.code(), Some(134));
    let err = text(&out.stderr);
    assert!(err.contains("the guest panicked"), "{err}");
    assert!(err.contains("0: failed to invoke `run` function"), "{err}");
    assert!(err.contains("p2_cli::main"), "{err}");
    assert!(err.contains("wasm trap: wasm `unreachable` instruction executed"), "{err}");
}

#[test]
fn unsupported_and_missing_imports_are_named() {
    let out = wazi(&["run", P2_VALUES]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "component imports instance `wazi:test/host@0.1.0`, but a matching implementation was not found in the linker"
        ),
        "{}",
        text(&out.stderr)
    );
    // A WASI 0.2 interface not implemented yet is named (any 0.2.x).
    let dir = tempfile::tempdir().unwrap();
    let timezone = dir.path().join("timezone.wat");
    std::fs::write(
        &timezone,
        r#"(component
            (import "wasi:clocks/timezone@0.2.3" (instance))
            (import "wasi:cli/environment@0.2.0" (instance
                (export "get-arguments" (func (result (list string))))))
        )"#,
    )
    .unwrap();
    let out = wazi(&["run", timezone.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("wazi: import wasi:clocks/timezone@0.2.3 is not supported yet"),
        "{}",
        text(&out.stderr)
    );
    // Without the WASI host, the first WASI import is missing.
    let out = wazi(&["run", "-S", "cli=n", P2_CLI]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("component imports instance `wasi:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn invoke_takes_and_prints_wave() {
    let cases = [
        ("echo-string(\"héllo ☃\")", "\"héllo ☃\"\n"),
        ("echo-point({x: 1, y: -2})", "{x: 1, y: -2}\n"),
        (
            "echo-big({a: 1, b: 2, c: 3, name: \"n\", items: [1, 2], ratio: some(0.5)})",
            "{a: 1, b: 2, c: 3, name: \"n\", items: [1, 2], ratio: some(0.5)}\n",
        ),
        ("echo-shape(rect({x: 1, y: 2}))", "rect({x: 1, y: 2})\n"),
        ("echo-perms({read, exec})", "{read, exec}\n"),
        ("echo-option(none)", "none\n"),
        ("echo-result(err(\"x\"))", "err(\"x\")\n"),
        ("sum17(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17)", "153\n"),
        ("echo-f32(nan)", "nan\n"),
        ("echo-char('😀')", "'😀'\n"),
        ("odd-nan()", "nan\n"),
        ("echo-tuple((1, \"a\", 2.5))", "(1, \"a\", 2.5)\n"),
        ("echo-color(green)", "green\n"),
        (
            "echo-nested([none, some(ok({x: 1, y: 2})), some(err(blue))])",
            "[none, some(ok({x: 1, y: 2})), some(err(blue))]\n",
        ),
        ("wazi:test/values.echo-u8@0.1.0(255)", "255\n"),
        ("echo-s64(-9223372036854775808)", "-9223372036854775808\n"),
    ];
    for (call, expected) in cases {
        let out = wazi(&["run", "--invoke", call, P2_INVOKE]);
        assert_eq!(text(&out.stdout), expected, "{call}: {}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{call}");
    }
    for (call, error) in [
        ("nope()", "No exported func named `nope` in component."),
        ("echo-u8(256)", "while interpreting parameters in invoke"),
        ("[constructor]counter(1)", "Failed to parse invoke"),
        ("echo-u8()", "while interpreting parameters"),
    ] {
        let out = wazi(&["run", "--invoke", call, P2_INVOKE]);
        assert_eq!(out.status.code(), Some(1), "{call}");
        assert!(text(&out.stderr).contains(error), "{call}: {}", text(&out.stderr));
    }
}

#[test]
fn inspect_prints_wit_or_module_types() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hello-p2.wasm");
    let out = wazi(&["inspect", example]);
    let wit = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(wit.contains("world root {"), "{wit}");
    assert!(wit.contains("  import wasi:cli/stdout@0.2.6;"), "{wit}");
    assert!(wit.contains("  export wasi:cli/run@0.2.0;"), "{wit}");
    let out = wazi(&["inspect", P2_INVOKE]);
    let wit = text(&out.stdout);
    assert!(wit.contains("echo-big: func(x: big) -> big;"), "{wit}");
    assert!(wit.contains("resource counter {"), "{wit}");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hello-p1.wasm");
    let out = wazi(&["inspect", example]);
    let summary = text(&out.stdout);
    assert!(
        summary
            .contains("import wasi_snapshot_preview1::fd_write: func(i32, i32, i32, i32) -> i32\n"),
        "{summary}"
    );
    assert!(summary.contains("export _start: func()\n"), "{summary}");
    let out = wazi(&["inspect", "/nonexistent/file.wasm"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn clocks_sleep_and_random_seeds() {
    let out = wazi(&["run", P2_TIME]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "slept at least 50ms: true\nslept less than 5s: true\nwall clock plausible: true\n\
         map of 100 squares, 9 -> 81\nhashers differ: true\n"
    );
}

/// `wasi:sockets@0.3` on loopback only: TCP and UDP echo within one
/// guest, name lookup, a refused connect, and the network policy.
#[test]
fn wasi_0_3_sockets() {
    // Each transcript is what wasmtime 48 prints for the same command.
    let net = ["run", "-S", "inherit-network", "-S", "allow-ip-name-lookup", P3_CLI];
    let with = |mode: &[&str]| {
        let mut args = net.to_vec();
        args.extend_from_slice(mode);
        let out = wazi(&args);
        assert_eq!(out.status.code(), Some(0), "{mode:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(
        with(&["tcp"]),
        "listening: true\nserver got 23 bytes\nclient got back: HELLO OVER WASI 0.3 TCP\n"
    );
    assert_eq!(with(&["udp"]), "b got: ping over udp (from a: true)\na got back: PING OVER UDP\n");
    assert_eq!(with(&["lookup", "127.0.0.1"]), "IpAddress::Ipv4((127, 0, 0, 1))\n");
    assert_eq!(with(&["lookup", "bad/name"]), "lookup failed: ErrorCode::InvalidArgument\n");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_eq!(
        with(&["connect", &closed.to_string()]),
        format!("connect to port {closed}: Err(ErrorCode::ConnectionRefused)\n")
    );
    // Without the host's network: no socket, and no resolver.
    let out = wazi(&["run", P3_CLI, "tcp"]);
    assert_eq!(out.status.code(), Some(134));
    assert!(text(&out.stderr).contains("socket: ErrorCode::AccessDenied"), "{}", text(&out.stderr));
    let out = wazi(&["run", P3_CLI, "lookup", "localhost"]);
    assert_eq!(text(&out.stdout), "lookup failed: ErrorCode::PermanentResolverFailure\n");
}

/// A WASI 0.3 command (Rust, `wasip3` bindings: `run` is an async export
/// with a callback, stdio goes through `stream<u8>`s): the same outputs and
/// statuses as the WASI 0.2 program gives for the same modes, and what
/// wasmtime 48 prints for each of these commands.
#[test]
fn wasi_0_3_commands() {
    let out = wazi(&["run", P3_CLI, "hello"]);
    assert_eq!(text(&out.stdout), "Hello from WASI 0.3!\n");
    assert_eq!(text(&out.stderr), "to stderr\n");
    assert_eq!(out.status.code(), Some(0));
    let out = wazi(&["run", P3_CLI, "args", "a b", "--flag", "é"]);
    assert_eq!(text(&out.stdout), "p3_cli.wasm\nargs\na b\n--flag\né\n");
    let out = wazi(&["run", "--env", "B=2", "--env", "A=1", P3_CLI, "env"]);
    assert_eq!(text(&out.stdout), "A=1\nB=2\n");
    let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let out = wazi_with_stdin(&["run", P3_CLI, "cat"], &input);
    assert!(out.stdout == input, "stdin was not copied through");
    assert_eq!(text(&out.stderr), "200000 bytes\n");
    let out = wazi(&["run", P3_CLI, "big", "123457"]);
    assert_eq!(out.stdout.len(), 123_457);
    assert!(out.stdout.iter().enumerate().all(|(i, &b)| b == b'a' + (i % 26) as u8));
    let out = wazi(&["run", P3_CLI, "exit", "7"]);
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("exiting\n", Some(7)));
    let out = wazi(&["run", P3_CLI, "err"]);
    assert_eq!(out.status.code(), Some(1));
    let out = wazi(&["run", P3_CLI, "sleep", "30"]);
    assert_eq!(text(&out.stdout), "slept enough: true\n");
    // Three waits of one task run concurrently (they end shortest first),
    // as under wasmtime 48.
    let out = wazi(&["run", P3_CLI, "timers"]);
    assert_eq!(text(&out.stdout), "b c a\n");
    // A read of standard input that has nothing yet lets the task's other
    // work go on: the 100 ms wait ends before the input (sent after 600 ms)
    // comes, as under wasmtime 48.
    let out =
        wazi_with_late_stdin(&["run", P3_CLI, "race"], b"hello\n", Duration::from_millis(600));
    assert_eq!(text(&out.stdout), "tick\ngot 6 bytes\n");
    // Many concurrent subtasks (host timers) of one task.
    let out = wazi(&["run", P3_CLI, "many", "20000"]);
    assert_eq!(text(&out.stdout), "20000 done\n");
    let out = wazi(&["run", P3_CLI, "random", "1000"]);
    assert_eq!(text(&out.stdout), "1000\n");
    let out = wazi(&["run", P3_CLI, "time"]);
    assert_eq!(text(&out.stdout), "after 2020: true\n");
    // wasi:filesystem@0.3: file contents and directory listings in streams,
    // on a fresh directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("existing"), "x").unwrap();
    let arg = format!("{}::/data", dir.path().display());
    let out = wazi(&["run", "--dir", &arg, P3_CLI, "fs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "preopen /data\nwrite: Ok(())\nappend: Ok(())\nread: \"hello, streams\" Ok(())\n\
         entries: [\"existing:DescriptorType::RegularFile\", \"p3.txt:DescriptorType::RegularFile\"] Ok(())\n\
         stat: DescriptorType::RegularFile size 14\nmissing: Some(ErrorCode::NoEntry)\nunlink: Ok(())\n"
    );
    assert!(!dir.path().join("p3.txt").exists());
    // Leaving the preopen through wasi:filesystem@0.3 fails as under
    // wasmtime 48, and the decoy beside it (in a fresh directory) stays.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(tmp.path().join("outside.txt"), "decoy").unwrap();
    std::fs::write(root.join("inside.txt"), "in").unwrap();
    let arg = format!("{}::/data", root.display());
    let out = wazi(&["run", "--dir", &arg, P3_CLI, "escape"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "open ../outside.txt: Some(ErrorCode::NotPermitted)\n\
         open /etc/passwd: Some(ErrorCode::NotPermitted)\n\
         open sub/../../outside.txt: Some(ErrorCode::NoEntry)\n\
         symlink out: Ok(())\n\
         open through link: Some(ErrorCode::NotPermitted)\n\
         stat through link: Some(ErrorCode::NotPermitted)\n\
         mkdir out: Err(ErrorCode::NotPermitted)\n\
         rename out: Err(ErrorCode::NotPermitted)\n\
         link out: Err(ErrorCode::NotPermitted)\n\
         unlink out: Err(ErrorCode::NotPermitted)\n"
    );
    assert_eq!(std::fs::read_to_string(tmp.path().join("outside.txt")).unwrap(), "decoy");
    let mut names: Vec<_> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["outside.txt", "root"]);
    assert_eq!(std::fs::read_to_string(root.join("inside.txt")).unwrap(), "in");
    // Without the 0.3 host (`-S p3=n`) the imports are missing.
    let out = wazi(&["run", "-S", "p3=n", P3_CLI, "hello"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("@0.3.2`, but a matching implementation was not found"), "{err}");
}

/// `--invoke` of an `async` export (lifted with a callback, returning
/// through `task.return`) prints its result as wasmtime 48 does.
#[test]
fn invoke_runs_async_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("double.wat");
    std::fs::write(
        &path,
        r#"(component
          (canon task.return (result u32) (core func $ret))
          (core module $M
            (import "" "ret" (func $ret (param i32)))
            (func (export "double") (param i32) (result i32)
              (call $ret (i32.mul (local.get 0) (i32.const 2)))
              (i32.const 0))
            (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
          (core instance $m (instantiate $M (with "" (instance (export "ret" (func $ret))))))
          (func (export "double") async (param "x" u32) (result u32)
            (canon lift (core func $m "double") async (callback (core func $m "cb")))))"#,
    )
    .unwrap();
    let out = wazi(&["run", "--invoke", "double(21)", path.to_str().unwrap()]);
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("42\n", Some(0)));
}

/// A WASI 0.3 read of standard input that has nothing yet waits for the
/// descriptor: the event loop sleeps until input comes instead of asking
/// again every millisecond (which was hundreds of wake-ups in this
/// window). Counted in wake-ups, not time, so a slow machine cannot make
/// it fail.
#[cfg(target_os = "linux")]
#[test]
fn waiting_for_input_sleeps() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wazi"))
        .args(["run", P3_CLI, "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Started and waiting (the guest's first read comes within this).
    std::thread::sleep(Duration::from_millis(400));
    let before = support::context_switches(child.id());
    std::thread::sleep(Duration::from_millis(500));
    let during = support::context_switches(child.id()) - before;
    let mut input = child.stdin.take().unwrap();
    input.write_all(b"hello").unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), "hello");
    assert_eq!(text(&out.stderr), "5 bytes\n");
    assert!(during < 50, "{during} wake-ups in 500 ms of waiting for input");
}
