import { renderDevtoolsPage } from '../page/devtools-page';

/** The Subscriptions view's HTML: static markup and the confirmation dialog. */
export const SUBSCRIPTIONS_PAGE_HTML = renderDevtoolsPage({
  title: 'Subscriptions',
  active: 'subscriptions',
  script: '/subscriptions/subscriptions.js',
  body: `
<form class="filters" id="filters">
  <label><span>Refresh</span><span><input type="checkbox" id="auto" checked> every 2 s</span></label>
  <span class="muted" id="summary"></span>
</form>
<div class="scroll">
<table id="subscriptions">
  <thead><tr><th>Subscriber</th><th>Status</th><th>Lease holder</th><th>Checkpoint / head</th><th>Lag (events)</th><th>Lag (s)</th><th>Parked</th><th>Last error</th><th>Actions</th></tr></thead>
  <tbody></tbody>
</table>
</div>
<div class="empty" id="empty" hidden>No subscribers.</div>
<p id="log" role="status" aria-live="polite"></p>
<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title" style="font-size:16px;margin:0 0 8px">Confirm</h2>
    <p id="confirm-text"></p>
    <div class="buttons">
      <button value="cancel" id="confirm-cancel">Cancel</button>
      <button value="ok" class="primary" id="confirm-ok">Confirm</button>
    </div>
  </form>
</dialog>`,
});

/** The Subscriptions view's script; renders with textContent only, and confirms each action. */
export const SUBSCRIPTIONS_VIEW_JS = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#subscriptions tbody');
  let timer = null;
  let busy = false;

  function el(tag, text, className) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (className) e.className = className; return e; }
  function cell(row, text, className) { const td = el('td', text, className); row.appendChild(td); return td; }

  // Resolves true when the operator confirms; the dialog opens with Confirm focused, so Enter confirms.
  function confirmAction(text) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.returnValue = '';
      dialog.showModal();
      $('confirm-ok').focus();
    });
  }

  async function act(question, url, describe) {
    if (!(await confirmAction(question))) { $('log').textContent = 'Cancelled.'; return; }
    busy = true;
    $('log').textContent = 'Working…';
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      const body = await response.json().catch(() => ({}));
      $('log').textContent = response.ok ? describe(body) : 'Failed: ' + (body.message || response.status);
    } finally {
      busy = false;
      await load(true);
    }
  }

  function button(text, className, onClick) { const b = el('button', text, className); b.type = 'button'; b.addEventListener('click', onClick); return b; }

  function render(page) {
    tbody.replaceChildren();
    for (const s of page.subscriptions) {
      const tr = el('tr'); tr.dataset.subscriber = s.name; tr.dataset.status = s.status;
      cell(tr, s.name);
      const status = cell(tr, ''); status.appendChild(el('span', s.status, 'badge ' + s.status));
      if (s.mode === 'inline') status.appendChild(el('div', s.rebuilding ? 'inline, rebuilding' : 'inline', 'muted mode'));
      if (s.retrying) status.appendChild(el('div', 'retrying since ' + new Date(s.retrying.since).toLocaleTimeString() + ', ' + s.retrying.attempts + ' attempts', 'muted'));
      cell(tr, s.leaseHolder ? s.leaseHolder + (s.leaseHolder === page.instanceId ? ' (this instance)' : '') : (s.status === 'standby' ? 'another instance' : '—'), 'lease');
      cell(tr, s.checkpoint + ' / ' + s.headPosition, 'num');
      cell(tr, String(s.lagEvents), 'num lag-events');
      cell(tr, s.lagSeconds.toFixed(1), 'num lag-seconds');
      cell(tr, String(s.parked.length), 'num parked-count');
      cell(tr, s.lastError || '', 'error');
      const actions = el('div', undefined, 'actions');
      if (s.parked.length) {
        actions.appendChild(button('Replay parked (' + s.parked.length + ')', 'primary replay', () =>
          act('Deliver the ' + s.parked.length + ' parked event(s) of "' + s.name + '" again? Those that succeed leave the parked list.',
            '/subscriptions/api/subscriptions/' + encodeURIComponent(s.name) + '/replay-parked',
            (body) => 'Replayed ' + body.results.filter((r) => r.replayed).length + ' of ' + body.results.length + ' parked event(s) of ' + s.name +
              body.results.filter((r) => !r.replayed).map((r) => '; #' + r.id + ' still failing: ' + r.error).join(''))));
      }
      actions.appendChild(button('Rebuild', 'danger rebuild', () =>
        act('Rebuild "' + s.name + '"? Its checkpoint goes back to 0 and it replays the whole log.',
          '/subscriptions/api/subscriptions/' + encodeURIComponent(s.name) + '/rebuild',
          (body) => body.caughtUp ? 'Rebuilt ' + s.name + ' up to the head.' : 'Rebuilding ' + s.name + ' (still catching up).')));
      cell(tr, '').appendChild(actions);
      tbody.appendChild(tr);
      for (const p of s.parked) {
        const row = el('tr', undefined, 'parked'); row.dataset.parkedId = String(p.id);
        const what = cell(row, '');
        what.colSpan = 7;
        what.appendChild(el('div', 'Parked #' + p.id + ' · position ' + p.position + ' · ' + p.type + ' on ' + p.streamId + ' · ' + p.attempts + ' attempts · ' + new Date(p.parkedAt).toLocaleString()));
        what.appendChild(el('div', p.error, 'error'));
        cell(row, '');
        const skip = button('Skip', 'skip', () =>
          act('Skip parked event #' + p.id + ' (position ' + p.position + ') of "' + s.name + '"? It is dropped and never delivered.',
            '/subscriptions/api/parked/' + p.id + '/skip',
            () => 'Skipped parked event #' + p.id + ' of ' + s.name + '.'));
        cell(row, '').appendChild(skip);
        tbody.appendChild(row);
      }
    }
    $('empty').hidden = page.subscriptions.length > 0;
  }

  async function load(force) {
    const response = await fetch('/subscriptions/api/subscriptions');
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { tbody.replaceChildren(); $('empty').hidden = false; $('empty').textContent = body.message || 'Could not load subscriptions'; return; }
    // Re-rendering under a focused button or an open dialog would lose the operator's place.
    if (!force && document.activeElement && tbody.contains(document.activeElement)) { $('summary').textContent = body.subscriptions.length + ' subscribers · instance ' + body.instanceId; return; }
    render(body);
    $('summary').textContent = body.subscriptions.length + ' subscribers · instance ' + body.instanceId + ' · updated ' + new Date().toLocaleTimeString();
  }

  function schedule() { clearInterval(timer); if ($('auto').checked) timer = setInterval(() => { if (!busy && !$('confirm').open) load(false); }, 2000); }
  $('auto').addEventListener('change', schedule);
  load(true); schedule();
})();
`;
