//! WASI through the real `wazi` binary: guest programs from
//! `crates/test-programs` (WASI 0.1 modules, and WASI 0.2 components for
//! the filesystem and sockets) run in fresh temporary directories (and on
//! loopback only), and their
//! transcripts are compared with the ones wasmtime 48 produced
//! (`tests/golden/`, recorded by `scripts/record-golden.sh`).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use test_programs_artifacts as guests;

fn wazi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wazi"));
    c.env("RUST_BACKTRACE", "0");
    c
}

fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs with no standard input, failing the test if it takes over 60 s.
fn run(cmd: &mut Command) -> Output {
    run_with_input(cmd, None)
}

fn run_with_input(cmd: &mut Command, input: Option<(Duration, &[u8])>) -> Output {
    let mut child = cmd
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = input.map(|(delay, bytes)| {
        let mut stdin = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = stdin.write_all(&bytes);
        })
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).unwrap();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("wazi did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(w) = writer {
        w.join().unwrap();
    }
    Output { status, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

#[test]
fn hello() {
    let out = run(wazi().arg(guests::P1_HELLO));
    assert_eq!(text(&out.stdout), "Hello, World!\n");
    assert_eq!(out.status.code(), Some(0));
    // `wazi FILE` and `wazi run FILE` are the same.
    let out = run(wazi().arg("run").arg(guests::P1_HELLO));
    assert_eq!(text(&out.stdout), "Hello, World!\n");
}

#[test]
fn arguments_environment_and_exit_status() {
    let out = run(wazi()
        .env("FROM_HOST", "inherited")
        .env("NOT_PASSED", "x")
        .args([
            "run",
            "--env",
            "A=1",
            "--env",
            "FROM_HOST",
            "--env",
            "UNSET_ON_HOST",
            "--env",
            "B=x=y",
        ])
        .arg(guests::P1_CLI)
        .args(["exit", "42"]));
    assert_eq!(out.status.code(), Some(42));
    assert_eq!(
        text(&out.stdout),
        "arg 0: p1_cli.wasm\narg 1: exit\narg 2: 42\nenv A=1\nenv B=x=y\nenv FROM_HOST=inherited\n"
    );
    let out =
        run(wazi().args(["run", "--argv0", "renamed"]).arg(guests::P1_CLI).args(["exit", "0"]));
    assert!(text(&out.stdout).starts_with("arg 0: renamed\n"));
    assert_eq!(out.status.code(), Some(0));
    let out = run(wazi()
        .env("ONLY_VIA_INHERIT", "yes")
        .args(["run", "-S", "inherit-env"])
        .arg(guests::P1_CLI));
    assert!(text(&out.stdout).contains("env ONLY_VIA_INHERIT=yes\n"));
}

#[test]
fn stdin_to_stdout_and_stderr() {
    let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let out = run_with_input(wazi().arg(guests::P1_CLI).arg("cat"), Some((Duration::ZERO, &input)));
    assert_eq!(out.status.code(), Some(0));
    let stdout = out.stdout;
    let header = b"arg 0: p1_cli.wasm\narg 1: cat\n";
    assert_eq!(&stdout[..header.len()], header);
    assert_eq!(&stdout[header.len()..], &input[..]);
    assert_eq!(text(&out.stderr), "read 200000 bytes\n");
    let out = run(wazi().arg(guests::P1_CLI).arg("stderr"));
    assert_eq!(text(&out.stderr), "no newline at the end");
}

#[test]
fn large_output_is_complete_after_proc_exit() {
    let out = run(wazi().arg(guests::P1_CLI).args(["big", "100000"]));
    assert_eq!(out.status.code(), Some(3));
    let lines = text(&out.stdout).lines().filter(|l| l.starts_with("0123")).count();
    assert_eq!(lines, 100_000);
    assert_eq!(out.stdout.len(), 6_600_044);
}

#[test]
fn trap_exit_status_and_backtrace() {
    let out = run(wazi().arg(guests::P1_CLI).arg("panic"));
    assert_eq!(out.status.code(), Some(134));
    let err = text(&out.stderr);
    assert!(err.contains("guest panicked on purpose"), "{err}");
    assert!(err.contains("Error: failed to run main module"), "{err}");
    assert!(err.contains("error while executing at wasm backtrace:"), "{err}");
    assert!(err.contains("!p1_cli::main::"), "demangled frame names: {err}");
    assert!(err.contains("wasm trap: wasm `unreachable` instruction executed"), "{err}");
    // The guest's stdout written before the trap is all there.
    assert_eq!(text(&out.stdout), "arg 0: p1_cli.wasm\narg 1: panic\n");
}

#[test]
fn filesystem_transcript_matches_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", dir.path().display()))
        .arg(guests::P1_FS));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p1_fs.txt"));
    // What the guest left: a.txt (renumbered and truncated to 0, then
    // nothing), nothing else.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["a.txt"]);
}

#[test]
fn readdir_transcript_matches_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", dir.path().display()))
        .arg(guests::P1_READDIR));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p1_readdir.txt"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 42);
}

#[test]
fn sandbox_escapes_are_refused() {
    let sandbox = escape_attempts(Path::new(guests::P1_SANDBOX), "p1_sandbox.txt");
    assert_eq!(
        std::fs::read_to_string(sandbox.path().join("sandbox/inside.txt")).unwrap(),
        "inside\n"
    );
}

/// Runs `guest` (p1_sandbox, as a module or a component) in a decoy tree:
/// the preopened `sandbox` and, next to it, a canary and a directory the
/// guest must not reach. Its transcript is `golden_name`, and nothing
/// outside the sandbox changes. Returns the tree.
fn escape_attempts(guest: &Path, golden_name: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let sandbox = root.path().join("sandbox");
    let outside = root.path().join("outside");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(root.path().join("canary.txt"), "canary\n").unwrap();
    std::fs::write(outside.join("secret.txt"), "secret\n").unwrap();
    std::fs::write(sandbox.join("inside.txt"), "inside\n").unwrap();
    // Everything but the sandbox itself, which the guest may change.
    let outside_sandbox = || {
        let mut s = snapshot(root.path());
        s.retain(|(path, _, _)| !path.starts_with("sandbox"));
        s
    };
    let before = outside_sandbox();
    assert_eq!(before.len(), 3);
    let out = run(wazi().arg("--dir").arg(format!("{}::scratch", sandbox.display())).arg(guest));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden(golden_name));
    assert_eq!(before, outside_sandbox(), "something outside the sandbox changed");
    root
}

/// Long `..` chains, deep nesting, over-long names and paths, symlink
/// chains and loops, escaping and absolute symlink targets, renames and
/// hard links between two preopens (p1_sandbox_paths): the transcript is
/// wasmtime's, and nothing outside the two preopens changes.
#[test]
fn long_paths_symlink_chains_and_cross_preopen_renames_hold() {
    paths_attempts(Path::new(guests::P1_SANDBOX_PATHS), "p1_sandbox_paths.txt");
}

/// [`long_paths_symlink_chains_and_cross_preopen_renames_hold`] for
/// `guest` (the module or its adapted component).
fn paths_attempts(guest: &Path, golden_name: &str) {
    let root = tempfile::tempdir().unwrap();
    let (sandbox, other) = (root.path().join("sandbox"), root.path().join("other"));
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::create_dir(&other).unwrap();
    std::fs::create_dir(root.path().join("outside")).unwrap();
    std::fs::write(root.path().join("canary.txt"), "canary\n").unwrap();
    std::fs::write(root.path().join("outside/secret.txt"), "secret\n").unwrap();
    std::fs::write(sandbox.join("inside.txt"), "inside\n").unwrap();
    let before = snapshot(root.path());
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", sandbox.display()))
        .arg("--dir")
        .arg(format!("{}::other", other.display()))
        .arg(guest)
        .arg("paths"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden(golden_name));
    // The guest put everything back where it was.
    let paths = |s: Vec<(String, Vec<u8>, std::time::SystemTime)>| {
        s.into_iter().map(|(p, c, _)| (p, c)).collect::<Vec<_>>()
    };
    assert_eq!(paths(before), paths(snapshot(root.path())));
}

/// A host thread keeps swapping `race/` inside the preopen between a real
/// directory and a symlink to a directory outside while the guest opens,
/// creates and removes paths through it: no read reaches the outside file
/// and nothing outside changes (cap-std resolves each path beneath the
/// preopen in the kernel, so a swap between checks cannot redirect it).
#[test]
fn symlink_swaps_during_path_lookups_never_escape() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let root = tempfile::tempdir().unwrap();
    let sandbox = root.path().join("sandbox");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(sandbox.join("race")).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(sandbox.join("race/secret.txt"), "decoy\n").unwrap();
    std::fs::write(outside.join("secret.txt"), "secret\n").unwrap();
    std::fs::write(root.path().join("canary.txt"), "canary\n").unwrap();
    let outside_sandbox = || {
        let mut s = snapshot(root.path());
        s.retain(|(path, _, _)| !path.starts_with("sandbox"));
        s
    };
    let before = outside_sandbox();
    let (stop, swaps) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let swapper = {
        let (stop, swaps, sandbox) = (stop.clone(), swaps.clone(), sandbox.clone());
        std::thread::spawn(move || {
            let (race, parked, link) =
                (sandbox.join("race"), sandbox.join("parked"), sandbox.join("link"));
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                std::fs::rename(&race, &parked).unwrap();
                std::os::unix::fs::symlink("../outside", &link).unwrap();
                std::fs::rename(&link, &race).unwrap();
                std::thread::yield_now();
                std::fs::remove_file(&race).unwrap();
                std::fs::rename(&parked, &race).unwrap();
                swaps.fetch_add(1, Ordering::Relaxed);
                std::thread::yield_now();
            }
        })
    };
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", sandbox.display()))
        .arg(guests::P1_SANDBOX_PATHS)
        .arg("race")
        .arg("3000"));
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "race: 3000 rounds, 0 reads outside\n");
    assert!(swaps.load(Ordering::Relaxed) > 0, "the host never swapped the directory");
    assert_eq!(before, outside_sandbox(), "something outside the sandbox changed");
}

/// WASI 0.1 descriptors count against `-S max-resources` as in wasmtime
/// (standard streams and preopens included): a guest opening files in a
/// loop gets `max - 4` of them, then its next `path_open` traps with
/// wasmtime's message, and the files it opened are closed on exit.
#[test]
fn p1_descriptor_table_is_bounded_by_max_resources() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("open-loop.wat");
    // Opens (creating) `f.txt` again and again, printing a `.` for each
    // success; exits with the errno of the first failure.
    std::fs::write(
        &module,
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write"
            (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "f.txt")
          (data (i32.const 400) ".")
          (data (i32.const 408) "\90\01\00\00\01\00\00\00")
          (func (export "_start") (local $r i32)
            (loop $again
              (local.set $r (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5)
                (i32.const 1) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0)
                (i32.const 100)))
              (if (i32.eqz (local.get $r))
                (then
                  (drop (call $write (i32.const 1) (i32.const 408) (i32.const 1) (i32.const 500)))
                  (br $again))))
            (call $exit (local.get $r))))"#,
    )
    .unwrap();
    let sandbox = dir.path().join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    for (max, opened) in [(5, 1), (50, 46)] {
        let out = run(wazi()
            .arg("run")
            .arg(format!("-Smax-resources={max}"))
            .arg("--dir")
            .arg(format!("{}::scratch", sandbox.display()))
            .arg(&module));
        assert_eq!(text(&out.stdout), ".".repeat(opened), "max-resources={max}");
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("resource table has no free keys"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// Every path under `root` with its contents and modification time.
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            if meta.is_dir() {
                stack.push(e.path());
                out.push((rel, Vec::new(), meta.modified().unwrap()));
            } else {
                out.push((
                    rel,
                    std::fs::read(e.path()).unwrap_or_default(),
                    meta.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn stdio_clocks_random_preopens_match_wasmtime() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", a.path().display()))
        .arg("--dir")
        .arg(format!("{}::other", b.path().display()))
        .arg(guests::P1_STDIO)
        .args(["a", "b"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p1_stdio.txt"));
}

#[test]
fn poll_oneoff_matches_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with_input(
        wazi().arg("--dir").arg(format!("{}::scratch", dir.path().display())).arg(guests::P1_POLL),
        Some((Duration::from_millis(300), b"hello\n")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p1_poll.txt"));
}

/// The cases of `p1_invalid`: an argument outside its type's range each.
const INVALID_CASES: [&str; 13] = [
    "whence",
    "advice",
    "clockid",
    "signal",
    "fdflags",
    "fstflags",
    "oflags",
    "rights",
    "lookupflags",
    "sdflags",
    "riflags",
    "subscription",
    "utf8",
];

#[test]
fn invalid_arguments_trap_like_wasmtime() {
    for case in INVALID_CASES {
        let dir = tempfile::tempdir().unwrap();
        let out = run(wazi()
            .arg("--dir")
            .arg(format!("{}::scratch", dir.path().display()))
            .arg(guests::P1_INVALID)
            .arg(case));
        let mut transcript = String::new();
        transcript.push_str(&text(&out.stdout));
        for line in text(&out.stderr).lines() {
            // The normalisation the recording script applies.
            let is_frame = line.trim_start().split_once(": ").is_some_and(|(n, rest)| {
                n.chars().all(|c| c.is_ascii_digit()) && rest.trim_start().starts_with("0x")
            });
            if is_frame {
                continue;
            }
            match line.find("failed to run main module `") {
                Some(_) => transcript.push_str("Error: failed to run main module `<module>`"),
                None => transcript.push_str(line),
            }
            transcript.push('\n');
        }
        transcript.push_str(&format!("exit {}\n", out.status.code().unwrap()));
        assert_eq!(transcript, golden(&format!("p1_invalid_{case}.txt")), "case {case}");
    }
}

#[test]
fn read_only_preopen_refuses_every_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.txt"), "read me").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let before = snapshot(dir.path());
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::ro::ro", dir.path().display()))
        .arg(guests::P1_READONLY));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "read: = \"read me\"\nopen for writing: PERM\ncreate: PERM\ntruncate: PERM\nmkdir: PERM\n\
         unlink: PERM\nrmdir: PERM\nsymlink: PERM\nlink: PERM\nrename: PERM\nset times: PERM\n\
         set size: PERM\nfd set times: PERM\nstat: ok\nreaddir: = true\n\
         create in opened subdirectory: PERM\n"
    );
    assert_eq!(before, snapshot(dir.path()));
}

#[test]
fn preopened_listening_socket() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = wazi()
        .args(["run", "-S", &format!("tcplisten=127.0.0.1:{port}")])
        .arg(guests::P1_SOCKET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut conn = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(c) => break c,
            Err(_) if start.elapsed() < Duration::from_secs(20) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => {
                child.kill().unwrap();
                panic!("could not connect: {e}");
            }
        }
    };
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    conn.write_all(b"hello socket").unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"HELLO SOCKET");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "listener type SOCKET_STREAM\naccept before a connection: AGAIN\nlistener readable: 1\n\
         accepted a connection: SOCKET_STREAM\nreceived \"hello socket\"\nsent 12 bytes\n\
         shutdown write side: ok\nrecv on a file descriptor: NOTSOCK\naccept on stdout: NOTSOCK\n\
         close: ok\n"
    );
}

/// Builds `sources` with clang for `wasm32-wasi` (wasi-libc) into `wasm`,
/// at -O2 with `flags`.
fn clang_wasi(wasm: &Path, flags: &[&str], sources: &[std::path::PathBuf]) {
    let status = Command::new("clang")
        .args(["--target=wasm32-wasi", "-O2"])
        .args(flags)
        .arg("-o")
        .arg(wasm)
        .args(sources)
        .status()
        .expect(
            "clang is installed by the README's setup (clang lld wasi-libc libclang-rt-dev-wasm32)",
        );
    assert!(status.success(), "clang failed on {sources:?}");
}

#[test]
fn c_hello_world_from_wasi_libc() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { fprintf(stdout, \"Hello, World!\\n\"); return 0; }\n",
    )
    .unwrap();
    let wasm = dir.path().join("hello.wasm");
    clang_wasi(&wasm, &[], &[src]);
    let out = run(wazi().arg(&wasm));
    assert_eq!(text(&out.stdout), "Hello, World!\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn readme_example_program() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello-p1.wasm");
    let out = run(wazi().arg("run").arg(&example).args(["one", "two"]));
    assert_eq!(text(&out.stdout), "Hello, World!\narguments: one two\n");
    assert_eq!(out.status.code(), Some(0));
}

// ---- WASI 0.2 filesystem (components) ----

#[test]
fn p2_filesystem_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .arg("run")
        .arg("--dir")
        .arg(format!("{}::/scratch", dir.path().display()))
        .arg(guests::P2_FS));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p2_fs.txt"));
    // The guest removed everything it made.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn p2_sandbox_escapes_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let sandbox = root.path().join("sandbox");
    let outside = root.path().join("outside");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(root.path().join("canary.txt"), "canary\n").unwrap();
    std::fs::write(outside.join("secret.txt"), "secret\n").unwrap();
    std::fs::write(sandbox.join("inside.txt"), "inside\n").unwrap();
    std::os::unix::fs::symlink("../outside/secret.txt", sandbox.join("link-out")).unwrap();
    std::os::unix::fs::symlink("../outside", sandbox.join("dir-out")).unwrap();
    let before = snapshot(root.path());
    let out = run(wazi()
        .arg("run")
        .arg("--dir")
        .arg(format!("{}::/scratch", sandbox.display()))
        .arg("--dir")
        .arg(format!("{}::/ro::ro", sandbox.display()))
        .arg(guests::P2_SANDBOX));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let transcript = text(&out.stdout);
    let lines: Vec<&str> = transcript.lines().collect();
    assert_eq!(lines[0], "read inside: ok \"inside\\n\"");
    assert_eq!(lines[12], "read /ro/inside: ok \"inside\\n\"");
    // Every escape and every write under the read-only preopen failed
    // (wasmtime 48 gives the same transcript for the escapes; it has no
    // read-only preopens).
    for line in lines.iter().skip(1).filter(|l| !l.starts_with("read /ro/inside")) {
        assert!(line.ends_with("error PermissionDenied (63)"), "{line}");
    }
    assert_eq!(lines.len(), 17);
    assert_eq!(before, snapshot(root.path()), "the host's files changed");
}

// ---- WASI 0.2 sockets (components, loopback only) ----

fn p2_net(flags: &[&str], args: &[&str]) -> (String, String, Option<i32>) {
    let out = run(wazi().arg("run").args(flags).arg(guests::P2_NET).args(args));
    (text(&out.stdout), text(&out.stderr), out.status.code())
}

const NET: &[&str] = &["-S", "inherit-network"];

#[test]
fn p2_sockets_need_the_network_granted() {
    // As in wasmtime: no socket at all without `-S inherit-network`
    // (wasi-libc maps `access-denied` to EACCES, errno 2 in WASI).
    let denied = "bind failed: Permission denied (os error 2)\n";
    assert_eq!(p2_net(&[], &["bind"]).0, denied);
    assert_eq!(p2_net(&["-S", "inherit-network", "-S", "tcp=n"], &["bind"]).0, denied);
    assert_eq!(p2_net(NET, &["bind"]).0, "bound Ok(127.0.0.1)\n");
    let (out, err, code) = p2_net(&["-S", "inherit-network", "-S", "udp=n"], &["udp"]);
    assert_eq!(code, Some(134), "{out}");
    assert!(err.contains("Permission denied"), "{err}");
}

#[test]
fn p2_tcp_echo_through_std() {
    let (out, err, code) = p2_net(NET, &["tcp"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "listening on 127.0.0.1\n\
         accepted from 127.0.0.1\n\
         client peer is the listener: true\n\
         server local port is the listener's: true\n\
         nodelay: true\n\
         ttl: 42\n\
         server read 200000 bytes, intact: true\n\
         client read \"pong\"\n"
    );
    let (out, _, _) = p2_net(NET, &["refused"]);
    assert_eq!(out, "connect failed: Connection refused (os error 14)\n");
}

#[test]
fn p2_udp_through_std() {
    let (out, err, code) = p2_net(NET, &["udp"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "b got \"first\" from a: true\n\
         b got 1000 bytes, all 7: true\n\
         a got \"reply\" from b: true\n\
         b peer is a: true\n"
    );
}

#[test]
fn p2_name_lookup_is_opt_in() {
    let (out, _, _) = p2_net(NET, &["lookup", "localhost"]);
    assert_eq!(
        out,
        "localhost -> error: failed to lookup address information: Non-recoverable error\n"
    );
    let lookup = ["-S", "inherit-network", "-S", "allow-ip-name-lookup"];
    let (out, _, _) = p2_net(&lookup, &["lookup", "localhost"]);
    assert!(out.starts_with("localhost -> [") && out.contains("\"127.0.0.1\""), "{out}");
    let (out, _, _) = p2_net(&lookup, &["lookup", "127.0.0.1"]);
    assert_eq!(out, "127.0.0.1 -> [\"127.0.0.1\"]\n");
    // `.invalid` never resolves (the exact failure depends on the host's
    // resolver: no such name, or no resolver at all).
    let (out, _, _) = p2_net(&lookup, &["lookup", "nonexistent.invalid"]);
    assert!(out.starts_with("nonexistent.invalid -> error: "), "{out}");
}

/// Every `wasi:sockets` function called directly: states, argument
/// checks, options, streams, datagrams and lookups, as wasmtime 48 answers.
#[test]
fn p2_sockets_transcript() {
    let (out, err, code) =
        p2_net(&["-S", "inherit-network", "-S", "allow-ip-name-lookup"], &["raw"]);
    assert_eq!(code, Some(0), "{err}");
    // `localhost` may also have an IPv6 address on the host running the
    // test: the loopback address is what matters.
    let is_localhost = |l: &&str| l.starts_with("resolve \"localhost\"");
    let localhost = out.lines().find(is_localhost).expect("no localhost lookup");
    assert!(localhost.contains("(127, 0, 0, 1)"), "{localhost}");
    let strip = |s: &str| s.lines().filter(|l| !is_localhost(l)).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&out), strip(&golden("p2_net_raw.txt")));
}

#[test]
fn p2_datagram_sent_without_permit_traps() {
    let (out, err, code) = p2_net(NET, &["unpermitted"]);
    assert_eq!(out, "sending without a permit\n");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("0: failed to invoke `run` function"), "{err}");
    assert!(err.contains("unpermitted: argument exceeds permitted size"), "{err}");
}

#[test]
fn c_setjmp_longjmp_on_wasm_exceptions() {
    // clang lowers setjmp/longjmp to the legacy exception instructions
    // (`-mllvm -wasm-enable-sjlj`); the program's output must be the one
    // it gives built natively with the C library's setjmp.
    let dir = tempfile::tempdir().unwrap();
    let c = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    let wasm = dir.path().join("sjlj.wasm");
    let flags = ["-mllvm", "-wasm-enable-sjlj", "-mexception-handling"];
    clang_wasi(&wasm, &flags, &[c.join("sjlj.c"), c.join("sjlj_rt.c")]);
    let native = dir.path().join("sjlj-native");
    let status =
        Command::new("clang").arg("-O2").arg("-o").arg(&native).arg(c.join("sjlj.c")).status();
    assert!(status.unwrap().success());
    let expected = Command::new(&native).output().unwrap();
    assert!(expected.status.success());
    let out = run(wazi().args(["run", "-W", "legacy-exceptions"]).arg(&wasm));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&expected.stdout));
    assert!(text(&out.stdout).contains("round 3: setjmp returned 1"));
    // wasmtime 48 refuses the legacy instructions, and so does wazi unless
    // asked.
    let out = run(wazi().arg("run").arg(&wasm));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("legacy_exceptions"), "{}", text(&out.stderr));
}

#[test]
fn cpp_exceptions_from_zig_clang() {
    // A C++ program throwing through destructors, rethrowing, catching by
    // base class (tests/cpp/exceptions.cpp, prebuilt by tests/cpp/build.sh
    // with zig 0.17's clang 22 and libc++abi): the output is the native
    // build's, in both encodings of exceptions. wasmtime 48 gives the same
    // output for the final one and refuses the legacy one.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cpp");
    let expected = std::fs::read_to_string(dir.join("exceptions.txt")).unwrap();
    assert!(expected.contains("rethrowing negative: -3") && expected.contains("caught 9999"));
    let out = run(wazi().arg("run").arg(dir.join("exceptions.wasm")));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);
    let legacy = dir.join("exceptions-legacy.wasm");
    let out = run(wazi().args(["run", "-W", "legacy-exceptions"]).arg(&legacy));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn kotlin_programs_on_wasm_gc() {
    // Kotlin/Wasm programs (tests/kotlin/*.kt, prebuilt by
    // tests/kotlin/build.sh with JetBrains' kotlinc-wasm 2.4.20 for WASI):
    // WebAssembly GC objects for every Kotlin object, casts, exceptions
    // through try_table. The transcripts are wasmtime 48's.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kotlin");
    for name in ["tour", "binary_trees"] {
        let expected = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        let out = run(wazi().arg("run").arg(dir.join(format!("{name}.wasm"))));
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected, "{name}");
    }
    let tour = std::fs::read_to_string(dir.join("tour.txt")).unwrap();
    assert!(
        tour.contains("sorted=[1, 2, 3, 4, 5, 6, 7, 8, 9]") && tour.contains("caught msg=boom")
    );
}

// ---- WASI 0.1 modules as components (wasmtime 48's preview1 adapter) ----

/// `module` made a component with wasmtime 48's preview1 adapter, as
/// `wasm-tools component new --adapt` does: the command adapter, or with
/// `world` (the WIT of the module's exports) the reactor one. Written
/// beside the module as `NAME.component.wasm`, which
/// scripts/record-golden.sh runs under wasmtime.
fn adapted(module: &Path, world: Option<&str>) -> std::path::PathBuf {
    use wasi_preview1_component_adapter_provider as provider;
    let mut bytes = std::fs::read(module).unwrap();
    let adapter = match world {
        Some(wit) => {
            let mut resolve = wit_parser::Resolve::default();
            let pkg = resolve.push_str("world.wit", wit).unwrap();
            let world = resolve.select_world(&[pkg], None).unwrap();
            let utf8 = wit_component::StringEncoding::UTF8;
            wit_component::embed_component_metadata(&mut bytes, &resolve, world, utf8, false)
                .unwrap();
            provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER
        }
        None => provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    };
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&bytes)
        .unwrap()
        .adapter(provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, adapter)
        .unwrap()
        .encode()
        .unwrap();
    let out = module.with_extension("component.wasm");
    // Tests run in parallel: write whole files only.
    let tmp = module.with_extension(format!("component.{:?}.tmp", std::thread::current().id()));
    std::fs::write(&tmp, component).unwrap();
    std::fs::rename(&tmp, &out).unwrap();
    out
}

#[test]
fn adapted_commands_match_wasmtime() {
    // All made first: scripts/record-golden.sh records from these files.
    let [p1_fs, p1_readdir, p1_stdio, p1_poll] =
        [guests::P1_FS, guests::P1_READDIR, guests::P1_STDIO, guests::P1_POLL]
            .map(|g| adapted(Path::new(g), None));
    let fs = |guest: &Path| {
        let dir = tempfile::tempdir().unwrap();
        let out = run(wazi()
            .arg("run")
            .arg("--dir")
            .arg(format!("{}::scratch", dir.path().display()))
            .arg(guest));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (text(&out.stdout), dir)
    };
    let (transcript, dir) = fs(&p1_fs);
    assert_eq!(transcript, golden("adapted_p1_fs.txt"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let (transcript, dir) = fs(&p1_readdir);
    assert_eq!(transcript, golden("adapted_p1_readdir.txt"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 42);

    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .arg("--dir")
        .arg(format!("{}::scratch", a.path().display()))
        .arg("--dir")
        .arg(format!("{}::other", b.path().display()))
        .arg(&p1_stdio)
        .args(["a", "b"]));
    // The adapter has no proc_raise: it traps there, as under wasmtime.
    assert_eq!(out.status.code(), Some(134), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("unreachable executed at adapter line"));
    assert!(text(&out.stderr).contains("!proc_raise\n"), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("adapted_p1_stdio.txt"));

    let dir = tempfile::tempdir().unwrap();
    let out = run_with_input(
        wazi().arg("--dir").arg(format!("{}::scratch", dir.path().display())).arg(&p1_poll),
        Some((Duration::from_millis(300), b"hello\n")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("adapted_p1_poll.txt"));
}

#[test]
fn adapted_sandbox_and_read_only_preopens_hold() {
    escape_attempts(&adapted(Path::new(guests::P1_SANDBOX), None), "adapted_p1_sandbox.txt");
    paths_attempts(
        &adapted(Path::new(guests::P1_SANDBOX_PATHS), None),
        "adapted_p1_sandbox_paths.txt",
    );

    // Through the adapter the read-only preopen refuses what it refuses to
    // the module.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.txt"), "read me").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let before = snapshot(dir.path());
    let module = run(wazi()
        .arg("--dir")
        .arg(format!("{}::ro::ro", dir.path().display()))
        .arg(guests::P1_READONLY));
    let component = run(wazi()
        .arg("--dir")
        .arg(format!("{}::ro::ro", dir.path().display()))
        .arg(adapted(Path::new(guests::P1_READONLY), None)));
    assert_eq!(component.status.code(), Some(0), "{}", text(&component.stderr));
    assert!(text(&component.stdout).contains("open for writing: PERM\ncreate: PERM\n"));
    assert_eq!(text(&component.stdout), text(&module.stdout));
    assert_eq!(before, snapshot(dir.path()));
}

#[test]
fn adapted_cli_arguments_stdio_exit_and_traps() {
    let cli = adapted(Path::new(guests::P1_CLI), None);
    // The adapter's proc_exit reports any non-zero status as an error
    // (wasi:cli/exit `exit(err)`): status 1, under wasmtime 48 too.
    let out = run(wazi().args(["run", "--env", "A=1"]).arg(&cli).args(["exit", "42"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "arg 0: p1_cli.component.wasm\narg 1: exit\narg 2: 42\nenv A=1\n"
    );
    let input: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let out = run_with_input(wazi().arg(&cli).arg("cat"), Some((Duration::ZERO, &input)));
    assert_eq!(out.status.code(), Some(0));
    let header = b"arg 0: p1_cli.component.wasm\narg 1: cat\n";
    assert_eq!(&out.stdout[..header.len()], header);
    assert_eq!(&out.stdout[header.len()..], &input[..]);
    assert_eq!(text(&out.stderr), "read 100000 bytes\n");
    // proc_exit after a lot of output: all of it arrives.
    let out = run(wazi().arg(&cli).args(["big", "10000"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).lines().filter(|l| l.starts_with("0123")).count(), 10_000);
    let out = run(wazi().arg(&cli).arg("panic"));
    assert_eq!(out.status.code(), Some(134));
    let err = text(&out.stderr);
    assert!(err.contains("guest panicked on purpose"), "{err}");
    assert!(err.contains("wasm trap: wasm `unreachable` instruction executed"), "{err}");
}

#[test]
fn adapted_invalid_arguments_match_wasmtime() {
    let guest = adapted(Path::new(guests::P1_INVALID), None);
    let mut transcript = String::new();
    for case in INVALID_CASES {
        let dir = tempfile::tempdir().unwrap();
        let out = run(wazi()
            .arg("--dir")
            .arg(format!("{}::scratch", dir.path().display()))
            .arg(&guest)
            .arg(case));
        transcript.push_str(&format!("== {case}\n{}", text(&out.stdout)));
        transcript.push_str(&format!("exit {}\n", out.status.code().unwrap()));
    }
    assert_eq!(transcript, golden("adapted_p1_invalid.txt"));
}

#[test]
fn adapted_c_command_and_reactor() {
    let dir = tempfile::tempdir().unwrap();
    let c = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    let build = |src: &str, flags: &[&str]| {
        let wasm = dir.path().join(Path::new(src).with_extension("wasm"));
        clang_wasi(&wasm, flags, &[c.join(src)]);
        wasm
    };
    let hello = build("hello.c", &[]);
    let out = run(wazi().arg(adapted(&hello, None)).args(["x", "y"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello from C: hello.component.wasm x y\n");
    // A reactor: no `_start`, exports described by a WIT world.
    let lib = build("reactor.c", &["-mexec-model=reactor"]);
    let world = "package wazi:c-reactor;\n\nworld lib {\n  export add: func(a: u32, b: u32) -> u32;\n  export greet: func();\n}\n";
    let lib = adapted(&lib, Some(world));
    let out = run(wazi().args(["run", "--invoke", "add(2, 40)"]).arg(&lib));
    assert_eq!((text(&out.stdout).as_str(), out.status.code()), ("42\n", Some(0)));
    let out = run(wazi().args(["run", "--env", "WHO=you", "--invoke", "greet()"]).arg(&lib));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello from a C reactor, you (call 1)\n()\n");
}

// ---- hostcall fuel: what one host call may copy out of the guest ----

#[test]
fn p1_hostcall_fuel_matches_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(wazi()
        .args(["run", "-Shostcall-fuel=1000", "--dir"])
        .arg(format!("{}::scratch", dir.path().display()))
        .arg(guests::P1_HOSTCALL_FUEL));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("p1_hostcall_fuel.txt"));
    // Without the flag, wasmtime's 128 MiB per call: nothing runs out.
    let out = run(wazi()
        .args(["run", "--dir"])
        .arg(format!("{}::scratch", dir.path().display()))
        .arg(guests::P1_HOSTCALL_FUEL));
    assert!(!text(&out.stdout).contains("NOMEM"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("poll 30 subscriptions: errno 0\n"));
}

#[test]
fn p2_hostcall_fuel_and_stream_limits_match_wasmtime() {
    const NO_FUEL: &str = "fuel allocated for hostcalls has been exhausted";
    const CHILDREN: &str = "resource has children";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1mb"), vec![0; 1 << 20]).unwrap();
    // What wasmtime 48 prints and fails with for each case, with 5,000
    // bytes of fuel (its own CLI test of the same limits, and the same
    // runs under wasmtime 48 by hand).
    for (case, stdout, error) in [
        ("poll", "", Some(NO_FUEL)),
        ("poll-within", "ready: 2\nok\n", None),
        ("write", "", Some(NO_FUEL)),
        ("write-within", "wrote 4000\nwrote 4000\nwrote 4000\nok\n", None),
        ("write-stream", "", Some(NO_FUEL)),
        ("write-stream-blocking", "", Some(NO_FUEL)),
        (
            "write-stream-too-large",
            "",
            Some("Buffer too large for blocking-write-and-flush (expected at most 4096)"),
        ),
        ("write-zeroes", "", Some("cannot write more zeroes than `check_write` allows")),
        (
            "write-zeroes-too-large",
            "",
            Some("Buffer too large for blocking-write-zeroes-and-flush (expected at most 4096)"),
        ),
        ("mkdir", "", Some(NO_FUEL)),
        ("resolve", "", Some(NO_FUEL)),
        ("udp-send-many", "", Some(NO_FUEL)),
        ("udp-send-big", "", Some(NO_FUEL)),
        (
            "read",
            "read 0: 0\nread 1 MiB: 65536\nread u64::MAX: 65536\nstream read 1 MiB: 65536\nok\n",
            None,
        ),
        ("read-stream-max", "stream read u64::MAX: 65536\nok\n", None),
        ("read-tcp-max", "tcp read u64::MAX: Err(StreamError::Closed)\nok\n", None),
        ("drop-socket-first", "", Some(CHILDREN)),
        ("drop-stream-first", "", Some(CHILDREN)),
    ] {
        let out = run(wazi()
            .args(["run", "-Shostcall-fuel=5000", "-Sinherit-network", "--dir"])
            .arg(format!("{}::.", dir.path().display()))
            .arg(guests::P2_HOSTCALL_FUEL)
            .arg(case));
        assert_eq!(text(&out.stdout), stdout, "{case}");
        match error {
            None => assert_eq!(out.status.code(), Some(0), "{case}: {}", text(&out.stderr)),
            Some(e) => {
                assert_eq!(out.status.code(), Some(1), "{case}");
                assert!(text(&out.stderr).contains(e), "{case}: {}", text(&out.stderr));
            }
        }
    }
}

#[test]
fn p2_socket_stream_edges_match_wasmtime() {
    let out = run(wazi().args(["run", "-S", "inherit-network"]).arg(guests::P2_SOCKETS_EDGES));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // wasmtime 48 stops granting `check-write` permits on an idle TCP
    // stream after some calls, and after some tiny writes, while its
    // background writer catches up (how many depends on timing; later
    // wasmtime tests require that it never does). wazi's socket writes go
    // straight to the kernel, so it keeps granting them: those lines are
    // wazi's own, the rest is wasmtime's transcript.
    let expected = golden("p2_sockets_edges.txt")
        .lines()
        .map(|l| match l.split_once(": ") {
            Some(("first zero permit", _)) => "first zero permit: None".to_string(),
            Some(("permit refused at", _)) => "permit refused at: None".to_string(),
            Some(("peer received", n)) if n != "Ok(300)" => "peer received: Ok(300)".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(text(&out.stdout).trim_end(), expected);
}

#[test]
fn random_get_past_memory_traps_without_allocating() {
    // Found by the wasi-p1 fuzz target: 4 GiB asked for fails at once,
    // rather than the host allocating it first: past `max-random-size`
    // with wasmtime's messages, and past the memory within it.
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("random.wat");
    std::fs::write(
        &wat,
        r#"(module
          (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $r (i32.const 16) (i32.const 64)))
            (drop (call $r (i32.const 0) (i32.const -1)))))"#,
    )
    .unwrap();
    let start = Instant::now();
    let out = run(wazi().arg(&wat));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("2: failed to call `get-random-bytes`"), "{err}");
    assert!(err.contains("3: requested len 4294967295 exceeds limit 67108864"), "{err}");
    let out = run(wazi().args(["run", "-S", "max-random-size=4294967295"]).arg(&wat));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Pointer out of bounds: Region { start: 0, len: 4294967295 }"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20));
}
