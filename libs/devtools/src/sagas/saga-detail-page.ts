import { renderDevtoolsPage } from '../page/devtools-page';

/** The saga detail view's HTML: one saga's steps and attempt timeline (`/sagas/detail?id=`). */
export const SAGA_DETAIL_PAGE_HTML = renderDevtoolsPage({
  title: 'Saga',
  active: 'sagas',
  script: '/sagas/detail.js',
  body: `
<p><a href="/sagas">← All sagas</a></p>
<h2 id="title" style="font-size:18px;margin:0 0 4px"></h2>
<div class="muted" id="meta"></div>
<p class="error" id="error"></p>
<div id="links" class="actions"></div>
<h3 style="font-size:15px">Steps</h3>
<div class="scroll"><table id="steps">
  <thead><tr><th>#</th><th>Step</th><th>Status</th><th>Attempts</th><th>Compensation attempts</th></tr></thead>
  <tbody></tbody>
</table></div>
<h3 style="font-size:15px">Timeline</h3>
<div class="scroll"><table id="timeline">
  <thead><tr><th>What</th><th>Attempt</th><th>Started</th><th>Ended</th><th>Duration</th><th>Outcome</th><th>Error</th><th>Idempotency key</th><th>Ran on</th></tr></thead>
  <tbody></tbody>
</table></div>
<div class="empty" id="empty" hidden>No attempts recorded.</div>`,
});

/** The detail view's script; renders with textContent only. */
export const SAGA_DETAIL_JS = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get('id') || '';
  function el(tag, text, className) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (className) e.className = className; return e; }
  function cell(row, text, className) { const td = el('td', text, className); row.appendChild(td); return td; }
  function time(iso) { const d = new Date(iso); return d.toLocaleTimeString() + '.' + String(d.getMilliseconds()).padStart(3, '0'); }

  async function load() {
    const response = await fetch('/sagas/api/sagas/' + encodeURIComponent(id));
    const s = await response.json().catch(() => ({}));
    if (!response.ok) { $('title').textContent = 'Saga ' + id; $('error').textContent = s.message || 'Could not load the saga'; return; }
    $('title').textContent = s.sagaName + ' ';
    $('title').appendChild(el('span', s.status, 'badge ' + s.status));
    $('meta').textContent = 'id ' + s.sagaId + ' · lease owner ' + (s.leaseOwner || '—') + ' · started ' + new Date(s.createdAt).toLocaleString() + ' · updated ' + new Date(s.updatedAt).toLocaleString();
    $('error').textContent = s.error || '';
    // Back to the events: a stream named by the context (e.g. the order id the saga fulfils).
    $('links').replaceChildren();
    const context = s.context && typeof s.context === 'object' ? s.context : {};
    for (const key of Object.keys(context)) {
      const value = context[key];
      if (typeof value !== 'string' || !(key === 'streamId' || /Id$/.test(key))) continue;
      const a = el('a', 'Events of ' + key + ' ' + value, 'stream-link');
      a.href = '/events?stream=' + encodeURIComponent(value);
      $('links').appendChild(a);
    }
    const steps = document.querySelector('#steps tbody'); steps.replaceChildren();
    s.steps.forEach((st, i) => {
      const tr = el('tr'); tr.dataset.step = st.name;
      cell(tr, String(i + 1), 'num'); cell(tr, st.name);
      cell(tr, '').appendChild(el('span', st.status, 'badge ' + st.status));
      cell(tr, String(st.attempts), 'num'); cell(tr, String(st.compensationAttempts), 'num');
      steps.appendChild(tr);
    });
    const timeline = document.querySelector('#timeline tbody'); timeline.replaceChildren();
    for (const a of s.attempts) {
      const tr = el('tr'); tr.dataset.kind = a.kind; tr.dataset.outcome = a.outcome;
      cell(tr, (a.kind === 'compensation' ? 'compensate ' : '') + a.step);
      cell(tr, String(a.attempt), 'num');
      cell(tr, time(a.startedAt)); cell(tr, time(a.endedAt));
      cell(tr, a.durationMs + ' ms', 'num');
      cell(tr, a.outcome);
      cell(tr, a.error || '', 'error');
      cell(tr, '').appendChild(el('code', a.idempotencyKey));
      cell(tr, a.owner);
      timeline.appendChild(tr);
    }
    $('empty').hidden = s.attempts.length > 0;
  }
  load();
})();
`;
