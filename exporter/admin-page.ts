// The admin page: WANs as cards in four columns to move between (drag, arrow keys or a menu), each
// with its live state from /api/wan/live, a settings form per WAN, the dry-run plan before
// applying, and a countdown with a Confirm button after, kept across reloads and shared with
// other tabs (the listener says what is pending). No framework, no build step; the token is asked
// once and kept in sessionStorage (this tab only). Script and style are separate files so the
// Content-Security-Policy can forbid inline code; the script is String.raw, so it is the file
// as the browser gets it (no backticks or template substitutions in it). Symbols are written as
// \u escapes: one character above Latin-1 would make V8 keep the whole router bundle's source in
// two bytes a character (0.6 MiB more RSS; scripts/build.ts refuses such a bundle).

export const ADMIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>routerscope: WAN policy</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header><h1>WAN policy</h1><span id="status" role="status" aria-live="polite"></span></header>
<form id="login" hidden>
  <label>Admin token <input id="token" type="password" autocomplete="current-password" required></label>
  <button type="submit">Unlock</button>
</form>
<section id="pending" hidden role="alert" aria-labelledby="pending-title">
  <h2 id="pending-title">A change awaits confirmation</h2>
  <p><span id="pending-what"></span> was applied. <strong><span id="countdown"></span> s</strong> left to confirm it.</p>
  <p id="pending-rule">At zero, routerscope puts the previous configuration back and reloads the network. Confirm to keep the change.</p>
  <button id="confirm" type="button">Confirm</button>
</section>
<p id="help" hidden>Move a WAN by dragging it, by focusing it and pressing the arrow keys, or with its Move to menu; then preview.</p>
<main id="board" hidden>
  <section class="column" data-column="primary" aria-label="Primary"><h2>Primary</h2><div class="cards"></div></section>
  <section class="column" data-column="bonded" aria-label="Bonded"><h2>Bonded</h2><div class="cards"></div></section>
  <section class="column" data-column="standby" aria-label="Standby"><h2>Standby</h2><div class="cards"></div></section>
  <section class="column" data-column="disabled" aria-label="Disabled"><h2>Disabled</h2><div class="cards"></div></section>
</main>
<section id="actions" hidden>
  <button id="preview" class="change" type="button">Preview changes</button>
  <button id="reset" type="button">Reset</button>
  <div id="plan" hidden>
    <h2>Plan</h2>
    <pre id="commands"></pre>
    <button id="apply" class="change" type="button">Apply</button>
  </div>
</section>
<section id="settings" hidden aria-labelledby="settings-title">
  <h2 id="settings-title">Settings of <span id="settings-wan"></span></h2>
  <form id="settings-form" novalidate>
    <div class="field"><label for="f-proto">Protocol</label><select id="f-proto" name="proto" aria-describedby="err-proto"><option value="dhcp">DHCP</option><option value="static">Static</option></select><span class="error" id="err-proto"></span></div>
    <div class="field static"><label for="f-ipaddr">Address</label><input id="f-ipaddr" name="ipaddr" inputmode="decimal" aria-describedby="err-ipaddr"><span class="error" id="err-ipaddr"></span></div>
    <div class="field static"><label for="f-netmask">Netmask</label><input id="f-netmask" name="netmask" inputmode="decimal" aria-describedby="err-netmask"><span class="error" id="err-netmask"></span></div>
    <div class="field static"><label for="f-gateway">Gateway</label><input id="f-gateway" name="gateway" inputmode="decimal" aria-describedby="err-gateway"><span class="error" id="err-gateway"></span></div>
    <div class="field"><label for="f-dns1">DNS servers</label><span class="pair"><input id="f-dns1" name="dns1" aria-describedby="err-dns" aria-label="First DNS server"><input id="f-dns2" name="dns2" aria-describedby="err-dns" aria-label="Second DNS server"></span><span class="error" id="err-dns"></span></div>
    <div class="field"><label for="f-mtu">MTU</label><input id="f-mtu" name="mtu" inputmode="numeric" placeholder="576-9000" aria-describedby="err-mtu"><span class="error" id="err-mtu"></span></div>
    <p class="error" id="err-form"></p>
    <button id="settings-preview" class="change" type="submit">Preview</button>
    <button id="settings-close" type="button">Close</button>
  </form>
  <div id="settings-plan" hidden>
    <h3>Plan</h3>
    <pre id="settings-commands"></pre>
    <button id="settings-apply" class="change" type="button">Apply</button>
  </div>
</section>
</body>
</html>
`;

export const ADMIN_STYLE = `[hidden] { display: none !important; }
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d2733; background: #f6f7f9; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; }
#status { color: #4a5663; }
main { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; margin: 1rem 0; }
.column { background: #e9edf1; border-radius: 8px; padding: 0.5rem; min-height: 12rem; }
.column.over { outline: 2px dashed #3571b8; }
.column h2 { font-size: 1rem; margin: 0.25rem 0.5rem 0.75rem; }
.card { background: white; border-radius: 6px; padding: 0.6rem; margin-bottom: 0.5rem; box-shadow: 0 1px 2px #0002; cursor: grab; border-left: 5px solid #8a96a3; }
.card:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #1c5fb0; outline-offset: 2px; }
.card .head { display: flex; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; }
.card .name { font-weight: 600; }
.state { font-weight: 600; }
.card.state-up { border-left-color: #2b8a3e; } .state-up .state { color: #2b8a3e; }
.card.state-down, .card.state-error { border-left-color: #c92a2a; } .state-down .state, .state-error .state { color: #b02525; }
.card.state-pending { border-left-color: #d9480f; border-left-style: dashed; } .state-pending .state { color: #a63c0c; }
.card.state-disabled { border-left-color: #8a96a3; border-left-style: dotted; } .state-disabled .state { color: #4a5663; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0.1rem 0.5rem; margin: 0.4rem 0; font-size: 0.85rem; }
.card dt { color: #4a5663; } .card dd { margin: 0; overflow-wrap: anywhere; }
.warning { color: #a63c0c; font-weight: 600; }
.tracker { font-size: 0.85rem; margin-top: 0.2rem; }
.targets { list-style: none; padding: 0; margin: 0.3rem 0; font-size: 0.85rem; }
.targets li { display: flex; align-items: center; justify-content: space-between; gap: 0.4rem; }
.spark { width: 80px; height: 20px; flex: none; }
.spark polyline { fill: none; stroke: #3571b8; stroke-width: 1.5; }
.card-actions { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; font-size: 0.85rem; margin-top: 0.4rem; }
.card-actions button { margin: 0; padding: 0.3rem 0.6rem; }
pre { background: #1d2733; color: #e9edf1; padding: 0.75rem; border-radius: 6px; overflow-x: auto; }
button { padding: 0.4rem 0.9rem; margin-right: 0.5rem; min-height: 2.2rem; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
#pending { background: #fff4e6; border: 2px solid #d9480f; border-radius: 8px; padding: 0.5rem 1rem; margin: 1rem 0; }
#countdown { font-variant-numeric: tabular-nums; }
#settings { background: white; border-radius: 8px; padding: 0.5rem 1rem; margin: 1rem 0; box-shadow: 0 1px 2px #0002; }
.field { display: grid; grid-template-columns: 8rem minmax(0, 16rem) 1fr; gap: 0.5rem; align-items: center; margin: 0.4rem 0; }
.field .pair { display: flex; gap: 0.4rem; } .field .pair input { min-width: 0; flex: 1; }
.field input, .field select { padding: 0.3rem; min-height: 2rem; }
.error { color: #b02525; font-size: 0.9rem; }
[aria-invalid="true"] { border: 2px solid #b02525; }
@media (max-width: 760px) {
  body { margin: 0.75rem; }
  main { grid-template-columns: 1fr; }
  .column { min-height: 4rem; }
  .field { grid-template-columns: 1fr; gap: 0.2rem; }
}
`;

export const ADMIN_SCRIPT = String.raw`'use strict';
const $ = (s) => document.querySelector(s);
const COLUMNS = ['primary', 'bonded', 'standby', 'disabled'];
const TITLES = { primary: 'Primary', bonded: 'Bonded', standby: 'Standby', disabled: 'Disabled' };
const REFRESH_MS = 5000;
let wans = [];
let live = null;
let dragged = null;
let pending = null;
let editing = null;

const token = () => sessionStorage.getItem('routerscope-token');
async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: 'Bearer ' + token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) { sessionStorage.removeItem('routerscope-token'); showLogin(); }
  if (!res.ok) { const err = new Error(data.error || res.statusText); err.field = data.field; throw err; }
  return data;
}

function el(tag, className, value) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (value !== undefined) e.textContent = value;
  return e;
}
function say(message) { $('#status').textContent = message; }

// ---- formatting

function duration(s) {
  if (s === null || s === undefined) return '-';
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m + 'm ' + Math.floor(s % 60) + 's';
}
function bits(bps) {
  if (bps === null || bps === undefined) return '-';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let i = 0;
  while (bps >= 1000 && i < units.length - 1) { bps /= 1000; i++; }
  return (i === 0 ? Math.round(bps) : bps.toFixed(1)) + ' ' + units[i];
}
const ms = (s) => (s === null || s === undefined ? '-' : (s * 1000).toFixed(1) + ' ms');
const percent = (r) => (r === null || r === undefined ? '-' : (r * 100).toFixed(1) + ' %');
const ERRORS = { NO_DEVICE: 'no device', AUTH_TOPEER_FAILED: 'PPP authentication failed', CONNECT_FAILED: 'connection failed' };
// State in words and a symbol as well as colour.
function stateText(w) {
  const errors = w.errors.map((c) => (ERRORS[c] ? ERRORS[c] + ' (' + c + ')' : c)).join(', ');
  if (w.state === 'error') return '\u2716 error: ' + errors;
  return ({ up: '\u25b2 up', down: '\u25bc down', pending: '\u2026 connecting', disabled: '\u2298 disabled' }[w.state] || w.state) + (errors ? ' \u00b7 ' + errors : '');
}

// ---- cards

function card(w) {
  const div = el('article', 'card');
  div.draggable = true;
  div.tabIndex = 0;
  div.dataset.wan = w.interface;
  const head = el('div', 'head');
  head.append(el('span', 'name', w.interface + (w.label ? ' (' + w.label + ')' : '')), el('span', 'state', w.status.up ? '\u25b2 up' : '\u25bc down'));
  const dl = el('dl');
  for (const [field, title] of [['uptime', 'Uptime'], ['device', 'Device'], ['rate', 'Down / up'], ['mptcp', 'MPTCP'], ['public-ip', 'Public IP']]) {
    const dd = el('dd');
    dd.dataset.field = field;
    dl.append(el('dt', '', title), dd);
  }
  const actions = el('div', 'card-actions');
  const label = el('label', '', 'Move to ');
  const move = el('select', 'move');
  move.setAttribute('aria-label', 'Move ' + w.interface + ' to');
  for (const c of COLUMNS) { const o = el('option', '', TITLES[c]); o.value = c; move.append(o); }
  move.addEventListener('change', () => moveCard(div, move.value));
  label.append(move);
  const edit = el('button', 'edit', 'Settings');
  edit.type = 'button';
  edit.setAttribute('aria-label', 'Settings of ' + w.interface);
  edit.addEventListener('click', () => openSettings(w.interface));
  actions.append(label, edit);
  const tracker = el('div', 'tracker warning', '\u26a0 the OMR tracker says down: the link is up but carries no traffic');
  tracker.hidden = true;
  div.append(head, tracker, dl, el('ul', 'targets'), actions);
  div.addEventListener('dragstart', (e) => { dragged = div; e.dataTransfer.setData('text/plain', w.interface); });
  div.addEventListener('keydown', (e) => {
    if (e.target !== div) return;
    const step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const at = COLUMNS.indexOf(columnOf(div));
    const to = COLUMNS[at + step];
    if (to) moveCard(div, to);
  });
  return div;
}

const columnOf = (c) => c.closest('.column').dataset.column;

function moveCard(c, column) {
  if (columnOf(c) === column) return;
  document.querySelector('[data-column="' + column + '"] .cards').append(c);
  c.querySelector('.move').value = column;
  c.focus();
  $('#plan').hidden = true;
  say(c.dataset.wan + ' moved to ' + TITLES[column] + ': preview to see the plan');
}

function render() {
  for (const col of document.querySelectorAll('.column .cards')) col.replaceChildren();
  for (const w of wans) {
    const c = card(w);
    document.querySelector('[data-column="' + w.policy + '"] .cards').append(c);
    c.querySelector('.move').value = w.policy;
  }
  showLive();
}

function sparkline(values) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 80 20');
  svg.setAttribute('aria-hidden', 'true');
  const known = values.filter((v) => v !== null);
  if (known.length === 0) return svg;
  const max = Math.max(...known) || 1;
  const step = values.length > 1 ? 80 / (values.length - 1) : 0;
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', values.map((v, i) => (v === null ? null : (i * step).toFixed(1) + ',' + (19 - (v / max) * 18).toFixed(1))).filter(Boolean).join(' '));
  svg.append(line);
  return svg;
}

// Fills each card's live fields in place, so a refresh never disturbs cards being arranged.
function showLive() {
  if (!live) return;
  for (const w of live.wans) {
    const c = document.querySelector('.card[data-wan="' + CSS.escape(w.interface) + '"]');
    if (!c) continue;
    c.className = 'card state-' + w.state;
    c.dataset.state = w.state;
    c.querySelector('.state').textContent = stateText(w);
    c.querySelector('.tracker').hidden = !(w.tracker === 'down' && w.state === 'up');
    c.setAttribute('aria-label', w.interface + ': ' + stateText(w));
    const field = (name, text, value) => {
      const dd = c.querySelector('[data-field="' + name + '"]');
      dd.textContent = text;
      dd.dataset.value = value === undefined || value === null ? '' : String(value);
      dd.hidden = dd.previousElementSibling.hidden = text === '';
      return dd;
    };
    field('uptime', duration(w.uptime_seconds), w.uptime_seconds);
    field('device', w.device, w.device);
    const rate = field('rate', '\u2193 ' + bits(w.receive_bps) + ' \u00b7 \u2191 ' + bits(w.transmit_bps));
    rate.dataset.receive = w.receive_bps === null ? '' : String(w.receive_bps);
    rate.dataset.transmit = w.transmit_bps === null ? '' : String(w.transmit_bps);
    const mode = field('mptcp', w.configured_mode ? w.configured_mode + (w.mode_mismatch ? ' configured, ' + w.effective_mode + ' in force' : '') : '', w.effective_mode);
    mode.className = w.mode_mismatch ? 'warning' : '';
    if (w.mode_mismatch) mode.textContent = '\u26a0 ' + mode.textContent;
    field('public-ip', w.public_ip, w.public_ip);
    const list = c.querySelector('.targets');
    list.replaceChildren();
    for (const t of w.targets) {
      const li = el('li');
      li.dataset.target = t.target;
      li.dataset.latency = t.latency_seconds === null ? '' : String(t.latency_seconds);
      li.dataset.loss = t.loss_ratio === null ? '' : String(t.loss_ratio);
      li.append(el('span', '', t.target + ' ' + ms(t.latency_seconds) + ' \u00b7 loss ' + percent(t.loss_ratio)), sparkline(t.latency_history));
      list.append(li);
    }
  }
}

function arrangement() {
  const out = { primary: null, bonded: [], standby: [], disabled: [] };
  for (const col of document.querySelectorAll('.column')) {
    const names = [...col.querySelectorAll('.card')].map((c) => c.dataset.wan);
    if (col.dataset.column === 'primary') out.primary = names.length === 1 ? names[0] : names;
    else out[col.dataset.column] = names;
  }
  return out;
}

// ---- pending change: counted down from the seconds the listener gives, whatever this clock says

let countdown = null;
function showPending(p) {
  const was = pending;
  pending = p;
  for (const b of document.querySelectorAll('button.change')) {
    b.disabled = !!p;
    b.title = p ? 'a change awaits confirmation: confirm it or let it roll back first' : '';
  }
  if (!p) {
    clearInterval(countdown);
    $('#pending').hidden = true;
    if (was) load().catch((err) => say(err.message));
    return;
  }
  $('#plan').hidden = true;
  $('#settings-plan').hidden = true;
  $('#pending-what').textContent = p.change.charAt(0).toUpperCase() + p.change.slice(1);
  $('#pending').hidden = false;
  const deadline = performance.now() + p.seconds_left * 1000;
  clearInterval(countdown);
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    $('#countdown').textContent = String(left);
    if (left === 0) {
      clearInterval(countdown);
      say('not confirmed in time: the previous configuration is being restored');
      setTimeout(() => refresh(), 2000);
    }
  };
  tick();
  countdown = setInterval(tick, 250);
}

async function refresh() {
  try {
    const view = await api('GET', '/api/wan/live');
    live = view;
    $('#board').dataset.interval = view.interval_seconds === null ? '' : String(view.interval_seconds);
    showLive();
    if (!view.pending) showPending(null);
    else if (!pending || pending.id !== view.pending.id) showPending(view.pending);
  } catch (err) { say(err.message); }
}

async function load() {
  const data = await api('GET', '/api/wan');
  wans = data.wans;
  render();
  say(wans.length + ' WANs');
  for (const id of ['#board', '#actions', '#help']) $(id).hidden = false;
  showPending(data.pending);
  await refresh();
}

// ---- settings form

const FIELDS = ['proto', 'ipaddr', 'netmask', 'gateway', 'dns', 'mtu'];
function clearErrors() {
  for (const f of FIELDS) $('#err-' + f).textContent = '';
  $('#err-form').textContent = '';
  for (const i of document.querySelectorAll('#settings-form [aria-invalid]')) i.removeAttribute('aria-invalid');
}
function protoChanged() {
  const isStatic = $('#f-proto').value === 'static';
  for (const f of document.querySelectorAll('#settings-form .static input')) f.disabled = !isStatic;
}
function openSettings(name) {
  const w = wans.find((x) => x.interface === name);
  editing = w;
  $('#settings-wan').textContent = name;
  const a = w.addressing;
  $('#f-proto').value = a.proto === 'static' ? 'static' : 'dhcp';
  for (const f of ['ipaddr', 'netmask', 'gateway', 'mtu']) $('#f-' + f).value = a[f] || '';
  $('#f-dns1').value = a.dns[0] || '';
  $('#f-dns2').value = a.dns[1] || '';
  protoChanged();
  clearErrors();
  $('#settings-plan').hidden = true;
  $('#settings').hidden = false;
  $('#f-proto').focus();
}
// What differs from the WAN's current settings: the request carries only that.
function settingsChange() {
  const a = editing.addressing;
  const body = {};
  const proto = $('#f-proto').value;
  if (proto !== a.proto) body.proto = proto;
  if (proto === 'static') for (const f of ['ipaddr', 'netmask', 'gateway']) { const v = $('#f-' + f).value.trim(); if (v !== '' && v !== a[f]) body[f] = v; }
  const dns = [$('#f-dns1').value.trim(), $('#f-dns2').value.trim()].filter(Boolean);
  if (dns.join(' ') !== a.dns.join(' ')) body.dns = dns;
  const mtu = $('#f-mtu').value.trim();
  if (mtu !== '' && mtu !== a.mtu) body.mtu = /^[0-9]+$/.test(mtu) ? Number(mtu) : mtu;
  return body;
}
function showFieldError(err) {
  const field = FIELDS.includes(err.field) ? err.field : null;
  const input = field === 'dns' ? $('#f-dns1') : field ? $('#f-' + field) : null;
  (field ? $('#err-' + field) : $('#err-form')).textContent = err.message;
  if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
}

// ---- start

function showLogin() { $('#login').hidden = false; for (const id of ['#board', '#actions', '#help', '#settings']) $(id).hidden = true; }

document.addEventListener('DOMContentLoaded', () => {
  for (const col of document.querySelectorAll('.column')) {
    col.addEventListener('dragover', (e) => { e.preventDefault(); col.classList.add('over'); });
    col.addEventListener('dragleave', () => col.classList.remove('over'));
    col.addEventListener('drop', (e) => {
      e.preventDefault();
      col.classList.remove('over');
      if (dragged) moveCard(dragged, col.dataset.column);
    });
  }
  $('#login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('routerscope-token', $('#token').value);
    $('#login').hidden = true;
    load().catch((err) => say(err.message));
  });
  $('#preview').addEventListener('click', async () => {
    try {
      const plan = await api('PUT', '/api/wan/policy?dry_run=1', arrangement());
      $('#commands').textContent = plan.commands.map((c) => c.join(' ')).join('\n');
      $('#plan').hidden = false;
    } catch (err) { say(err.message); }
  });
  $('#reset').addEventListener('click', () => { render(); $('#plan').hidden = true; say('arrangement reset'); });
  $('#apply').addEventListener('click', async () => {
    try { showPending((await api('PUT', '/api/wan/policy', arrangement()))); } catch (err) { say(err.message); }
  });
  $('#f-proto').addEventListener('change', protoChanged);
  $('#settings-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    $('#settings-plan').hidden = true;
    try {
      const plan = await api('PATCH', '/api/wan/' + encodeURIComponent(editing.interface) + '?dry_run=1', settingsChange());
      $('#settings-commands').textContent = plan.commands.map((c) => c.join(' ')).join('\n');
      $('#settings-plan').hidden = false;
    } catch (err) { showFieldError(err); }
  });
  $('#settings-apply').addEventListener('click', async () => {
    try { showPending(await api('PATCH', '/api/wan/' + encodeURIComponent(editing.interface), settingsChange())); } catch (err) { showFieldError(err); }
  });
  $('#settings-close').addEventListener('click', () => { $('#settings').hidden = true; });
  $('#confirm').addEventListener('click', async () => {
    try {
      await api('POST', '/api/wan/confirm');
      pending = null;
      showPending(null);
      $('#settings').hidden = true;
      await load();
      say('confirmed');
    } catch (err) { say(err.message); }
  });
  // A tab in the background costs the router nothing: it refreshes when it is looked at again.
  setInterval(() => { if (token() && !$('#board').hidden && !document.hidden) refresh(); }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && token() && !$('#board').hidden) refresh(); });
  if (token()) load().catch(showLogin); else showLogin();
});
`;
