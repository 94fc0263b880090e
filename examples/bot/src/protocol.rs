//! The chat's wire format, shared with `examples/react-chat` (`src/protocol.ts`).
//!
//! There is no chat server: everything travels through the bundled test server's
//! `broadcast {room, event, args}` fixture, which emits `event(...args)` to everyone in
//! `room`, the sender included, and acks `true`. The events are:
//!
//! | event      | argument                                   | when                               |
//! |------------|--------------------------------------------|------------------------------------|
//! | `chat`     | `{id, user, text, ts, room}`               | a message (sent with an ack)       |
//! | `presence` | `{user, room, state: join \| here \| leave}` | entering, answering, [`HEARTBEAT`], leaving |
//! | `typing`   | `{user, room}`                             | while typing, at most every ~2 s   |
//!
//! The server appends a connection-state-recovery offset as an extra last argument to every
//! event it emits; the listeners read only the first argument.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everyone re-announces [`PresenceState::Here`] this often (the web app's `HEARTBEAT_MS`).
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Someone not heard from for this long has gone (the web app's `PRESENCE_TTL_MS`).
pub const PRESENCE_TTL: Duration = Duration::from_secs(40);

/// A chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    /// Unique per message (the web app uses it to drop duplicates).
    pub id: String,
    /// The author's display name.
    pub user: String,
    /// The text.
    pub text: String,
    /// Milliseconds since the Unix epoch, by the author's clock.
    pub ts: f64,
    /// The room it was sent to.
    #[serde(default)]
    pub room: String,
}

/// What a [`Presence`] announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceState {
    /// "I entered the room" — everyone already there answers [`PresenceState::Here`].
    Join,
    /// "I am in the room" (the answer to a join).
    Here,
    /// "I left the room" (or closed the page).
    Leave,
}

/// Who is in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The display name.
    pub user: String,
    /// The room.
    pub room: String,
    /// Join, here or leave.
    pub state: PresenceState,
}

/// Someone is typing in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    /// The display name.
    pub user: String,
    /// The room.
    #[serde(default)]
    pub room: String,
}

/// The argument of the server's `broadcast` fixture: emit `event(...args)` to `room`.
#[derive(Debug, Clone, Serialize)]
pub struct Broadcast<'a, T: Serialize> {
    /// The target room.
    pub room: &'a str,
    /// The event the room receives.
    pub event: &'a str,
    /// Its arguments (one here: the payload).
    pub args: [&'a T; 1],
}

impl<'a, T: Serialize> Broadcast<'a, T> {
    /// `event(payload)` to everyone in `room`.
    pub fn new(room: &'a str, event: &'a str, payload: &'a T) -> Self {
        Broadcast {
            room,
            event,
            args: [payload],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_states_are_lowercase_strings() {
        let p = Presence {
            user: "bot".into(),
            room: "general".into(),
            state: PresenceState::Here,
        };
        assert_eq!(
            serde_json::to_string(&Broadcast::new("general", "presence", &p)).ok(),
            Some(
                r#"{"room":"general","event":"presence","args":[{"user":"bot","room":"general","state":"here"}]}"#
                    .to_string()
            )
        );
    }

    #[test]
    fn chat_from_the_web_app_decodes() {
        let chat: Result<Chat, _> = serde_json::from_str(
            r#"{"id":"a-1","user":"alice","text":"hi","ts":1732612345678,"room":"general"}"#,
        );
        assert!(matches!(chat, Ok(c) if c.user == "alice" && c.ts > 0.0));
    }
}
