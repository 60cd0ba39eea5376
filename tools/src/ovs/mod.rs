//! Open vSwitch's commands (3.1): `ovs-vsctl` edits the lab's Open vSwitch database,
//! `ovs-appctl` asks ovs-vswitchd about a bridge's MAC table, `ovs-ofctl` shows a bridge's
//! OpenFlow view (its ports and the default NORMAL flow). Messages and exit codes are the
//! real tools', recorded in scenarios/ovs-*.

mod appctl;
mod db;
mod ofctl;
mod vsctl;

pub use appctl::main as appctl;
pub use ofctl::main as ofctl;
pub use vsctl::main as vsctl;

/// ovsdb's way of writing a string: bare when it reads as an identifier, quoted otherwise
/// (a number, an empty string, `true`/`false`, anything with other characters).
pub(crate) fn ovsdb_string(s: &str) -> String {
    let bare = !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && s != "true"
        && s != "false";
    if bare {
        s.to_string()
    } else {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn strings_are_quoted_as_ovsdb_does() {
        assert_eq!(ovsdb_string("br0"), "br0");
        assert_eq!(ovsdb_string("60"), "\"60\"");
        assert_eq!(ovsdb_string("3.1.0"), "\"3.1.0\"");
        assert_eq!(ovsdb_string(""), "\"\"");
        assert_eq!(ovsdb_string("a b"), "\"a b\"");
    }
}
