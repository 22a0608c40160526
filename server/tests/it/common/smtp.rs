//! The local SMTP server for the tests: `scripts/tools/smtp_sink.py` (aiosmtpd from the venv
//! `scripts/setup-tools.sh` makes), started once per test binary on a free port, writing each
//! message it accepts to a folder as `.eml` plus a decoded `.json`. Tests address messages to
//! unique recipients, so they can run in parallel on the one server.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Sink {
    pub port: u16,
    pub dir: PathBuf,
    /// The sink process; it exits by itself when this process does (`--parent-pid`).
    _process: std::process::Child,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The running sink (started on first use; it exits when this process does).
pub fn sink() -> &'static Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    SINK.get_or_init(|| {
        let python = root().join("scripts/tools/smtp-venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/setup-tools.sh (it installs aiosmtpd for the tests)",
            python.display()
        );
        let base = std::env::temp_dir().join(format!("sitepilot-smtp-{}", std::process::id()));
        let dir = base.join("mail");
        let port_file = base.join("port");
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&dir).expect("sink folder");
        let process = std::process::Command::new(python)
            .arg(root().join("scripts/tools/smtp_sink.py"))
            .arg("--dir")
            .arg(&dir)
            .arg("--port-file")
            .arg(&port_file)
            .arg("--parent-pid")
            .arg(std::process::id().to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start the SMTP sink");
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                break p;
            }
            assert!(Instant::now() < deadline, "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        Sink {
            port,
            dir,
            _process: process,
        }
    })
}

impl Sink {
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered to `address` so far, decoded, oldest first.
    pub fn messages_to(&self, address: &str) -> Vec<serde_json::Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("sink folder")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|p| std::fs::read(p).ok())
            .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .filter(|m| {
                m["rcpt_tos"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|a| a.as_str() == Some(address)))
            })
            .collect()
    }
}

/// The first header `name` (lower case) of a decoded message.
pub fn header<'a>(m: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    m["headers"][name][0].as_str()
}

/// The first `http…` link in a text part that contains `needle`.
pub fn link_containing(text: &str, needle: &str) -> Option<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http") && w.contains(needle))
        .map(|w| w.trim_end_matches(['.', ')', '>']).to_string())
        .next()
}
