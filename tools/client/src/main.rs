//! A tutorial command inside a lab (`ip`, `bridge`, `brctl`, `ifconfig`, `ping`, `arp`,
//! `route`, `sysctl`, `sleep`, `lsns`): it starts, connects to the lab, sends its argv,
//! relays what the lab prints and exits with the command's status, with nothing else loaded
//! or initialised: no C library, no loader, its own entry point and system calls
//! (x86-64 Linux). The `l2lab` binary carries it (tools/build.rs) and a lab puts it under
//! the tools' names.
//!
//! Whatever needs more is the full `l2lab` binary's, which this one execs with the same
//! argv and environment: `ip netns exec` (which execs a program in the namespace),
//! `tcpdump` (which reads and writes files itself), `sysctl -p` (which reads its files),
//! any other name, an argument that is not UTF-8, and a lab it cannot reach.

#![no_std]
#![no_main]

extern crate alloc;

mod sys;
mod wire;

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;

use wire::Reply;

/// Where the lab's directory appears inside its walls (`sandbox::LAB_DIR_INSIDE`).
const LAB_DIR_INSIDE: &[u8] = b"/run/l2lab";
/// The names this client answers itself (the lab's `client::TOOLS` but `tcpdump`).
const PLAIN: &[&str] = &[
    "ip", "bridge", "brctl", "ifconfig", "ping", "arp", "sysctl", "route", "sleep", "lsns",
];
/// The signals passed on to the lab, which ends the command as the real tool ends.
const SIGNALS: [i32; 3] = [sys::SIGINT, sys::SIGTERM, sys::SIGHUP];

core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym entry,
);

/// What the kernel put on the stack at exec: argc, argv, NULL, envp, NULL.
struct Start {
    argv: *const *const u8,
    envp: *const *const u8,
}

impl Start {
    fn args(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        // SAFETY: the kernel's argv: NUL-terminated strings, then a null pointer.
        (0..)
            .map(|i| unsafe { *self.argv.add(i) })
            .take_while(|p| !p.is_null())
            .map(|p| unsafe { CStr::from_ptr(p.cast()) }.to_bytes())
    }

    fn env(&self, key: &[u8]) -> Option<&'static [u8]> {
        // SAFETY: the kernel's envp: NUL-terminated strings, then a null pointer.
        (0..)
            .map(|i| unsafe { *self.envp.add(i) })
            .take_while(|p| !p.is_null())
            .map(|p| unsafe { CStr::from_ptr(p.cast()) }.to_bytes())
            .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix(b"=")))
    }
}

/// The entry point: `sp` is the stack as the kernel left it.
unsafe extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: the exec stack's layout (argc, then argv's pointers, then envp's).
    let start = unsafe {
        let argc = *sp;
        let argv = sp.add(1) as *const *const u8;
        Start {
            argv,
            envp: argv.add(argc + 1),
        }
    };
    sys::exit(main(&start))
}

fn main(start: &Start) -> i32 {
    let mut args = start.args();
    let argv0 = args.next().unwrap_or(b"");
    let name = argv0.rsplit(|b| *b == b'/').next().unwrap_or(b"");
    let sock = match start.env(b"L2LAB_SOCK").filter(|s| !s.is_empty()) {
        Some(s) => Some(Vec::from(s)),
        None => {
            let mut inside = Vec::from(LAB_DIR_INSIDE);
            inside.extend_from_slice(b"/lab.sock");
            exists(&inside).then_some(inside)
        }
    };
    let plain = plain(name, args);
    match (plain, sock) {
        (Some((tool, argv)), Some(sock)) => {
            let netns = start
                .env(b"L2LAB_NETNS")
                .filter(|n| !n.is_empty())
                .and_then(|n| core::str::from_utf8(n).ok());
            match request(&sock, tool, &argv, netns) {
                Ok(code) => code,
                // The full binary says why in its words (and runs the command if it can).
                Err(Failure::Connect) => full(start, Some(&sock)),
                Err(Failure::Lost(e)) => {
                    say(&[
                        tool.as_bytes(),
                        b": lost the lab at ",
                        &sock,
                        b": ",
                        e.as_bytes(),
                    ]);
                    1
                }
            }
        }
        (Some((tool, _)), None) => {
            say(&[
                tool.as_bytes(),
                b": not inside an l2lab lab (L2LAB_SOCK is not set): start one with `l2lab run SCRIPT` or `l2lab shell`",
            ]);
            127
        }
        (None, sock) => full(start, sock.as_deref()),
    }
}

/// Writes the parts and a newline on standard error.
fn say(parts: &[&[u8]]) {
    let mut line: Vec<u8> = parts.concat();
    line.push(b'\n');
    let _ = sys::write_all(2, &line);
}

fn exists(path: &[u8]) -> bool {
    let mut c = Vec::from(path);
    c.push(0);
    // SAFETY: access(2) of a NUL-terminated path.
    unsafe { sys::call(sys::ACCESS, [c.as_ptr() as usize, 0, 0, 0, 0, 0]) == 0 }
}

/// The tool and its arguments when this client runs the command itself.
fn plain<'a>(
    name: &[u8],
    args: impl Iterator<Item = &'a [u8]>,
) -> Option<(&'static str, Vec<String>)> {
    let tool = *PLAIN.iter().find(|t| t.as_bytes() == name)?;
    // At a terminal the full client runs it: it tells the lab a person is watching (a ping
    // that only Ctrl-C ends then goes at the wall clock's pace).
    if on_terminal() {
        return None;
    }
    let args: Vec<String> = args
        .map(|a| core::str::from_utf8(a).ok().map(String::from))
        .collect::<Option<_>>()?;
    let simple = match tool {
        "ip" => !netns_exec(&args),
        // Without -n they look names up with the resolver's configuration, which the full
        // client reads.
        "arp" | "route" => args.iter().any(|a| {
            a == "--numeric" || (a.starts_with('-') && !a.starts_with("--") && a.contains('n'))
        }),
        // Any option that may load a file (`-p`, `-f`, `--load`), or any long option.
        "sysctl" => !args
            .iter()
            .any(|a| a.starts_with("--") || a.starts_with('-') && a.contains(['p', 'f'])),
        _ => true,
    };
    simple.then_some((tool, args))
}

/// Whether standard input is a terminal.
fn on_terminal() -> bool {
    let mut termios = [0u8; 64];
    // SAFETY: TCGETS writes a struct termios (60 bytes) into the buffer, or fails.
    unsafe {
        sys::call(
            sys::IOCTL,
            [0, sys::TCGETS, termios.as_mut_ptr() as usize, 0, 0, 0],
        ) == 0
    }
}

/// `ip [OPTIONS] netns exec ...`: iproute2 takes any prefix of `netns` (two letters at
/// least) and of `exec`.
fn netns_exec(args: &[String]) -> bool {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        if matches!(
            args[i].as_str(),
            "-n" | "-netns" | "-b" | "-batch" | "-rc" | "-rcvbuf"
        ) {
            i += 1;
        }
        i += 1;
    }
    let Some(obj) = args.get(i) else { return false };
    if !(obj.len() >= 2 && "netns".starts_with(obj.as_str())) {
        return false;
    }
    args.get(i + 1)
        .is_some_and(|v| !v.is_empty() && "exec".starts_with(v.as_str()))
}

/// Runs the command as the full binary (kept as `l2lab` in the lab's directory), with this
/// process's argv and environment.
fn full(start: &Start, sock: Option<&[u8]>) -> i32 {
    let dir = sock
        .and_then(|s| s.iter().rposition(|b| *b == b'/').map(|i| &s[..i]))
        .unwrap_or(LAB_DIR_INSIDE);
    let mut exe = Vec::from(dir);
    exe.extend_from_slice(b"/l2lab\0");
    // SAFETY: a NUL-terminated path and the kernel's own argv and envp arrays.
    let e = unsafe {
        sys::call(
            sys::EXECVE,
            [
                exe.as_ptr() as usize,
                start.argv as usize,
                start.envp as usize,
                0,
                0,
                0,
            ],
        )
    };
    let argv0 = start.args().next().unwrap_or(b"l2lab");
    say(&[
        argv0,
        b": cannot run the lab's ",
        &exe[..exe.len() - 1],
        b": ",
        sys::strerror(-e).as_bytes(),
    ]);
    127
}

/// Why a request went wrong.
enum Failure {
    /// The lab could not be reached.
    Connect,
    /// The lab went away, or said something this client does not understand.
    Lost(String),
}

fn lost(e: isize) -> Failure {
    let mut s = String::from(sys::strerror(e));
    s.push_str(" (os error ");
    s.push_str(&alloc::format!("{e})"));
    Failure::Lost(s)
}

fn connect(sock: &[u8]) -> Result<i32, Failure> {
    const AF_UNIX: usize = 1;
    const SOCK_STREAM_CLOEXEC: usize = 1 | 0o2000000;
    // struct sockaddr_un: a family, then up to 108 bytes of path, NUL included.
    let mut addr = [0u8; 110];
    if sock.len() >= 108 {
        return Err(Failure::Connect);
    }
    addr[..2].copy_from_slice(&(AF_UNIX as u16).to_ne_bytes());
    addr[2..2 + sock.len()].copy_from_slice(sock);
    // SAFETY: socket(2) takes numbers.
    let fd = unsafe { sys::call(sys::SOCKET, [AF_UNIX, SOCK_STREAM_CLOEXEC, 0, 0, 0, 0]) };
    if fd < 0 {
        return Err(Failure::Connect);
    }
    let len = 2 + sock.len() + 1;
    // SAFETY: connect(2) with a live address of `len` bytes.
    let r = unsafe {
        sys::call(
            sys::CONNECT,
            [fd as usize, addr.as_ptr() as usize, len, 0, 0, 0],
        )
    };
    if r < 0 {
        return Err(Failure::Connect);
    }
    Ok(fd as i32)
}

/// Blocks the signals passed on to the lab and returns a descriptor that reads them.
fn signal_fd() -> Result<i32, Failure> {
    const SIG_BLOCK: usize = 0;
    const SFD_CLOEXEC: usize = 0o2000000;
    let set = sys::mask(&SIGNALS);
    // SAFETY: a live 8-byte mask; the old one is not wanted.
    let r = unsafe {
        sys::call(
            sys::RT_SIGPROCMASK,
            [SIG_BLOCK, &set as *const u64 as usize, 0, 8, 0, 0],
        )
    };
    if r < 0 {
        return Err(lost(-r));
    }
    // SAFETY: a new descriptor for a live 8-byte mask.
    let fd = unsafe {
        sys::call(
            sys::SIGNALFD4,
            [
                usize::MAX,
                &set as *const u64 as usize,
                8,
                SFD_CLOEXEC,
                0,
                0,
            ],
        )
    };
    if fd < 0 {
        return Err(lost(-fd));
    }
    Ok(fd as i32)
}

/// Dies of `sig` as the real tool would, so that the shell reports it so.
fn die_of(sig: i32) {
    const SIG_UNBLOCK: usize = 1;
    // struct kernel_sigaction: handler (SIG_DFL is 0), flags, restorer, mask.
    let action = [0usize; 4];
    let set = sys::mask(&[sig]);
    // SAFETY: live structures of the kernel's sizes; kill(2) of this very process.
    unsafe {
        sys::call(
            sys::RT_SIGACTION,
            [sig as usize, action.as_ptr() as usize, 0, 8, 0, 0],
        );
        sys::call(
            sys::RT_SIGPROCMASK,
            [SIG_UNBLOCK, &set as *const u64 as usize, 0, 8, 0, 0],
        );
        let pid = sys::call(sys::GETPID, [0; 6]);
        sys::call(sys::KILL, [pid as usize, sig as usize, 0, 0, 0, 0]);
    }
}

#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

fn request(sock: &[u8], tool: &str, args: &[String], netns: Option<&str>) -> Result<i32, Failure> {
    let fd = connect(sock)?;
    // SAFETY: getpid(2) takes nothing.
    let pid = unsafe { sys::call(sys::GETPID, [0; 6]) } as u32;
    sys::write_all(fd, &wire::run_request(tool, args, netns, pid)).map_err(lost)?;
    let signals = signal_fd()?;
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut start = 0;
    loop {
        match wire::parse(&buf[start..]) {
            Err(e) => return Err(Failure::Lost(e)),
            Ok(Some((reply, used))) => {
                start += used;
                match reply {
                    Reply::Out(s) => {
                        if sys::write_all(1, s.as_bytes()).is_err() {
                            // A closed pipe (`| head`): the real tools die of SIGPIPE here.
                            return Ok(141);
                        }
                    }
                    Reply::Err(s) => {
                        let _ = sys::write_all(2, s.as_bytes());
                    }
                    Reply::Data(_) => {}
                    Reply::Exit(c) => return Ok(c),
                    Reply::Killed(sig) => {
                        die_of(sig);
                        return Ok(128 + sig);
                    }
                }
                continue;
            }
            Ok(None) => {
                buf.drain(..start);
                start = 0;
            }
        }
        const POLLIN: i16 = 1;
        let mut fds = [
            PollFd {
                fd,
                events: POLLIN,
                revents: 0,
            },
            PollFd {
                fd: signals,
                events: POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two live pollfd structures; no timeout.
        let r = unsafe {
            sys::call(
                sys::POLL,
                [fds.as_mut_ptr() as usize, 2, usize::MAX, 0, 0, 0],
            )
        };
        if r == -sys::EINTR {
            continue;
        }
        if r < 0 {
            return Err(lost(-r));
        }
        if fds[1].revents != 0 {
            // struct signalfd_siginfo: 128 bytes, the signal's number first.
            let mut info = [0u8; 128];
            match sys::read(signals, &mut info) {
                Ok(128) => {
                    let sig = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as i32;
                    sys::write_all(fd, &wire::signal_request(sig)).map_err(lost)?;
                }
                Ok(_) | Err(sys::EAGAIN) => {}
                Err(e) => return Err(lost(e)),
            }
        }
        if fds[0].revents != 0 {
            let old = buf.len();
            buf.resize(old + 64 * 1024, 0);
            let n = sys::read(fd, &mut buf[old..]).map_err(lost)?;
            buf.truncate(old + n);
            if n == 0 {
                return Ok(1);
            }
        }
    }
}

mod rt {
    //! What a program without the standard library provides itself: memory, the memory
    //! functions the compiler calls, and what a panic does.

    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::asm;
    use core::cell::UnsafeCell;

    /// Memory in chunks mapped from the kernel, handed out in order and never given back:
    /// the process lives for one command.
    struct Bump(UnsafeCell<(usize, usize)>);

    // SAFETY: the client has one thread.
    unsafe impl Sync for Bump {}

    #[global_allocator]
    static HEAP: Bump = Bump(UnsafeCell::new((0, 0)));

    const CHUNK: usize = 1 << 20;

    // SAFETY: every block is fresh memory of the size and alignment asked for.
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            // SAFETY: one thread: no one else holds the cell.
            let (next, end) = unsafe { &mut *self.0.get() };
            let at = (*next + l.align() - 1) & !(l.align() - 1);
            if *next == 0 || at + l.size() > *end {
                let size = (l.size() + l.align()).max(CHUNK).next_multiple_of(4096);
                const PROT_RW: usize = 3;
                const MAP_PRIVATE_ANONYMOUS: usize = 0x22;
                // SAFETY: a fresh anonymous mapping.
                let p = unsafe {
                    super::sys::call(
                        super::sys::MMAP,
                        [0, size, PROT_RW, MAP_PRIVATE_ANONYMOUS, usize::MAX, 0],
                    )
                };
                if p < 0 {
                    return core::ptr::null_mut();
                }
                *next = p as usize;
                *end = p as usize + size;
                return unsafe { self.alloc(l) };
            }
            *next = at + l.size();
            at as *mut u8
        }

        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        let _ = super::sys::write_all(2, b"l2lab-client: internal error\n");
        super::sys::exit(70)
    }

    // The precompiled `alloc` refers to these unwinding symbols; with panics that abort they
    // are never called.
    #[no_mangle]
    extern "C" fn rust_eh_personality() {}

    #[no_mangle]
    extern "C" fn _Unwind_Resume() -> ! {
        super::sys::exit(70)
    }

    /// memcpy(3), which the compiler calls for copies.
    ///
    /// # Safety
    /// As memcpy(3).
    #[no_mangle]
    unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        // SAFETY: the caller's; `rep movsb` copies n bytes forward.
        unsafe {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") d => _, inout("rsi") s => _,
                options(nostack, preserves_flags));
        }
        d
    }

    /// memmove(3): copies backward when the areas overlap that way.
    ///
    /// # Safety
    /// As memmove(3).
    #[no_mangle]
    unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
        if (d as usize) <= (s as usize) || (d as usize) >= (s as usize) + n {
            // SAFETY: a forward copy is safe for these areas.
            return unsafe { memcpy(d, s, n) };
        }
        // SAFETY: the caller's; with the direction flag set, `rep movsb` copies from the
        // last byte down, and the flag is cleared again.
        unsafe {
            asm!("std", "rep movsb", "cld", inout("rcx") n => _,
                inout("rdi") d.add(n - 1) => _, inout("rsi") s.add(n - 1) => _,
                options(nostack));
        }
        d
    }

    /// memset(3).
    ///
    /// # Safety
    /// As memset(3).
    #[no_mangle]
    unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
        // SAFETY: the caller's; `rep stosb` stores n bytes.
        unsafe {
            asm!("rep stosb", inout("rcx") n => _, inout("rdi") d => _, in("al") c as u8,
                options(nostack, preserves_flags));
        }
        d
    }

    /// memcmp(3).
    ///
    /// # Safety
    /// As memcmp(3).
    #[no_mangle]
    unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        for i in 0..n {
            // SAFETY: the caller's: both areas hold n bytes.
            let (x, y) = unsafe {
                (
                    core::ptr::read_volatile(a.add(i)),
                    core::ptr::read_volatile(b.add(i)),
                )
            };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
        }
        0
    }

    /// strlen(3), which `CStr` calls.
    ///
    /// # Safety
    /// As strlen(3).
    #[no_mangle]
    unsafe extern "C" fn strlen(s: *const u8) -> usize {
        let mut n = 0;
        // SAFETY: the caller's: a NUL-terminated string.
        while unsafe { core::ptr::read_volatile(s.add(n)) } != 0 {
            n += 1;
        }
        n
    }

    /// bcmp(3), which the compiler calls for equality.
    ///
    /// # Safety
    /// As bcmp(3).
    #[no_mangle]
    unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: the caller's.
        unsafe { memcmp(a, b, n) }
    }
}
