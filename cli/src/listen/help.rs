//! The command language of `sio listen`, as `sio listen --help` and the prompt's `help`
//! show it (docs/cli.md has the same, with more examples).

/// `sio listen --help`, after the options: the stdin commands and the output lines.
pub(crate) const LISTEN_AFTER_HELP: &str = "\
Commands: one JSON object per line on stdin (without \"ns\": the first namespace)
  {\"emit\": EVENT, \"args\": [...], \"ns\": NS, \"ack\": REF, \"timeout_ms\": MS, \"volatile\": true}
                                  emit; with \"ack\", the answer is an ack (or ack_error) line
                                  carrying REF
  {\"reply\": ACK_ID, \"args\": [...], \"ns\": NS}
                                  answer the server's ack request (an event line's ack_id)
  {\"join\": ROOM, \"ns\": NS}        {\"leave\": ROOM, \"ns\": NS}
  {\"connect\": NS}                 {\"disconnect\": NS}
  {\"close\": true}                 stop (exit 0)
A command for a namespace that is not connected (or reconnecting) is an error line.
Binary values are {\"$binary\": \"<base64>\"} in both directions.

Output: one JSON object per line on stdout (the default when stdout is not a terminal)
  {\"type\":\"connect\",\"ns\":NS,\"id\":ID,\"recovered\":BOOL}
  {\"type\":\"connect_error\",\"ns\":NS,\"message\":TEXT,\"data\":JSON}
  {\"type\":\"disconnect\",\"ns\":NS,\"reason\":TEXT}
  {\"type\":\"reconnect_attempt\",\"attempt\":N}   {\"type\":\"reconnect\",\"attempt\":N}
  {\"type\":\"reconnect_error\",\"message\":TEXT}  {\"type\":\"reconnect_failed\"}
  {\"type\":\"event\",\"ns\":NS,\"event\":NAME,\"args\":[...],\"ack_id\":N}  (ack_id: the server waits)
  {\"type\":\"ack\",\"ref\":REF,\"args\":[...]}     {\"type\":\"ack_error\",\"ref\":REF,\"message\":TEXT}
  {\"type\":\"joined\",\"ns\":NS,\"room\":ROOM}     {\"type\":\"error\",\"message\":TEXT}
On a terminal (or with --pretty) the same records print as readable lines.

Interactive mode (stdin and stdout are a terminal): a prompt with history and Tab
completion; type `help` there. Bare words are strings: emit chat hi {\"a\":1}

Exit: 0 on close, end of a prompt session, Ctrl-C (SIGINT) or a closed stdout;
1 when the first namespace is refused or cannot connect (after the reconnection attempts),
or the connection is lost with --no-reconnect; 2 on bad usage.

Examples:
  sio listen http://localhost:3000 --ns /admin --join lobby
  echo '{\"emit\":\"echo\",\"args\":[\"hi\"],\"ack\":1}' | sio listen http://localhost:3000
  sio listen http://localhost:3000/guarded --auth '{\"token\":\"secret\"}' --json | jq .";

/// The prompt's `help`.
pub(crate) fn prompt_help() -> String {
    "\
Commands (for the current namespace, shown in the prompt):
  emit EVENT [ARG]...               emit; each ARG is JSON, or a string: emit chat hi {\"a\":1}
  emit --ack [--timeout MS] EVENT [ARG]...
                                    emit and print the answer as `ack #N`
  emit --volatile EVENT [ARG]...    drop the event if it cannot be sent now
  reply [#ID] [ARG]...              answer the server's ack request #ID (default: the newest)
  join ROOM / leave ROOM            the server's join/leave events (re-joined on reconnect)
  ns [NAMESPACE]                    switch to NAMESPACE (connecting it), or list namespaces
  connect NAMESPACE / disconnect [NAMESPACE]
  {\"emit\": ...}                     any JSON command of `sio listen --help`
  help                              this text
  quit (or Ctrl-D, Ctrl-C)          leave
Tab completes commands, event names seen so far, namespaces and rooms."
        .to_string()
}
