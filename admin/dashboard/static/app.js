// The admin endpoint's dashboard: plain JavaScript, no framework and no CDN,
// so it is embedded in the binary and works offline. It polls `tree` (the
// live actor tree), listens to `events` (server-sent events) and posts
// `faults`. Paths are relative, so the page also works under a prefix.
//
// A -chaos run can mean thousands of connections and hundreds of events a
// second, so: rows are kept and updated in place (keyed by actor name, and
// an open <select> keeps its choice), at most MAX_ROWS connections per
// connection supervisor are drawn, the log keeps MAX_EVENTS entries, and every DOM change
// waits for the next animation frame, where it is done once.
'use strict';

const CATEGORIES = ['Internal', 'BadRequest', 'ConnectionFailed', 'Timeout', 'TooLarge', 'ListenerFailed'];
const STALL = '2s';       // how long the stall buttons stall
const MAX_ROWS = 200;     // connections drawn per listener; the rest are counted
const MAX_EVENTS = 200;   // log entries kept
const POLL_MS = 500;      // tree refresh while nothing happens
const KICK_MS = 100;      // tree refresh soon after an event says it changed

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

// setText writes only what changed: most of a refresh changes nothing.
function setText(e, s) { if (e.textContent !== s) e.textContent = s; }

function fmtAge(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return (ms / 1000).toFixed(1) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' m ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' m';
}

function fmtBytes(n) {
  n = n || 0;
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
  return (n / (1 << 20)).toFixed(1) + ' MiB';
}

function fmtTime(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

// ---- the tree -------------------------------------------------------------

const rows = new Map(); // actor name -> its row (div for actors, tr for connections)

// budgetBar shows "restarts used / budget" as text and as a bar.
function budgetBar() {
  const b = el('span', { class: 'budget', 'data-field': 'restarts' });
  b.fill = el('i');
  b.label = el('span', { class: 'n' });
  b.append(el('span', { class: 'bar' }, b.fill), b.label);
  return b;
}

function setBudget(b, used, budget) {
  setText(b.label, budget > 0 ? used + '/' + budget : String(used));
  b.fill.style.width = (budget > 0 ? Math.min(1, used / budget) * 100 : 0) + '%';
  b.dataset.level = used === 0 ? 'none' : used >= budget ? 'full' : 'some';
}

// setLast shows a node's last decision; it is redrawn only when it changes.
function setLast(cell, d) {
  const seq = d ? String(d.seq) : '';
  if (cell.dataset.seq === seq) return;
  cell.dataset.seq = seq;
  cell.replaceChildren();
  if (!d) return;
  cell.title = fmtTime(d.time) + (d.cause ? ': ' + d.cause : '');
  cell.append(d.category + ' → ', el('span', { class: 'dir-' + d.directive }, d.directive));
  if (d.injected) cell.append(' ', el('span', { class: 'badge injected' }, 'injected'));
}

// controls is a category select and an inject button aimed at target.
function controls(target, preferred) {
  const sel = el('select', { 'data-category-for': target, 'aria-label': 'fault for ' + target });
  for (const c of CATEGORIES) sel.append(el('option', { value: c }, c));
  sel.append(el('option', { value: 'stall' }, 'stall ' + STALL));
  sel.value = preferred;
  return el('span', { class: 'controls' }, sel, ' ',
    el('button', { type: 'button', 'data-inject': target }, 'inject'));
}

// actorRow is a row for root, the logger, the services, the acceptors and the
// connection supervisors (kind 'connections': restarted by root like the
// others, but it takes no injected faults, so it has no controls).
function actorRow(n, depth) {
  let r = rows.get(n.name);
  if (!r) {
    r = el('div', { class: 'actor', 'data-actor': n.name, 'data-kind': n.kind });
    r.style.setProperty('--depth', depth);
    r.f = { age: el('span', { class: 'age' }), budget: budgetBar(), last: el('span', { class: 'last' }),
      note: el('span', { class: 'note' }) };
    const supervised = n.kind !== 'root' && n.kind !== 'services';
    const targetable = supervised && n.kind !== 'connections';
    r.append(el('b', {}, n.name), n.name.startsWith(n.kind) ? '' : el('span', { class: 'kind' }, n.kind),
      r.f.note, r.f.age, supervised ? r.f.budget : '', r.f.last,
      targetable ? controls(n.name, n.kind === 'acceptor' ? 'ListenerFailed' : 'Internal') : '');
    rows.set(n.name, r);
  }
  setText(r.f.age, 'up ' + fmtAge(n.age_ms));
  setBudget(r.f.budget, n.restarts, n.budget);
  setLast(r.f.last, n.last_decision);
  if (n.kind === 'acceptor') setText(r.f.note, n.behavior || '');
  if (n.kind === 'connections') {
    const k = n.connections ?? (n.children || []).length;
    setText(r.f.note, (n.behavior || '') + ' · ' + k + (k === 1 ? ' connection' : ' connections'));
  }
  return r;
}

// connRow is one connection's row in its supervisor's table.
function connRow(n) {
  let r = rows.get(n.name);
  if (!r) {
    r = el('tr', { 'data-conn': n.name, 'data-remote': n.remote || '' });
    r.f = {};
    for (const k of ['name', 'remote', 'behavior', 'age', 'bytes', 'budget', 'last', 'inject']) {
      r.f[k] = el('td', { class: k });
      r.append(r.f[k]);
    }
    r.f.name.textContent = n.name;
    r.f.remote.textContent = n.remote || '';
    r.f.behavior.textContent = n.behavior || '';
    r.f.bar = budgetBar();
    r.f.budget.append(r.f.bar);
    r.f.inject.append(controls(n.name, 'Internal'));
    rows.set(n.name, r);
  }
  setText(r.f.age, fmtAge(n.age_ms));
  setText(r.f.bytes, fmtBytes(n.bytes_in) + ' / ' + fmtBytes(n.bytes_out));
  setBudget(r.f.bar, n.restarts, n.budget);
  setLast(r.f.last, n.last_decision);
  return r;
}

// connTable is the table of a connection supervisor's connections (the first
// MAX_ROWS).
function connTable(sup, seen) {
  const key = 'table:' + sup.name;
  let t = rows.get(key);
  if (!t) {
    t = el('div', { class: 'conns', 'data-conns-of': sup.name });
    t.body = el('tbody');
    t.more = el('p', { class: 'more' });
    const head = el('tr');
    for (const h of ['connection', 'remote', 'behavior', 'age', 'bytes in / out', 'restarts', 'last decision', 'fault'])
      head.append(el('th', {}, h));
    t.append(el('table', {}, el('thead', {}, head), t.body), t.more);
    rows.set(key, t);
  }
  seen.add(key);
  const all = sup.children || [];
  const total = sup.connections ?? all.length; // /tree lists at most MAX_ROWS; it counts them all
  const shown = all.slice(0, MAX_ROWS).map((c) => { seen.add(c.name); return connRow(c); });
  placeChildren(t.body, shown);
  setText(t.more, total === 0 ? 'no connections yet: connect a client (nc, curl, redis-cli)'
    : total > shown.length ? `showing ${shown.length} of ${total} connections` : '');
  return t;
}

// placeChildren makes parent's children exactly want, in order, moving only
// the elements that are out of place.
function placeChildren(parent, want) {
  want.forEach((e, i) => { if (parent.children[i] !== e) parent.insertBefore(e, parent.children[i] || null); });
  while (parent.children.length > want.length) parent.lastElementChild.remove();
}

function renderTree(root) {
  const seen = new Set(), order = [];
  let conns = 0, budget = 0;
  (function walk(n, depth) {
    seen.add(n.name);
    order.push(actorRow(n, depth));
    budget = budget || n.budget;
    if (n.kind === 'connections') {
      conns += n.connections ?? (n.children || []).length;
      order.push(connTable(n, seen));
      return;
    }
    for (const c of n.children || []) walk(c, depth + 1);
  })(root, 0);
  placeChildren($('tree'), order);
  for (const k of rows.keys()) if (!seen.has(k)) rows.delete(k);
  renderCluster(root.cluster);
  setText($('stat-conns'), conns + (conns === 1 ? ' connection' : ' connections'));
  if (budget) setText($('budget-n'), String(budget));
}

// renderCluster shows a clustered node's members (this node's link to each:
// up or unreachable) and the grains it hosts; nothing without a cluster.
function renderCluster(c) {
  $('cluster').hidden = !c;
  if (!c) return;
  setText($('cluster-name'), c.name + ' · this node ' + c.node);
  setText($('cluster-mode'), '(' + c.membership + ' membership)');
  const body = $('members').tBodies[0], want = [];
  for (const m of c.members || []) {
    let r = body.querySelector(`tr[data-member="${CSS.escape(m.addr)}"]`);
    if (!r) {
      r = el('tr', { 'data-member': m.addr }, el('td'), el('td'), el('td'));
      r.cells[0].textContent = m.addr + (m.self ? ' (this node)' : '');
    }
    r.dataset.up = m.up ? 'up' : 'down';
    setText(r.cells[1], m.self ? '' : m.up ? 'up' : 'unreachable');
    setText(r.cells[2], m.since ? fmtTime(m.since) : '');
    want.push(r);
  }
  placeChildren(body, want);
  const gs = (c.grains || []).slice(0, 20).map(g => g.kind + '/' + g.identity);
  const more = (c.grain_count || 0) - gs.length;
  setText($('grains'), (c.grain_count || 0) + (c.grain_count === 1 ? ' grain' : ' grains') + ' hosted here' +
    (gs.length ? ': ' + gs.join(', ') + (more > 0 ? ' and ' + more + ' more' : '') : ''));
}

let latestTree = null, treeFrame = 0;
function showTree(t) {
  latestTree = t;
  if (!treeFrame) treeFrame = requestAnimationFrame(() => { treeFrame = 0; renderTree(latestTree); });
}

// Polling: one request at a time; an event can bring the next one forward.
let pollTimer = 0, pollDue = Infinity, polling = false, pollSoon = false;
function refreshIn(ms) {
  if (polling) { pollSoon = pollSoon || ms <= KICK_MS; return; }
  const due = performance.now() + ms;
  if (due >= pollDue) return;
  clearTimeout(pollTimer);
  pollDue = due;
  pollTimer = setTimeout(poll, ms);
}

async function poll() {
  pollDue = Infinity;
  polling = true;
  try {
    const r = await fetch('tree?limit=' + MAX_ROWS, { cache: 'no-store' });
    if (!r.ok) throw new Error('tree: ' + r.status);
    showTree(await r.json());
    $('tree').classList.remove('stale');
  } catch (err) {
    $('tree').classList.add('stale'); // the server is gone or restarting: keep the last picture, greyed
  }
  polling = false;
  const next = pollSoon ? KICK_MS : POLL_MS;
  pollSoon = false;
  refreshIn(next);
}

// ---- the event log --------------------------------------------------------

const counts = { Restart: 0, Stop: 0, injected: 0 };
let pending = [], eventFrame = 0;

function onEvent(msg) {
  let e;
  try { e = JSON.parse(msg.data); } catch { return; }
  if (e.kind === 'decision') counts[e.directive] = (counts[e.directive] || 0) + 1;
  if (e.kind === 'injected') counts.injected++;
  if (e.kind !== 'injected') refreshIn(KICK_MS); // the tree changed
  pending.push(e);
  if (pending.length > MAX_EVENTS) pending = pending.slice(-MAX_EVENTS); // older ones would scroll off anyway
  if (!eventFrame) eventFrame = requestAnimationFrame(flushEvents);
}

function describe(e) {
  switch (e.kind) {
    case 'accepted': return ['from ' + e.remote + (e.behavior ? ' (' + e.behavior + ')' : '')];
    case 'stopped': return [(e.reason || 'closed') + ' · ' + fmtBytes(e.bytes_in) + ' in, ' +
      fmtBytes(e.bytes_out) + ' out'];
    case 'injected': return [(e.stall ? 'stall ' + e.stall : e.category) + ' sent'];
    case 'decision': {
      // Restarts used is news for a Restart, and for the Stop that spent the budget.
      const used = (e.restarts || 0) + '/' + e.budget;
      const note = !(e.budget > 0) ? '' : e.directive === 'Restart' ? ' (' + used + ' restarts)'
        : e.restarts > e.budget ? ' (restart budget spent: ' + used + ')' : '';
      return [e.category + ' → ', el('span', { class: 'dir-' + e.directive }, e.directive), note,
        e.cause ? el('span', { class: 'cause' }, ' ' + e.cause) : ''];
    }
  }
  return [];
}

function eventItem(e) {
  const li = el('li', { 'data-kind': e.kind, 'data-actor': e.actor || '', 'data-seq': e.seq });
  if (e.directive) li.dataset.directive = e.directive;
  if (e.injected) li.dataset.injected = 'true';
  li.append(el('time', { datetime: e.time }, fmtTime(e.time)), ' ', el('span', { class: 'kind' }, e.kind), ' ',
    el('b', {}, e.actor || ''), ' ', ...describe(e));
  if (e.injected) li.append(' ', el('span', { class: 'badge injected' }, 'injected'));
  return li;
}

// flash makes a row light up in its directive's color as it is decided about.
// (An animation, not a CSS class: replaying a class would force a layout per
// row, which during a -chaos burst is what freezes a page.)
const FLASH = { Restart: '#fef3c7', Stop: '#fee2e2' }; // style.css's --restart-bg, --stop-bg
function flash(row, directive) {
  row.animate([{ backgroundColor: FLASH[directive] }, {}], { duration: 1500, easing: 'ease-out' });
}

function flushEvents() {
  eventFrame = 0;
  setText($('stat-restart'), counts.Restart + (counts.Restart === 1 ? ' restart' : ' restarts'));
  setText($('stat-stop'), counts.Stop + (counts.Stop === 1 ? ' stop' : ' stops'));
  setText($('stat-injected'), counts.injected + ' injected');
  const batch = pending;
  pending = [];
  if ($('pause').checked) return;
  const frag = document.createDocumentFragment();
  for (let i = batch.length - 1; i >= 0; i--) {
    const e = batch[i];
    frag.append(eventItem(e));
    const row = e.kind === 'decision' && rows.get(e.actor);
    if (row) flash(row, e.directive);
  }
  const list = $('events');
  list.prepend(frag);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

function listen() {
  const es = new EventSource('events');
  for (const k of ['accepted', 'decision', 'stopped', 'injected']) es.addEventListener(k, onEvent);
  es.onmessage = onEvent; // an event sent without a kind
  const link = $('link');
  es.onopen = () => { link.dataset.state = 'live'; link.textContent = 'live'; };
  // EventSource reconnects by itself, resuming after the last id it saw.
  es.onerror = () => { link.dataset.state = 'down'; link.textContent = 'reconnecting…'; };
}

// ---- injecting faults -----------------------------------------------------

async function inject(body) {
  const status = $('status');
  const what = body.stall ? 'stall ' + body.stall : body.category;
  try {
    const r = await fetch('faults', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body) });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.error || r.status + ' ' + r.statusText);
    status.dataset.ok = 'true';
    status.textContent = what + ' injected into ' + ((j.injected && j.injected.actor) || body.target);
  } catch (err) {
    status.dataset.ok = 'false';
    status.textContent = what + ' into ' + body.target + ' failed: ' + err.message;
  }
  refreshIn(KICK_MS);
}

document.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-inject], button[data-stall]');
  if (!b) return;
  if (b.dataset.stall) return inject({ target: b.dataset.stall, stall: STALL });
  const sel = b.id === 'inject-random' ? $('random-category') : b.parentElement.querySelector('select');
  const target = b.dataset.inject;
  inject(sel.value === 'stall' ? { target, stall: STALL } : { target, category: sel.value });
});

$('show-lifecycle').addEventListener('change', (ev) => {
  $('events').classList.toggle('no-lifecycle', !ev.target.checked);
});

for (const c of CATEGORIES) $('random-category').append(el('option', { value: c }, c));
listen();
poll();
