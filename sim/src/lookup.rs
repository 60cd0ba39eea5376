//! Finding an interface by name or ifindex in its namespace, and whether an address is one
//! of a namespace's, in one hash probe, however many interfaces the namespace holds (10,000
//! bridge ports in the host namespace).
//!
//! The index follows `Lab::ifaces`: every place that changes an interface's name, namespace,
//! ifindex or addresses reports the link (`touch`), and the index catches up on those links
//! before it answers. `Lab::iface_mut` reports every link it hands out, so a change made
//! through it is never missed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::Ipv4Addr;

use l2lab_fabric::LinkId;

use crate::lab::{Iface, NsId};

/// What the index last saw of one link: its namespace, name, ifindex and addresses.
type Seen = (NsId, String, u32, Vec<Ipv4Addr>);

#[derive(Debug, Default)]
struct Inner {
    by_name: HashMap<NsId, HashMap<String, LinkId>>,
    by_index: HashMap<(NsId, u32), LinkId>,
    /// How many interfaces of the namespace carry the address (two may carry the same one).
    addrs: HashMap<(NsId, Ipv4Addr), u32>,
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
            let now: Option<Seen> = ifaces.get(l).and_then(|i| i.as_ref()).map(|i| {
                let addrs = i.addrs.iter().map(|a| a.net.addr).collect();
                (i.ns, i.name.clone(), i.ifindex, addrs)
            });
            if inner.seen[l] == now {
                continue;
            }
            if let Some((ns, name, idx, addrs)) = inner.seen[l].take() {
                for a in addrs {
                    if let Some(c) = inner.addrs.get_mut(&(ns, a)) {
                        *c -= 1;
                        if *c == 0 {
                            inner.addrs.remove(&(ns, a));
                        }
                    }
                }
                if let Some(m) = inner.by_name.get_mut(&ns) {
                    if m.get(&name) == Some(&link) {
                        m.remove(&name);
                    }
                }
                if inner.by_index.get(&(ns, idx)) == Some(&link) {
                    inner.by_index.remove(&(ns, idx));
                }
            }
            if let Some((ns, name, idx, addrs)) = &now {
                for a in addrs {
                    *inner.addrs.entry((*ns, *a)).or_insert(0) += 1;
                }
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

    /// Whether some interface of `ns` carries `ip`, up or down.
    pub(crate) fn has_addr(&self, ifaces: &[Option<Iface>], ns: NsId, ip: Ipv4Addr) -> bool {
        self.catch_up(ifaces);
        self.inner.borrow().addrs.contains_key(&(ns, ip))
    }
}

#[cfg(test)]
mod tests {
    use crate::lab::{Lab, NsId};

    #[test]
    fn local_addresses_follow_adds_deletes_moves_and_removals() {
        let mut lab = Lab::new();
        let ip = "10.0.0.1".parse().unwrap();
        let net = |s: &str| s.parse().unwrap();
        let n1 = lab.add_netns("n1").unwrap();
        lab.add_veth(NsId::INIT, "v0", "v1", None).unwrap();
        lab.add_veth(NsId::INIT, "w0", "w1", None).unwrap();
        assert!(!lab.has_local_addr(NsId::INIT, ip));
        lab.addr_add(NsId::INIT, "v0", net("10.0.0.1/24"), None)
            .unwrap();
        lab.addr_add(NsId::INIT, "w0", net("10.0.0.1/32"), None)
            .unwrap();
        assert!(lab.has_local_addr(NsId::INIT, ip));
        assert!(!lab.has_local_addr(n1, ip));
        // Two interfaces carry it: deleting it from one leaves it local.
        lab.addr_del(NsId::INIT, "v0", net("10.0.0.1/24"), true)
            .unwrap();
        assert!(lab.has_local_addr(NsId::INIT, ip));
        lab.addr_add(NsId::INIT, "v0", net("10.0.0.1/24"), None)
            .unwrap();
        // A move to another namespace takes the interface's addresses away (the kernel
        // flushes them).
        lab.move_link(NsId::INIT, "w0", n1).unwrap();
        assert!(lab.has_local_addr(NsId::INIT, ip));
        assert!(!lab.has_local_addr(n1, ip));
        lab.addr_add(n1, "w0", net("10.0.0.1/32"), None).unwrap();
        assert!(lab.has_local_addr(n1, ip));
        lab.del_link(NsId::INIT, "v0").unwrap();
        assert!(!lab.has_local_addr(NsId::INIT, ip));
        lab.del_netns("n1").unwrap();
        // The namespace's interfaces go when it is cleaned up, a little after.
        assert!(lab.has_local_addr(n1, ip));
        lab.advance(crate::lab::NETNS_CLEANUP_DELAY * 2).unwrap();
        assert!(!lab.has_local_addr(n1, ip));
    }
}
