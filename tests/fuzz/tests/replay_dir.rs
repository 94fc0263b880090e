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
    let mut times = Vec::new();
    for entry in std::fs::read_dir(dir).expect("directory") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            eprintln!("{}", path.display());
            let data = std::fs::read(&path).expect("file");
            #[allow(clippy::disallowed_methods)] // timing the replay, not the core
            let start = std::time::Instant::now();
            body(&data);
            times.push((start.elapsed(), path));
        }
    }
    times.sort();
    println!("{name}: {} inputs from {dir}; slowest:", times.len());
    for (t, path) in times.iter().rev().take(5) {
        println!("  {t:?} {}", path.display());
    }
}
