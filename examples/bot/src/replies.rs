//! What the bot says: a pure function of the message, so it is tested without a server.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What an answer may depend on besides the message.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The bot's display name (messages mentioning it are answered).
    pub bot: &'a str,
    /// The room the message arrived in.
    pub room: &'a str,
    /// Who is in the room, the bot included.
    pub online: &'a BTreeSet<String>,
    /// The current time (for `!time`).
    pub now: SystemTime,
}

/// The commands, for `!help`.
pub const HELP: &str = "!help · !time · !echo <text> · !who · !ping — or mention me";

/// The bot's answer to `text` from `user`, or `None` when it stays quiet: commands start
/// with `!`; any other message is answered only when it mentions the bot by name.
pub fn answer(user: &str, text: &str, ctx: &Context<'_>) -> Option<String> {
    let text = text.trim();
    if let Some(command) = text.strip_prefix('!') {
        let (name, rest) = command
            .split_once(char::is_whitespace)
            .map_or((command, ""), |(n, r)| (n, r.trim()));
        return Some(match name.to_ascii_lowercase().as_str() {
            "help" => format!("I answer {HELP}"),
            "time" => format!("it is {} UTC", utc_time(ctx.now)),
            "echo" if rest.is_empty() => "echo what? try: !echo hello".to_string(),
            "echo" => rest.to_string(),
            "who" => format!(
                "online in #{}: {}",
                ctx.room,
                ctx.online.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            "ping" => "pong".to_string(),
            "" => format!("commands: {HELP}"),
            other => format!("I don't know !{other} — try !help"),
        });
    }
    mentions(text, ctx.bot).then(|| {
        format!(
            "hi {user}! I'm a Rust bot on sio-client, in #{}. Try !help.",
            ctx.room
        )
    })
}

/// Whether `text` names `bot` as a whole word (`@bot`, `bot,`, `Bot?`), not inside another
/// word (`robot`).
pub fn mentions(text: &str, bot: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .any(|word| word.eq_ignore_ascii_case(bot))
}

/// `2024-11-26 14:03:07` for `now`, in UTC.
pub fn utc_time(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (the "days from civil" algorithm,
/// inverted; eras of 400 years).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(text: &str) -> Option<String> {
        let online: BTreeSet<String> = ["alice", "bot"].iter().map(|s| s.to_string()).collect();
        let ctx = Context {
            bot: "bot",
            room: "general",
            online: &online,
            now: UNIX_EPOCH + Duration::from_secs(1_732_630_987),
        };
        answer("alice", text, &ctx)
    }

    #[test]
    fn commands() {
        assert_eq!(ask("!ping").as_deref(), Some("pong"));
        assert_eq!(
            ask("  !echo   hello there ").as_deref(),
            Some("hello there")
        );
        assert_eq!(ask("!echo").as_deref(), Some("echo what? try: !echo hello"));
        assert_eq!(
            ask("!time").as_deref(),
            Some("it is 2024-11-26 14:23:07 UTC")
        );
        assert_eq!(
            ask("!who").as_deref(),
            Some("online in #general: alice, bot")
        );
        assert!(ask("!HELP").is_some_and(|a| a.contains("!echo")));
        assert_eq!(
            ask("!dance").as_deref(),
            Some("I don't know !dance — try !help")
        );
    }

    #[test]
    fn mentions_are_whole_words() {
        assert!(ask("hey @bot, you there?").is_some());
        assert!(ask("Bot?").is_some());
        assert_eq!(ask("a robot walks into a bar"), None);
        assert_eq!(ask("hello everyone"), None);
    }

    #[test]
    fn calendar() {
        assert_eq!(utc_time(UNIX_EPOCH), "1970-01-01 00:00:00");
        // a leap day, and the last second of a century year that is a leap year
        let at = |s: u64| utc_time(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(at(978_307_199), "2000-12-31 23:59:59");
        assert_eq!(at(4_107_542_400), "2100-03-01 00:00:00");
    }
}
