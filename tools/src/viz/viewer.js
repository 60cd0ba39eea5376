// l2lab viewer: steps through a replayed trace. The data (written by `l2lab viz`) holds, per
// event, its description, narration, where the frame moves, and the ops that turn the tables
// before it into the tables after it; plus checkpoints (the tables at the event counts of
// `cpAt`, at least `every` events apart, taken once the ops since the last number half the
// tables' rows) so a jump costs about the tables' size in ops, whatever the trace's length.
// The events come in chunks of `chunk`, each in a script element of its own (ev-0, ev-1,
// ...), and each checkpoint too (cp-0, ...): only the head is parsed at load, a chunk when a
// step needs it, and a few dozen parsed chunks are kept, so a million events open as fast as
// a thousand.
(function () {
  'use strict';
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById('l2lab-data').textContent);
  var N = D.n, K = D.every, CH = D.chunk;
  // Parsed chunks, least recently used first.
  var chunks = new Map(), CHUNKS_KEPT = 64, lastC = -1, lastA = null;
  function chunk(c) {
    if (c === lastC) return lastA;
    var a = chunks.get(c);
    if (a) {
      chunks.delete(c);
    } else {
      var e = document.getElementById('ev-' + c);
      a = e ? JSON.parse(e.textContent) : [];
      if (chunks.size >= CHUNKS_KEPT) chunks.delete(chunks.keys().next().value);
    }
    chunks.set(c, a);
    lastC = c;
    lastA = a;
    return a;
  }
  // Event i (from 0).
  function ev(i) { return chunk(Math.floor(i / CH))[i % CH]; }
  var $ = function (id) { return document.getElementById(id); };
  var svg = $('topology');
  // The drawing scales to the space it has.
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');

  // The tables after the first `cur` events.
  var S = { fdb: new Map(), neigh: new Map(), links: new Map(), netns: new Set(), stp: new Map() };
  var cur = 0;

  function applyOp(o) {
    var m;
    switch (o[0]) {
      case 'f':
        if (!S.fdb.has(o[1])) S.fdb.set(o[1], new Map());
        S.fdb.get(o[1]).set(o[2], { port: o[3], seen: o[4] });
        break;
      case 'F':
        m = S.fdb.get(o[1]);
        if (m) { m.delete(o[2]); if (!m.size) S.fdb.delete(o[1]); }
        break;
      case 'n':
        if (!S.neigh.has(o[1])) S.neigh.set(o[1], new Map());
        S.neigh.get(o[1]).set(o[2] + ' ' + o[3], { dev: o[2], ip: o[3], mac: o[4], state: o[5], since: o[6] });
        break;
      case 'N':
        m = S.neigh.get(o[1]);
        if (m) { m.delete(o[2] + ' ' + o[3]); if (!m.size) S.neigh.delete(o[1]); }
        break;
      case 'l': S.links.set(o[1], o[2]); break;
      case 'L': S.links.delete(o[1]); break;
      case 's': S.netns.add(o[1]); break;
      case 'S': S.netns.delete(o[1]); break;
      case 'p': S.stp.set(o[1], o[2]); break;
      case 'P': S.stp.delete(o[1]); break;
    }
  }
  // The op that puts back what `o` is about to change.
  function inverse(o) {
    var m, r;
    switch (o[0]) {
      case 'f': case 'F':
        m = S.fdb.get(o[1]); r = m && m.get(o[2]);
        return r ? ['f', o[1], o[2], r.port, r.seen] : ['F', o[1], o[2]];
      case 'n': case 'N':
        m = S.neigh.get(o[1]); r = m && m.get(o[2] + ' ' + o[3]);
        return r ? ['n', o[1], r.dev, r.ip, r.mac, r.state, r.since] : ['N', o[1], o[2], o[3]];
      case 'l': case 'L': return S.links.has(o[1]) ? ['l', o[1], S.links.get(o[1])] : ['L', o[1]];
      case 's': case 'S': return S.netns.has(o[1]) ? ['s', o[1]] : ['S', o[1]];
      case 'p': case 'P': return S.stp.has(o[1]) ? ['p', o[1], S.stp.get(o[1])] : ['P', o[1]];
    }
    return null;
  }
  // The inverse ops of the last events applied (undo[undo.length - 1] undoes event cur - 1):
  // a step back undoes one event instead of replaying from a checkpoint.
  var undo = [], UNDO_KEPT = 4096;
  function applyEvent(i, keep) {
    var ops = ev(i).o, inv = keep ? [] : null;
    if (ops) {
      for (var j = 0; j < ops.length; j++) {
        if (inv) inv.push(inverse(ops[j]));
        applyOp(ops[j]);
      }
    }
    if (inv) {
      undo.push(inv);
      if (undo.length > UNDO_KEPT) undo.splice(0, undo.length - UNDO_KEPT);
    }
  }
  function restore(c) {
    S.fdb.clear(); S.neigh.clear(); S.links.clear(); S.netns.clear(); S.stp.clear();
    var e = document.getElementById('cp-' + c);
    if (e) JSON.parse(e.textContent).forEach(applyOp);
    undo = [];
  }
  // A summary of every table, the same for the same contents in any order (for the
  // self-test).
  function digest() {
    var sum = 0, count = 0;
    function add(text) {
      var h = 0;
      for (var i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
      sum = (sum + h) | 0;
      count++;
    }
    S.fdb.forEach(function (m, b) { m.forEach(function (r, mac) { add('f' + b + ' ' + mac + ' ' + r.port + ' ' + r.seen); }); });
    S.neigh.forEach(function (m, ns) { m.forEach(function (r, k) { add('n' + ns + ' ' + k + ' ' + r.mac + ' ' + r.state + ' ' + r.since); }); });
    S.links.forEach(function (f, id) { add('l' + id + ' ' + f); });
    S.netns.forEach(function (ns) { add('s' + ns); });
    S.stp.forEach(function (st, id) { add('p' + id + ' ' + st); });
    return count + ':' + sum;
  }
  // Moves the tables to "after the first n events": forward one op list at a time, back by
  // undoing, or from the nearest checkpoint at or before n.
  function seek(n) {
    n = Math.max(0, Math.min(N, n | 0));
    var i, j;
    if (n >= cur && n - cur <= K) {
      for (i = cur; i < n; i++) applyEvent(i, true);
    } else if (n < cur && cur - n <= undo.length) {
      for (i = cur; i > n; i--) {
        var inv = undo.pop();
        for (j = inv.length - 1; j >= 0; j--) if (inv[j]) applyOp(inv[j]);
      }
    } else {
      // The last checkpoint at or before n (D.cpAt holds their event counts, ascending).
      var lo = 0, hi = D.cpAt.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (D.cpAt[mid] <= n) lo = mid; else hi = mid - 1;
      }
      restore(lo);
      for (i = D.cpAt[lo]; i < n; i++) applyEvent(i, n - i <= UNDO_KEPT);
    }
    cur = n;
  }

  // ---- names and helpers ----
  function link(id) { return D.links[id] || { n: 'if' + id, ns: '', k: 'unknown' }; }
  function name(id) { return link(id).n; }
  function nsLabel(ns) { return ns === '' ? 'host' : ns; }
  function secs(t) { return t.toFixed(3) + ' s'; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function now() { return cur > 0 ? ev(cur - 1).t : (N ? ev(0).t : 0); }
  var bridgeIds = Object.keys(D.bridges).map(Number);
  function portOrder(b, port) {
    var ps = D.bridges[b] || [];
    var i = ps.indexOf(port);
    return i < 0 ? ps.length + port : i;
  }
  var nsEls = {};
  Array.prototype.forEach.call(svg.querySelectorAll('g.ns'), function (g) { nsEls[g.getAttribute('data-ns')] = g; });
  var ifEls = {}, brEls = {}, stubEls = {}, wireEls = [];
  Array.prototype.forEach.call(svg.querySelectorAll('g.iface'), function (g) { ifEls[g.getAttribute('data-link')] = g; });
  Array.prototype.forEach.call(svg.querySelectorAll('g.bridge'), function (g) { brEls[g.getAttribute('data-link')] = g; });
  Array.prototype.forEach.call(svg.querySelectorAll('line.stub'), function (l) { stubEls[l.id.slice(5)] = l; });
  Array.prototype.forEach.call(svg.querySelectorAll('path.wire'), function (p) { wireEls.push(p); });
  function wireOf(a, b) {
    return $('wire-' + Math.min(a, b) + '-' + Math.max(a, b));
  }

  // ---- selection: a clicked bridge or namespace stays shown until clicked again ----
  var pinBridge = null, pinNs = null, followBridge = bridgeIds.length ? bridgeIds[0] : null, followNs = null;
  Object.keys(brEls).forEach(function (id) {
    brEls[id].addEventListener('click', function (e) {
      e.stopPropagation();
      pinBridge = pinBridge === +id ? null : +id;
      render(false);
    });
  });
  Object.keys(nsEls).forEach(function (ns) {
    nsEls[ns].addEventListener('click', function () {
      pinNs = pinNs === ns ? null : ns;
      render(false);
    });
  });

  // ---- drawing the step ----
  var marked = [];
  function mark(e, cls) { if (e) { e.classList.add(cls); marked.push([e, cls]); } }
  function unmarkAll() { marked.forEach(function (m) { m[0].classList.remove(m[1]); }); marked = []; }

  // A bridge port's STP state colours the port and the stub that joins it to its bridge.
  var STP_STATES = ['disabled', 'blocking', 'listening', 'learning', 'forwarding'];
  function drawPortState(id) {
    var st = S.stp.get(+id), g = ifEls[id], stub = stubEls[id];
    STP_STATES.forEach(function (s) {
      var on = st === s;
      if (g) g.classList.toggle('stp-' + s, on);
      if (stub) stub.classList.toggle('stp-' + s, on);
    });
    if (g) {
      if (st === undefined) g.removeAttribute('data-stp');
      else g.setAttribute('data-stp', st);
    }
  }
  function drawState() {
    Object.keys(ifEls).forEach(function (id) {
      var f = S.links.get(+id), g = ifEls[id];
      g.classList.toggle('absent', f === undefined);
      g.classList.toggle('down', f !== undefined && !(f & 1));
      g.classList.toggle('nocarrier', f !== undefined && (f & 1) && !(f & 2));
      drawPortState(id);
    });
    Object.keys(brEls).forEach(function (id) {
      var f = S.links.get(+id);
      brEls[id].classList.toggle('absent', f === undefined);
    });
    Object.keys(stubEls).forEach(function (id) {
      stubEls[id].classList.toggle('absent', !S.links.has(+id));
    });
    wireEls.forEach(function (w) {
      var a = S.links.get(+w.getAttribute('data-a')), b = S.links.get(+w.getAttribute('data-b'));
      w.classList.toggle('absent', a === undefined || b === undefined);
      w.classList.toggle('down', a !== undefined && b !== undefined && !((a & 2) && (b & 2)));
    });
    Object.keys(nsEls).forEach(function (ns) {
      nsEls[ns].classList.toggle('absent', ns !== '' && !S.netns.has(ns));
    });
  }

  function markHop(h, cls) {
    if (!h) return;
    switch (h[0]) {
      case 's': case 'r': mark(ifEls[h[1]], cls === 'path' ? 'path-if' : 'cur'); break;
      case 'w': mark(wireOf(h[1], h[2]), cls === 'path' ? 'path' : 'cur'); break;
      case 'i': mark(stubEls[h[2]], cls === 'path' ? 'path' : 'in-stub'); if (cls !== 'path') { mark(ifEls[h[2]], 'in'); mark(brEls[h[1]], 'cur'); } break;
      case 'o':
        if (cls === 'path') { h[3].forEach(function (p) { mark(stubEls[p], 'path'); }); break; }
        if (h[2] !== null) { mark(ifEls[h[2]], 'in'); mark(stubEls[h[2]], 'in-stub'); }
        h[3].forEach(function (p) { mark(ifEls[p], 'hl'); mark(stubEls[p], 'hl-stub'); });
        mark(brEls[h[1]], 'cur');
        break;
      case 'u': if (cls !== 'path') { mark(brEls[h[1]], 'cur'); if (h[2] !== null) mark(ifEls[h[2]], 'in'); } break;
      case 'd': if (cls !== 'path') mark(ifEls[h[1]], 'drop'); break;
      case 't': if (cls !== 'path') { mark(ifEls[h[2]], 'learn'); mark(brEls[h[1]], 'cur'); } break;
    }
  }

  // ---- the frame moving ----
  var dots = $('dots'), anim = null;
  var NS = 'http://www.w3.org/2000/svg';
  function center(id) { var g = D.geo.i[id]; return g ? [g[0], g[1]] : null; }
  function anchor(id) { var g = D.geo.i[id]; return g ? [g[2], g[3]] : null; }
  function bcenter(id) { var g = D.geo.b[id]; return g ? [g[0], g[1]] : null; }
  function legsFor(h) {
    // Each leg is a function from 0..1 to a point.
    var lines = function (pts) {
      pts = pts.filter(Boolean);
      if (!pts.length) return null;
      return function (u) {
        if (pts.length === 1) return pts[0];
        var s = u * (pts.length - 1), k = Math.min(pts.length - 2, Math.floor(s)), f = s - k;
        return [pts[k][0] + (pts[k + 1][0] - pts[k][0]) * f, pts[k][1] + (pts[k + 1][1] - pts[k][1]) * f];
      };
    };
    switch (h[0]) {
      // Sent, received, entered: where the interface meets its wire (a bridge: its middle).
      case 's': case 'r': return [lines([anchor(h[1]) || bcenter(h[1])])];
      case 'i': return [lines([anchor(h[2])])];
      case 't': return [];
      case 'w':
        // Along the wire's curve, from the end the frame leaves by (no layout is read: the
        // geometry comes with the data).
        var a = Math.min(h[1], h[2]), c = D.geo.w[a + '-' + Math.max(h[1], h[2])];
        if (!c) return [lines([center(h[1]), center(h[2])])];
        var rev = a !== h[1];
        return [function (u) {
          if (rev) u = 1 - u;
          var v = 1 - u, k0 = v * v * v, k1 = 3 * v * v * u, k2 = 3 * v * u * u, k3 = u * u * u;
          return [k0 * c[0] + k1 * c[2] + k2 * c[4] + k3 * c[6], k0 * c[1] + k1 * c[3] + k2 * c[5] + k3 * c[7]];
        }];
      case 'o':
        return h[3].map(function (p) { return lines([h[2] !== null ? center(h[2]) : bcenter(h[1]), bcenter(h[1]), center(p), anchor(p)]); });
      case 'u': return [lines([h[2] !== null ? center(h[2]) : null, bcenter(h[1])])];
      case 'd': return [];
    }
    return [];
  }
  function showFrame(h, animate) {
    if (anim) { cancelAnimationFrame(anim); anim = null; }
    while (dots.firstChild) dots.removeChild(dots.firstChild);
    if (!h) return;
    if (h[0] === 'd') {
      var c = center(h[1]);
      if (!c) return;
      var x = document.createElementNS(NS, 'path');
      x.setAttribute('class', 'x');
      x.setAttribute('d', 'M' + (c[0] - 9) + ' ' + (c[1] - 9) + 'l18 18m0 -18l-18 18');
      dots.appendChild(x);
      return;
    }
    var legs = legsFor(h).filter(Boolean);
    var circles = legs.map(function () {
      var e = document.createElementNS(NS, 'circle');
      e.setAttribute('r', 7);
      dots.appendChild(e);
      return e;
    });
    function put(u) {
      legs.forEach(function (f, i) {
        var p = f(u);
        circles[i].setAttribute('cx', p[0].toFixed(1));
        circles[i].setAttribute('cy', p[1].toFixed(1));
      });
    }
    var dur = Math.min(700, 0.8 * 1000 / speed());
    if (!animate || dur < 60 || !window.requestAnimationFrame) { put(1); return; }
    var t0 = null;
    function tick(ts) {
      if (t0 === null) t0 = ts;
      var u = Math.min(1, (ts - t0) / dur);
      put(u < 0.5 ? 2 * u * u : 1 - Math.pow(-2 * u + 2, 2) / 2);
      anim = u < 1 ? requestAnimationFrame(tick) : null;
    }
    put(0);
    anim = requestAnimationFrame(tick);
  }

  // ---- tables ----
  // A table longer than this lists the entries the latest events changed, not all of them:
  // building and sorting a million rows at every step would stop the page.
  var ROWS_SHOWN = 200, LOOK_BACK = 20000, TABLES_SHOWN = 24;
  // Up to ROWS_SHOWN rows of `m` whose keys the ops of kind `kind` on `owner` changed last,
  // newest first; key(o) is an op's key in `m`.
  function recentRows(m, kind, owner, key) {
    var rows = [], seen = new Set();
    for (var i = cur - 1; i >= 0 && i >= cur - LOOK_BACK && rows.length < ROWS_SHOWN; i--) {
      var ops = ev(i).o;
      if (!ops) continue;
      for (var j = ops.length - 1; j >= 0 && rows.length < ROWS_SHOWN; j--) {
        var o = ops[j];
        if (o[0] !== kind || o[1] !== owner) continue;
        var k = key(o);
        if (seen.has(k)) continue;
        seen.add(k);
        var r = m.get(k);
        if (r) rows.push([k, r]);
      }
    }
    return rows;
  }
  function macTable(b, e) {
    var body = $('mac-table').tBodies[0];
    body.textContent = '';
    if (b === null || b === undefined) {
      $('mac-title').textContent = 'MAC table';
      $('mac-note').textContent = 'no bridge in this trace';
      return;
    }
    var l = link(b);
    $('mac-title').textContent = 'MAC table of ' + l.n + (pinBridge === b ? ' (pinned)' : '');
    $('mac-table').setAttribute('data-bridge', l.n);
    $('mac-note').textContent = 'learned entries at ' + secs(now()) + '; age = time since the MAC was last seen as a source' +
      (pinBridge === b ? ' · click the bridge again to follow the events' : ' · click a bridge to pin it');
    var changed = {};
    if (e && e.o) e.o.forEach(function (o) { if (o[0] === 'f' && o[1] === b) changed[o[2]] = true; });
    var hlPorts = {};
    if (e && e.h && e.h[0] === 'o' && e.h[1] === b) e.h[3].forEach(function (p) { hlPorts[p] = true; });
    var m = S.fdb.get(b), rows = [], total = m ? m.size : 0;
    $('mac-table').setAttribute('data-entries', total);
    if (total > ROWS_SHOWN) {
      rows = recentRows(m, 'f', b, function (o) { return o[2]; });
      $('mac-note').textContent = total + ' learned entries at ' + secs(now()) + '; shown: the ' + rows.length +
        ' the latest events learned or changed · age = time since the MAC was last seen as a source';
    } else if (m) {
      m.forEach(function (r, mac) { rows.push([mac, r]); });
    }
    rows.sort(function (x, y) { return portOrder(b, x[1].port) - portOrder(b, y[1].port) || (x[0] < y[0] ? -1 : 1); });
    if (!rows.length) {
      var tr = el('tr'); var td = el('td', 'empty', 'empty: nothing learned yet'); td.colSpan = 3; tr.appendChild(td); body.appendChild(tr);
      return;
    }
    var t = now();
    rows.forEach(function (x) {
      var tr = el('tr', changed[x[0]] ? 'changed' : (hlPorts[x[1].port] ? 'hl' : ''));
      tr.setAttribute('data-mac', x[0]);
      tr.setAttribute('data-port', name(x[1].port));
      tr.appendChild(el('td', 'port', name(x[1].port)));
      tr.appendChild(el('td', 'mac', x[0]));
      tr.appendChild(el('td', 'age', (t - x[1].seen).toFixed(2) + ' s'));
      body.appendChild(tr);
    });
  }
  function neighTables(sel) {
    var box = $('neigh-tables');
    box.textContent = '';
    var names = D.ns.filter(function (ns) { return S.neigh.has(ns) || ns === pinNs; });
    if (!names.length) { box.appendChild(el('p', 'note', 'no neighbour entries yet')); return; }
    // Past TABLES_SHOWN namespaces, the first ones in the trace's order and the followed one.
    var more = names.length - TABLES_SHOWN;
    if (more > 0) {
      var keep = names.slice(0, TABLES_SHOWN);
      if (sel !== null && sel !== undefined && names.indexOf(sel) >= TABLES_SHOWN) keep[TABLES_SHOWN - 1] = sel;
      names = keep;
    }
    var t = now();
    names.forEach(function (ns) {
      var table = el('table', 'neigh-table' + (ns === sel ? ' sel' : ''));
      table.setAttribute('data-ns', ns);
      table.appendChild(el('caption', '', nsLabel(ns) + (ns === pinNs ? ' (pinned)' : '')));
      var head = el('tr');
      ['IP', 'dev', 'MAC address', 'state', 'for'].forEach(function (h) { head.appendChild(el('th', h === 'for' ? 'age' : '', h)); });
      table.appendChild(head);
      var rows = [];
      var m = S.neigh.get(ns);
      if (m && m.size > ROWS_SHOWN) {
        rows = recentRows(m, 'n', ns, function (o) { return o[2] + ' ' + o[3]; }).map(function (x) { return x[1]; });
        var trn = el('tr'); var tdn = el('td', 'note', m.size + ' entries; shown: the ' + rows.length + ' the latest events changed');
        tdn.colSpan = 5; trn.appendChild(tdn); table.appendChild(trn);
      } else if (m) {
        m.forEach(function (r) { rows.push(r); });
      }
      rows.sort(function (a, b) { return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.dev - b.dev; });
      if (!rows.length) {
        var tr0 = el('tr'); var td0 = el('td', 'empty', 'empty'); td0.colSpan = 5; tr0.appendChild(td0); table.appendChild(tr0);
      }
      rows.forEach(function (r) {
        var tr = el('tr');
        tr.appendChild(el('td', '', r.ip));
        tr.appendChild(el('td', '', name(r.dev)));
        tr.appendChild(el('td', '', r.mac || '—'));
        tr.appendChild(el('td', 'st-' + r.state, r.state));
        tr.appendChild(el('td', 'age', (t - r.since).toFixed(1) + ' s'));
        table.appendChild(tr);
      });
      box.appendChild(table);
    });
    if (more > 0) box.appendChild(el('p', 'note', more + ' more namespaces have entries: click one in the drawing to show its table'));
  }

  // ---- the timeline list: only the rows around the current event exist ----
  function eventList() {
    var ol = $('events');
    ol.textContent = '';
    var from = Math.max(1, Math.min(cur - 4, N - 8)), to = Math.min(N, from + 8);
    for (var n = from; n <= to; n++) {
      var e = ev(n - 1);
      var li = el('li', n === cur ? 'cur' : '');
      li.setAttribute('data-step', n);
      li.appendChild(el('span', 'n', '#' + n));
      li.appendChild(el('span', 't', e.t.toFixed(3)));
      li.appendChild(el('span', 'y', e.y));
      li.appendChild(el('span', e.s ? 'said' : '', e.s || e.d));
      ol.appendChild(li);
    }
  }
  $('events').addEventListener('click', function (e) {
    var li = e.target.closest('li');
    if (li) go(+li.getAttribute('data-step'));
  });

  function frameInfo(i) {
    // The first event of this frame's journey says what the frame is.
    var j = i, guard = 0;
    while (ev(j).p !== undefined && guard++ < 10000) j = ev(j).p;
    return ev(j).y === 'sent' ? ev(j).d : null;
  }

  function render(animate) {
    unmarkAll();
    drawState();
    var e = cur > 0 ? ev(cur - 1) : null;
    var say = $('say'), detail = $('detail');
    detail.textContent = '';
    if (!e) {
      say.textContent = N ? 'Before the first event: press → or ▶ to start.' : 'This trace has no events.';
      say.className = 'plain';
    } else {
      say.textContent = e.s || e.d;
      say.className = e.s ? '' : 'plain';
      detail.appendChild(el('span', 'ty', e.y));
      var text = ' ' + secs(e.t);
      if (e.f !== undefined) {
        var fi = frameInfo(cur - 1);
        text += ' · frame ' + e.f + (fi ? ': ' + fi : '');
      }
      if (e.s) text += ' · ' + e.d;
      detail.appendChild(document.createTextNode(text));
      // The frame's path so far, then where it is now.
      var j = e.p, guard = 0;
      while (j !== undefined && guard++ < 500) { markHop(ev(j).h, 'path'); j = ev(j).p; }
      markHop(e.h, 'now');
      if (e.b !== undefined) followBridge = e.b;
      if (e.n !== undefined) followNs = e.n;
    }
    showFrame(e && e.h, animate);
    var b = pinBridge !== null ? pinBridge : followBridge;
    Object.keys(brEls).forEach(function (id) { brEls[id].classList.toggle('sel', +id === b); });
    var ns = pinNs !== null ? pinNs : followNs;
    Object.keys(nsEls).forEach(function (n) { nsEls[n].classList.toggle('sel', n === pinNs); });
    macTable(b, e);
    neighTables(ns);
    $('slider').value = cur;
    $('step-no').textContent = 'step ' + cur + ' / ' + N;
    eventList();
    // The address says where we are (to share or reload), updated once stepping pauses:
    // browsers throttle frequent history changes.
    clearTimeout(hashTimer);
    hashTimer = setTimeout(function () {
      try { history.replaceState(null, '', '#step=' + cur); } catch (err) { /* file:// may refuse */ }
    }, 250);
  }
  var hashTimer = null;

  function go(n, animate) {
    seek(n);
    render(animate !== false);
  }

  // ---- finding events ----
  var types = D.types;
  var sel = $('find-type');
  sel.appendChild(new Option('narrated', 'say'));
  Object.keys(types).sort().forEach(function (t) { sel.appendChild(new Option(t + ' (' + types[t] + ')', t)); });
  function matches(e, what) {
    if (what === 'say') return !!e.s;
    if (types[what]) return e.y === what;
    var w = what.toLowerCase();
    return (e.s || '').toLowerCase().indexOf(w) >= 0 || e.d.toLowerCase().indexOf(w) >= 0;
  }
  // The step of the next (dir 1) or previous (dir -1) event matching, from step `from`.
  // Chunks that hold no event of the type (or no narration) are skipped unparsed.
  function find(what, from, dir) {
    var said = what === 'say', typed = !said && !!types[what];
    for (var n = from + dir; n >= 1 && n <= N;) {
      var c = Math.floor((n - 1) / CH);
      if ((said && !D.chunks[c].said) || (typed && D.chunks[c].types.indexOf(what) < 0)) {
        n = dir > 0 ? (c + 1) * CH + 1 : c * CH;
        continue;
      }
      if (matches(ev(n - 1), what)) return n;
      n += dir;
    }
    return null;
  }
  $('find-next').addEventListener('click', function () { var n = find(sel.value, cur, 1); if (n) go(n); });
  $('find-prev').addEventListener('click', function () { var n = find(sel.value, cur, -1); if (n) go(n); });

  // ---- playing ----
  var timer = null;
  function speed() { return +$('speed').value || 2; }
  function play(on) {
    if (timer) { clearInterval(timer); timer = null; }
    if (on && cur < N) {
      timer = setInterval(function () { if (cur >= N) play(false); else go(cur + 1); }, 1000 / speed());
    }
    $('play').textContent = timer ? '❚❚ pause' : '▶ play';
  }
  $('speed').addEventListener('change', function () { if (timer) play(true); });
  $('play').addEventListener('click', function () { play(!timer); });
  $('first').addEventListener('click', function () { play(false); go(0); });
  $('last').addEventListener('click', function () { play(false); go(N); });
  $('prev').addEventListener('click', function () { play(false); go(cur - 1); });
  $('next').addEventListener('click', function () { play(false); go(cur + 1); });
  var slider = $('slider');
  slider.max = N;
  slider.addEventListener('input', function () { play(false); go(+slider.value, false); });
  document.addEventListener('keydown', function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === 'SELECT' || (tag === 'INPUT' && e.target !== slider)) return;
    var n = null;
    switch (e.key) {
      case 'ArrowRight': n = e.shiftKey ? find('say', cur, 1) : cur + 1; break;
      case 'ArrowLeft': n = e.shiftKey ? find('say', cur, -1) : cur - 1; break;
      case 'PageDown': n = cur + 10; break;
      case 'PageUp': n = cur - 10; break;
      case 'Home': n = 0; break;
      case 'End': n = N; break;
      case ' ': e.preventDefault(); play(!timer); return;
      default: return;
    }
    e.preventDefault();
    play(false);
    if (n !== null) go(n);
  });

  // ---- deep links: #step=N, #find=TYPE-or-words[&n=K], #t=SECONDS, #bridge=NAME, #ns=NAME, #play
  function fromHash() {
    var q = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf('=');
      q[decodeURIComponent(i < 0 ? kv : kv.slice(0, i))] = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1));
    });
    var target = null;
    if (q.step !== undefined && /^\d+$/.test(q.step)) target = +q.step;
    else if (q.find) {
      var k = Math.max(1, +q.n || 1), n = 0;
      while (k-- > 0 && n !== null) n = find(q.find, n, 1);
      target = n;
      if (types[q.find]) sel.value = q.find;
    } else if (q.t !== undefined && isFinite(+q.t)) {
      // The first event at or after that time (a trace's times never go back).
      var lo = 0, hi = N;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (ev(mid).t >= +q.t) hi = mid; else lo = mid + 1;
      }
      target = lo < N ? lo + 1 : N;
    }
    if (q.bridge !== undefined) {
      bridgeIds.forEach(function (b) { if (name(b) === q.bridge) pinBridge = b; });
    }
    if (q.ns !== undefined) pinNs = q.ns === 'host' ? '' : q.ns;
    if (target === null) {
      // No step asked for: open at the first frame, when the lab is built and things move.
      target = D.firstFrame === null || D.firstFrame === undefined ? 0 : D.firstFrame + 1;
    }
    return {
      step: target,
      play: q.play !== undefined,
      walk: q.walk !== undefined,
      walkSteps: /^\d+$/.test(q.walk || '') ? +q.walk : null,
      jumps: /^\d+$/.test(q.jumps || '') ? +q.jumps : 300
    };
  }
  // `#walk`: a self-test of speed. Steps through every event (`#walk=K`: the K before the
  // step asked for), back through up to 1,000 of them, then jumps around (300 times, or
  // `#jumps=J`), timing each
  // (data-step-ms, data-step-p99-ms, data-back-p99-ms, data-jump-ms, data-jump-p99-ms on
  // <body>), and ends at the step asked for.
  function p99(times) {
    times.sort(function (a, b) { return a - b; });
    return times.length ? times[Math.floor(times.length * 0.99)].toFixed(2) : '0';
  }
  function walk(end, count, jumps) {
    var worst = 0, at = 0, t, i, d, times = [];
    var from = count === null ? 0 : Math.max(0, end - count), to = count === null ? N : end;
    go(from, false);
    for (i = from + 1; i <= to; i++) {
      t = performance.now();
      go(i, false);
      d = performance.now() - t;
      times.push(d);
      if (d > worst) { worst = d; at = i; }
    }
    document.body.setAttribute('data-step-ms', worst.toFixed(2));
    document.body.setAttribute('data-step-worst-at', at);
    document.body.setAttribute('data-step-p99-ms', p99(times));
    times = [];
    for (i = to - 1; i >= Math.max(from, to - 1000); i--) {
      t = performance.now();
      go(i, false);
      times.push(performance.now() - t);
    }
    document.body.setAttribute('data-back-p99-ms', p99(times));
    // The tables that undoing reached must be the ones a replay from a checkpoint makes.
    var undone = digest(), here = cur;
    undo = [];
    cur = N + 1;
    seek(here);
    document.body.setAttribute('data-undo-same', String(digest() === undone));
    worst = 0;
    times = [];
    var x = 12345;
    for (i = 0; i < jumps; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      t = performance.now();
      go(x % (N + 1), false);
      d = performance.now() - t;
      times.push(d);
      worst = Math.max(worst, d);
    }
    document.body.setAttribute('data-jump-ms', worst.toFixed(2));
    document.body.setAttribute('data-jump-p99-ms', p99(times));
    go(end, false);
  }
  window.addEventListener('hashchange', function () {
    var h = fromHash();
    if (h.step !== cur) go(h.step);
  });

  // The port states' legend shows where the trace has port states to show.
  $('legend-stp').hidden = !types.port_state;
  $('clock').textContent = (D.clock === 'virtual' ? 'virtual time' : 'real time') +
    (D.seed !== null && D.seed !== undefined ? ', seed ' + D.seed : '') + ' · ' + N + ' events';
  var start = fromHash();
  go(start.step, false);
  document.body.setAttribute('data-load-ms', (performance.now() - t0).toFixed(1));
  // From the navigation's start to this script: the browser reading the page itself.
  document.body.setAttribute('data-parse-ms', t0.toFixed(1));
  if (start.walk) walk(start.step, start.walkSteps, start.jumps);
  if (start.play) play(true);
  // For tests and scripts: the page is drawn.
  document.body.setAttribute('data-ready', 'true');
})();
