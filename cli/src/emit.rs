//! `sio emit URL EVENT [ARG]...`: connect, emit once, optionally print the ack, exit.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;
use sio_client::payload::{
    from_json_with_binary as json_to_payload, to_json_with_binary as payload_to_json,
};

use crate::args::EmitArgs;
use crate::out::Format;
use crate::words::word_values;
use crate::{explain, Failure};

/// How long a fire-and-forget emit waits after it is written before disconnecting.
const SETTLE: Duration = Duration::from_millis(100);

pub(crate) async fn run(args: EmitArgs) -> Result<(), Failure> {
    let values = match &args.args_file {
        Some(path) => read_args_file(path)?,
        None => word_values(&args.args).map_err(|e| Failure::usage(format!("argument {e}")))?,
    };
    let ns = match &args.namespace {
        Some(ns) => ns.clone(),
        None => args.common.url_namespace()?,
    };
    let format = Format::choose(args.format.pretty, args.format.json);
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
            print_answer(&json, format);
        } else {
            // A socket.io server ignores an event whose handler would run after the
            // disconnect that follows it in the same read: wait until the event is written,
            // then a moment more. Only --ack confirms that the server handled it.
            let (written_tx, written) = tokio::sync::oneshot::channel();
            let written_tx = std::sync::Mutex::new(Some(written_tx));
            let event = args.event.clone();
            socket.on_any_outgoing(move |name, _| {
                if name == event {
                    if let Some(tx) = written_tx.lock().ok().and_then(|mut t| t.take()) {
                        let _ = tx.send(());
                    }
                }
            });
            socket
                .emitter()
                .emit_payload(&args.event, payload)
                .map_err(|e| explain(&e))?;
            let _ = tokio::time::timeout(Duration::from_millis(args.timeout), written).await;
            tokio::time::sleep(SETTLE).await;
        }
        Ok(())
    }
    .await;
    // Closing flushes what was emitted before the connection goes.
    client.close().await;
    result
}

/// The ack's arguments: one JSON line (the contract), or indented JSON for people.
fn print_answer(json: &Value, format: Format) {
    match format {
        Format::Json => crate::out::lines::line(json),
        Format::Pretty { .. } => {
            let text = serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string());
            println!("{text}");
        }
    }
}

/// The arguments in `path` (`-`: stdin): JSON values one after the other.
fn read_args_file(path: &std::path::Path) -> Result<Vec<Value>, Failure> {
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::usage(format!("{} does not hold JSON values: {e}", path.display())))
}
