//! The capture filter language (pcap-filter(7), as libpcap 1.10 parses it) for what runs on
//! Ethernet: protocol names, `[ether|ip|ip6|arp] [src|dst] host|net|port ID` (IPv4 or IPv6), `ether
//! broadcast/multicast`, `greater`/`less`, `proto[off:size]` relations with arithmetic and
//! the named ICMP constants, `and`/`or`/`not` (and `&&`, `||`, `!`) with parentheses.
//! And/or have equal precedence and associate left to right, as in libpcap; an ID after
//! and/or without qualifiers takes the previous ones (`host a or b`).

use std::net::Ipv4Addr;

/// A compiled filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Matches everything (no expression).
    All,
    /// An expression.
    Expr(Node),
}

/// Why a filter expression was refused: tcpdump's message after `tcpdump: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

/// A node of the expression tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Both.
    And(Box<Node>, Box<Node>),
    /// Either.
    Or(Box<Node>, Box<Node>),
    /// Negation.
    Not(Box<Node>),
    /// A primitive test.
    Prim(Prim),
    /// `arith relop arith`.
    Rel(Arith, RelOp, Arith),
}

/// Primitive tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prim {
    /// EtherType equals.
    EtherType(u16),
    /// IPv4 with this protocol number.
    IpProto(u8),
    /// IPv6 whose header's next header is this (libpcap looks past no extension header).
    Ip6Proto(u8),
    /// An IPv4 network (host = /32) in the given direction, for these protocols.
    Net {
        /// Which layers: IP, ARP, RARP.
        ip: bool,
        /// ARP.
        arp: bool,
        /// RARP.
        rarp: bool,
        /// Direction.
        dir: Dir,
        /// Address.
        addr: u32,
        /// Mask.
        mask: u32,
    },
    /// An IPv6 network (host = /128) in the given direction: the address bits and the mask.
    Net6(Dir, u128, u128),
    /// A MAC in the given direction.
    Ether(Dir, [u8; 6]),
    /// TCP/UDP port.
    Port(Option<u8>, Dir, u16),
    /// Destination is broadcast.
    Broadcast,
    /// Destination is multicast (or broadcast).
    Multicast,
    /// Frame length at least.
    Greater(u32),
    /// Frame length at most.
    Less(u32),
}

/// Direction qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Source.
    Src,
    /// Destination.
    Dst,
    /// Either (the default).
    Either,
    /// Both.
    Both,
}

/// Relational operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelOp {
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `=` / `==`.
    Eq,
    /// `!=`.
    Ne,
}

/// Arithmetic expressions over packet bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arith {
    /// A number.
    Num(u32),
    /// The frame length.
    Len,
    /// `proto[off:size]`.
    Load(Layer, Box<Arith>, u8),
    /// A binary operation (`+ - * / % & | ^ << >>`).
    Bin(Box<Arith>, char, Box<Arith>),
    /// Negation.
    Neg(Box<Arith>),
}

/// The base a load counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The frame.
    Ether,
    /// The IPv4 header.
    Ip,
    /// The ARP packet.
    Arp,
    /// The transport header after IPv4 with this protocol.
    Transport(u8),
    /// The IPv6 header.
    Ip6,
    /// ICMPv6 right after the IPv6 header (libpcap looks past no extension header).
    Icmp6,
}

fn syntax() -> FilterError {
    FilterError("can't parse filter expression: syntax error".into())
}

fn lex(s: &str) -> Result<Vec<String>, FilterError> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth = 0i32;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = c[i..(i + 2).min(c.len())].iter().collect();
        if ["&&", "||", "==", "!=", ">=", "<=", "<<", ">>"].contains(&two.as_str()) {
            out.push(two);
            i += 2;
            continue;
        }
        if "()[]!=<>+-*/%&|^:".contains(ch) && !(depth == 0 && ch == ':') {
            if ch == '[' {
                depth += 1;
            } else if ch == ']' {
                depth -= 1;
            }
            out.push(ch.to_string());
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() {
            let ch = c[i];
            let word = ch.is_ascii_alphanumeric() || "._\\".contains(ch);
            let colon = ch == ':' && depth == 0;
            let slash = ch == '/' && depth == 0 && i > start;
            let dash = ch == '-' && i > start && c[start].is_ascii_alphabetic();
            if word || colon || slash || dash {
                i += 1;
            } else {
                break;
            }
        }
        if i == start {
            return Err(syntax());
        }
        out.push(c[start..i].iter().collect());
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Ether,
    Ip,
    Arp,
    Rarp,
    Tcp,
    Udp,
    Icmp,
    Ip6,
    Icmp6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Host,
    Net,
    Port,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quals {
    proto: Option<Proto>,
    dir: Dir,
    kind: Kind,
}

struct Parser {
    toks: Vec<String>,
    pos: usize,
    last: Option<Quals>,
    /// How many `not`, `(` and unary `-` enclose the token being parsed.
    depth: usize,
}

/// The deepest nesting of `not`, `(` and unary `-` parsed. libpcap's parser says "memory
/// exhausted" past 10,000 entries on its stack; this one recurses, so it stops sooner, before a
/// thread's stack would overflow.
const MAX_DEPTH: usize = 256;

/// The link-layer header a filter runs over (libpcap compiles for the capture's link type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkType {
    /// DLT_EN10MB: an Ethernet header.
    #[default]
    Ether,
    /// DLT_LINUX_SLL2: the 20-byte Linux cooked v2 header of `-i any` captures.
    Sll2,
}

impl LinkType {
    /// The link type of a pcap file's header (`None` for types the filter cannot run on).
    pub fn from_pcap(linktype: u32) -> Option<LinkType> {
        match linktype {
            1 => Some(LinkType::Ether),
            276 => Some(LinkType::Sll2),
            _ => None,
        }
    }

    /// Where the protocol type and the network-layer header sit.
    fn layout(self) -> Layout {
        match self {
            LinkType::Ether => Layout { et: 12, nl: 14 },
            LinkType::Sll2 => Layout { et: 0, nl: 20 },
        }
    }
}

/// Offsets of the protocol type field and of the network-layer header in a frame.
#[derive(Debug, Clone, Copy)]
struct Layout {
    et: usize,
    nl: usize,
}

/// Compiles a filter from tcpdump's expression words (joined by spaces, as tcpdump does).
pub fn compile(words: &[String]) -> Result<Filter, FilterError> {
    compile_on(words, LinkType::Ether)
}

/// Compiles a filter for frames of `link`, refusing what libpcap refuses on that link type.
pub fn compile_on(words: &[String], link: LinkType) -> Result<Filter, FilterError> {
    let f = compile_words(words)?;
    if let (Filter::Expr(n), LinkType::Sll2) = (&f, link) {
        if let Some(msg) = not_on_cooked(n) {
            return Err(FilterError(msg.into()));
        }
    }
    Ok(f)
}

/// The left spine of a chain of `and`/`or` (a left-deep tree as long as the expression, so it
/// is walked in a loop, not by recursion): its first operand, then each operator (true for
/// `and`) with its right operand, in order.
fn chain(n: &Node) -> (&Node, Vec<(bool, &Node)>) {
    let mut rest = Vec::new();
    let mut first = n;
    loop {
        match first {
            Node::And(a, b) => {
                rest.push((true, &**b));
                first = a;
            }
            Node::Or(a, b) => {
                rest.push((false, &**b));
                first = a;
            }
            _ => break,
        }
    }
    rest.reverse();
    (first, rest)
}

impl Drop for Arith {
    fn drop(&mut self) {
        // As for `Node`: a long `1+1+...` chain is dismantled in a loop.
        let mut next = take_left_arith(self);
        while let Some(mut a) = next {
            next = take_left_arith(&mut a);
        }
    }
}

/// Takes the left operand of a binary operation, leaving a number in its place.
fn take_left_arith(a: &mut Arith) -> Option<Arith> {
    match a {
        Arith::Bin(x, _, _) => Some(std::mem::replace(&mut **x, Arith::Num(0))),
        _ => None,
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // Dismantles the left spine of a chain in a loop: dropped recursively, a chain of
        // thousands of `and`s would overflow the stack.
        let mut next = take_left(self);
        while let Some(mut n) = next {
            next = take_left(&mut n);
        }
    }
}

/// Takes the left operand of an `and`/`or`, leaving a leaf in its place.
fn take_left(n: &mut Node) -> Option<Node> {
    match n {
        Node::And(a, _) | Node::Or(a, _) => {
            Some(std::mem::replace(&mut **a, Node::Prim(Prim::Broadcast)))
        }
        _ => None,
    }
}

/// libpcap's refusal of a link-layer address test on a cooked capture (gencode.c).
fn not_on_cooked(n: &Node) -> Option<&'static str> {
    match n {
        Node::And(..) | Node::Or(..) => {
            let (first, rest) = chain(n);
            not_on_cooked(first).or_else(|| rest.iter().find_map(|(_, b)| not_on_cooked(b)))
        }
        Node::Not(a) => not_on_cooked(a),
        Node::Rel(..) => None,
        Node::Prim(Prim::Ether(..)) => Some(
            "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
        ),
        Node::Prim(Prim::Broadcast) => Some("not a broadcast link"),
        Node::Prim(Prim::Multicast) => Some(
            "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel",
        ),
        Node::Prim(_) => None,
    }
}

fn compile_words(words: &[String]) -> Result<Filter, FilterError> {
    let text = words.join(" ");
    let toks = lex(&text)?;
    if toks.is_empty() {
        return Ok(Filter::All);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        last: None,
        depth: 0,
    };
    let n = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(syntax());
    }
    Ok(Filter::Expr(n))
}

fn proto_word(w: &str) -> Option<Proto> {
    Some(match w {
        "ether" | "link" => Proto::Ether,
        "ip" => Proto::Ip,
        "arp" => Proto::Arp,
        "rarp" => Proto::Rarp,
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        "icmp" => Proto::Icmp,
        "ip6" => Proto::Ip6,
        "icmp6" => Proto::Icmp6,
        _ => return None,
    })
}

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "host",
    "net",
    "port",
    "src",
    "dst",
    "ether",
    "link",
    "ip",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "icmp",
    "ip6",
    "icmp6",
    "igmp",
    "broadcast",
    "multicast",
    "greater",
    "less",
    "len",
    "proto",
    "mask",
    "gateway",
    "vlan",
];

fn named_const(w: &str) -> Option<u32> {
    Some(match w {
        "icmptype" => 0,
        "icmpcode" => 1,
        "icmp-echoreply" => 0,
        "icmp-unreach" => 3,
        "icmp-sourcequench" => 4,
        "icmp-redirect" => 5,
        "icmp-echo" => 8,
        "icmp-routeradvert" => 9,
        "icmp-routersolicit" => 10,
        "icmp-timxceed" => 11,
        "icmp-paramprob" => 12,
        "icmp-tstamp" => 13,
        "icmp-tstampreply" => 14,
        "icmp-ireq" => 15,
        "icmp-ireqreply" => 16,
        "icmp-maskreq" => 17,
        "icmp-maskreply" => 18,
        "icmp6type" => 0,
        "icmp6code" => 1,
        "icmp6-destinationunreach" => 1,
        "icmp6-packettoobig" => 2,
        "icmp6-timeexceeded" => 3,
        "icmp6-parameterproblem" => 4,
        "icmp6-echo" => 128,
        "icmp6-echoreply" => 129,
        "icmp6-multicastlistenerquery" => 130,
        "icmp6-multicastlistenerreportv1" => 131,
        "icmp6-multicastlistenerdone" => 132,
        "icmp6-routersolicit" => 133,
        "icmp6-routeradvert" => 134,
        "icmp6-neighborsolicit" => 135,
        "icmp6-neighboradvert" => 136,
        "icmp6-redirect" => 137,
        "icmp6-multicastlistenerreportv2" => 143,
        "tcpflags" => 13,
        "tcp-fin" => 0x01,
        "tcp-syn" => 0x02,
        "tcp-rst" => 0x04,
        "tcp-push" => 0x08,
        "tcp-ack" => 0x10,
        "tcp-urg" => 0x20,
        _ => return None,
    })
}

fn number(w: &str) -> Option<u32> {
    if let Some(h) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if w.len() > 1 && w.starts_with('0') {
        u32::from_str_radix(&w[1..], 8).ok()
    } else if w.chars().all(|c| c.is_ascii_digit()) {
        w.parse().ok()
    } else {
        None
    }
}

fn and(a: Node, b: Node) -> Node {
    Node::And(Box::new(a), Box::new(b))
}

fn or(a: Node, b: Node) -> Node {
    Node::Or(Box::new(a), Box::new(b))
}

fn proto_node(p: Proto) -> Node {
    Node::Prim(match p {
        Proto::Ether => return Node::Prim(Prim::Greater(0)),
        Proto::Ip => Prim::EtherType(0x0800),
        Proto::Arp => Prim::EtherType(0x0806),
        Proto::Rarp => Prim::EtherType(0x8035),
        Proto::Tcp => Prim::IpProto(6),
        Proto::Udp => Prim::IpProto(17),
        Proto::Icmp => Prim::IpProto(1),
        Proto::Ip6 => Prim::EtherType(0x86dd),
        Proto::Icmp6 => Prim::Ip6Proto(58),
    })
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(|s| s.as_str())
    }

    fn peek_at(&self, n: usize) -> Option<&str> {
        self.toks.get(self.pos + n).map(|s| s.as_str())
    }

    fn next(&mut self) -> Option<String> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Parses one level deeper with `f`, or fails as libpcap does when its stack is full.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, FilterError>,
    ) -> Result<T, FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(FilterError(
                "can't parse filter expression: memory exhausted".into(),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expr(&mut self) -> Result<Node, FilterError> {
        let mut n = self.unary()?;
        loop {
            match self.peek() {
                Some("and") | Some("&&") => {
                    self.pos += 1;
                    let r = self.unary()?;
                    n = and(n, r);
                }
                Some("or") | Some("||") => {
                    self.pos += 1;
                    let r = self.unary()?;
                    n = or(n, r);
                }
                _ => return Ok(n),
            }
        }
    }

    fn unary(&mut self) -> Result<Node, FilterError> {
        if self.eat("not") || self.eat("!") {
            let n = self.nested(Self::unary)?;
            return Ok(Node::Not(Box::new(n)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, FilterError> {
        // A relation first (it may start with a parenthesis or a protocol name), else the rest.
        let save = self.pos;
        if let Ok(a) = self.arith() {
            if let Some(op) = self.relop() {
                let b = self.arith()?;
                return Ok(Node::Rel(a, op, b));
            }
        }
        self.pos = save;
        if self.eat("(") {
            let n = self.nested(Self::expr)?;
            if !self.eat(")") {
                return Err(syntax());
            }
            return Ok(n);
        }
        self.primitive()
    }

    fn relop(&mut self) -> Option<RelOp> {
        let op = match self.peek()? {
            ">" => RelOp::Gt,
            ">=" => RelOp::Ge,
            "<" => RelOp::Lt,
            "<=" => RelOp::Le,
            "=" | "==" => RelOp::Eq,
            "!=" => RelOp::Ne,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    fn arith(&mut self) -> Result<Arith, FilterError> {
        self.arith_prec(0)
    }

    fn arith_prec(&mut self, min: u8) -> Result<Arith, FilterError> {
        let mut a = self.arith_atom()?;
        loop {
            let (op, prec) = match self.peek() {
                Some("|") => ('|', 1),
                Some("^") => ('^', 2),
                Some("&") => ('&', 3),
                Some("<<") => ('<', 4),
                Some(">>") => ('>', 4),
                Some("+") => ('+', 5),
                Some("-") => ('-', 5),
                Some("*") => ('*', 6),
                Some("/") => ('/', 6),
                Some("%") => ('%', 6),
                _ => return Ok(a),
            };
            if prec < min {
                return Ok(a);
            }
            self.pos += 1;
            let b = self.arith_prec(prec + 1)?;
            a = Arith::Bin(Box::new(a), op, Box::new(b));
        }
    }

    fn arith_atom(&mut self) -> Result<Arith, FilterError> {
        let t = self.next().ok_or_else(syntax)?;
        if t == "-" {
            return Ok(Arith::Neg(Box::new(self.nested(Self::arith_atom)?)));
        }
        if t == "(" {
            let a = self.nested(Self::arith)?;
            if !self.eat(")") {
                return Err(syntax());
            }
            return Ok(a);
        }
        if t == "len" {
            return Ok(Arith::Len);
        }
        if let Some(n) = number(&t).or_else(|| named_const(&t)) {
            return Ok(Arith::Num(n));
        }
        let layer = match t.as_str() {
            "ether" | "link" => Layer::Ether,
            "ip" => Layer::Ip,
            "arp" | "rarp" => Layer::Arp,
            "icmp" => Layer::Transport(1),
            "tcp" => Layer::Transport(6),
            "udp" => Layer::Transport(17),
            "ip6" => Layer::Ip6,
            "icmp6" => Layer::Icmp6,
            _ => return Err(syntax()),
        };
        if !self.eat("[") {
            return Err(syntax());
        }
        let off = self.nested(Self::arith)?;
        let size = if self.eat(":") {
            match self.next().as_deref() {
                Some("1") => 1,
                Some("2") => 2,
                Some("4") => 4,
                _ => return Err(FilterError("data size must be 1, 2, or 4".into())),
            }
        } else {
            1
        };
        if !self.eat("]") {
            return Err(syntax());
        }
        Ok(Arith::Load(layer, Box::new(off), size))
    }

    fn primitive(&mut self) -> Result<Node, FilterError> {
        let t = self.peek().ok_or_else(syntax)?.to_string();
        match t.as_str() {
            "broadcast" => {
                self.pos += 1;
                return Ok(Node::Prim(Prim::Broadcast));
            }
            "multicast" => {
                self.pos += 1;
                return Ok(Node::Prim(Prim::Multicast));
            }
            "greater" | "less" => {
                self.pos += 1;
                let n = self.next().and_then(|w| number(&w)).ok_or_else(syntax)?;
                return Ok(Node::Prim(if t == "greater" {
                    Prim::Greater(n)
                } else {
                    Prim::Less(n)
                }));
            }
            "igmp" => {
                self.pos += 1;
                return Ok(Node::Prim(Prim::IpProto(2)));
            }
            _ => {}
        }
        let mut proto = None;
        if let Some(p) = proto_word(&t) {
            proto = Some(p);
            self.pos += 1;
            match self.peek() {
                Some("broadcast") if p == Proto::Ether => {
                    self.pos += 1;
                    return Ok(Node::Prim(Prim::Broadcast));
                }
                Some("multicast") if p == Proto::Ether => {
                    self.pos += 1;
                    return Ok(Node::Prim(Prim::Multicast));
                }
                Some("proto") if matches!(p, Proto::Ether | Proto::Ip) => {
                    self.pos += 1;
                    let w = self.next().ok_or_else(syntax)?;
                    return self.proto_value(p, &w);
                }
                _ => {}
            }
        } else if t == "proto" {
            self.pos += 1;
            let w = self.next().ok_or_else(syntax)?;
            return self.proto_value(Proto::Ip, &w);
        }
        let mut dir = None;
        match self.peek() {
            Some("src") | Some("dst") => {
                let first = if self.peek() == Some("src") {
                    Dir::Src
                } else {
                    Dir::Dst
                };
                self.pos += 1;
                let combo = match (self.peek(), self.peek_at(1)) {
                    (Some("or"), Some("src" | "dst")) => Some(Dir::Either),
                    (Some("and"), Some("src" | "dst")) => Some(Dir::Both),
                    _ => None,
                };
                if let Some(c) = combo {
                    self.pos += 2;
                    dir = Some(c);
                } else {
                    dir = Some(first);
                }
            }
            _ => {}
        }
        let kind = match self.peek() {
            Some("host") => Some(Kind::Host),
            Some("net") => Some(Kind::Net),
            Some("port") => Some(Kind::Port),
            _ => None,
        };
        if kind.is_some() {
            self.pos += 1;
        }
        if proto.is_none() && dir.is_none() && kind.is_none() {
            // A bare ID continues the previous primitive's qualifiers.
            let q = self.last.ok_or_else(syntax)?;
            let id = self.id()?;
            return self.build(q, &id);
        }
        if dir.is_none() && kind.is_none() {
            // A protocol alone.
            let p = proto.ok_or_else(syntax)?;
            return Ok(proto_node(p));
        }
        let q = Quals {
            proto,
            dir: dir.unwrap_or(Dir::Either),
            kind: kind.unwrap_or(Kind::Host),
        };
        let id = self.id()?;
        self.last = Some(q);
        self.build(q, &id)
    }

    fn id(&mut self) -> Result<String, FilterError> {
        let t = self.next().ok_or_else(syntax)?;
        if KEYWORDS.contains(&t.as_str())
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-_/".contains(c))
        {
            return Err(syntax());
        }
        if self.peek() == Some("mask") {
            self.pos += 1;
            let m = self.next().ok_or_else(syntax)?;
            return Ok(format!("{t} mask {m}"));
        }
        Ok(t)
    }

    fn proto_value(&mut self, p: Proto, w: &str) -> Result<Node, FilterError> {
        let v = match w.strip_prefix('\\') {
            Some(name) => match (p, name) {
                (Proto::Ether, "ip") => 0x0800,
                (Proto::Ether, "arp") => 0x0806,
                (Proto::Ether, "rarp") => 0x8035,
                (Proto::Ether, "ip6") => 0x86dd,
                (Proto::Ip, "icmp") => 1,
                (Proto::Ip, "igmp") => 2,
                (Proto::Ip, "tcp") => 6,
                (Proto::Ip, "udp") => 17,
                _ => {
                    return Err(FilterError(format!(
                        "unknown {} proto '{name}'",
                        if p == Proto::Ether { "ether" } else { "ip" }
                    )))
                }
            },
            None => number(w).ok_or_else(syntax)?,
        };
        Ok(Node::Prim(if p == Proto::Ether {
            Prim::EtherType(v as u16)
        } else {
            Prim::IpProto(v as u8)
        }))
    }

    fn build(&self, q: Quals, id: &str) -> Result<Node, FilterError> {
        if matches!(q.kind, Kind::Host | Kind::Net) {
            if let Some(net) = parse_net6(id, q.kind) {
                let (addr, mask) = net?;
                let k = if q.kind == Kind::Host { "host" } else { "net" };
                let p = match q.proto {
                    None | Some(Proto::Ip6) => {
                        return Ok(Node::Prim(Prim::Net6(q.dir, addr, mask)))
                    }
                    Some(Proto::Ether) => "link-layer".to_string(),
                    Some(Proto::Ip) => "'ip'".into(),
                    Some(Proto::Arp) => "'arp'".into(),
                    Some(Proto::Rarp) => "'rarp'".into(),
                    Some(Proto::Tcp) => "'tcp'".into(),
                    Some(Proto::Udp) => "'udp'".into(),
                    Some(Proto::Icmp) => "'icmp'".into(),
                    Some(Proto::Icmp6) => "'icmp6'".into(),
                };
                return Err(FilterError(format!("{p} modifier applied to ip6 {k}")));
            }
            // libpcap's lexer takes a MAC as its own kind of token; other words with colons
            // are no token at all.
            if id.contains(':') && q.proto != Some(Proto::Ether) {
                return Err(match parse_mac(id) {
                    Some(_) => FilterError("ethernet address used in non-ether expression".into()),
                    None => syntax(),
                });
            }
        }
        if q.proto == Some(Proto::Ether) {
            if q.kind != Kind::Host {
                return Err(syntax());
            }
            let mac =
                parse_mac(id).ok_or_else(|| FilterError(format!("bogus ethernet address {id}")))?;
            return Ok(Node::Prim(Prim::Ether(q.dir, mac)));
        }
        match q.kind {
            Kind::Port => {
                let port: u16 = number(id)
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or_else(|| FilterError(format!("unknown port '{id}'")))?;
                let p = match q.proto {
                    None | Some(Proto::Ip) => None,
                    Some(Proto::Tcp) => Some(6),
                    Some(Proto::Udp) => Some(17),
                    _ => return Err(FilterError("illegal qualifier of 'port'".into())),
                };
                Ok(Node::Prim(Prim::Port(p, q.dir, port)))
            }
            Kind::Host | Kind::Net => {
                let (addr, mask) = parse_net(id, q.kind)?;
                let (ip, arp, rarp) = match q.proto {
                    None => (true, true, true),
                    Some(Proto::Ip) => (true, false, false),
                    Some(Proto::Arp) => (false, true, false),
                    Some(Proto::Rarp) => (false, false, true),
                    Some(Proto::Tcp) | Some(Proto::Udp) | Some(Proto::Icmp) => {
                        let p = match q.proto {
                            Some(Proto::Tcp) => "tcp",
                            Some(Proto::Udp) => "udp",
                            _ => "icmp",
                        };
                        return Err(FilterError(format!(
                            "'{p}' modifier applied to {}",
                            if q.kind == Kind::Host { "host" } else { "net" }
                        )));
                    }
                    Some(Proto::Ether) => unreachable_ether(),
                    // gen_host: an IPv4 address under ip6; icmp6 qualifies no host at all.
                    Some(Proto::Ip6) => {
                        let k = if q.kind == Kind::Host { "host" } else { "net" };
                        return Err(FilterError(format!("'ip6' modifier applied to ip {k}")));
                    }
                    Some(Proto::Icmp6) => {
                        let k = if q.kind == Kind::Host { "host" } else { "net" };
                        return Err(FilterError(format!("'icmp6' modifier applied to {k}")));
                    }
                };
                Ok(Node::Prim(Prim::Net {
                    ip,
                    arp,
                    rarp,
                    dir: q.dir,
                    addr,
                    mask,
                }))
            }
        }
    }
}

fn unreachable_ether() -> (bool, bool, bool) {
    (false, false, false)
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = if s.contains(':') {
        s.split(':').collect()
    } else if s.contains('-') {
        s.split('-').collect()
    } else {
        return None;
    };
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        m[i] = u8::from_str_radix(p, 16).ok()?;
    }
    Some(m)
}

/// An IPv6 address or network (`ADDR/LEN`, `net` only), or None when `id` is not one.
fn parse_net6(id: &str, kind: Kind) -> Option<Result<(u128, u128), FilterError>> {
    let (a, len) = match id.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (id, None),
    };
    let addr = u128::from(a.parse::<std::net::Ipv6Addr>().ok()?);
    let len = match len {
        None => 128,
        Some(_) if kind == Kind::Host => {
            return Some(Err(FilterError("Mask syntax for networks only".into())))
        }
        Some(l) => match l.parse::<u32>() {
            Ok(n) if n <= 128 => n,
            Ok(_) => return Some(Err(FilterError("mask length must be <= 128".into()))),
            Err(_) => return Some(Err(syntax())),
        },
    };
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    if addr & !mask != 0 {
        return Some(Err(FilterError(format!(
            "non-network bits set in \"{id}\""
        ))));
    }
    Some(Ok((addr, mask)))
}

/// An IPv4 address or network as libpcap reads it: dotted (1 to 4 parts), `/len`, `mask M`.
fn parse_net(id: &str, kind: Kind) -> Result<(u32, u32), FilterError> {
    if id == "localhost" {
        return Ok((u32::from(Ipv4Addr::LOCALHOST), u32::MAX));
    }
    let (a, m) = if let Some((a, m)) = id.split_once(" mask ") {
        let mask = m
            .parse::<Ipv4Addr>()
            .map_err(|_| FilterError(format!("invalid IPv4 address '{m}'")))?;
        (a, Some(u32::from(mask)))
    } else if let Some((a, l)) = id.split_once('/') {
        let len: u32 = l
            .parse()
            .ok()
            .filter(|l| *l <= 32)
            .ok_or_else(|| FilterError("mask length must be <= 32".to_string()))?;
        (a, Some(if len == 0 { 0 } else { u32::MAX << (32 - len) }))
    } else {
        (id, None)
    };
    let parts: Vec<&str> = a.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        if kind == Kind::Host && m.is_none() {
            return Err(FilterError(format!("unknown host '{id}'")));
        }
        return Err(syntax());
    }
    if parts.len() > 4 {
        return Err(syntax());
    }
    let mut v: u32 = 0;
    for p in &parts {
        let n: u32 = p.parse().map_err(|_| syntax())?;
        if n > 255 {
            return Err(FilterError(format!("invalid IPv4 address '{a}'")));
        }
        v = (v << 8) | n;
    }
    let n = parts.len() as u32;
    let implied = if n == 4 {
        u32::MAX
    } else {
        u32::MAX << (32 - 8 * n)
    };
    // libpcap left-aligns a short network number (10.9 = 10.9.0.0).
    let v = if n == 4 { v } else { v << (32 - 8 * n) };
    let mask = m.unwrap_or(if kind == Kind::Net || n < 4 {
        implied
    } else {
        u32::MAX
    });
    if v & !mask != 0 {
        return Err(FilterError(format!("non-network bits set in \"{id}\"")));
    }
    Ok((v, mask))
}

/// A frame a load could not reach: the whole filter rejects it.
struct Reject;

impl Filter {
    /// Does the Ethernet frame pass? (`len` = its length on the wire.)
    pub fn matches(&self, f: &[u8], len: usize) -> bool {
        self.matches_on(LinkType::Ether, f, len)
    }

    /// Does the frame, with a `link` header, pass?
    pub fn matches_on(&self, link: LinkType, f: &[u8], len: usize) -> bool {
        match self {
            Filter::All => true,
            Filter::Expr(n) => eval(n, link.layout(), f, len).unwrap_or(false),
        }
    }
}

fn ethertype(l: Layout, f: &[u8]) -> Option<u16> {
    f.get(l.et..l.et + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn ip_proto(l: Layout, f: &[u8]) -> Option<u8> {
    (ethertype(l, f) == Some(0x0800))
        .then(|| f.get(l.nl + 9).copied())
        .flatten()
}

fn u32_at(f: &[u8], at: usize) -> Option<u32> {
    f.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn dir_match(dir: Dir, s: bool, d: bool) -> bool {
    match dir {
        Dir::Src => s,
        Dir::Dst => d,
        Dir::Either => s || d,
        Dir::Both => s && d,
    }
}

fn eval(n: &Node, l: Layout, f: &[u8], len: usize) -> Result<bool, Reject> {
    Ok(match n {
        Node::And(..) | Node::Or(..) => {
            let (first, rest) = chain(n);
            let mut v = eval(first, l, f, len)?;
            for (and, b) in rest {
                if v == and {
                    v = eval(b, l, f, len)?;
                }
            }
            v
        }
        Node::Not(a) => !eval(a, l, f, len)?,
        Node::Rel(a, op, b) => {
            let (x, y) = (value(a, l, f, len)?, value(b, l, f, len)?);
            match op {
                RelOp::Gt => x > y,
                RelOp::Ge => x >= y,
                RelOp::Lt => x < y,
                RelOp::Le => x <= y,
                RelOp::Eq => x == y,
                RelOp::Ne => x != y,
            }
        }
        Node::Prim(p) => prim(p, l, f, len),
    })
}

fn prim(p: &Prim, l: Layout, f: &[u8], len: usize) -> bool {
    let et = ethertype(l, f);
    let nl = l.nl;
    match *p {
        Prim::EtherType(t) => et == Some(t),
        Prim::IpProto(p) => ip_proto(l, f) == Some(p),
        // libpcap's gen_proto for ip6 also takes the protocol behind a fragment header.
        Prim::Ip6Proto(p) => {
            ethertype(l, f) == Some(0x86dd)
                && (f.get(l.nl + 6).copied() == Some(p)
                    || (f.get(l.nl + 6).copied() == Some(44)
                        && f.get(l.nl + 40).copied() == Some(p)))
        }
        Prim::Net {
            ip,
            arp,
            rarp,
            dir,
            addr,
            mask,
        } => {
            let hit = |at: usize| u32_at(f, at).is_some_and(|a| a & mask == addr);
            let in_ip = ip && et == Some(0x0800) && dir_match(dir, hit(nl + 12), hit(nl + 16));
            let arp_like = (arp && et == Some(0x0806)) || (rarp && et == Some(0x8035));
            // ARP for Ethernet/IPv4: sender IP at 14, target IP at 24 into the ARP header.
            in_ip || (arp_like && dir_match(dir, hit(nl + 14), hit(nl + 24)))
        }
        Prim::Net6(dir, addr, mask) => {
            let hit = |at: usize| {
                f.get(at..at + 16)
                    .and_then(|b| <[u8; 16]>::try_from(b).ok())
                    .is_some_and(|b| u128::from_be_bytes(b) & mask == addr)
            };
            et == Some(0x86dd) && dir_match(dir, hit(nl + 8), hit(nl + 24))
        }
        Prim::Ether(dir, mac) => {
            let s = f.get(6..12) == Some(&mac[..]);
            let d = f.get(0..6) == Some(&mac[..]);
            dir_match(dir, s, d)
        }
        Prim::Port(proto, dir, port) => {
            let Some(p) = ip_proto(l, f) else {
                return false;
            };
            if !matches!(p, 6 | 17 | 132) || proto.is_some_and(|want| want != p) {
                return false;
            }
            let frag = f
                .get(nl + 6..nl + 8)
                .map(|b| u16::from_be_bytes([b[0], b[1]]) & 0x1fff);
            if frag != Some(0) {
                return false;
            }
            let ihl = f.get(nl).map(|b| usize::from(b & 0x0f) * 4).unwrap_or(20);
            let at = nl + ihl;
            let sp = f.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
            let dp = f
                .get(at + 2..at + 4)
                .map(|b| u16::from_be_bytes([b[0], b[1]]));
            dir_match(dir, sp == Some(port), dp == Some(port))
        }
        Prim::Broadcast => f.get(0..6) == Some(&[0xff; 6][..]),
        Prim::Multicast => f.first().is_some_and(|b| b & 1 == 1),
        Prim::Greater(n) => len as u64 >= u64::from(n),
        Prim::Less(n) => len as u64 <= u64::from(n),
    }
}

/// `x op y` as BPF computes it; a division by zero rejects the packet.
fn binop(x: u32, op: char, y: u32) -> Result<u32, Reject> {
    Ok(match op {
        '+' => x.wrapping_add(y),
        '-' => x.wrapping_sub(y),
        '*' => x.wrapping_mul(y),
        '/' => x.checked_div(y).ok_or(Reject)?,
        '%' => x.checked_rem(y).ok_or(Reject)?,
        '&' => x & y,
        '|' => x | y,
        '^' => x ^ y,
        '<' => x.checked_shl(y).unwrap_or(0),
        _ => x.checked_shr(y).unwrap_or(0),
    })
}

fn value(a: &Arith, l: Layout, f: &[u8], len: usize) -> Result<u32, Reject> {
    Ok(match a {
        Arith::Num(n) => *n,
        Arith::Len => len as u32,
        Arith::Neg(x) => value(x, l, f, len)?.wrapping_neg(),
        Arith::Bin(..) => {
            // `1+1+...` is a left-deep tree as long as the expression: its left spine is
            // walked in a loop, not by recursion.
            let mut rest = Vec::new();
            let mut first = a;
            while let Arith::Bin(x, op, y) = first {
                rest.push((*op, &**y));
                first = x;
            }
            let mut x = value(first, l, f, len)?;
            for (op, y) in rest.into_iter().rev() {
                x = binop(x, op, value(y, l, f, len)?)?;
            }
            x
        }
        Arith::Load(layer, off, size) => {
            let base = match layer {
                Layer::Ether => 0,
                Layer::Ip if ethertype(l, f) == Some(0x0800) => l.nl,
                Layer::Arp if matches!(ethertype(l, f), Some(0x0806 | 0x8035)) => l.nl,
                Layer::Ip6 if ethertype(l, f) == Some(0x86dd) => l.nl,
                Layer::Icmp6 if ethertype(l, f) == Some(0x86dd) && f.get(l.nl + 6) == Some(&58) => {
                    l.nl + 40
                }
                Layer::Transport(p) if ip_proto(l, f) == Some(*p) => {
                    let frag = f
                        .get(l.nl + 6..l.nl + 8)
                        .map(|b| u16::from_be_bytes([b[0], b[1]]) & 0x1fff);
                    if frag != Some(0) {
                        return Err(Reject);
                    }
                    l.nl + f
                        .get(l.nl)
                        .map(|b| usize::from(b & 0x0f) * 4)
                        .ok_or(Reject)?
                }
                _ => return Err(Reject),
            };
            let at = base + value(off, l, f, len)? as usize;
            let b = f.get(at..at + usize::from(*size)).ok_or(Reject)?;
            b.iter().fold(0u32, |acc, x| (acc << 8) | u32::from(*x))
        }
    })
}

#[cfg(test)]
mod test {
    use super::*;

    fn c(s: &str) -> Result<Filter, FilterError> {
        compile(&s.split(' ').map(String::from).collect::<Vec<_>>())
    }

    fn arp_req() -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([
            0xca, 0x4f, 0x0a, 0x37, 0x5d, 0x0d, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
        ]);
        f.extend([
            0xca, 0x4f, 0x0a, 0x37, 0x5d, 0x0d, 10, 9, 5, 11, 0, 0, 0, 0, 0, 0, 10, 9, 5, 12,
        ]);
        f
    }

    fn echo(ty: u8) -> Vec<u8> {
        let mut f = vec![
            0x2e, 0x1d, 0x26, 0xfa, 0x20, 0x72, 0xca, 0x4f, 0x0a, 0x37, 0x5d, 0x0d, 8, 0,
        ];
        f.extend([
            0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 9, 5, 11, 10, 9, 5, 12,
        ]);
        f.extend([ty, 0, 0, 0, 0, 1, 0, 1]);
        f.extend([0u8; 56]);
        f
    }

    #[test]
    fn protocols_and_hosts() {
        let (a, e, r) = (arp_req(), echo(8), echo(0));
        let m = |s: &str, f: &[u8]| c(s).unwrap().matches(f, f.len());
        assert!(m("arp", &a) && !m("arp", &e));
        assert!(m("icmp", &e) && !m("icmp", &a));
        assert!(m("host 10.9.5.12", &a) && m("host 10.9.5.12", &e));
        assert!(m("src host 10.9.5.11 and icmp", &e) && !m("dst host 10.9.5.11 and icmp", &e));
        assert!(m("arp and not host 10.9.5.1", &a));
        assert!(m("not arp", &e) && !m("! arp", &a));
        assert!(
            m("icmp[icmptype] == icmp-echoreply", &r) && !m("icmp[icmptype] == icmp-echoreply", &e)
        );
        assert!(m("icmp[icmptype]=icmp-echo", &e));
        assert!(m("ether host ca:4f:0a:37:5d:0d", &a) && m("ether dst ff:ff:ff:ff:ff:ff", &a));
        assert!(m("ether src ca:4f:0a:37:5d:0d && (arp || icmp)", &e));
        assert!(m("host 10.9.5.1 or 10.9.5.12", &e));
        assert!(m("net 10.9.5.0/24", &e) && m("net 10.9", &a));
        assert!(m("broadcast", &a) && !m("broadcast", &e) && m("ether multicast", &a));
        assert!(m("less 50", &a) && m("greater 98", &e) && m("len > 97", &e));
        assert!(m("ether[12:2] = 0x806", &a) && m("ip proto \\icmp", &e) && m("arp[6:2] = 1", &a));
        assert!(!m("icmp[100] == 0", &e) && !m("not icmp[100] == 0", &e));
        assert!(m("((arp))", &a));
    }

    #[test]
    fn ip6_and_icmp6() {
        // A DAD probe (ICMPv6 right after the IPv6 header) and an MLD report (behind a
        // hop-by-hop header, which `icmp6` does not look past, as libpcap's filter).
        let frame = |nh: u8| {
            let mut f = vec![0x33, 0x33, 0, 0, 0, 0x16, 2, 0, 0, 0, 0, 1, 0x86, 0xdd];
            f.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, nh, 1]);
            f.extend_from_slice(&[0; 32]);
            f.extend_from_slice(&[58, 0, 5, 2, 0, 0, 1, 0]);
            f
        };
        let (ns, mld, e) = (frame(58), frame(0), echo(8));
        let m = |s: &str, f: &[u8]| c(s).unwrap().matches(f, f.len());
        assert!(m("ip6", &ns) && m("ip6", &mld) && !m("ip6", &e));
        assert!(m("icmp6", &ns) && !m("icmp6", &mld) && !m("icmp6", &e));
        assert!(!m("ip", &ns) && !m("icmp", &ns) && m("not icmp6", &mld));
        assert!(c("ip6 host 10.0.0.1").is_err() && c("icmp6 host 10.0.0.1").is_err());
    }

    #[test]
    fn ip6_hosts_and_nets() {
        let m = |e: &str, f: &[u8]| c(e).unwrap().matches(f, f.len());
        let mut f = vec![0u8; 14 + 40];
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        f[14] = 0x60;
        f[14 + 8..14 + 24].copy_from_slice(
            &"2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        f[14 + 24..14 + 40]
            .copy_from_slice(&"ff02::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
        assert!(m("host 2001:db8::1", &f) && m("ip6 src host 2001:db8::1", &f));
        assert!(!m("dst host 2001:db8::1", &f) && m("dst ff02::1", &f));
        assert!(m("net 2001:db8::/32", &f) && !m("src and dst net 2001:db8::/32", &f));
        assert!(!m("ip6 net 2001:db8::", &f) && m("dst net ::/0", &f));
        assert!(!m("host 2001:db8::1", &echo(8)));
        let mut ns = f.clone();
        ns[14 + 6] = 58;
        ns.extend_from_slice(&[135, 0, 0, 0]);
        assert!(m("icmp6[icmp6type] = icmp6-neighborsolicit", &ns));
        assert!(!m("icmp6[icmp6type] = icmp6-echo", &ns) && !m("icmp6[0] = 135", &f));
        assert!(m("ip6[6] = 58 and ip6[24:2] = 0xff02", &ns) && !m("ip6[0] = 0x60", &echo(8)));
        let err = |e: &str| c(e).unwrap_err().0;
        assert_eq!(err("ip host ::1"), "'ip' modifier applied to ip6 host");
        assert_eq!(err("icmp6 net ::/0"), "'icmp6' modifier applied to ip6 net");
        assert_eq!(
            err("ether host ::1"),
            "link-layer modifier applied to ip6 host"
        );
        assert_eq!(err("net ::/129"), "mask length must be <= 128");
        assert_eq!(err("host ::/64"), "Mask syntax for networks only");
        assert_eq!(err("net ::1/64"), "non-network bits set in \"::1/64\"");
        assert_eq!(
            err("ip6 host 10.0.0.1"),
            "'ip6' modifier applied to ip host"
        );
        assert_eq!(err("host 2001:db8:::1"), syntax().0);
    }

    #[test]
    fn errors_as_tcpdump() {
        let syn = "can't parse filter expression: syntax error";
        for s in [
            "foo",
            "10.9.5.1",
            "arp and",
            "host",
            "not",
            "ip proto icmp",
            "arp or",
            "(arp",
        ] {
            assert_eq!(c(s).unwrap_err().0, syn, "{s}");
        }
        assert_eq!(c("host foo").unwrap_err().0, "unknown host 'foo'");
        assert_eq!(
            c("host 300.1.1.1").unwrap_err().0,
            "invalid IPv4 address '300.1.1.1'"
        );
        assert_eq!(
            c("net 10.9.5.1/24").unwrap_err().0,
            "non-network bits set in \"10.9.5.1/24\""
        );
        assert_eq!(c("").unwrap(), Filter::All);
    }

    /// Found by the tcpdump_read fuzz target: `8-----...` (1,570 dashes) overflowed a 2 MB
    /// stack. Deep nesting now ends as libpcap's full parser stack does, on any thread.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let full = "can't parse filter expression: memory exhausted";
        let a = arp_req();
        let m = |s: &str| c(s).unwrap().matches(&a, a.len());
        let n = MAX_DEPTH;
        assert!(m(&format!("{}arp{}", "(".repeat(n), ")".repeat(n))));
        assert!(m(&format!("{}arp", "not ".repeat(n))));
        assert!(m(&format!("len = {}42", "-".repeat(n))));
        for deep in [
            format!("{}arp{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("{}arp", "not ".repeat(100_000)),
            format!("{}arp", "! ".repeat(n + 1)),
            format!("len = 8{}1", "-".repeat(100_000)),
            format!("len = {}42{}", "(".repeat(n + 1), ")".repeat(n + 1)),
            format!("len = {}0{}", "ether[".repeat(n + 1), "]".repeat(n + 1)),
        ] {
            assert_eq!(c(&deep).unwrap_err().0, full, "{}", &deep[..20]);
        }
    }

    /// Chains of thousands of terms, which the real tcpdump takes, are neither parsed,
    /// evaluated nor dropped by recursion.
    #[test]
    fn long_chains_match() {
        let a = arp_req();
        let f = c(&format!("{}arp", "arp and ".repeat(50_000))).unwrap();
        assert!(f.matches(&a, a.len()));
        let f = c(&format!("{}arp", "icmp or arp and ".repeat(50_000))).unwrap();
        assert!(f.matches(&a, a.len()));
        let f = c(&format!("not arp or {}icmp", "arp and ".repeat(50_000))).unwrap();
        assert!(!f.matches(&a, a.len()));
        let f = c(&format!("len = 0{}", "+1".repeat(50_000))).unwrap();
        assert!(!f.matches(&a, a.len()));
        let f = c(&format!("len = 0{}", "+1*1".repeat(50_000))).unwrap();
        assert!(!f.matches(&a, a.len()));
    }

    #[test]
    fn cooked_frames() {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let on = |s: &str| compile_on(&words(s), LinkType::Sll2);
        // An ARP request as an `any` capture records it: 20-byte cooked header, then ARP.
        let mut arp = vec![
            8, 6, 0, 0, 0, 0, 0, 3, 0, 1, 1, 6, 0xca, 0x4f, 0x0a, 0x37, 0x5d, 0x0d, 0, 0,
        ];
        arp.extend_from_slice(&arp_req()[14..]);
        let m = |s: &str| on(s).unwrap().matches_on(LinkType::Sll2, &arp, arp.len());
        assert!(m("arp") && !m("icmp") && m("host 10.9.5.12") && m("arp[6:2] = 1"));
        assert!(m("ether[6:2] = 3") && !m("ip"));
        // libpcap 1.10.3's refusals on LINUX_SLL2, as tcpdump prints them.
        assert_eq!(
            on("ether host 1:2:3:4:5:6").unwrap_err().0,
            "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel"
        );
        assert_eq!(
            on("arp or broadcast").unwrap_err().0,
            "not a broadcast link"
        );
        assert_eq!(
            on("not multicast").unwrap_err().0,
            "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel"
        );
    }
}
