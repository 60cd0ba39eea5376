//! The lab's `LD_PRELOAD` library, loaded into every dynamically linked program a lab runs
//! (as fakeroot and libfaketime are): the files tutorials read (`/proc/net/*`,
//! `/sys/class/net/*`, `/proc/sys/net/*`, `/proc/PID/ns/net`, the mount tables) show the lab,
//! IP, packet and netlink sockets are refused with one line saying why, and a statically
//! linked program, which no preload reaches, is named when it is exec'd.
//!
//! One exported function per intercepted call. Each first looks at its path (bytes only): a
//! path that is not the lab's goes straight to the real function (`dlsym(RTLD_NEXT)`, looked
//! up once). A lab path is sent to the lab, which writes the view into its own directory and
//! answers with the file to use instead; the lab keeps all state, this library none. Outside
//! a lab (`L2LAB_SOCK` unset) every call is the real one.

mod elf;
mod lab;
mod path;

use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_char, c_int, c_uint, mode_t, size_t, ssize_t, DIR, FILE};

use lab::Answer;
use path::Kind;

/// The real function `name` (NUL-terminated), looked up once into `cache`.
fn real_fn<F: Copy>(cache: &AtomicUsize, name: &'static [u8]) -> Option<F> {
    debug_assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<usize>());
    let mut a = cache.load(Ordering::Relaxed);
    if a == 0 {
        // SAFETY: name is NUL-terminated; dlsym has no other precondition.
        a = unsafe { libc::dlsym(libc::RTLD_NEXT, name.as_ptr().cast()) } as usize;
        cache.store(a, Ordering::Relaxed);
    }
    if a == 0 {
        return None;
    }
    // SAFETY: F is the C type of the function dlsym found under this name.
    Some(unsafe { std::mem::transmute_copy::<usize, F>(&a) })
}

macro_rules! real {
    ($name:literal: $ty:ty) => {{
        static CACHE: AtomicUsize = AtomicUsize::new(0);
        real_fn::<$ty>(&CACHE, concat!($name, "\0").as_bytes())
    }};
}

fn set_errno(e: c_int) {
    // SAFETY: __errno_location always returns this thread's errno.
    unsafe { *libc::__errno_location() = e };
}

/// Fails a call returning an int.
fn fail(e: c_int) -> c_int {
    set_errno(e);
    -1
}

/// Where a call on a path goes.
enum Route {
    /// The real call, on the path as given.
    Real,
    /// The real call, on this file of the lab's.
    To(CString),
    /// Fails with this errno.
    Fail(c_int),
}

/// The bytes of a C path, if any.
///
/// # Safety
/// `p` is null or NUL-terminated.
unsafe fn bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: the caller passes null or a NUL-terminated string.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A relative path made absolute when the working directory is the namespace files' own
/// (`cd /run/netns; ls -i ns1`, as tutorials do); `None` elsewhere. One getcwd(2) per
/// relative path.
fn in_netns_dir<'a>(rel: &[u8], buf: &'a mut [u8; 512]) -> Option<&'a [u8]> {
    if rel.first() == Some(&b'/') || rel.is_empty() {
        return None;
    }
    // SAFETY: getcwd(2) writes at most buf.len() bytes, NUL included.
    let n = unsafe { libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr(), buf.len()) };
    let n = usize::try_from(n).ok()?.checked_sub(1)?;
    let cwd = buf.get(..n)?;
    if !(cwd == b"/run/netns" || cwd == b"/var/run/netns") {
        return None;
    }
    let rel = rel.strip_prefix(b"./").unwrap_or(rel);
    let end = n + 1 + rel.len();
    if end > buf.len() {
        return None;
    }
    buf[n] = b'/';
    buf[n + 1..end].copy_from_slice(rel);
    Some(&buf[..end])
}

/// What a call does with a path, as the lab is told.
#[derive(Clone, Copy)]
enum Op {
    /// Looks at it (stat, readlink, opendir, access).
    Look,
    /// Opens it to read.
    Read,
    /// Opens it to write.
    Write,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Look => "path",
            Op::Read => "open",
            Op::Write => "write",
        }
    }
}

/// Asks the lab about `p` when it is the lab's; `netns_too` also sends the
/// `/proc/PID/ns/net` links (readlink), which otherwise stay the real ones.
///
/// # Safety
/// `p` is null or NUL-terminated.
unsafe fn route(p: *const c_char, op: Op, netns_too: bool) -> Route {
    // SAFETY: as the caller promises.
    let Some(b) = (unsafe { bytes(p) }) else {
        return Route::Real;
    };
    match path::kind(b) {
        Kind::Host | Kind::NetNsFile => Route::Real,
        Kind::NetNs if !netns_too => Route::Real,
        Kind::View | Kind::NetNs => match lab::ask(op.name(), b) {
            Answer::Path(v) => match CString::new(v) {
                Ok(c) => Route::To(c),
                Err(_) => Route::Fail(libc::EIO),
            },
            Answer::Errno(e) => Route::Fail(e),
            Answer::NoLab => Route::Real,
        },
    }
}

/// The nsfs inode the lab gives the namespace behind a `/proc/PID/ns/net` link.
fn netns_inode(link: &[u8]) -> Result<Option<u64>, c_int> {
    let target = match lab::ask("path", link) {
        Answer::Path(v) => v,
        Answer::Errno(e) => return Err(e),
        Answer::NoLab => return Ok(None),
    };
    let Ok(target) = CString::new(target) else {
        return Err(libc::EIO);
    };
    let mut buf = [0u8; 64];
    // SAFETY: readlinkat(2) writes at most buf.len() bytes into buf.
    let n = unsafe {
        libc::syscall(
            libc::SYS_readlinkat,
            libc::AT_FDCWD,
            target.as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).map_err(|_| libc::EIO)?;
    Ok(buf.get(..n).and_then(path::netns_inode))
}

/// A stat-like call: views are redirected; a followed `/proc/PID/ns/net` keeps the real
/// answer with the lab's inode, as the kernel's nsfs file has the namespace's inode.
///
/// # Safety
/// `p` is null or NUL-terminated; `call` is safe to make with `p` or another path.
unsafe fn stat_like(
    p: *const c_char,
    follow: bool,
    call: impl Fn(*const c_char) -> c_int,
    patch: impl FnOnce(u64),
) -> c_int {
    // SAFETY: as the caller promises.
    let Some(b) = (unsafe { bytes(p) }) else {
        return call(p);
    };
    let mut buf = [0u8; 512];
    let b = in_netns_dir(b, &mut buf).unwrap_or(b);
    match path::kind(b) {
        Kind::Host => call(p),
        Kind::NetNsFile => {
            // The file itself, with the inode of the namespace bound to it, if one is.
            let r = call(p);
            if r == 0 {
                if let Ok(Some(ino)) = netns_inode(b) {
                    patch(ino);
                }
            }
            r
        }
        Kind::NetNs if !follow => call(p),
        Kind::NetNs => {
            let r = call(p);
            if r == 0 {
                match netns_inode(b) {
                    Ok(Some(ino)) => patch(ino),
                    Ok(None) => {}
                    Err(e) => return fail(e),
                }
            }
            r
        }
        // SAFETY: as the caller promises.
        Kind::View => match unsafe { route(p, Op::Look, false) } {
            Route::Real => call(p),
            Route::To(c) => call(c.as_ptr()),
            Route::Fail(e) => fail(e),
        },
    }
}

fn open_op(flags: c_int) -> Op {
    if flags & libc::O_ACCMODE != libc::O_RDONLY || flags & libc::O_TRUNC != 0 {
        Op::Write
    } else {
        Op::Read
    }
}

macro_rules! open_fn {
    ($name:ident, $sym:literal) => {
        /// open(2) with lab paths redirected to the lab's files. The mode is read as the
        /// third argument whether or not it was passed, as the variadic call leaves it in
        /// its register; it is used only with O_CREAT or O_TMPFILE, as the kernel does.
        ///
        /// # Safety
        /// As open(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(p: *const c_char, flags: c_int, mode: mode_t) -> c_int {
            type F = unsafe extern "C" fn(*const c_char, c_int, mode_t) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: p comes from the caller of open, as the real call takes it.
            match unsafe { route(p, open_op(flags), false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(p, flags, mode) },
                // SAFETY: a NUL-terminated path of ours.
                Route::To(c) => unsafe { real(c.as_ptr(), flags, mode) },
                Route::Fail(e) => fail(e),
            }
        }
    };
}

open_fn!(open, "open");
open_fn!(open64, "open64");

macro_rules! open_2_fn {
    ($name:ident, $sym:literal) => {
        /// The fortified open (`_FORTIFY_SOURCE`), redirected as open is.
        ///
        /// # Safety
        /// As open(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(p: *const c_char, flags: c_int) -> c_int {
            type F = unsafe extern "C" fn(*const c_char, c_int) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: p comes from the caller, as the real call takes it.
            match unsafe { route(p, open_op(flags), false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(p, flags) },
                // SAFETY: a NUL-terminated path of ours.
                Route::To(c) => unsafe { real(c.as_ptr(), flags) },
                Route::Fail(e) => fail(e),
            }
        }
    };
}

open_2_fn!(__open_2, "__open_2");
open_2_fn!(__open64_2, "__open64_2");

macro_rules! openat_fn {
    ($name:ident, $sym:literal) => {
        /// openat(2) with absolute lab paths redirected (see `open`).
        ///
        /// # Safety
        /// As openat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            dirfd: c_int,
            p: *const c_char,
            flags: c_int,
            mode: mode_t,
        ) -> c_int {
            type F = unsafe extern "C" fn(c_int, *const c_char, c_int, mode_t) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: p comes from the caller, as the real call takes it.
            match unsafe { route(p, open_op(flags), false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(dirfd, p, flags, mode) },
                // SAFETY: a NUL-terminated absolute path of ours.
                Route::To(c) => unsafe { real(dirfd, c.as_ptr(), flags, mode) },
                Route::Fail(e) => fail(e),
            }
        }
    };
}

openat_fn!(openat, "openat");
openat_fn!(openat64, "openat64");

macro_rules! openat_2_fn {
    ($name:ident, $sym:literal) => {
        /// The fortified openat, redirected as openat is.
        ///
        /// # Safety
        /// As openat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(dirfd: c_int, p: *const c_char, flags: c_int) -> c_int {
            type F = unsafe extern "C" fn(c_int, *const c_char, c_int) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: p comes from the caller, as the real call takes it.
            match unsafe { route(p, open_op(flags), false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(dirfd, p, flags) },
                // SAFETY: a NUL-terminated absolute path of ours.
                Route::To(c) => unsafe { real(dirfd, c.as_ptr(), flags) },
                Route::Fail(e) => fail(e),
            }
        }
    };
}

openat_2_fn!(__openat_2, "__openat_2");
openat_2_fn!(__openat64_2, "__openat64_2");

/// What an fopen mode does.
///
/// # Safety
/// `mode` is null or NUL-terminated.
unsafe fn fopen_op(mode: *const c_char) -> Op {
    // SAFETY: as the caller promises.
    let writes =
        unsafe { bytes(mode) }.is_some_and(|m| m.iter().any(|c| matches!(c, b'w' | b'a' | b'+')));
    if writes {
        Op::Write
    } else {
        Op::Read
    }
}

macro_rules! fopen_fn {
    ($name:ident, $sym:literal) => {
        /// fopen(3) with lab paths redirected: glibc opens its file without going
        /// through the exported open.
        ///
        /// # Safety
        /// As fopen(3).
        #[no_mangle]
        pub unsafe extern "C" fn $name(p: *const c_char, mode: *const c_char) -> *mut FILE {
            type F = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut FILE;
            let Some(real) = real!($sym: F) else {
                set_errno(libc::ENOSYS);
                return std::ptr::null_mut();
            };
            // SAFETY: p and mode come from the caller, as the real call takes them.
            match unsafe { route(p, fopen_op(mode), false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(p, mode) },
                // SAFETY: a NUL-terminated path of ours and the caller's mode.
                Route::To(c) => unsafe { real(c.as_ptr(), mode) },
                Route::Fail(e) => {
                    set_errno(e);
                    std::ptr::null_mut()
                }
            }
        }
    };
}

fopen_fn!(fopen, "fopen");
fopen_fn!(fopen64, "fopen64");

/// opendir(3) with lab directories redirected (glibc opens them internally).
///
/// # Safety
/// As opendir(3).
#[no_mangle]
pub unsafe extern "C" fn opendir(p: *const c_char) -> *mut DIR {
    type F = unsafe extern "C" fn(*const c_char) -> *mut DIR;
    let Some(real) = real!("opendir": F) else {
        set_errno(libc::ENOSYS);
        return std::ptr::null_mut();
    };
    // SAFETY: p comes from the caller, as the real call takes it.
    match unsafe { route(p, Op::Look, false) } {
        // SAFETY: the caller's argument, passed on.
        Route::Real => unsafe { real(p) },
        // SAFETY: a NUL-terminated path of ours.
        Route::To(c) => unsafe { real(c.as_ptr()) },
        Route::Fail(e) => {
            set_errno(e);
            std::ptr::null_mut()
        }
    }
}

/// access(2) on the lab's files.
///
/// # Safety
/// As access(2).
#[no_mangle]
pub unsafe extern "C" fn access(p: *const c_char, how: c_int) -> c_int {
    type F = unsafe extern "C" fn(*const c_char, c_int) -> c_int;
    let Some(real) = real!("access": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: p comes from the caller, as the real call takes it.
    match unsafe { route(p, Op::Look, false) } {
        // SAFETY: the caller's arguments, passed on.
        Route::Real => unsafe { real(p, how) },
        // SAFETY: a NUL-terminated path of ours.
        Route::To(c) => unsafe { real(c.as_ptr(), how) },
        Route::Fail(e) => fail(e),
    }
}

/// faccessat(2) on the lab's files.
///
/// # Safety
/// As faccessat(2).
#[no_mangle]
pub unsafe extern "C" fn faccessat(dirfd: c_int, p: *const c_char, how: c_int, fl: c_int) -> c_int {
    type F = unsafe extern "C" fn(c_int, *const c_char, c_int, c_int) -> c_int;
    let Some(real) = real!("faccessat": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: p comes from the caller, as the real call takes it.
    match unsafe { route(p, Op::Look, false) } {
        // SAFETY: the caller's arguments, passed on.
        Route::Real => unsafe { real(dirfd, p, how, fl) },
        // SAFETY: a NUL-terminated absolute path of ours.
        Route::To(c) => unsafe { real(dirfd, c.as_ptr(), how, fl) },
        Route::Fail(e) => fail(e),
    }
}

/// readlink(2): `/proc/PID/ns/net` reads `net:[N]` with the lab namespace's inode, and the
/// lab's sysfs links read as the kernel's.
///
/// # Safety
/// As readlink(2).
#[no_mangle]
pub unsafe extern "C" fn readlink(p: *const c_char, buf: *mut c_char, size: size_t) -> ssize_t {
    type F = unsafe extern "C" fn(*const c_char, *mut c_char, size_t) -> ssize_t;
    let Some(real) = real!("readlink": F) else {
        return fail(libc::ENOSYS) as ssize_t;
    };
    // SAFETY: p comes from the caller, as the real call takes it.
    match unsafe { route(p, Op::Look, true) } {
        // SAFETY: the caller's arguments, passed on.
        Route::Real => unsafe { real(p, buf, size) },
        // SAFETY: a NUL-terminated path of ours and the caller's buffer.
        Route::To(c) => unsafe { real(c.as_ptr(), buf, size) },
        Route::Fail(e) => fail(e) as ssize_t,
    }
}

/// readlinkat(2), as readlink for absolute paths.
///
/// # Safety
/// As readlinkat(2).
#[no_mangle]
pub unsafe extern "C" fn readlinkat(
    dirfd: c_int,
    p: *const c_char,
    buf: *mut c_char,
    size: size_t,
) -> ssize_t {
    type F = unsafe extern "C" fn(c_int, *const c_char, *mut c_char, size_t) -> ssize_t;
    let Some(real) = real!("readlinkat": F) else {
        return fail(libc::ENOSYS) as ssize_t;
    };
    // SAFETY: p comes from the caller, as the real call takes it.
    match unsafe { route(p, Op::Look, true) } {
        // SAFETY: the caller's arguments, passed on.
        Route::Real => unsafe { real(dirfd, p, buf, size) },
        // SAFETY: a NUL-terminated absolute path of ours and the caller's buffer.
        Route::To(c) => unsafe { real(dirfd, c.as_ptr(), buf, size) },
        Route::Fail(e) => fail(e) as ssize_t,
    }
}

macro_rules! stat_fn {
    ($name:ident, $sym:literal, $buf:ty, $follow:expr) => {
        /// stat(2) and kin on the lab's files (see `stat_like`).
        ///
        /// # Safety
        /// As stat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(p: *const c_char, buf: *mut $buf) -> c_int {
            type F = unsafe extern "C" fn(*const c_char, *mut $buf) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: the caller's buffer, written by the real call first.
            let patch = |ino: u64| unsafe { (*buf).st_ino = ino as _ };
            // SAFETY: the caller's arguments, or a path of ours.
            unsafe { stat_like(p, $follow, |q| real(q, buf), patch) }
        }
    };
}

stat_fn!(stat, "stat", libc::stat, true);
stat_fn!(stat64, "stat64", libc::stat64, true);
stat_fn!(lstat, "lstat", libc::stat, false);
stat_fn!(lstat64, "lstat64", libc::stat64, false);

macro_rules! fstatat_fn {
    ($name:ident, $sym:literal, $buf:ty) => {
        /// fstatat(2) on the lab's files (see `stat_like`).
        ///
        /// # Safety
        /// As fstatat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            dirfd: c_int,
            p: *const c_char,
            buf: *mut $buf,
            fl: c_int,
        ) -> c_int {
            type F = unsafe extern "C" fn(c_int, *const c_char, *mut $buf, c_int) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: the caller's buffer, written by the real call first.
            let patch = |ino: u64| unsafe { (*buf).st_ino = ino as _ };
            let follow = fl & libc::AT_SYMLINK_NOFOLLOW == 0;
            // SAFETY: the caller's arguments, or a path of ours.
            unsafe { stat_like(p, follow, |q| real(dirfd, q, buf, fl), patch) }
        }
    };
}

fstatat_fn!(fstatat, "fstatat", libc::stat);
fstatat_fn!(fstatat64, "fstatat64", libc::stat64);

macro_rules! xstat_fn {
    ($name:ident, $sym:literal, $buf:ty, $follow:expr) => {
        /// The versioned stat of programs built against glibc before 2.33.
        ///
        /// # Safety
        /// As stat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(ver: c_int, p: *const c_char, buf: *mut $buf) -> c_int {
            type F = unsafe extern "C" fn(c_int, *const c_char, *mut $buf) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: the caller's buffer, written by the real call first.
            let patch = |ino: u64| unsafe { (*buf).st_ino = ino as _ };
            // SAFETY: the caller's arguments, or a path of ours.
            unsafe { stat_like(p, $follow, |q| real(ver, q, buf), patch) }
        }
    };
}

xstat_fn!(__xstat, "__xstat", libc::stat, true);
xstat_fn!(__xstat64, "__xstat64", libc::stat64, true);
xstat_fn!(__lxstat, "__lxstat", libc::stat, false);
xstat_fn!(__lxstat64, "__lxstat64", libc::stat64, false);

macro_rules! fxstatat_fn {
    ($name:ident, $sym:literal, $buf:ty) => {
        /// The versioned fstatat of programs built against glibc before 2.33.
        ///
        /// # Safety
        /// As fstatat(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            ver: c_int,
            dirfd: c_int,
            p: *const c_char,
            buf: *mut $buf,
            fl: c_int,
        ) -> c_int {
            type F =
                unsafe extern "C" fn(c_int, c_int, *const c_char, *mut $buf, c_int) -> c_int;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS);
            };
            // SAFETY: the caller's buffer, written by the real call first.
            let patch = |ino: u64| unsafe { (*buf).st_ino = ino as _ };
            let follow = fl & libc::AT_SYMLINK_NOFOLLOW == 0;
            // SAFETY: the caller's arguments, or a path of ours.
            unsafe { stat_like(p, follow, |q| real(ver, dirfd, q, buf, fl), patch) }
        }
    };
}

fxstatat_fn!(__fxstatat, "__fxstatat", libc::stat);
fxstatat_fn!(__fxstatat64, "__fxstatat64", libc::stat64);

/// statx(2), which coreutils' `ls` and `stat` use.
///
/// # Safety
/// As statx(2).
#[no_mangle]
pub unsafe extern "C" fn statx(
    dirfd: c_int,
    p: *const c_char,
    fl: c_int,
    mask: c_uint,
    buf: *mut libc::statx,
) -> c_int {
    type F = unsafe extern "C" fn(c_int, *const c_char, c_int, c_uint, *mut libc::statx) -> c_int;
    let Some(real) = real!("statx": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's buffer, written by the real call first.
    let patch = |ino: u64| unsafe { (*buf).stx_ino = ino };
    let follow = fl & libc::AT_SYMLINK_NOFOLLOW == 0;
    // SAFETY: the caller's arguments, or a path of ours.
    unsafe { stat_like(p, follow, |q| real(dirfd, q, fl, mask, buf), patch) }
}

extern "C" {
    /// glibc's name of the running program, without its directory.
    static program_invocation_short_name: *const c_char;
}

/// Inside a lab?
fn in_lab() -> bool {
    // SAFETY: the name is NUL-terminated; getenv returns NULL or a string.
    let p = unsafe { libc::getenv(c"L2LAB_SOCK".as_ptr()) };
    // SAFETY: non-null getenv results are NUL-terminated.
    !p.is_null() && unsafe { *p } != 0
}

/// Writes the parts as one line on stderr, with no allocation (this may run after fork).
fn say(parts: &[&[u8]]) {
    let mut line = [0u8; 1024];
    let mut n = 0;
    for part in parts {
        for b in *part {
            if n < line.len() - 1 {
                line[n] = *b;
                n += 1;
            }
        }
    }
    line[n] = b'\n';
    // SAFETY: writes n+1 bytes of a live buffer to stderr.
    unsafe { libc::syscall(libc::SYS_write, 2, line.as_ptr(), n + 1) };
}

/// socket(2): IP, packet and netlink sockets would reach the host, so a lab process gets none.
/// EACCES, as a security policy refusing a socket answers, tells programs that retrying
/// another family will not help, where EAFNOSUPPORT would read as a kernel built without IP.
///
/// # Safety
/// As socket(2).
#[no_mangle]
pub unsafe extern "C" fn socket(domain: c_int, ty: c_int, proto: c_int) -> c_int {
    type F = unsafe extern "C" fn(c_int, c_int, c_int) -> c_int;
    let refused = matches!(
        domain,
        libc::AF_INET | libc::AF_INET6 | libc::AF_PACKET | libc::AF_NETLINK
    );
    if refused && in_lab() {
        // SAFETY: glibc sets this before main; it stays a valid NUL-terminated string.
        let name = unsafe { bytes(program_invocation_short_name) }.unwrap_or(b"?");
        // Once per process: a program trying IPv6, then IPv4, then again, is told once.
        if SAID_SOCKETS.swap(true, Ordering::Relaxed) {
            return fail(libc::EACCES);
        }
        say(&[
            b"l2lab: ",
            name,
            b": l2lab does not model TCP/UDP sockets yet (ICMP through ping, and captures through tcpdump, are the lab's)",
        ]);
        return fail(libc::EACCES);
    }
    let Some(real) = real!("socket": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(domain, ty, proto) }
}

/// Whether this process has said why it gets no IP socket.
static SAID_SOCKETS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Names `path` on stderr if this library cannot reach it (statically linked, or 32-bit
/// where this library is 64-bit) and this is a lab.
fn warn_static(path: *const c_char) {
    if path.is_null() || !in_lab() || in_lab_dir(path) {
        return;
    }
    let why: &[u8] = match elf::unreachable(path) {
        None => return,
        Some(elf::Unreachable::Static) if is_lab_client(path) => return,
        Some(elf::Unreachable::Static) => b" is statically linked",
        Some(elf::Unreachable::OtherClass) => b" is not a 64-bit program",
    };
    // SAFETY: path is a non-null NUL-terminated string (checked, and from exec's caller).
    let name = unsafe { bytes(path) }.unwrap_or(b"?");
    say(&[
        b"l2lab: ",
        name,
        why,
        b": the lab's views and clock do not reach it (it sees an empty network namespace, not the host's)",
    ]);
}

/// Whether `path` names a file in the lab's own directory (the one of its socket): the lab's
/// links to its client and to the l2lab binary, which the script's $PATH finds first. Checked
/// on the name alone, with no system call: a tutorial command is exec'd hundreds of times in
/// a loop, and reading its ELF headers cost more system calls than the command itself makes.
fn in_lab_dir(path: *const c_char) -> bool {
    // SAFETY: the name is NUL-terminated; getenv returns NULL or a NUL-terminated string.
    let sock = unsafe { bytes(libc::getenv(c"L2LAB_SOCK".as_ptr())) }.unwrap_or(b"");
    // SAFETY: path is a non-null NUL-terminated string (checked by the caller).
    let path = unsafe { bytes(path) }.unwrap_or(b"");
    match sock.iter().rposition(|b| *b == b'/') {
        // The directory with its slash; a name with `..` in it is left to the full check.
        Some(i) if i > 0 => path.starts_with(&sock[..=i]) && !path.windows(2).any(|w| w == b".."),
        _ => false,
    }
}

/// Whether `path` is the lab's own static client (tools/client, written beside the lab's
/// socket as `l2lab-client`, which the lab links and binds under the tools' names): the lab
/// reaches it through its socket, not through this library. Compared by device and inode,
/// with no allocation (this may run after fork).
fn is_lab_client(path: *const c_char) -> bool {
    // SAFETY: the name is NUL-terminated; getenv returns NULL or a NUL-terminated string.
    let sock = unsafe { bytes(libc::getenv(c"L2LAB_SOCK".as_ptr())) }.unwrap_or(b"");
    let dir = match sock.iter().rposition(|b| *b == b'/') {
        Some(i) => &sock[..i],
        None => b"/run/l2lab".as_slice(),
    };
    let name = b"/l2lab-client\0";
    let mut buf = [0u8; 4096];
    let Some(client) = buf.get_mut(..dir.len() + name.len()) else {
        return false;
    };
    client[..dir.len()].copy_from_slice(dir);
    client[dir.len()..].copy_from_slice(name);
    // SAFETY: stat(2) of two NUL-terminated paths into zeroed structures.
    unsafe {
        let mut a: libc::stat = std::mem::zeroed();
        let mut b: libc::stat = std::mem::zeroed();
        libc::stat(path, &mut a) == 0
            && libc::stat(buf.as_ptr().cast(), &mut b) == 0
            && a.st_dev == b.st_dev
            && a.st_ino == b.st_ino
    }
}

/// execvp's search: `file` itself if it has a slash, else the first executable in $PATH.
/// Calls `f` with the NUL-terminated path found (in a stack buffer: this runs after fork).
fn with_found(file: *const c_char, f: impl FnOnce(*const c_char)) {
    // SAFETY: file comes from exec's caller: null or NUL-terminated.
    let Some(name) = (unsafe { bytes(file) }) else {
        return;
    };
    if name.is_empty() {
        return;
    }
    if name.contains(&b'/') {
        return f(file);
    }
    // SAFETY: getenv returns NULL or a NUL-terminated string.
    let path = unsafe { bytes(libc::getenv(c"PATH".as_ptr())) }.unwrap_or(b"/bin:/usr/bin");
    let mut buf = [0u8; 4096];
    for dir in path.split(|c| *c == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let len = dir.len() + 1 + name.len();
        if len + 1 > buf.len() {
            continue;
        }
        buf[..dir.len()].copy_from_slice(dir);
        buf[dir.len()] = b'/';
        buf[dir.len() + 1..len].copy_from_slice(name);
        buf[len] = 0;
        // SAFETY: buf holds a NUL-terminated path.
        let ok = unsafe {
            libc::syscall(
                libc::SYS_faccessat,
                libc::AT_FDCWD,
                buf.as_ptr(),
                libc::X_OK,
            )
        } == 0;
        if ok {
            return f(buf.as_ptr().cast());
        }
    }
}

/// execve(2), after naming a statically linked program.
///
/// # Safety
/// As execve(2).
#[no_mangle]
pub unsafe extern "C" fn execve(
    p: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    type F =
        unsafe extern "C" fn(*const c_char, *const *const c_char, *const *const c_char) -> c_int;
    warn_static(p);
    let Some(real) = real!("execve": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(p, argv, envp) }
}

/// execv(3), after naming a statically linked program.
///
/// # Safety
/// As execv(3).
#[no_mangle]
pub unsafe extern "C" fn execv(p: *const c_char, argv: *const *const c_char) -> c_int {
    type F = unsafe extern "C" fn(*const c_char, *const *const c_char) -> c_int;
    warn_static(p);
    let Some(real) = real!("execv": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(p, argv) }
}

/// execvp(3), after naming a statically linked program found on $PATH.
///
/// # Safety
/// As execvp(3).
#[no_mangle]
pub unsafe extern "C" fn execvp(file: *const c_char, argv: *const *const c_char) -> c_int {
    type F = unsafe extern "C" fn(*const c_char, *const *const c_char) -> c_int;
    if in_lab() {
        with_found(file, warn_static);
    }
    let Some(real) = real!("execvp": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(file, argv) }
}

/// execvpe(3), after naming a statically linked program found on $PATH.
///
/// # Safety
/// As execvpe(3).
#[no_mangle]
pub unsafe extern "C" fn execvpe(
    file: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    type F =
        unsafe extern "C" fn(*const c_char, *const *const c_char, *const *const c_char) -> c_int;
    if in_lab() {
        with_found(file, warn_static);
    }
    let Some(real) = real!("execvpe": F) else {
        return fail(libc::ENOSYS);
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(file, argv, envp) }
}

type SpawnFn = unsafe extern "C" fn(
    *mut libc::pid_t,
    *const c_char,
    *const libc::posix_spawn_file_actions_t,
    *const libc::posix_spawnattr_t,
    *const *mut c_char,
    *const *mut c_char,
) -> c_int;

/// posix_spawn(3), after naming a statically linked program.
///
/// # Safety
/// As posix_spawn(3).
#[no_mangle]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut libc::pid_t,
    p: *const c_char,
    fa: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
) -> c_int {
    warn_static(p);
    let Some(real) = real!("posix_spawn": SpawnFn) else {
        return libc::ENOSYS;
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(pid, p, fa, attr, argv, envp) }
}

/// posix_spawnp(3), after naming a statically linked program found on $PATH.
///
/// # Safety
/// As posix_spawnp(3).
#[no_mangle]
pub unsafe extern "C" fn posix_spawnp(
    pid: *mut libc::pid_t,
    file: *const c_char,
    fa: *const libc::posix_spawn_file_actions_t,
    attr: *const libc::posix_spawnattr_t,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
) -> c_int {
    if in_lab() {
        with_found(file, warn_static);
    }
    let Some(real) = real!("posix_spawnp": SpawnFn) else {
        return libc::ENOSYS;
    };
    // SAFETY: the caller's arguments, passed on.
    unsafe { real(pid, file, fa, attr, argv, envp) }
}

macro_rules! getxattr_fn {
    ($name:ident, $sym:literal) => {
        /// getxattr(2) on the lab's files (`ls -l` asks for the SELinux label).
        ///
        /// # Safety
        /// As getxattr(2).
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            p: *const c_char,
            attr: *const c_char,
            value: *mut libc::c_void,
            size: size_t,
        ) -> ssize_t {
            type F =
                unsafe extern "C" fn(*const c_char, *const c_char, *mut libc::c_void, size_t) -> ssize_t;
            let Some(real) = real!($sym: F) else {
                return fail(libc::ENOSYS) as ssize_t;
            };
            // SAFETY: p comes from the caller, as the real call takes it.
            match unsafe { route(p, Op::Look, false) } {
                // SAFETY: the caller's arguments, passed on.
                Route::Real => unsafe { real(p, attr, value, size) },
                // SAFETY: a NUL-terminated path of ours and the caller's buffer.
                Route::To(c) => unsafe { real(c.as_ptr(), attr, value, size) },
                Route::Fail(e) => fail(e) as ssize_t,
            }
        }
    };
}

getxattr_fn!(getxattr, "getxattr");
getxattr_fn!(lgetxattr, "lgetxattr");

// ---- sleeps on the lab's clock -------------------------------------------------------------
// In virtual time a program's sleep is a wait on the lab's clock, as the lab's own `sleep` is
// (libfaketime's approach): the clock then jumps over it instead of the program sleeping on the
// wall clock while lab time races ahead, and the same script gives the same output.

/// A timespec as nanoseconds, or None when the kernel would refuse it (EINVAL).
fn ts_nanos(ts: &libc::timespec) -> Option<u128> {
    if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
        return None;
    }
    Some(ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128)
}

/// nanosleep(2): on the lab's clock in virtual time.
///
/// # Safety
/// As nanosleep(2): `req` points to a timespec, `rem` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn nanosleep(req: *const libc::timespec, rem: *mut libc::timespec) -> c_int {
    if !req.is_null() && lab::virtual_time() {
        // SAFETY: req is non-null and points to a timespec, as the caller promises.
        let Some(ns) = ts_nanos(unsafe { &*req }) else {
            return fail(libc::EINVAL);
        };
        if lab::sleep(ns) {
            if !rem.is_null() {
                // SAFETY: rem is writable, as the caller promises.
                unsafe { *rem = std::mem::zeroed() };
            }
            return 0;
        }
    }
    match real!("nanosleep": unsafe extern "C" fn(*const libc::timespec, *mut libc::timespec) -> c_int)
    {
        // SAFETY: the real function with the caller's arguments.
        Some(f) => unsafe { f(req, rem) },
        None => fail(libc::ENOSYS),
    }
}

/// clock_nanosleep(2): on the lab's clock in virtual time, for the clocks that measure
/// elapsed or calendar time; an absolute deadline is read against the real clock.
///
/// # Safety
/// As clock_nanosleep(2).
#[no_mangle]
pub unsafe extern "C" fn clock_nanosleep(
    clock: libc::clockid_t,
    flags: c_int,
    req: *const libc::timespec,
    rem: *mut libc::timespec,
) -> c_int {
    let ours = matches!(
        clock,
        libc::CLOCK_REALTIME | libc::CLOCK_MONOTONIC | libc::CLOCK_BOOTTIME
    );
    if ours && !req.is_null() && lab::virtual_time() {
        // SAFETY: req is non-null and points to a timespec, as the caller promises.
        let Some(mut ns) = ts_nanos(unsafe { &*req }) else {
            return libc::EINVAL;
        };
        if flags & libc::TIMER_ABSTIME != 0 {
            // SAFETY: a zeroed timespec is valid; clock_gettime(2) writes it.
            let mut now: libc::timespec = unsafe { std::mem::zeroed() };
            // SAFETY: as above.
            unsafe { libc::syscall(libc::SYS_clock_gettime, clock, &mut now) };
            ns = ns.saturating_sub(ts_nanos(&now).unwrap_or(0));
        }
        if lab::sleep(ns) {
            if !rem.is_null() && flags & libc::TIMER_ABSTIME == 0 {
                // SAFETY: rem is writable, as the caller promises.
                unsafe { *rem = std::mem::zeroed() };
            }
            return 0;
        }
    }
    type F = unsafe extern "C" fn(
        libc::clockid_t,
        c_int,
        *const libc::timespec,
        *mut libc::timespec,
    ) -> c_int;
    match real!("clock_nanosleep": F) {
        // SAFETY: the real function with the caller's arguments.
        Some(f) => unsafe { f(clock, flags, req, rem) },
        None => libc::ENOSYS,
    }
}

/// sleep(3): on the lab's clock in virtual time (glibc's sleep calls nanosleep inside
/// itself, where the exported one is not seen).
///
/// # Safety
/// None beyond sleep(3)'s.
#[no_mangle]
pub unsafe extern "C" fn sleep(secs: c_uint) -> c_uint {
    if lab::virtual_time() && lab::sleep(u128::from(secs) * 1_000_000_000) {
        return 0;
    }
    match real!("sleep": unsafe extern "C" fn(c_uint) -> c_uint) {
        // SAFETY: the real function with the caller's argument.
        Some(f) => unsafe { f(secs) },
        None => secs,
    }
}

/// usleep(3): on the lab's clock in virtual time.
///
/// # Safety
/// None beyond usleep(3)'s.
#[no_mangle]
pub unsafe extern "C" fn usleep(usecs: libc::useconds_t) -> c_int {
    if lab::virtual_time() && lab::sleep(u128::from(usecs) * 1_000) {
        return 0;
    }
    match real!("usleep": unsafe extern "C" fn(libc::useconds_t) -> c_int) {
        // SAFETY: the real function with the caller's argument.
        Some(f) => unsafe { f(usecs) },
        None => fail(libc::ENOSYS),
    }
}
