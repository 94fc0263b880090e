//! Where `sio listen` reads commands: JSON lines from a script's stdin (bounded lines), or
//! the interactive prompt (see [`super::prompt`]).

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Stdin};
use tokio::sync::mpsc;

/// Longest stdin line taken as a command; longer ones are skipped with an error line.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// One line of input.
#[derive(Debug)]
pub(crate) enum Line {
    Text(String),
    /// A line longer than the limit (in bytes) was skipped.
    TooLong(usize),
    /// End of input (at the prompt: Ctrl-D or Ctrl-C).
    End,
}

/// The command source.
pub(crate) enum Input {
    Script(ScriptInput),
    Prompt(PromptInput),
    Closed,
}

impl Input {
    /// JSON lines on stdin.
    pub(crate) fn script() -> Input {
        Input::Script(ScriptInput {
            reader: BufReader::new(tokio::io::stdin()),
            line: Vec::new(),
            skipping: false,
        })
    }

    /// Whether more lines may come.
    pub(crate) fn is_open(&self) -> bool {
        !matches!(self, Input::Closed)
    }

    /// Whether lines come from the interactive prompt.
    pub(crate) fn is_prompt(&self) -> bool {
        matches!(self, Input::Prompt(_))
    }

    /// The next line (cancel-safe: a partly read line is kept for the next call).
    pub(crate) async fn next(&mut self) -> Line {
        let line = match self {
            Input::Script(s) => s.next().await,
            Input::Prompt(p) => p.lines.recv().await.flatten().map_or(Line::End, Line::Text),
            Input::Closed => std::future::pending().await,
        };
        if matches!(line, Line::End) {
            if let Input::Prompt(p) = self {
                p.ended = true;
            } else {
                *self = Input::Closed;
            }
        }
        line
    }

    /// The last line was handled: the prompt may read the next one, showing `prompt`.
    pub(crate) fn ready(&mut self, prompt: String) {
        if let Input::Prompt(p) = self {
            if !p.ended {
                let _ = p.prompts.send(prompt);
            }
        }
    }
}

/// stdin of a script.
pub(crate) struct ScriptInput {
    reader: BufReader<Stdin>,
    /// The line read so far (kept across cancelled reads).
    line: Vec<u8>,
    /// Discarding the rest of a line that was too long.
    skipping: bool,
}

impl ScriptInput {
    async fn next(&mut self) -> Line {
        loop {
            if self.skipping {
                let mut scratch = Vec::new();
                match (&mut self.reader)
                    .take(64 * 1024)
                    .read_until(b'\n', &mut scratch)
                    .await
                {
                    Ok(0) | Err(_) => return Line::End,
                    Ok(_) if scratch.last() == Some(&b'\n') => self.skipping = false,
                    Ok(_) => {}
                }
                continue;
            }
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.line.len()) as u64;
            let read = (&mut self.reader)
                .take(room)
                .read_until(b'\n', &mut self.line)
                .await;
            match read {
                Ok(0) | Err(_) if self.line.is_empty() => return Line::End,
                // end of input in the middle of a line: the line is complete
                Ok(0) | Err(_) => return self.take_line(),
                Ok(_) if self.line.last() == Some(&b'\n') => return self.take_line(),
                Ok(_) if self.line.len() > MAX_LINE_BYTES => {
                    self.line = Vec::new();
                    self.skipping = true;
                    return Line::TooLong(MAX_LINE_BYTES);
                }
                Ok(_) => {}
            }
        }
    }

    fn take_line(&mut self) -> Line {
        let bytes = std::mem::take(&mut self.line);
        let text = String::from_utf8_lossy(&bytes);
        Line::Text(text.trim_end_matches(['\n', '\r']).to_string())
    }
}

/// The interactive prompt's end: lines typed (`None` at the end), and the prompt to show
/// for the next line once this one is handled.
pub(crate) struct PromptInput {
    pub(crate) lines: mpsc::Receiver<Option<String>>,
    pub(crate) prompts: std::sync::mpsc::Sender<String>,
    pub(crate) ended: bool,
}
