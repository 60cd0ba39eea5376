//! Telling a statically linked program before it is exec'd: an ELF executable with no
//! PT_INTERP program header loads no dynamic linker, so this library cannot reach it. Runs
//! between fork and exec, so it allocates nothing and uses raw system calls only.

use libc::{c_char, c_int};

const PT_INTERP: u32 = 3;

/// Why a program is out of this library's reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    /// No PT_INTERP: no dynamic linker loads anything into it.
    Static,
    /// Its ELF class is not this library's (a 32-bit program): ld.so skips the library.
    OtherClass,
}

/// Whether the program at `path` (NUL-terminated) is out of reach, and why. Anything
/// unreadable or not ELF (a script, a missing file) is not.
pub fn unreachable(path: *const c_char) -> Option<Unreachable> {
    // SAFETY: path is a NUL-terminated string from the caller of exec.
    let wide = unsafe { class_is_64(path) }?;
    if wide != cfg!(target_pointer_width = "64") {
        return Some(Unreachable::OtherClass);
    }
    is_static(path).then_some(Unreachable::Static)
}

/// Whether an ELF file is 64-bit; `None` if it is not ELF or cannot be read.
///
/// # Safety
/// `path` is NUL-terminated.
unsafe fn class_is_64(path: *const c_char) -> Option<bool> {
    // SAFETY: as the caller promises.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD,
            path,
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    let fd = c_int::try_from(fd).ok().filter(|f| *f >= 0)?;
    let mut h = [0u8; 5];
    let ok = pread(fd, &mut h, 0);
    // SAFETY: closes the descriptor opened above.
    unsafe { libc::syscall(libc::SYS_close, fd) };
    ok?;
    (h[..4] == *b"\x7fELF").then_some(h[4] == 2)
}

/// Whether the file at `path` (NUL-terminated) is an ELF executable without PT_INTERP.
/// Anything unreadable or not ELF (a script, a missing file) is not.
pub fn is_static(path: *const c_char) -> bool {
    // SAFETY: path is a NUL-terminated string from the caller of exec.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD,
            path,
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    let Ok(fd) = c_int::try_from(fd) else {
        return false;
    };
    if fd < 0 {
        return false;
    }
    let found = no_interp(fd);
    // SAFETY: closes the descriptor opened above.
    unsafe { libc::syscall(libc::SYS_close, fd) };
    found.unwrap_or(false)
}

fn pread(fd: c_int, buf: &mut [u8], at: u64) -> Option<()> {
    // SAFETY: reads into a live buffer of buf.len() bytes.
    let n = unsafe { libc::syscall(libc::SYS_pread64, fd, buf.as_mut_ptr(), buf.len(), at) };
    (usize::try_from(n).ok()? == buf.len()).then_some(())
}

fn no_interp(fd: c_int) -> Option<bool> {
    let mut h = [0u8; 64];
    pread(fd, &mut h, 0)?;
    if h[..4] != *b"\x7fELF" {
        return Some(false);
    }
    let wide = h[4] == 2;
    let le = h[5] == 1;
    // The N bytes at `o`, in the file's byte order, as a number.
    let uint_at = |b: &[u8], o: usize, n: usize| -> Option<u64> {
        let x = b.get(o..o.checked_add(n)?)?;
        let fold = |acc: u64, byte: &u8| acc << 8 | u64::from(*byte);
        Some(if le {
            x.iter().rev().fold(0, fold)
        } else {
            x.iter().fold(0, fold)
        })
    };
    let u16_at = |b: &[u8], o: usize| uint_at(b, o, 2).map(|v| v as u16);
    let u32_at = |b: &[u8], o: usize| uint_at(b, o, 4).map(|v| v as u32);
    let u64_at = |b: &[u8], o: usize| uint_at(b, o, 8);
    // ET_EXEC or ET_DYN (a PIE, or a static-pie); a shared library run directly is rare.
    let e_type = u16_at(&h, 16)?;
    if e_type != 2 && e_type != 3 {
        return Some(false);
    }
    let (phoff, phentsize, phnum) = if wide {
        (u64_at(&h, 32)?, u16_at(&h, 54)?, u16_at(&h, 56)?)
    } else {
        (u64::from(u32_at(&h, 28)?), u16_at(&h, 42)?, u16_at(&h, 44)?)
    };
    let mut ph = [0u8; 64];
    let size = usize::from(phentsize);
    if size < 4 || size > ph.len() || phnum == 0 {
        return Some(false);
    }
    // The whole table in one read when it is small (it is: a dozen entries, typically).
    let mut table = [0u8; 1024];
    if let Some(all) = table.get_mut(..size * usize::from(phnum)) {
        pread(fd, all, phoff)?;
        let interp = all
            .chunks_exact(size)
            .any(|entry| u32_at(entry, 0) == Some(PT_INTERP));
        return Some(!interp);
    }
    for i in 0..u64::from(phnum.min(256)) {
        let entry = ph.get_mut(..size)?;
        pread(fd, entry, phoff.checked_add(i * size as u64)?)?;
        if u32_at(entry, 0)? == PT_INTERP {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn dynamic_programs_scripts_and_missing_files_are_not_static() {
        assert!(!is_static(c"/bin/sh".as_ptr()));
        assert_eq!(unreachable(c"/bin/sh".as_ptr()), None);
        assert!(!is_static(c"/nonexistent/x".as_ptr()));
        let dir = std::env::temp_dir().join(format!("l2lab-elf-{}", std::process::id()));
        let _ = std::fs::create_dir(&dir);
        let script = dir.join("s.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let c = std::ffi::CString::new(script.to_str().unwrap()).unwrap();
        assert!(!is_static(c.as_ptr()));
        let _ = std::fs::remove_dir_all(dir);
    }
}
