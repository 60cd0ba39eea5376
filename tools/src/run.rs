//! `l2lab run SCRIPT` and `l2lab shell`: a fresh lab in this process, and bash with the
//! tutorial commands first on its PATH. Everything the script started is gone when it ends.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use l2lab_sim::{Lab, LabConfig};
use tokio::net::UnixListener;

use crate::client::TOOLS;
use crate::proto::{NETNS_ENV, SOCK_ENV};

/// How to run the lab.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// IPv6 on in every namespace.
    pub ipv6: bool,
    /// The host has an uplink (eth0) to a router and an emulated Internet.
    pub uplink: bool,
    /// What the script sees as /etc/resolv.conf, instead of the host's.
    pub resolv_conf: Option<PathBuf>,
    /// The kernel's tick rate for the lab's timers.
    pub hz: u32,
    /// Seed of the lab's random choices.
    pub seed: u64,
    /// Virtual time: `sleep`, ping's intervals, tcpdump's lifetime and every timer of the lab
    /// run on the lab's clock, which jumps ahead whenever the whole script is waiting.
    pub fast: bool,
    /// Write every event as JSON lines here.
    pub trace: Option<PathBuf>,
    /// Narrate bridge decisions and neighbour changes on stderr.
    pub explain: bool,
    /// How long each command takes on the lab's clock in virtual time.
    pub command_time: crate::server::CommandTime,
}

/// What bash should run.
#[derive(Debug, Clone)]
pub enum Program {
    /// `bash SCRIPT ARGS...`
    Script {
        /// The script.
        path: PathBuf,
        /// Its arguments.
        args: Vec<String>,
    },
    /// An interactive bash.
    Shell,
}

/// A private directory: the lab's socket and the links that make `ip`, `brctl`... ours.
struct LabDir {
    dir: tempfile::TempDir,
    /// The namespace files' directory when it is on a tmpfs apart (`netns` links to it).
    _names: Option<tempfile::TempDir>,
}

/// Where namespace files go when the temporary directory is no tmpfs: as the kernel's
/// /run/netns is one. A disk file system's cost of making a file can grow with the files
/// around it (ext4 looks through its inode bitmap, past recently freed inodes, for each).
const SHM: &str = "/dev/shm";
/// The prefix of those directories, before the lab's pid.
const NAMES_PREFIX: &str = "l2lab-netns-";

/// A private directory for namespace files on the tmpfs at [`SHM`], if there is one.
fn names_on_tmpfs() -> Option<tempfile::TempDir> {
    let d = tempfile::Builder::new()
        .prefix(&format!("{NAMES_PREFIX}{}-", std::process::id()))
        .tempdir_in(SHM)
        .ok()?;
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).ok()?;
    Some(d)
}

impl LabDir {
    fn new(fast: bool) -> anyhow::Result<LabDir> {
        sweep_stale();
        let dir = tempfile::Builder::new().prefix("l2lab-").tempdir()?;
        // Only its user may enter, whatever the umask: the socket is the lab's door.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
        std::fs::write(dir.path().join("pid"), std::process::id().to_string())?;
        let names = names_on_tmpfs();
        match &names {
            Some(n) => std::os::unix::fs::symlink(n.path(), dir.path().join("netns"))?,
            None => std::fs::create_dir(dir.path().join("netns"))?,
        }
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin)?;
        let exe = std::env::current_exe()?;
        let client = crate::lean::install(dir.path(), &exe)?;
        for t in TOOLS
            .iter()
            .filter(|t| !crate::sandbox::VIRTUAL_TOOLS.contains(t))
            .chain(crate::sandbox::UNMODELLED)
            .chain(crate::sandbox::EXEC_TOOLS)
            .chain(crate::sandbox::VIRTUAL_TOOLS)
        {
            // On the real clock the real sleep and timeout are the right ones.
            if crate::sandbox::VIRTUAL_TOOLS.contains(t) && !fast {
                continue;
            }
            // The plain commands start as the small client (`tcpdump` reads and writes
            // files itself: the full binary's).
            let to = match &client {
                Some(c) if TOOLS.contains(t) && *t != "tcpdump" => c,
                _ => &exe,
            };
            std::os::unix::fs::symlink(to, bin.join(t))?;
        }
        Ok(LabDir { dir, _names: names })
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn sock(&self) -> PathBuf {
        self.dir.path().join("lab.sock")
    }
}

/// Whether `path` is this user's.
fn mine(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: getuid(2) has no preconditions.
        m.uid() == unsafe { libc::getuid() }
    })
}

/// Removes the directories of labs whose process is gone (killed with SIGKILL, which leaves
/// no chance to clean up).
fn sweep_stale() {
    for e in std::fs::read_dir(SHM).into_iter().flatten().flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(NAMES_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if mine(&e.path()) && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with("l2lab-") {
            continue;
        }
        let Ok(pid) = std::fs::read_to_string(e.path().join("pid")) else {
            continue;
        };
        let Ok(pid) = pid.trim().parse::<u32>() else {
            continue;
        };
        if mine(&e.path()) && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut p = std::ffi::OsString::from(bin.as_os_str());
    if let Some(old) = std::env::var_os("PATH") {
        p.push(":");
        p.push(old);
    }
    p
}

fn signal_group(pgid: i32, sig: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }
}

/// Runs `program` against a fresh lab; returns bash's exit status (128+N when killed by N).
pub fn run(program: Program, opts: &LabOptions) -> anyhow::Result<i32> {
    let dir = LabDir::new(opts.fast)?;
    if let Some(rc) = &opts.resolv_conf {
        std::fs::copy(rc, dir.dir.path().join("resolv.conf"))
            .map_err(|e| anyhow::anyhow!("{}: {e}", rc.display()))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let code = local.block_on(&rt, async {
        let listener = UnixListener::bind(dir.sock())?;
        let config = LabConfig {
            seed: opts.seed,
            virtual_time: opts.fast,
            ipv6: opts.ipv6,
            hz: opts.hz,
            ..Default::default()
        };
        // Virtual time keeps the fixed epoch so that captures repeat byte for byte.
        let config = if opts.fast {
            config
        } else {
            LabConfig {
                epoch_us: now_us(),
                ..config
            }
        };
        let mut lab = Lab::with_config(config);
        if opts.uplink {
            lab.add_uplink()
                .map_err(|e| anyhow::anyhow!("building the uplink: {e}"))?;
        }
        let root: crate::server::Root = Default::default();
        let trace = match &opts.trace {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::File::create(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
            )),
            None => None,
        };
        let obs = crate::server::Observers {
            trace,
            explain: opts.explain,
        };
        let server =
            tokio::task::spawn_local(crate::server::serve(
            listener,
            lab,
            root.clone(),
            obs,
            crate::server::NetnsDir::new(dir.dir.path().join("netns")),
            opts.command_time,
        ));
        let interactive = matches!(program, Program::Shell);
        let exe = std::env::current_exe()?;
        let mut inner: Vec<std::ffi::OsString> = vec!["bash".into()];
        let mut tools: Vec<&str> = TOOLS
            .iter()
            .copied()
            .filter(|t| !crate::sandbox::VIRTUAL_TOOLS.contains(t))
            .collect();
        if opts.fast {
            tools.extend(crate::sandbox::VIRTUAL_TOOLS);
        }
        tools.extend(crate::sandbox::EXEC_TOOLS);
        match &program {
            Program::Script { path, args } => {
                inner.push(path.into());
                inner.extend(args.iter().map(Into::into));
            }
            Program::Shell => {
                let rc = dir.dir.path().join("bashrc");
                std::fs::write(
                    &rc,
                    format!(
                        "[ -f ~/.bashrc ] && . ~/.bashrc\nexport PATH={:?}\nPS1='[l2lab] \\w\\$ '\n",
                        path_with(&dir.bin())
                    ),
                )?;
                inner.extend(["--rcfile".into(), rc.into_os_string(), "-i".into()]);
            }
        }
        let mode = if interactive {
            crate::sandbox::Mode::Shell
        } else {
            crate::sandbox::Mode::Script
        };
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(crate::sandbox::args(mode, dir.dir.path(), &tools, &inner));
        if !interactive {
            // Its own process group, so the whole tree can be signalled at once.
            cmd.process_group(0);
        }
        // If the lab dies without a word (SIGKILL), the sandbox goes with it, and the kernel
        // ends every process in it.
        // SAFETY: prctl(2) in the child between fork and exec touches no shared state.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        crate::preload::env_for_child(&mut cmd, dir.dir.path())?;
        if opts.fast {
            // Programs' own sleeps wait on the lab's clock too (the preload library).
            cmd.env("L2LAB_VIRTUAL", "1");
        } else {
            cmd.env_remove("L2LAB_VIRTUAL");
        }
        cmd.env("PATH", path_with(&dir.bin()))
            .env(SOCK_ENV, dir.sock())
            .env_remove(NETNS_ENV);
        let mut child = tokio::process::Command::from(cmd).spawn()?;
        let pgid = child.id().map_or(0, |p| p as i32);
        root.set(pgid);
        let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        let status = loop {
            tokio::select! {
                st = child.wait() => break st?,
                _ = sigint.recv() => if !interactive { signal_group(pgid, libc::SIGINT) },
                _ = sigterm.recv() => {
                    if interactive {
                        // SAFETY: kill(2) on the shell's own pid; no memory is involved.
                        unsafe { libc::kill(pgid, libc::SIGTERM) };
                    } else {
                        signal_group(pgid, libc::SIGTERM);
                    }
                }
                _ = sighup.recv() => signal_group(pgid, libc::SIGHUP),
            }
        };
        if !interactive {
            // Background jobs the script left behind (`tcpdump ... &` never killed): asked to
            // go, given half a second, then made to.
            signal_group(pgid, libc::SIGTERM);
            for _ in 0..50 {
                if !group_alive(pgid) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            signal_group(pgid, libc::SIGKILL);
        }
        server.abort();
        use std::os::unix::process::ExitStatusExt;
        anyhow::Ok(match (status.code(), status.signal()) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            _ => 1,
        })
    })?;
    drop(dir);
    Ok(code)
}

/// Does any process of group `pgid` still run (zombies aside)?
fn group_alive(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            return false;
        };
        let mut f = rest.split_whitespace();
        let state = f.next().unwrap_or("Z");
        let group = f.nth(1).and_then(|g| g.parse::<i32>().ok());
        state != "Z" && group == Some(pgid)
    })
}

fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}
