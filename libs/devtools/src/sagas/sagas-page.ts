import { renderDevtoolsPage } from '../page/devtools-page';

/** The saga dashboard's HTML. */
export const SAGAS_PAGE_HTML = renderDevtoolsPage({
  title: 'Sagas',
  active: 'sagas',
  script: '/sagas/dashboard.js',
  body: `
<form class="filters" id="filters">
  <label>Status <select id="status">
    <option value="">all</option><option>running</option><option>compensating</option><option>completed</option>
    <option>compensated</option><option>compensation_failed</option><option>timed_out</option><option>corrupt</option>
  </select></label>
  <label>Show <select id="limit"><option>20</option><option selected>50</option><option>200</option></select></label>
  <label><span>Refresh</span><span><input type="checkbox" id="auto" checked> every 2 s</span></label>
  <span class="muted" id="summary"></span>
</form>
<table id="sagas">
  <thead><tr><th>Saga</th><th>Status</th><th>Current step</th><th>Progress</th><th>Retries</th><th>Compensation</th><th>Error</th><th>Updated</th><th></th></tr></thead>
  <tbody></tbody>
</table>
<div class="empty" id="empty" hidden>No sagas.</div>`,
});

/** The dashboard's script; renders with textContent only. */
export const SAGAS_DASHBOARD_JS = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#sagas tbody');
  const params = new URLSearchParams(location.search);
  $('status').value = params.get('status') || '';
  let timer = null;

  function cell(row, text, className) { const td = document.createElement('td'); td.textContent = text; if (className) td.className = className; row.appendChild(td); return td; }

  function currentStep(s) {
    const active = s.steps.find((st) => st.status === 'running' || st.status === 'compensating');
    if (active) return active.name + (active.status === 'compensating' ? ' (compensating)' : '');
    if (s.failedStep) return s.failedStep + ' (failed)';
    return s.status === 'completed' ? '—' : (s.steps.find((st) => st.status === 'pending') || {}).name || '—';
  }

  function compensation(s) {
    const done = s.steps.filter((st) => st.status === 'compensated').map((st) => st.name);
    const failed = s.steps.filter((st) => st.status === 'compensation_failed').map((st) => st.name);
    const parts = [];
    if (done.length) parts.push('compensated: ' + done.join(', '));
    if (failed.length) parts.push('failed: ' + failed.join(', '));
    return parts.join('; ') || '—';
  }

  function render(sagas) {
    tbody.replaceChildren();
    for (const s of sagas) {
      const tr = document.createElement('tr');
      tr.dataset.sagaId = s.sagaId; tr.dataset.status = s.status;
      const name = cell(tr, '');
      const open = document.createElement('a'); open.className = 'saga-link'; open.textContent = s.sagaName; open.href = '/sagas/detail?id=' + encodeURIComponent(s.sagaId); name.appendChild(open);
      const id = document.createElement('div'); id.className = 'muted'; id.textContent = s.sagaId; name.appendChild(id);
      const statusCell = cell(tr, '');
      const badge = document.createElement('span'); badge.className = 'badge ' + s.status; badge.textContent = s.status;
      statusCell.appendChild(badge);
      cell(tr, currentStep(s));
      const total = s.steps.length;
      const completed = s.steps.filter((st) => st.status === 'completed' || st.status === 'compensated' || st.status === 'compensation_failed' || st.status === 'compensating').length;
      const prog = cell(tr, '');
      const bar = document.createElement('span'); bar.className = 'progress';
      const fill = document.createElement('span'); fill.style.width = (total ? Math.round(100 * completed / total) : 0) + '%';
      bar.appendChild(fill);
      const label = document.createElement('span'); label.className = 'muted'; label.textContent = ' ' + completed + '/' + total;
      prog.append(bar, label);
      const retries = s.steps.reduce((n, st) => n + Math.max(0, st.attempts - 1) + Math.max(0, st.compensationAttempts - 1), 0);
      cell(tr, String(retries), 'num');
      cell(tr, compensation(s));
      cell(tr, s.error || '', 'error');
      cell(tr, new Date(s.updatedAt).toLocaleTimeString());
      const actions = cell(tr, '');
      if (s.status === 'compensation_failed') {
        const retry = document.createElement('button');
        retry.type = 'button'; retry.className = 'primary retry'; retry.textContent = 'Retry compensation';
        retry.addEventListener('click', async () => {
          retry.disabled = true; retry.textContent = 'Retrying…';
          const response = await fetch('/sagas/api/sagas/' + encodeURIComponent(s.sagaId) + '/retry', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
          const body = await response.json().catch(() => ({}));
          retry.textContent = response.ok ? 'Retried: ' + body.status : 'Failed: ' + (body.message || response.status);
          load();
        });
        actions.appendChild(retry);
      }
      tbody.appendChild(tr);
    }
    $('empty').hidden = sagas.length > 0;
  }

  async function load() {
    const q = new URLSearchParams({ limit: $('limit').value });
    if ($('status').value) q.set('status', $('status').value);
    history.replaceState(null, '', '/sagas' + ($('status').value ? '?status=' + encodeURIComponent($('status').value) : ''));
    const response = await fetch('/sagas/api/sagas?' + q.toString());
    const body = await response.json();
    if (!response.ok) { tbody.replaceChildren(); $('empty').hidden = false; $('empty').textContent = body.message || 'Could not load sagas'; return; }
    render(body.sagas);
    $('summary').textContent = body.sagas.length + ' shown · updated ' + new Date().toLocaleTimeString();
  }

  function schedule() { clearInterval(timer); if ($('auto').checked) timer = setInterval(load, 2000); }
  $('status').addEventListener('change', load);
  $('limit').addEventListener('change', load);
  $('auto').addEventListener('change', schedule);
  load(); schedule();
})();
`;
