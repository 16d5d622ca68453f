//! Incremental UTF-8 decoding of a byte stream, refusing binary content.

/// Decodes chunks as they arrive; a character split across chunks is carried over.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
    offset: u64,
}

impl Utf8Stream {
    /// Appends the text of `chunk` to `out`. Errors name the byte offset in the file.
    pub fn feed(&mut self, chunk: &[u8], out: &mut String) -> Result<(), String> {
        let joined;
        let data: &[u8] = if self.pending.is_empty() {
            chunk
        } else {
            let mut v = std::mem::take(&mut self.pending);
            v.extend_from_slice(chunk);
            joined = v;
            &joined
        };
        let base = self.offset;
        if let Some(pos) = data.iter().position(|&b| b == 0) {
            return Err(format!(
                "binary content: NUL byte at offset {}; only UTF-8 text is ingested",
                base + pos as u64
            ));
        }
        match std::str::from_utf8(data) {
            Ok(text) => {
                out.push_str(text);
                self.offset = base + data.len() as u64;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                // `valid` bytes were checked by from_utf8 above.
                out.push_str(std::str::from_utf8(&data[..valid]).unwrap_or_default());
                if e.error_len().is_some() {
                    return Err(format!(
                        "invalid UTF-8 at byte offset {}; only UTF-8 text is ingested",
                        base + valid as u64
                    ));
                }
                self.pending = data[valid..].to_vec();
                self.offset = base + valid as u64;
            }
        }
        Ok(())
    }

    /// Ends the stream: a character cut off at the end is an error.
    pub fn finish(self) -> Result<(), String> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "invalid UTF-8 at byte offset {}: the file ends inside a character",
                self.offset
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_split_across_chunks_decode() {
        let text = "héllo wörld 日本 🦀";
        let bytes = text.as_bytes();
        for split in 1..bytes.len() {
            let mut d = Utf8Stream::default();
            let mut out = String::new();
            d.feed(&bytes[..split], &mut out).unwrap();
            d.feed(&bytes[split..], &mut out).unwrap();
            d.finish().unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn invalid_and_binary_are_refused_with_offsets() {
        let mut d = Utf8Stream::default();
        let mut out = String::new();
        let err = d.feed(b"abc\xffdef", &mut out).unwrap_err();
        assert!(err.contains("offset 3"), "{err}");
        let mut d = Utf8Stream::default();
        d.feed(b"12345", &mut out).unwrap();
        let err = d.feed(b"6\x007", &mut out).unwrap_err();
        assert!(err.contains("NUL byte at offset 6"), "{err}");
        let mut d = Utf8Stream::default();
        d.feed(b"ok \xe6\x97", &mut out).unwrap();
        assert!(d.finish().unwrap_err().contains("ends inside a character"));
    }
}
