//! Finding an interface by name or ifindex in its namespace in one hash probe, however many
//! interfaces the namespace holds (10,000 bridge ports in the host namespace).
//!
//! The index follows `Lab::ifaces`: every place that changes an interface's name, namespace
//! or ifindex reports the link (`touch`), and the index catches up on those links before it
//! answers. `Lab::iface_mut` reports every link it hands out, so a change made through it is
//! never missed.

use std::cell::RefCell;
use std::collections::HashMap;

use l2lab_fabric::LinkId;

use crate::lab::{Iface, NsId};

/// What the index last saw of one link: its namespace, name and ifindex.
type Seen = (NsId, String, u32);

#[derive(Debug, Default)]
struct Inner {
    by_name: HashMap<NsId, HashMap<String, LinkId>>,
    by_index: HashMap<(NsId, u32), LinkId>,
    seen: Vec<Option<Seen>>,
    touched: Vec<LinkId>,
}

/// Name → link and (namespace, ifindex) → link, kept up to date lazily.
#[derive(Debug, Default)]
pub(crate) struct LinkIndex {
    inner: RefCell<Inner>,
}

impl LinkIndex {
    /// `link`'s name, namespace or ifindex may have changed (or it came or went).
    pub(crate) fn touch(&mut self, link: LinkId) {
        self.inner.get_mut().touched.push(link);
    }

    /// Brings the index up to date with `ifaces` for every link touched since the last time.
    fn catch_up(&self, ifaces: &[Option<Iface>]) {
        let mut guard = self.inner.borrow_mut();
        let inner = &mut *guard;
        if inner.touched.is_empty() {
            return;
        }
        let touched = std::mem::take(&mut inner.touched);
        for &link in &touched {
            let l = link.0 as usize;
            if inner.seen.len() <= l {
                inner.seen.resize(l + 1, None);
            }
            let now: Option<Seen> = ifaces
                .get(l)
                .and_then(|i| i.as_ref())
                .map(|i| (i.ns, i.name.clone(), i.ifindex));
            if inner.seen[l] == now {
                continue;
            }
            if let Some((ns, name, idx)) = inner.seen[l].take() {
                if let Some(m) = inner.by_name.get_mut(&ns) {
                    if m.get(&name) == Some(&link) {
                        m.remove(&name);
                    }
                }
                if inner.by_index.get(&(ns, idx)) == Some(&link) {
                    inner.by_index.remove(&(ns, idx));
                }
            }
            if let Some((ns, name, idx)) = &now {
                inner
                    .by_name
                    .entry(*ns)
                    .or_default()
                    .insert(name.clone(), link);
                inner.by_index.insert((*ns, *idx), link);
            }
            inner.seen[l] = now;
        }
        let mut touched = touched;
        touched.clear();
        inner.touched = touched;
    }

    /// The link called `name` in `ns`.
    pub(crate) fn by_name(&self, ifaces: &[Option<Iface>], ns: NsId, name: &str) -> Option<LinkId> {
        self.catch_up(ifaces);
        let inner = self.inner.borrow();
        let link = *inner.by_name.get(&ns)?.get(name)?;
        // Two interfaces never share a name in a namespace; should one be renamed over
        // another outside the index's sight, the check keeps the answer right.
        let i = ifaces.get(link.0 as usize)?.as_ref()?;
        (i.ns == ns && i.name == name).then_some(link)
    }

    /// The link with index `ifindex` in `ns`.
    pub(crate) fn by_index(
        &self,
        ifaces: &[Option<Iface>],
        ns: NsId,
        ifindex: u32,
    ) -> Option<LinkId> {
        self.catch_up(ifaces);
        let inner = self.inner.borrow();
        let link = *inner.by_index.get(&(ns, ifindex))?;
        let i = ifaces.get(link.0 as usize)?.as_ref()?;
        (i.ns == ns && i.ifindex == ifindex).then_some(link)
    }
}
