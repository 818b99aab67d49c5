// The admin page: WANs as cards in four columns to drag between, live status from /api/wan, the
// dry-run plan before applying, and a countdown with a Confirm button after. No framework, no
// build step; the token is asked once and kept in sessionStorage (this tab only). Script and
// style are separate files so the Content-Security-Policy can forbid inline code.

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
<header><h1>WAN policy</h1><span id="status" role="status"></span></header>
<form id="login" hidden>
  <label>Admin token <input id="token" type="password" autocomplete="current-password" required></label>
  <button type="submit">Unlock</button>
</form>
<main id="board" hidden>
  <section class="column" data-column="primary"><h2>Primary</h2><div class="cards"></div></section>
  <section class="column" data-column="bonded"><h2>Bonded</h2><div class="cards"></div></section>
  <section class="column" data-column="standby"><h2>Standby</h2><div class="cards"></div></section>
  <section class="column" data-column="disabled"><h2>Disabled</h2><div class="cards"></div></section>
</main>
<section id="actions" hidden>
  <button id="preview" type="button">Preview changes</button>
  <button id="reset" type="button">Reset</button>
  <div id="plan" hidden>
    <h2>Plan</h2>
    <pre id="commands"></pre>
    <button id="apply" type="button">Apply</button>
  </div>
  <div id="pending" hidden>
    <p>Applied. Confirm within <strong id="countdown"></strong> s, or the previous configuration comes back.</p>
    <button id="confirm" type="button">Confirm</button>
  </div>
</section>
</body>
</html>
`;

export const ADMIN_STYLE = `body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d2733; background: #f6f7f9; }
header { display: flex; align-items: baseline; gap: 1rem; }
#status { color: #5b6875; }
main { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1rem; margin: 1rem 0; }
.column { background: #e9edf1; border-radius: 8px; padding: 0.5rem; min-height: 12rem; }
.column.over { outline: 2px dashed #3571b8; }
.column h2 { font-size: 1rem; margin: 0.25rem 0.5rem 0.75rem; }
.card { background: white; border-radius: 6px; padding: 0.6rem; margin-bottom: 0.5rem; box-shadow: 0 1px 2px #0002; cursor: grab; }
.card .name { font-weight: 600; }
.card .meta { font-size: 0.85rem; color: #5b6875; }
.up { color: #2b8a3e; } .down { color: #c92a2a; }
pre { background: #1d2733; color: #e9edf1; padding: 0.75rem; border-radius: 6px; overflow-x: auto; }
button { padding: 0.4rem 0.9rem; margin-right: 0.5rem; }
`;

export const ADMIN_SCRIPT = `'use strict';
const $ = (s) => document.querySelector(s);
let wans = [];
let dragged = null;

const token = () => sessionStorage.getItem('routerscope-token');
async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: 'Bearer ' + token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) { sessionStorage.removeItem('routerscope-token'); showLogin(); }
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function text(el, value) { el.textContent = value; return el; }
function card(w) {
  const div = document.createElement('div');
  div.className = 'card';
  div.draggable = true;
  div.dataset.wan = w.interface;
  div.append(text(document.createElement('div'), w.interface + (w.label ? ' (' + w.label + ')' : '')));
  div.firstChild.className = 'name';
  const meta = text(document.createElement('div'), (w.status.up ? 'up' : 'down') + ' · ' + (w.status.device || '?') + ' · MPTCP ' + w.effective_mode + (w.addressing.addresses[0] ? ' · ' + w.addressing.addresses[0] : ''));
  meta.className = 'meta ' + (w.status.up ? 'up' : 'down');
  div.append(meta);
  div.addEventListener('dragstart', (e) => { dragged = div; e.dataTransfer.setData('text/plain', w.interface); });
  return div;
}

function render() {
  for (const col of document.querySelectorAll('.column .cards')) col.replaceChildren();
  for (const w of wans) document.querySelector('[data-column="' + w.policy + '"] .cards').append(card(w));
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

async function load() {
  const data = await api('GET', '/api/wan');
  wans = data.wans;
  render();
  text($('#status'), wans.length + ' WANs' + (data.pending ? ' · a change awaits confirmation' : ''));
  $('#board').hidden = false;
  $('#actions').hidden = false;
  if (data.pending) showPending(data.pending.confirm_before);
}

let countdown = null;
function showPending(confirmBefore) {
  $('#plan').hidden = true;
  $('#pending').hidden = false;
  clearInterval(countdown);
  const tick = () => {
    const left = Math.max(0, Math.round((Date.parse(confirmBefore) - Date.now()) / 1000));
    text($('#countdown'), String(left));
    if (left === 0) { clearInterval(countdown); $('#pending').hidden = true; load(); }
  };
  tick();
  countdown = setInterval(tick, 500);
}

function showLogin() { $('#login').hidden = false; $('#board').hidden = true; $('#actions').hidden = true; }

document.addEventListener('DOMContentLoaded', () => {
  for (const col of document.querySelectorAll('.column')) {
    col.addEventListener('dragover', (e) => { e.preventDefault(); col.classList.add('over'); });
    col.addEventListener('dragleave', () => col.classList.remove('over'));
    col.addEventListener('drop', (e) => {
      e.preventDefault();
      col.classList.remove('over');
      if (dragged) col.querySelector('.cards').append(dragged);
      $('#plan').hidden = true;
    });
  }
  $('#login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('routerscope-token', $('#token').value);
    $('#login').hidden = true;
    load().catch((err) => text($('#status'), err.message));
  });
  $('#preview').addEventListener('click', async () => {
    try {
      const plan = await api('PUT', '/api/wan/policy?dry_run=1', arrangement());
      text($('#commands'), plan.commands.map((c) => c.join(' ')).join('\\n'));
      $('#plan').hidden = false;
    } catch (err) { text($('#status'), err.message); }
  });
  $('#reset').addEventListener('click', () => { render(); $('#plan').hidden = true; });
  $('#apply').addEventListener('click', async () => {
    try {
      const applied = await api('PUT', '/api/wan/policy', arrangement());
      showPending(applied.confirm_before);
    } catch (err) { text($('#status'), err.message); }
  });
  $('#confirm').addEventListener('click', async () => {
    try {
      await api('POST', '/api/wan/confirm');
      clearInterval(countdown);
      $('#pending').hidden = true;
      text($('#status'), 'confirmed');
      await load();
    } catch (err) { text($('#status'), err.message); }
  });
  if (token()) load().catch(showLogin); else showLogin();
});
`;
