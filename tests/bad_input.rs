//! Bad input from the command line gets the real tool's refusal and costs the lab nothing:
//! names the kernel refuses, sizes no packet can have.

use std::process::{Command, Output};

/// Runs `script` under `l2lab run` (virtual time) and returns what it printed.
fn run(script: &str) -> Output {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("script.sh");
    std::fs::write(&path, script).expect("script");
    Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .arg(&path)
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn deleting_the_empty_netns_name_is_refused_and_the_host_keeps_its_links() {
    let out = run("ip netns del \"\"; echo \"rc=$?\"\n\
         ip netns add \"\"; echo \"rc=$?\"\n\
         sleep 2\n\
         ip link add br0 type bridge\n\
         ip -br link\n");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr, "Invalid netns name \"\"\nInvalid netns name \"\"\n",
        "{stdout}"
    );
    assert!(stdout.starts_with("rc=255\nrc=255\n"), "{stdout}");
    assert!(stdout.contains("\nlo "), "{stdout}");
    assert!(stdout.contains("\nbr0 "), "{stdout}");
}

#[test]
fn names_iproute2_refuses_never_reach_the_lab() {
    let long = "n".repeat(10_000);
    let out = run(&format!(
        "ip netns add {long}; echo \"rc=$?\"\n\
         ip link add \"a b\" type bridge; echo \"rc=$?\"\n\
         ip link add .. type bridge; echo \"rc=$?\"\n\
         ip netns list; ip -br link\n"
    ));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stdout.starts_with("rc=255\nrc=255\nrc=2\nlo "), "{stdout}");
    assert!(!stdout.contains(".."), "{stdout}");
    assert!(
        stderr.contains("Error: argument \"a b\" is wrong: \"dev\" not a valid ifname\n"),
        "{stderr}"
    );
}
