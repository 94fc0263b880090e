//! The interactive prompt of `sio listen` (stdin and stdout are a terminal): rustyline on its
//! own thread for line editing, history and Tab completion; output is printed above the
//! prompt through rustyline's external printer, so events never garble the line being typed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Editor, ExternalPrinter, Helper};
use tokio::sync::mpsc;

use super::input::{Input, PromptInput};
use crate::out::{Format, Output, Sink};

/// Most names of each kind kept for completion (a server inventing event names cannot grow
/// the listener without bound).
const MAX_NAMES: usize = 10_000;

/// Lines kept in the history file.
const HISTORY_LINES: usize = 1000;

/// The prompt's commands, for completion.
const COMMANDS: &[&str] = &[
    "emit",
    "reply",
    "join",
    "leave",
    "ns",
    "connect",
    "disconnect",
    "help",
    "quit",
];

/// Names seen so far, for Tab completion.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    events: BTreeSet<String>,
    namespaces: BTreeSet<String>,
    rooms: BTreeSet<String>,
}

fn remember(set: &mut BTreeSet<String>, name: &str) {
    if set.len() < MAX_NAMES && !set.contains(name) {
        set.insert(name.to_string());
    }
}

impl Vocabulary {
    /// An event name seen (received or emitted).
    pub(crate) fn event(&mut self, name: &str) {
        remember(&mut self.events, name);
    }

    /// A namespace used.
    pub(crate) fn namespace(&mut self, name: &str) {
        remember(&mut self.namespaces, name);
    }

    /// A room joined.
    pub(crate) fn room(&mut self, name: &str) {
        remember(&mut self.rooms, name);
    }

    /// Candidates for the word being typed at `word_index` after `words`.
    fn candidates(&self, words: &[&str], partial: &str) -> Vec<String> {
        let pick = |names: &mut dyn Iterator<Item = &String>| {
            names
                .filter(|n| n.starts_with(partial))
                .cloned()
                .collect::<Vec<_>>()
        };
        let Some(command) = words.first() else {
            return COMMANDS
                .iter()
                .filter(|c| c.starts_with(partial))
                .map(|c| c.to_string())
                .collect();
        };
        match *command {
            // the event name: the first word after the flags
            "emit"
                if words[1..]
                    .iter()
                    .all(|w| w.starts_with("--") || w.parse::<u64>().is_ok()) =>
            {
                if partial.starts_with("--") {
                    ["--ack", "--timeout", "--volatile"]
                        .iter()
                        .filter(|f| f.starts_with(partial))
                        .map(|f| f.to_string())
                        .collect()
                } else {
                    pick(&mut self.events.iter())
                }
            }
            "ns" | "connect" | "disconnect" if words.len() == 1 => {
                pick(&mut self.namespaces.iter())
            }
            "join" | "leave" if words.len() == 1 => pick(&mut self.rooms.iter()),
            _ => Vec::new(),
        }
    }
}

/// rustyline's helper: completion from the [`Vocabulary`].
struct PromptHelper {
    vocabulary: Arc<Mutex<Vocabulary>>,
}

impl Completer for PromptHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
        let words: Vec<&str> = before[..start].split_whitespace().collect();
        let candidates = match self.vocabulary.lock() {
            Ok(v) => v.candidates(&words, &before[start..]),
            Err(_) => Vec::new(),
        };
        // a completed word is followed by a space, ready for the next one
        Ok((start, candidates.into_iter().map(|c| c + " ").collect()))
    }
}

impl Hinter for PromptHelper {
    type Hint = String;
}
impl Highlighter for PromptHelper {}
impl Validator for PromptHelper {}
impl Helper for PromptHelper {}

/// The external printer as the output's sink.
struct PrinterSink<P>(P);

impl<P: ExternalPrinter + Send + 'static> Sink for PrinterSink<P> {
    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        self.0
            .print(text.to_string())
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// Where the history is kept: `$SIO_HISTORY` (empty: nowhere), else
/// `$XDG_STATE_HOME/sio/history`, else `~/.local/state/sio/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SIO_HISTORY") {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("sio").join("history"))
}

/// The running prompt: the input for the session, the output printing above the prompt,
/// the vocabulary to feed, and the terminal settings to put back at the end.
pub(crate) struct Prompt {
    pub(crate) input: Input,
    pub(crate) out: Output,
    pub(crate) vocabulary: Arc<Mutex<Vocabulary>>,
    pub(crate) terminal: TerminalGuard,
}

/// Starts the editor thread showing `first_prompt`, and the output in `format` above it.
pub(crate) fn start(first_prompt: String, format: Format) -> Result<Prompt, String> {
    let terminal = TerminalGuard::save();
    let config = Config::builder()
        .max_history_size(HISTORY_LINES)
        .map_err(|e| e.to_string())?
        .auto_add_history(true)
        .completion_type(CompletionType::List)
        .build();
    let mut editor: Editor<PromptHelper, DefaultHistory> =
        Editor::with_config(config).map_err(|e| format!("cannot start the prompt: {e}"))?;
    let vocabulary = Arc::new(Mutex::new(Vocabulary::default()));
    editor.set_helper(Some(PromptHelper {
        vocabulary: vocabulary.clone(),
    }));
    let printer = editor
        .create_external_printer()
        .map_err(|e| format!("cannot print above the prompt: {e}"))?;
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let out = Output::start(format, PrinterSink(printer))
        .map_err(|e| format!("cannot start the output: {e}"))?;
    let (lines_tx, lines) = mpsc::channel(1);
    let (prompts, prompts_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sio-prompt".into())
        .spawn(move || edit_lines(editor, first_prompt, lines_tx, prompts_rx, history))
        .map_err(|e| format!("cannot start the prompt: {e}"))?;
    Ok(Prompt {
        input: Input::Prompt(PromptInput {
            lines,
            prompts,
            ended: false,
        }),
        out,
        vocabulary,
        terminal,
    })
}

/// The editor thread: a line, then wait until the session handled it (so that `ns` changes
/// the next prompt), until Ctrl-D or Ctrl-C.
fn edit_lines(
    mut editor: Editor<PromptHelper, DefaultHistory>,
    mut prompt: String,
    lines: mpsc::Sender<Option<String>>,
    prompts: std::sync::mpsc::Receiver<String>,
    history: Option<PathBuf>,
) {
    if let Some(dir) = history.as_ref().and_then(|p| p.parent()) {
        let _ = std::fs::create_dir_all(dir);
    }
    loop {
        match editor.readline(&prompt) {
            Ok(line) => {
                // kept at once: the listener may end (and the process exit) at any time
                if let Some(path) = &history {
                    let _ = editor.append_history(path);
                }
                if lines.blocking_send(Some(line)).is_err() {
                    break;
                }
                match prompts.recv() {
                    Ok(next) => prompt = next,
                    Err(_) => break,
                }
            }
            Err(_) => {
                let _ = lines.blocking_send(None);
                break;
            }
        }
    }
}

/// The terminal's settings from before the prompt, put back when the listener ends while
/// the editor is still reading (in raw mode).
pub(crate) struct TerminalGuard {
    #[cfg(unix)]
    saved: Option<nix::sys::termios::Termios>,
}

impl TerminalGuard {
    fn save() -> TerminalGuard {
        TerminalGuard {
            #[cfg(unix)]
            saved: nix::sys::termios::tcgetattr(std::io::stdin()).ok(),
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            let _ = nix::sys::termios::tcsetattr(
                std::io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                saved,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_offers_commands_events_namespaces_and_rooms() {
        let mut v = Vocabulary::default();
        v.event("chat");
        v.event("echo");
        v.namespace("/admin");
        v.room("lobby");
        assert_eq!(v.candidates(&[], "e"), ["emit"]);
        assert_eq!(v.candidates(&[], "d"), ["disconnect"]);
        assert_eq!(v.candidates(&["emit"], "e"), ["echo"]);
        assert_eq!(v.candidates(&["emit", "--ack"], "c"), ["chat"]);
        assert_eq!(v.candidates(&["emit"], "--a"), ["--ack"]);
        assert!(v.candidates(&["emit", "chat"], "c").is_empty());
        assert_eq!(v.candidates(&["ns"], "/a"), ["/admin"]);
        assert_eq!(v.candidates(&["join"], ""), ["lobby"]);
    }
}
