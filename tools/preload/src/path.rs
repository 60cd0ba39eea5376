//! Which paths are the lab's: the fast test every intercepted call makes before anything else.
//! It looks at bytes only (no system call, no allocation), so a path that is not the lab's
//! costs a few comparisons.

/// What a path names, as far as the lab is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Not the lab's: the real call runs.
    Host,
    /// A file or directory the lab materializes (`/proc/net/arp`, `/sys/class/net/...`).
    View,
    /// `/proc/PID/ns/net`: the lab answers readlink and the inode that stat shows.
    NetNs,
    /// `/run/netns/NAME`: a real file, whose inode is the namespace's while one is bound
    /// to it.
    NetNsFile,
}

/// Prefixes of the views: each stands for itself and everything below it.
const TREES: &[&[u8]] = &[
    b"/proc/net",
    b"/proc/self/net",
    b"/proc/thread-self/net",
    b"/proc/sys/net",
    b"/sys/class/net",
    b"/sys/devices/virtual/net",
];

/// Single files of the views.
const FILES: &[&[u8]] = &[
    b"/proc/mounts",
    b"/proc/self/mounts",
    b"/proc/self/mountinfo",
    b"/proc/thread-self/mounts",
    b"/proc/thread-self/mountinfo",
    b"/etc/mtab",
];

/// Classifies an absolute path; relative ones are the host's (see the README's limits).
pub fn kind(p: &[u8]) -> Kind {
    if p.first() != Some(&b'/') {
        return Kind::Host;
    }
    if let Some(name) = p
        .strip_prefix(b"/run/netns/")
        .or_else(|| p.strip_prefix(b"/var/run/netns/"))
    {
        let name = trim_slashes(name);
        if !name.is_empty() && !name.contains(&b'/') && name != b"." && name != b".." {
            return Kind::NetNsFile;
        }
        return Kind::Host;
    }
    // Only /proc, /sys and /etc/mtab can be ours: most paths leave at the second byte.
    if !(p.starts_with(b"/proc") || p.starts_with(b"/sys") || p.starts_with(b"/etc/mtab")) {
        return Kind::Host;
    }
    let p = trim_slashes(p);
    if TREES.iter().any(|t| under(p, t)) || FILES.contains(&p) || is_pid_net(p) {
        return Kind::View;
    }
    if is_netns_link(p) {
        return Kind::NetNs;
    }
    Kind::Host
}

/// `p` is `tree` or below it.
fn under(p: &[u8], tree: &[u8]) -> bool {
    p.starts_with(tree) && (p.len() == tree.len() || p[tree.len()] == b'/')
}

fn trim_slashes(mut p: &[u8]) -> &[u8] {
    while p.len() > 1 && p.ends_with(b"/") {
        p = &p[..p.len() - 1];
    }
    p
}

/// `/proc/self/ns/net`, `/proc/thread-self/ns/net`, `/proc/PID/ns/net`.
fn is_netns_link(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"/proc/") else {
        return false;
    };
    let Some(who) = rest.strip_suffix(b"/ns/net") else {
        return false;
    };
    who == b"self"
        || who == b"thread-self"
        || (!who.is_empty() && who.iter().all(u8::is_ascii_digit))
}

/// `/proc/PID/net` and below: another process's view of its namespace.
fn is_pid_net(p: &[u8]) -> bool {
    let Some(rest) = p.strip_prefix(b"/proc/") else {
        return false;
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && rest.get(digits..).is_some_and(|r| under(r, b"/net"))
}

/// The N of `net:[N]`.
pub fn netns_inode(link: &[u8]) -> Option<u64> {
    let digits = link.strip_prefix(b"net:[")?.strip_suffix(b"]")?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_lab_paths_and_no_others() {
        for p in [
            "/proc/net/arp",
            "/proc/net",
            "/proc/net/",
            "/proc/self/net/dev",
            "/proc/sys/net/ipv4/ip_forward",
            "/sys/class/net",
            "/sys/class/net/veth0/address",
            "/sys/devices/virtual/net/br0/bridge/ageing_time",
            "/proc/mounts",
            "/proc/self/mountinfo",
            "/etc/mtab",
            "/proc/42/net/arp",
            "/proc/42/net",
        ] {
            assert_eq!(kind(p.as_bytes()), Kind::View, "{p}");
        }
        for p in [
            "/proc/self/ns/net",
            "/proc/42/ns/net",
            "/proc/thread-self/ns/net",
        ] {
            assert_eq!(kind(p.as_bytes()), Kind::NetNs, "{p}");
        }
        for p in [
            "",
            "proc/net/arp",
            "/proc/network",
            "/proc/self/ns/mnt",
            "/proc/x1/ns/net",
            "/proc/sys/kernel/hostname",
            "/sys/class/netx",
            "/etc/passwd",
            "/usr/bin/cat",
            "/proc/cpuinfo",
            "/proc/42/network",
            "/proc/42/status",
        ] {
            assert_eq!(kind(p.as_bytes()), Kind::Host, "{p}");
        }
    }

    #[test]
    fn inode_of_a_link() {
        assert_eq!(netns_inode(b"net:[4026531833]"), Some(4026531833));
        assert_eq!(netns_inode(b"net:[]"), None);
        assert_eq!(netns_inode(b"mnt:[1]"), None);
        assert_eq!(netns_inode(b"net:[99999999999999999999999]"), None);
    }
}
