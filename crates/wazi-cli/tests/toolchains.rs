//! Components made by other toolchains, built by this test (and cached in
//! `target/tmp/toolchains`) with the pinned versions the README's setup
//! installs, then run through the real `wazi` binary. Their transcripts are
//! what wasmtime 48 prints for the same components
//! (`tests/golden/{python,js}_*.txt`, recorded by
//! `scripts/record-golden.sh`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod support;

/// The componentize-py release the README's setup installs.
const COMPONENTIZE_PY: &str = "0.25.1";
/// The componentize-js release `tests/js/package.json` pins.
const COMPONENTIZE_JS: &str = "0.23.0";

fn wazi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wazi"));
    c.env("RUST_BACKTRACE", "0");
    c
}

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn golden(name: &str) -> String {
    let path = tests_dir().join("golden").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `cmd` with `stdin`, failing the test if it takes over 120 s.
fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(&bytes);
    });
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            pipe.read_to_end(&mut v).unwrap();
            v
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    writer.join().unwrap();
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// Where built components are kept between runs.
fn cache_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `target/tmp/toolchains/NAME.wasm`, rebuilt by `build` (given the path
/// to write) only when `inputs` changed since the last build.
fn cached(name: &str, inputs: &[&[u8]], build: impl FnOnce(&Path)) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    inputs.hash(&mut h);
    let key = format!("{:016x}", h.finish());
    let out = cache_dir().join(format!("{name}.wasm"));
    let stamp = cache_dir().join(format!("{name}.key"));
    if out.exists() && std::fs::read_to_string(&stamp).is_ok_and(|k| k == key) {
        return out;
    }
    let tmp = cache_dir().join(format!("{name}.building.wasm"));
    build(&tmp);
    std::fs::rename(&tmp, &out).unwrap();
    std::fs::write(&stamp, key).unwrap();
    out
}

/// A fresh directory holding `wit/world.wit` (`wit`) and, in `wit/deps`,
/// WASI 0.2.12's WIT from the `wasip2` crate, for the worlds that include
/// WASI's.
fn workspace(wit: &[u8]) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let wit_dir = work.path().join("wit");
    std::fs::create_dir_all(wit_dir.join("deps")).unwrap();
    std::fs::write(wit_dir.join("world.wit"), wit).unwrap();
    for e in std::fs::read_dir(test_programs_artifacts::WASI_0_2_WIT).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), wit_dir.join("deps").join(e.file_name())).unwrap();
    }
    work
}

/// `tests/python/NAME.py` made a component of world `NAME` in
/// `tests/python/NAME.wit` by componentize-py.
/// componentize-py through the Python that has it installed (no need for
/// its script on PATH).
fn componentize_py() -> Command {
    let mut c = Command::new("python3");
    c.args([
        "-c",
        "import sys, componentize_py; sys.argv[0] = 'componentize-py'; \
         sys.exit(componentize_py.script())",
    ]);
    c
}

fn python(name: &str) -> PathBuf {
    let version = componentize_py().arg("--version").output().unwrap_or_else(|e| {
        panic!(
            "componentize-py {COMPONENTIZE_PY} is installed by the README's setup \
             (pip install componentize-py=={COMPONENTIZE_PY}): {e}"
        )
    });
    let version = text(&version.stdout);
    assert_eq!(version.trim(), format!("componentize-py {COMPONENTIZE_PY}"), "pinned version");
    let dir = tests_dir().join("python");
    let source = std::fs::read(dir.join(format!("{name}.py"))).unwrap();
    let wit = std::fs::read(dir.join(format!("{name}.wit"))).unwrap();
    cached(&format!("python-{name}"), &[&source, &wit, version.as_bytes()], |out| {
        let work = workspace(&wit);
        std::fs::copy(dir.join(format!("{name}.py")), work.path().join(format!("{name}.py")))
            .unwrap();
        let built = run(
            componentize_py()
                .current_dir(work.path())
                .args(["-d", "wit", "-w", name, "componentize", name, "-o"])
                .arg(out),
            b"",
        );
        assert!(built.status.success(), "componentize-py: {}", text(&built.stderr));
    })
}

#[test]
fn python_command() {
    let command = python("command");
    let scratch = tempfile::tempdir().unwrap();
    let out = run(
        wazi()
            .args(["run", "--env", "B=2", "--env", "A=1", "--dir"])
            .arg(format!("{}::/scratch", scratch.path().display()))
            .arg(&command)
            .arg("tour"),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("python_command_tour.txt"));
    let left: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().map(|e| e.unwrap()).collect();
    assert_eq!(left.len(), 1);
    assert_eq!(std::fs::read(left[0].path()).unwrap().len(), 8890);

    let input: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let out = run(wazi().arg("run").arg(&command).arg("cat"), &input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout == input, "standard input came back changed");
    assert_eq!(text(&out.stderr), "read 300000 bytes\n");
    // componentize-py reports any non-zero `sys.exit` as a failure: status
    // 1, as under wasmtime 48.
    let out = run(wazi().arg("run").arg(&command).args(["exit", "3"]), b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = run(wazi().arg("run").arg(&command).arg("raise"), b"");
    assert_eq!(out.status.code(), Some(134));
    let err = text(&out.stderr);
    assert!(err.starts_with("Traceback (most recent call last):\n"), "{err}");
    assert!(err.contains("ValueError: raised on purpose\n"), "{err}");
    assert!(err.contains("wasm trap: wasm `unreachable` instruction executed"), "{err}");
}

/// The `--invoke` calls made of the library components, one per line of
/// their transcript.
const LIBRARY_CALLS: &[&str] = &[
    "area(circle(2.0))",
    "area(rect({x: 3, y: -4, label: \"r\"}))",
    "area(empty)",
    "mirror({x: 1, y: 2, label: \"abc\"})",
    "next-color(blue)",
    "grant({write, exec})",
    "grant({})",
    "describe([(\"a\", some(1)), (\"b\", none)])",
    "describe([])",
];

/// `== CALL`, what it printed and its exit status, for every call.
fn invoke_transcript(flags: &[&str], component: &Path) -> String {
    let mut transcript = String::new();
    for call in LIBRARY_CALLS {
        let out = run(wazi().arg("run").args(flags).args(["--invoke", call]).arg(component), b"");
        transcript.push_str(&format!("== {call}\n{}", text(&out.stdout)));
        transcript.push_str(&format!("exit {}\n", out.status.code().unwrap()));
    }
    transcript
}

#[test]
fn python_library_with_world_level_types() {
    let library = python("library");
    assert_eq!(invoke_transcript(&[], &library), golden("python_library.txt"));
}

/// `tests/js/NAME.js` made a component of world `NAME` in
/// `tests/js/NAME.wit` by componentize-js (from `tests/js/node_modules`,
/// which the README's setup installs with `npm ci`).
fn js(name: &str) -> PathBuf {
    let dir = tests_dir().join("js");
    let tool = dir.join("node_modules/@bytecodealliance/componentize-js");
    let manifest = std::fs::read_to_string(tool.join("package.json")).unwrap_or_else(|e| {
        panic!(
            "componentize-js is installed by the README's setup \
             (npm ci --prefix crates/wazi-cli/tests/js): {e}"
        )
    });
    let pinned = format!("\"version\": \"{COMPONENTIZE_JS}\"");
    assert!(manifest.contains(&pinned), "componentize-js {COMPONENTIZE_JS} is pinned");
    let source = std::fs::read(dir.join(format!("{name}.js"))).unwrap();
    let wit = std::fs::read(dir.join(format!("{name}.wit"))).unwrap();
    cached(&format!("js-{name}"), &[&source, &wit, manifest.as_bytes()], |out| {
        let work = workspace(&wit);
        let built = run(
            Command::new("node")
                .current_dir(work.path())
                .arg(tool.join("src/cli.js"))
                .arg(dir.join(format!("{name}.js")))
                .args(["--wit", "wit", "-n", name, "-o"])
                .arg(out),
            b"",
        );
        assert!(built.status.success(), "componentize-js: {}", text(&built.stderr));
    })
}

// StarlingMonkey, the JavaScript engine inside, imports `wasi:http` (for
// `fetch`), so its components run with `-S http`, under wasmtime too.

#[test]
fn js_command() {
    let command = js("command");
    let out =
        run(wazi().args(["run", "-S", "http", "--env", "A=1"]).arg(&command).arg("tour"), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), golden("js_command_tour.txt"));

    // `fetch` against Python's http.server: a streamed request body, the
    // response read back (wasmtime 48 prints the same).
    let py = support::PythonServer::start();
    let url = format!("{}/echo", py.base);
    let out = run(wazi().args(["run", "-S", "http"]).arg(&command).args(["fetch", &url]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "status 200\ncontent-type text/plain\nrequest line: POST /echo HTTP/1.1\nhost: {}\n\
             x-test: js\nbody: 100000 bytes, checksum {}, chunked False\nrequest trailers: []\n\n",
            py.base.trim_start_matches("http://"),
            support::pattern_checksum(100_000)
        )
    );
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let out = run(wazi().args(["run", "-S", "http"]).arg(&command).args(["fail", &refused]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "caught TypeError: NetworkError when attempting to fetch resource\n"
    );
}

#[test]
fn js_library_with_world_level_types() {
    let library = js("library");
    assert_eq!(invoke_transcript(&["-S", "http"], &library), golden("js_library.txt"));
}
