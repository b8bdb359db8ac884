//! Helpers shared by the integration tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Python's `http.server` (tests/servers/origin_server.py) on a free
/// loopback port, killed when dropped.
pub struct PythonServer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl PythonServer {
    pub fn start() -> PythonServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/origin_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the test's HTTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = match line.trim().strip_prefix("listening ") {
            Some(p) => p.parse().unwrap(),
            None => {
                let _ = child.kill();
                panic!("the Python server did not start: {line:?}");
            }
        };
        PythonServer { child, base: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The checksum the guest and the Python server compute, of the guest's
/// body pattern of `n` bytes.
pub fn pattern_checksum(n: usize) -> u32 {
    (0..n).fold(0u32, |a, i| a.wrapping_mul(31).wrapping_add((i % 251) as u32))
}

/// Voluntary context switches of every thread of process `pid` so far
/// (how often it slept and woke).
#[cfg(target_os = "linux")]
#[allow(dead_code)]
pub fn context_switches(pid: u32) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        for line in status.lines() {
            if let Some(n) = line.strip_prefix("voluntary_ctxt_switches:") {
                total += n.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    total
}
