//! Splitting text into passages.
//!
//! A passage holds at most [`MAX_PASSAGE_BYTES`] bytes. Cuts fall, by preference, after a
//! paragraph break, after a sentence end, after any whitespace, and only when a window has
//! none of those, at the last character boundary: never inside a UTF-8 character. Nothing
//! is dropped or added, so joining the passages gives back the exact original text.
//!
//! [`Splitter`] works on a stream: feed it chunks as they arrive and it emits complete
//! passages, holding back at most one window of text.

/// Upper bound of a passage, in bytes.
pub const MAX_PASSAGE_BYTES: usize = 8 * 1024;

/// Incremental splitter.
#[derive(Debug)]
pub struct Splitter {
    buf: String,
    max: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::new(MAX_PASSAGE_BYTES)
    }
}

impl Splitter {
    /// A splitter with a custom bound (at least 4 bytes, the widest UTF-8 character).
    pub fn new(max: usize) -> Self {
        Self {
            buf: String::new(),
            max: max.max(4),
        }
    }

    /// Adds text; complete passages are appended to `out`. Linear in the text's size
    /// however large the chunk: each cut looks at one window, and the consumed text is
    /// dropped from the buffer once, not after every passage.
    pub fn push(&mut self, chunk: &str, out: &mut Vec<String>) {
        self.buf.push_str(chunk);
        // Keep the last window in the buffer: more text may still move its best cut.
        let mut start = 0;
        while self.buf.len() - start > self.max {
            let cut = start + cut_point(&self.buf[start..], self.max);
            out.push(self.buf[start..cut].to_owned());
            start = cut;
        }
        self.buf.drain(..start);
    }

    /// Flushes the remainder (the last passage, when any text is left).
    pub fn finish(mut self, out: &mut Vec<String>) {
        self.push("", out);
        if !self.buf.is_empty() {
            out.push(self.buf);
        }
    }
}

/// Splits a whole text.
pub fn split(text: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(text.len() / MAX_PASSAGE_BYTES + 1);
    let mut splitter = Splitter::default();
    splitter.push(text, &mut out);
    splitter.finish(&mut out);
    out
}

/// Where to cut `s` (longer than `max`): a byte offset in `1..=max` on a char boundary.
fn cut_point(s: &str, max: usize) -> usize {
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let window = &s[..end];
    // Prefer natural boundaries, but not ones so early that they leave a sliver.
    let floor = end / 4;
    let paragraph = ["\n\n", "\r\n\r\n"]
        .iter()
        .filter_map(|sep| window.rfind(sep).map(|i| i + sep.len()))
        .max();
    if let Some(cut) = paragraph.filter(|&c| c > floor) {
        return cut;
    }
    if let Some(cut) = sentence_end(window).filter(|&c| c > floor) {
        return cut;
    }
    if let Some((i, c)) = window.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        let cut = i + c.len_utf8();
        if cut > 0 {
            return cut;
        }
    }
    end
}

/// Offset just after the last "<.|!|?><whitespace>" in `window`.
fn sentence_end(window: &str) -> Option<usize> {
    let bytes = window.as_bytes();
    (1..bytes.len())
        .rev()
        .find(|&i| matches!(bytes[i - 1], b'.' | b'!' | b'?') && bytes[i].is_ascii_whitespace())
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_one_passage() {
        assert_eq!(split("hello world"), vec!["hello world".to_owned()]);
        assert!(split("").is_empty());
    }

    #[test]
    fn prefers_paragraph_then_sentence_then_space() {
        let text = format!("{}\n\n{}", "a".repeat(50), "b".repeat(60));
        let mut out = Vec::new();
        let mut s = Splitter::new(80);
        s.push(&text, &mut out);
        s.finish(&mut out);
        assert_eq!(out[0], format!("{}\n\n", "a".repeat(50)));

        let text = format!("{}. {} {}", "a".repeat(40), "b".repeat(10), "c".repeat(60));
        let mut out = Vec::new();
        let mut s = Splitter::new(80);
        s.push(&text, &mut out);
        s.finish(&mut out);
        assert_eq!(out[0], format!("{}. ", "a".repeat(40)));

        let text = format!("{} {}", "a".repeat(70), "b".repeat(70));
        let mut out = Vec::new();
        let mut s = Splitter::new(80);
        s.push(&text, &mut out);
        s.finish(&mut out);
        assert_eq!(out[0], format!("{} ", "a".repeat(70)));
    }

    #[test]
    fn never_cuts_inside_a_character() {
        let text = "é".repeat(10_000); // 2 bytes each, no whitespace
        let parts = split(&text);
        assert!(parts.iter().all(|p| p.len() <= MAX_PASSAGE_BYTES));
        assert_eq!(parts.concat(), text);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn split_then_join_is_identity(text in "(?s).{0,3000}", max in 4usize..300) {
            let mut out = Vec::new();
            let mut s = Splitter::new(max);
            s.push(&text, &mut out);
            s.finish(&mut out);
            prop_assert_eq!(out.concat(), text);
            prop_assert!(out.iter().all(|p| p.len() <= max && !p.is_empty()));
        }

        #[test]
        fn chunking_does_not_change_the_text(text in "(?s)[a-zé .\n!?日本]{0,2000}", chunk in 1usize..64) {
            let mut out = Vec::new();
            let mut s = Splitter::new(128);
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(chunk) {
                let piece: String = piece.iter().collect();
                s.push(&piece, &mut out);
            }
            s.finish(&mut out);
            prop_assert_eq!(out.concat(), text);
            prop_assert!(out.iter().all(|p| p.len() <= 128));
        }
    }
}
