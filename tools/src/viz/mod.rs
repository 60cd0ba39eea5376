//! `l2lab viz`: a trace (docs/trace.md) drawn for learners: a self-contained HTML viewer, or
//! the topology alone as Graphviz dot or SVG.
//!
//! The trace is [parsed](parse) into typed events, the [topology](topo) they describe is
//! [laid out](layout) and [drawn](svg), and the events are [replayed](replay) into the tables
//! the [viewer](html) shows at each step.

pub mod dot;
pub mod html;
pub mod layout;
pub mod parse;
pub mod replay;
pub mod svg;
pub mod topo;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// What `l2lab viz` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// A self-contained page to step through the trace (no network, no external assets).
    #[default]
    Html,
    /// The topology as Graphviz dot.
    Dot,
    /// The topology as SVG.
    Svg,
}

/// `l2lab viz` arguments.
#[derive(clap::Args, Debug)]
pub struct VizArgs {
    /// The trace, as written by `l2lab run --trace FILE.jsonl`.
    pub trace: PathBuf,
    /// Where to write the result (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// html: the viewer; dot or svg: the topology alone, for slides and docs.
    #[arg(short, long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
}

/// Renders a parsed trace in a format; `title` names it on the page.
pub fn render(title: &str, tr: &parse::Trace, format: Format) -> String {
    match format {
        Format::Html => html::page(title, tr),
        Format::Dot => dot::render(&topo::Topology::from_events(&tr.events)),
        Format::Svg => {
            let t = topo::Topology::from_events(&tr.events);
            let l = layout::Layout::new(&t);
            svg::render(&t, &l)
        }
    }
}

/// Reads and parses a trace file; errors name the file and line.
pub fn read(path: &Path) -> anyhow::Result<parse::Trace> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse::trace(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Runs `l2lab viz`: the trace is read a line at a time, once per pass, and the page is
/// written as it is made, so that memory follows the tables and the topology, not the trace.
pub fn main(args: &VizArgs) -> anyhow::Result<i32> {
    let src = parse::TraceFile::open(&args.trace)?;
    let title = args.trace.file_name().map_or_else(
        || args.trace.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // Everything is read before the output is opened: a bad trace leaves no file behind.
    let (plan, topo) = match args.format {
        Format::Html => (Some(html::Plan::new(&src)?), None),
        Format::Dot | Format::Svg => {
            let mut t = topo::Topology::default();
            parse::Source::each(&src, &mut |ev| {
                t.add(ev);
                Ok(())
            })?;
            t.finish();
            (None, Some(t))
        }
    };
    let write = |w: &mut dyn Write| -> anyhow::Result<()> {
        match (&plan, &topo) {
            (Some(plan), _) => {
                html::write_page(&title, &src, plan, w)?;
            }
            (None, Some(t)) if args.format == Format::Dot => {
                w.write_all(dot::render(t).as_bytes())?
            }
            (None, Some(t)) => {
                let l = layout::Layout::new(t);
                w.write_all(svg::render(t, &l).as_bytes())?
            }
            (None, None) => {}
        }
        Ok(())
    };
    match &args.output {
        Some(path) => {
            let cannot = || format!("cannot write {}", path.display());
            // The trace is read again after the output is opened: truncating it would lose it.
            if same_file(path, &args.trace) {
                anyhow::bail!("{}: it is the trace being read", cannot());
            }
            let f = std::fs::File::create(path).with_context(cannot)?;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            write(&mut w).with_context(cannot)?;
            w.flush().with_context(cannot)?;
        }
        None => {
            let mut so = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write(&mut so)?;
            so.flush()?;
        }
    }
    Ok(0)
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}
