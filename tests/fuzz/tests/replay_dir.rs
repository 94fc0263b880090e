//! `SIO_FUZZ_REPLAY=<target>:<dir> cargo test -p sio-fuzz-targets --test replay_dir`: runs one
//! target over every file of a directory (a campaign's work corpus, a crash directory). Does
//! nothing without the variable.

#[test]
fn replay_a_directory() {
    let Ok(spec) = std::env::var("SIO_FUZZ_REPLAY") else {
        return;
    };
    let (name, dir) = spec
        .split_once(':')
        .expect("SIO_FUZZ_REPLAY=<target>:<dir>");
    let (_, body) = sio_fuzz_targets::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("directory") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            eprintln!("{}", path.display());
            body(&std::fs::read(&path).expect("file"));
            n += 1;
        }
    }
    println!("{name}: {n} inputs from {dir}");
}
