//! The `l2lab` command's modules, as a library so that the binary and the fuzz targets under
//! `fuzz/` share them. Nothing here is a stable API: the binary is the interface.

extern crate alloc;

mod arp;
mod brctl;
mod bridge;
#[doc(hidden)]
#[allow(dead_code)]
pub mod client;
#[doc(hidden)]
pub mod cmd;
#[doc(hidden)]
pub mod demo;
#[doc(hidden)]
pub mod envelope;
#[doc(hidden)]
pub mod fuzz;
mod ifconfig;
mod ip;
mod iptables;
#[doc(hidden)]
pub mod lean;
mod lsns;
mod members;
#[doc(hidden)]
pub mod nsenter;
mod nsfiles;
mod ovs;
mod ping;
mod preload;
#[doc(hidden)]
pub mod proto;
mod quiet;
#[doc(hidden)]
pub mod replay;
mod resolver;
mod route;
#[doc(hidden)]
pub mod run;
#[doc(hidden)]
pub mod sandbox;
#[doc(hidden)]
pub mod scenario;
#[doc(hidden)]
pub mod server;
mod sleep;
#[doc(hidden)]
pub mod sudo;
mod sysctl;
mod tap;
mod tcpdump;
#[doc(hidden)]
pub mod timeout;
mod views;
#[doc(hidden)]
pub mod viz;
