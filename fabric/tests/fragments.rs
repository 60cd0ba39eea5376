//! ip_fragment and reassembly over random sizes, MTUs and arrival orders: every piece fits
//! the MTU, carries data in multiples of 8 bytes but the last, and the pieces, in any order
//! and with repeats, join into exactly the datagram that was cut.

use std::net::Ipv4Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{fragment, icmp_datagram, reassemble, IcmpRepr, Ipv4Params, Ipv4Repr};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn pieces_fit_and_join_again(
        size in 0usize..9000,
        mtu in 68usize..9000,
        order in proptest::collection::vec(any::<u16>(), 0..64),
        repeat in any::<bool>(),
    ) {
        let icmp = IcmpRepr::EchoRequest {
            id: 1,
            seq: 2,
            data: Bytes::from((0..size).map(|i| (i * 7) as u8).collect::<Vec<u8>>()),
        };
        let d = icmp_datagram(
            Ipv4Params {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(10, 0, 0, 2),
                ttl: 64,
                id: 99,
                df: false,
                tos: 0,
            },
            &icmp,
        );
        let pieces = fragment(&d, mtu).unwrap();
        let mut seen = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            prop_assert!(p.len() <= mtu);
            let (ip, data) = Ipv4Repr::parse(p).unwrap();
            prop_assert_eq!(ip.id, 99);
            let last = i + 1 == pieces.len();
            prop_assert_eq!(ip.more_fragments, !last);
            if !last {
                prop_assert_eq!(data.len() % 8, 0);
            }
            seen.push((ip.frag_offset, Bytes::copy_from_slice(data)));
        }
        // Arrive in a shuffled order, maybe with repeats; the reassembler sorts by offset.
        let mut arrived = seen.clone();
        for (k, o) in order.iter().enumerate() {
            let n = arrived.len();
            arrived.swap(k % n, usize::from(*o) % n);
        }
        if repeat {
            arrived.extend(seen.iter().take(2).cloned());
        }
        arrived.sort_by_key(|(o, _)| *o);
        let total = d.len() - 20;
        let whole = reassemble(&pieces[0][..20], &arrived, total).unwrap();
        prop_assert_eq!(&whole[..], &d[..]);
        // With any piece missing, nothing comes out.
        if seen.len() > 1 {
            let mut holed = seen.clone();
            holed.remove(order.first().map_or(0, |o| usize::from(*o) % seen.len()));
            prop_assert!(reassemble(&pieces[0][..20], &holed, total).is_none());
        }
    }
}
