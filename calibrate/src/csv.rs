//! A small RFC 4180 reader for Logs Insights exports: comma-separated fields, each optionally
//! in double quotes, `""` for a quote inside one, line breaks inside quotes kept. Each row
//! carries the line it starts on. A quote left open runs to the end of the text (the row is
//! then whatever was read), so no input makes it fail or loop.

/// The rows of a CSV text, each with the line (from 1) it starts on.
pub(crate) struct Rows<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Rows {
            text,
            pos: 0,
            line: 1,
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = (u32, Vec<String>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            return None;
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        // Start of the current run of plain bytes, copied in one piece (keeps UTF-8 whole).
        let mut run = self.pos;
        let mut i = self.pos;
        loop {
            if i >= bytes.len() {
                field.push_str(&self.text[run..i]);
                fields.push(field);
                self.pos = i;
                return Some((start_line, fields));
            }
            let b = bytes[i];
            if quoted {
                if b == b'"' {
                    field.push_str(&self.text[run..i]);
                    if bytes.get(i + 1) == Some(&b'"') {
                        field.push('"');
                        i += 2;
                    } else {
                        quoted = false;
                        i += 1;
                    }
                    run = i;
                } else {
                    if b == b'\n' {
                        self.line = self.line.saturating_add(1);
                    }
                    i += 1;
                }
                continue;
            }
            match b {
                b'"' => {
                    field.push_str(&self.text[run..i]);
                    quoted = true;
                    i += 1;
                    run = i;
                }
                b',' => {
                    field.push_str(&self.text[run..i]);
                    fields.push(std::mem::take(&mut field));
                    i += 1;
                    run = i;
                }
                b'\n' | b'\r' => {
                    field.push_str(&self.text[run..i]);
                    fields.push(field);
                    // CRLF, LF or a lone CR ends the row.
                    i += if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    self.line = self.line.saturating_add(1);
                    self.pos = i;
                    return Some((start_line, fields));
                }
                _ => i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u32, Vec<String>)> {
        Rows::new(text).collect()
    }

    #[test]
    fn quoting_commas_quotes_and_line_breaks() {
        let r = rows("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\nplain,é\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (1, vec!["a".to_string(), "b".to_string()]));
        assert_eq!(r[1].0, 2);
        assert_eq!(
            r[1].1,
            vec!["x, \"y\"".to_string(), "two\nlines".to_string()]
        );
        assert_eq!(r[2], (4, vec!["plain".to_string(), "é".to_string()]));
        // An open quote runs to the end.
        assert_eq!(
            rows("\"open,x\ny"),
            vec![(1, vec!["open,x\ny".to_string()])]
        );
        assert!(rows("").is_empty());
    }
}
