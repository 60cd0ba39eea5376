//! A JSON writer that spaces and breaks lines as iproute2's json_writer does (lib/json_writer.c),
//! so `-j` and `-j -p` print the same bytes.

/// Builds iproute2-shaped JSON text.
#[derive(Debug)]
pub struct Json {
    out: String,
    pretty: bool,
    depth: usize,
    sep: Option<char>,
}

impl Json {
    /// A writer with the top-level array opened, as `new_json_obj` does.
    pub fn new(pretty: bool) -> Json {
        let mut j = Json {
            out: String::new(),
            pretty,
            depth: 0,
            sep: None,
        };
        j.start_array();
        j
    }

    fn eor(&mut self) {
        if let Some(c) = self.sep {
            self.out.push(c);
        }
        self.sep = Some(',');
    }

    fn eol(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
        }
    }

    fn begin(&mut self, c: char) {
        self.eor();
        self.out.push(c);
        self.depth += 1;
        self.sep = None;
    }

    fn end(&mut self, c: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.sep.is_some() {
            self.eol();
        }
        self.out.push(c);
        self.sep = Some(',');
    }

    /// Opens an object.
    pub fn start_object(&mut self) {
        self.begin('{');
    }

    /// Closes an object.
    pub fn end_object(&mut self) {
        self.end('}');
    }

    /// Opens an array.
    pub fn start_array(&mut self) {
        self.begin('[');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// Closes an array.
    pub fn end_array(&mut self) {
        if self.pretty && self.sep.is_some() {
            self.out.push(' ');
        }
        self.sep = None;
        self.end(']');
    }

    /// A member's name; its value follows.
    pub fn name(&mut self, n: &str) {
        self.eor();
        self.eol();
        self.sep = None;
        self.quoted(n);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    fn quoted(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '\t' => self.out.push_str("\\t"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\u{c}' => self.out.push_str("\\f"),
                '\u{8}' => self.out.push_str("\\b"),
                '\\' => self.out.push_str("\\\\"),
                '"' => self.out.push_str("\\\""),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    /// A string value.
    pub fn string(&mut self, v: &str) {
        self.eor();
        self.quoted(v);
    }

    /// A number or other bare value.
    pub fn raw(&mut self, v: impl std::fmt::Display) {
        self.eor();
        self.out.push_str(&v.to_string());
    }

    /// `"name":"value"`.
    pub fn kv_str(&mut self, n: &str, v: &str) {
        self.name(n);
        self.string(v);
    }

    /// `"name":value` for numbers and booleans.
    pub fn kv_raw(&mut self, n: &str, v: impl std::fmt::Display) {
        self.name(n);
        self.raw(v);
    }

    /// `"name":["a","b"]`.
    pub fn kv_strs(&mut self, n: &str, v: &[&str]) {
        self.name(n);
        self.start_array();
        for s in v {
            self.string(s);
        }
        self.end_array();
    }

    /// Closes the top-level array and ends the line, as `delete_json_obj` does.
    pub fn finish(mut self) -> String {
        self.end_array();
        self.out.push('\n');
        self.out
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn sample(pretty: bool) -> String {
        let mut j = Json::new(pretty);
        j.start_object();
        j.kv_raw("ifindex", 4);
        j.kv_str("link", "if3");
        j.kv_strs("flags", &["BROADCAST", "MULTICAST"]);
        j.kv_raw("cost", 2);
        j.end_object();
        j.finish()
    }

    #[test]
    fn compact_and_pretty_as_iproute2() {
        assert_eq!(
            sample(false),
            "[{\"ifindex\":4,\"link\":\"if3\",\"flags\":[\"BROADCAST\",\"MULTICAST\"],\"cost\":2}]\n"
        );
        // `bridge -j -p link show dev bgv1` on Debian 12, cut to the same members.
        assert_eq!(
            sample(true),
            "[ {\n        \"ifindex\": 4,\n        \"link\": \"if3\",\n        \"flags\": [ \"BROADCAST\",\"MULTICAST\" ],\n        \"cost\": 2\n    } ]\n"
        );
        assert_eq!(Json::new(false).finish(), "[]\n");
    }
}
