//! The fuzz targets' corpora (fuzz/corpus/TARGET) replayed through their entry points on
//! stable: every input the fuzzers kept, crashes found and fixed among them, must run clean.

use std::path::PathBuf;

fn corpus(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: empty corpus", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        eprintln!("{}", f.display());
        run(&data);
    }
}

#[test]
fn proto() {
    corpus("proto", l2lab::fuzz::proto);
}

#[test]
fn viz() {
    corpus("viz", l2lab::fuzz::viz);
}

#[test]
fn replay() {
    corpus("replay", l2lab::fuzz::replay);
}

#[test]
fn tcpdump_read() {
    corpus("tcpdump_read", l2lab::fuzz::tcpdump_read);
}

#[test]
fn frames() {
    corpus("frames", l2lab::fuzz::frames);
}

#[test]
fn commands() {
    corpus("commands", l2lab::fuzz::commands);
}
