//! The few Linux system calls the client makes (x86-64), with no C library: a program linked
//! against one spends most of its start in it (the loader, or a static C library's own
//! set-up, which asks the processor about itself many times over: slow in a virtual machine).

use core::arch::asm;

pub const READ: usize = 0;
pub const WRITE: usize = 1;
pub const POLL: usize = 7;
pub const IOCTL: usize = 16;
pub const MMAP: usize = 9;
pub const RT_SIGACTION: usize = 13;
pub const RT_SIGPROCMASK: usize = 14;
pub const ACCESS: usize = 21;
pub const GETPID: usize = 39;
pub const SOCKET: usize = 41;
pub const CONNECT: usize = 42;
pub const EXECVE: usize = 59;
pub const KILL: usize = 62;
pub const EXIT_GROUP: usize = 231;
pub const SIGNALFD4: usize = 289;

/// ioctl(2) request: a terminal's attributes (only a terminal answers it).
pub const TCGETS: usize = 0x5401;

pub const EINTR: isize = 4;
pub const EAGAIN: isize = 11;

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGTERM: i32 = 15;

/// A system call with up to six arguments; a negative result is `-errno`.
///
/// # Safety
/// As the call `n` with these arguments.
pub unsafe fn call(n: usize, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the caller's; the kernel clobbers rcx and r11 only.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a[0],
            in("rsi") a[1],
            in("rdx") a[2],
            in("r10") a[3],
            in("r8") a[4],
            in("r9") a[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// Ends the process.
pub fn exit(code: i32) -> ! {
    // SAFETY: exit_group(2) takes a number and does not return.
    unsafe {
        call(EXIT_GROUP, [code as usize, 0, 0, 0, 0, 0]);
    }
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Writes all of `bytes` to `fd`; the error number of a write that failed.
pub fn write_all(fd: i32, mut bytes: &[u8]) -> Result<(), isize> {
    while !bytes.is_empty() {
        // SAFETY: writes from a live slice.
        let n = unsafe {
            call(
                WRITE,
                [fd as usize, bytes.as_ptr() as usize, bytes.len(), 0, 0, 0],
            )
        };
        if n == -EINTR {
            continue;
        }
        if n < 0 {
            return Err(-n);
        }
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

/// Reads into `buf`: how many bytes, or the error number.
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, isize> {
    loop {
        // SAFETY: reads into a live slice.
        let n = unsafe {
            call(
                READ,
                [fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0],
            )
        };
        if n == -EINTR {
            continue;
        }
        return if n < 0 { Err(-n) } else { Ok(n as usize) };
    }
}

/// The signal mask of `sigs`, as the kernel takes it (one bit per signal, 8 bytes).
pub fn mask(sigs: &[i32]) -> u64 {
    sigs.iter().fold(0, |m, s| m | 1 << (s - 1))
}

/// The C library's wording of the error numbers a lab's socket gives.
pub fn strerror(e: isize) -> &'static str {
    match e {
        2 => "No such file or directory",
        13 => "Permission denied",
        32 => "Broken pipe",
        104 => "Connection reset by peer",
        111 => "Connection refused",
        _ => "Unknown error",
    }
}
