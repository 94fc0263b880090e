//! `sio emit URL EVENT [ARG_JSON]...`: connect, emit once, optionally print the ack, exit.

use std::time::Duration;

use sio_client::payload::{
    from_json_with_binary as json_to_payload, to_json_with_binary as payload_to_json,
};

use crate::args::{parse_json_args, EmitArgs};
use crate::{explain, Failure};

pub(crate) async fn run(args: EmitArgs) -> Result<(), Failure> {
    let values = parse_json_args(&args.args)?;
    let ns = match &args.namespace {
        Some(ns) => ns.clone(),
        None => args.common.url_namespace()?,
    };
    let builder = args.common.builder()?.reconnection(false);
    let client = builder.build().map_err(|e| explain(&e))?;
    let socket = client.socket(&ns);
    let result = async {
        socket.connect().await.map_err(|e| explain(&e))?;
        let payload = json_to_payload(&values);
        if args.ack {
            let answer = socket
                .timeout(Duration::from_millis(args.timeout))
                .emit_payload_with_ack(&args.event, payload)
                .await
                .map_err(|e| match e {
                    sio_client::Error::Ack(sio_client::AckError::Timeout) => {
                        Failure::failed(format!("no acknowledgement within {} ms", args.timeout))
                    }
                    other => explain(&other),
                })?;
            let json = payload_to_json(&answer)
                .map_err(|e| Failure::failed(format!("undecodable acknowledgement: {e}")))?;
            crate::output::line(&json);
        } else {
            socket
                .emitter()
                .emit_payload(&args.event, payload)
                .map_err(|e| explain(&e))?;
        }
        Ok(())
    }
    .await;
    // Closing flushes what was emitted before the connection goes.
    client.close().await;
    result
}
