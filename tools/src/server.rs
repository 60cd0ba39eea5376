//! The lab process: one task owns the [`Lab`] and every running command; connection tasks
//! carry requests in and output out. In real time it sleeps until the lab's next timer.

use std::collections::HashMap;
use std::path::PathBuf;

use l2lab_sim::Lab;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

use crate::cmd::{self, Env, Output, Session, Started};
use crate::proto::{encode, Request, Response, MAX_MESSAGE};

enum Msg {
    Run {
        conn: u64,
        req: Request,
        tx: mpsc::UnboundedSender<Response>,
    },
    Signal {
        conn: u64,
        sig: i32,
    },
    Gone {
        conn: u64,
    },
}

struct Running {
    session: Box<dyn Session>,
    tx: mpsc::UnboundedSender<Response>,
}

async fn read_frame(r: &mut (impl AsyncReadExt + Unpin)) -> Option<Request> {
    let len = r.read_u32().await.ok()? as usize;
    if len > MAX_MESSAGE {
        return None;
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

async fn connection(conn: u64, stream: UnixStream, to_lab: mpsc::UnboundedSender<Msg>) {
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Response>();
    tokio::task::spawn_local(async move {
        while let Some(resp) = rx.recv().await {
            let last = matches!(resp, Response::Exit(_));
            let Ok(bytes) = encode(&resp) else { break };
            if wr.write_all(&bytes).await.is_err() || last {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    let Some(req) = read_frame(&mut rd).await else {
        return;
    };
    if to_lab.send(Msg::Run { conn, req, tx }).is_err() {
        return;
    }
    loop {
        match read_frame(&mut rd).await {
            Some(Request::Signal(sig)) => {
                if to_lab.send(Msg::Signal { conn, sig }).is_err() {
                    return;
                }
            }
            Some(Request::Run { .. }) => {}
            None => {
                let _ = to_lab.send(Msg::Gone { conn });
                return;
            }
        }
    }
}

fn flush(tx: &mpsc::UnboundedSender<Response>, out: &mut Output) {
    if !out.stdout.is_empty() {
        let _ = tx.send(Response::Out(std::mem::take(&mut out.stdout)));
    }
    if !out.stderr.is_empty() {
        let _ = tx.send(Response::Err(std::mem::take(&mut out.stderr)));
    }
}

/// Serves the lab on `listener` until the future is dropped.
pub async fn serve(listener: UnixListener, mut lab: Lab) {
    let (to_lab, mut from_conns) = mpsc::unbounded_channel::<Msg>();
    let accept_tx = to_lab.clone();
    tokio::task::spawn_local(async move {
        let mut next = 0u64;
        while let Ok((stream, _)) = listener.accept().await {
            next += 1;
            tokio::task::spawn_local(connection(next, stream, accept_tx.clone()));
        }
    });
    let mut running: HashMap<u64, Running> = HashMap::new();
    loop {
        let deadline = lab.next_deadline();
        let clock = lab.clock().clone();
        tokio::select! {
            msg = from_conns.recv() => {
                let Some(msg) = msg else { return };
                handle(&mut lab, &mut running, msg);
            }
            _ = clock.sleep_until(deadline.unwrap_or_default()), if deadline.is_some() => {
                lab.run_due();
            }
        }
        poll_all(&mut lab, &mut running);
    }
}

fn handle(lab: &mut Lab, running: &mut HashMap<u64, Running>, msg: Msg) {
    match msg {
        Msg::Run { conn, req, tx } => {
            let Request::Run {
                tool,
                argv,
                netns,
                cwd,
                pid,
            } = req
            else {
                return;
            };
            let mut out = Output::default();
            let ns_name = netns.unwrap_or_default();
            let ns = match lab.netns(&ns_name) {
                Ok(ns) => ns,
                Err(_) => {
                    out.err(format!(
                        "{tool}: network namespace \"{ns_name}\" no longer exists\n"
                    ));
                    flush(&tx, &mut out);
                    let _ = tx.send(Response::Exit(1));
                    return;
                }
            };
            let env = Env {
                ns,
                ns_name,
                cwd: PathBuf::from(cwd),
                pid,
            };
            match cmd::start(&tool, &argv, &env, lab, &mut out) {
                Started::Done(code) => {
                    flush(&tx, &mut out);
                    let _ = tx.send(Response::Exit(code));
                }
                Started::Running(session) => {
                    flush(&tx, &mut out);
                    running.insert(conn, Running { session, tx });
                }
            }
        }
        Msg::Signal { conn, sig } => {
            if let Some(r) = running.get_mut(&conn) {
                let mut out = Output::default();
                let done = r.session.signal(lab, sig, &mut out);
                flush(&r.tx, &mut out);
                if let Some(code) = done {
                    let _ = r.tx.send(Response::Exit(code));
                    running.remove(&conn);
                }
            }
        }
        Msg::Gone { conn } => {
            // The client died without a word (SIGKILL): end its command quietly.
            if let Some(mut r) = running.remove(&conn) {
                let mut out = Output::default();
                let _ = r.session.signal(lab, libc::SIGKILL, &mut out);
            }
        }
    }
}

fn poll_all(lab: &mut Lab, running: &mut HashMap<u64, Running>) {
    let mut done = Vec::new();
    let mut ids: Vec<u64> = running.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(r) = running.get_mut(&id) else {
            continue;
        };
        let mut out = Output::default();
        let status = r.session.poll(lab, &mut out);
        flush(&r.tx, &mut out);
        if let Some(code) = status {
            let _ = r.tx.send(Response::Exit(code));
            done.push(id);
        }
    }
    for id in done {
        running.remove(&id);
    }
}
