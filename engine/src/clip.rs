//! Cutting user text quoted in error messages to a sensible length, on character boundaries:
//! a 10 MB one-line import or a long link must give a short message, never a copy of itself.

/// The most characters of a whole error message.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// The most characters of one piece of quoted input (a line, a cell, a value from a link).
pub const MAX_QUOTE_CHARS: usize = 120;

/// `text` cut to at most `max` characters, with "…" standing for what was cut (the "…" counts
/// in `max`). Text that fits is returned as it is. Never splits a character.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}\u{2026}", &text[..end])
        }
    }
}

/// A whole error message cut to [`MAX_MESSAGE_CHARS`].
pub fn message(text: &str) -> String {
    clip(text, MAX_MESSAGE_CHARS)
}

/// A piece of user input (a cell, a value from a link) cut to [`MAX_QUOTE_CHARS`].
pub fn quote(text: &str) -> String {
    clip(text, MAX_QUOTE_CHARS)
}

/// At most [`MAX_QUOTE_CHARS`] characters of `line` around `column` (1-based, in characters),
/// with "…" where the line goes on, and the column within the excerpt (1-based), so a caret
/// can still point at it.
pub fn excerpt(line: &str, column: usize) -> (String, usize) {
    let total = line.chars().count();
    if total <= MAX_QUOTE_CHARS {
        return (line.to_string(), column);
    }
    // Room for a "…" on each side.
    let room = MAX_QUOTE_CHARS - 2;
    let at = column.saturating_sub(1).min(total);
    let start = at.saturating_sub(room / 2).min(total - room);
    let end = start + room;
    let byte = |n: usize| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
    let mut out = String::new();
    let mut col = at - start + 1;
    if start > 0 {
        out.push('\u{2026}');
        col += 1;
    }
    out.push_str(&line[byte(start)..byte(end)]);
    if end < total {
        out.push('\u{2026}');
    }
    (out, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_cut_on_char_boundaries() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab\u{2026}");
        assert_eq!(clip("", 0), "");
        // Multibyte: every cut lands between characters.
        let s = "é€😀".repeat(1_000);
        for max in 0..50 {
            let c = clip(&s, max);
            assert!(c.chars().count() <= max.max(1), "{max}: {c}");
        }
        assert_eq!(clip("é€😀é", 3), "é€\u{2026}");
    }

    #[test]
    fn a_ten_megabyte_line_gives_a_short_excerpt_and_message() {
        let line = "x".repeat(10_000_000);
        let (ex, col) = excerpt(&line, 5_000_000);
        assert_eq!(ex.chars().count(), MAX_QUOTE_CHARS);
        assert!(ex.starts_with('\u{2026}') && ex.ends_with('\u{2026}'));
        assert!(col > 1 && col < MAX_QUOTE_CHARS);
        assert_eq!(message(&line).chars().count(), MAX_MESSAGE_CHARS);
        assert_eq!(quote(&line).chars().count(), MAX_QUOTE_CHARS);
        // At the start and at the end of the line.
        let (ex, col) = excerpt(&line, 1);
        assert_eq!((ex.chars().count(), col), (MAX_QUOTE_CHARS - 1, 1));
        assert!(ex.ends_with('\u{2026}') && !ex.starts_with('\u{2026}'));
        let (ex, col) = excerpt(&line, 10_000_001);
        assert!(ex.starts_with('\u{2026}') && !ex.ends_with('\u{2026}'));
        assert_eq!(col, MAX_QUOTE_CHARS);
    }

    #[test]
    fn excerpts_of_multibyte_lines_point_at_the_right_character() {
        let line = format!("{}X{}", "é😀".repeat(500), "€".repeat(500));
        let column = 1_001;
        let (ex, col) = excerpt(&line, column);
        assert_eq!(ex.chars().nth(col - 1), Some('X'));
        assert!(ex.chars().count() <= MAX_QUOTE_CHARS);
        let short = "aé€b";
        assert_eq!(excerpt(short, 3), (short.to_string(), 3));
    }
}
