//! Managers sharing one configuration (`Manager::with_shared_config`): each keeps its own seed
//! and its own changes.

use std::sync::Arc;

use super::sim::Sim;
use crate::config::Transports;
use crate::transport::TransportCommand;
use crate::Manager;

/// The URL of the first request `manager` makes to connect `/`.
fn first_url(manager: &mut Manager) -> String {
    manager.connect("/", crate::test_epoch());
    loop {
        match manager.poll_transport() {
            Some(TransportCommand::Http { request, .. }) => return request.url,
            Some(_) => {}
            None => panic!("no request"),
        }
    }
}

#[test]
fn a_shared_configuration_keeps_each_managers_seed_and_changes() {
    let mut config = Sim::config();
    config.transports = Transports::PollingOnly;
    let alone = first_url(&mut Manager::new(config.clone()).unwrap());
    let shared = Arc::new(config);
    let mut same_seed = Manager::with_shared_config(shared.clone(), 7).unwrap();
    let mut other_seed = Manager::with_shared_config(shared.clone(), 8).unwrap();
    // the cache-buster comes from the manager's seed, not from the shared configuration's
    assert_eq!(first_url(&mut same_seed), alone);
    assert_ne!(first_url(&mut other_seed), alone);

    same_seed.set_report_outgoing(true);
    assert!(same_seed.config().report_outgoing);
    assert!(!other_seed.config().report_outgoing, "copied on write");
    assert!(!shared.report_outgoing);
}
