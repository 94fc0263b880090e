//! `make test`'s half of the fuzzing: every target runs on every file of its checked-in corpus
//! (`fuzz/corpus/<target>/`, minimised inputs and the regressions the campaigns found), on
//! stable, in a plain `cargo test`. `make fuzz` (nightly, cargo-fuzz) grows the corpus.

use std::path::PathBuf;

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn every_target_has_a_corpus_and_passes_it() {
    let mut total = 0;
    for (name, body) in sio_fuzz_targets::TARGETS {
        let dir = corpus_dir(name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: empty corpus");
        for file in &files {
            let data = std::fs::read(file).expect("corpus file");
            // A failing input names itself before the panic message.
            eprintln!("{name}: {}", file.display());
            body(&data);
        }
        eprintln!("{name}: {} inputs", files.len());
        total += files.len();
    }
    assert!(total > 0);
}
