import { renderDevtoolsPage } from '../page/devtools-page';

/** The event browser's HTML: filters, the table, the pager. */
export const EVENTS_PAGE_HTML = renderDevtoolsPage({
  title: 'Events',
  active: 'events',
  script: '/events/browser.js',
  body: `
<form class="filters" id="filters">
  <label>Stream <input name="stream" id="stream" placeholder="any stream" size="28"></label>
  <label>Event type <input name="type" id="type" placeholder="any type" size="22"></label>
  <label>Correlation <input name="correlationId" id="correlation" placeholder="any correlation id" size="24"></label>
  <label>Per page <select name="limit" id="limit"><option>20</option><option selected>50</option><option>100</option></select></label>
  <button class="primary" type="submit">Apply</button>
  <button type="button" id="clear">Clear</button>
  <span class="muted" id="summary"></span>
  <span class="muted" id="searched"></span>
</form>
<table id="events">
  <thead><tr><th>Position</th><th>Stream</th><th>Version</th><th>Type</th><th>Correlation / causation</th><th>Recorded</th><th>Payload</th></tr></thead>
  <tbody></tbody>
</table>
<div class="empty" id="empty" hidden>No events.</div>
<div class="pager"><button type="button" id="newer">← Newer</button><button type="button" id="older">Older →</button><span class="muted" id="page-info"></span></div>`,
});

/**
 * The browser's script. It renders with textContent only: event payloads are
 * user data and may contain markup.
 */
export const EVENTS_BROWSER_JS = `'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#events tbody');
  const params = new URLSearchParams(location.search);
  const state = { stream: params.get('stream') || '', type: params.get('type') || '', correlation: params.get('correlationId') || '', limit: Number(params.get('limit') || 50), before: params.get('before'), fromVersion: params.get('fromVersion'), history: [] };
  $('stream').value = state.stream; $('type').value = state.type; $('correlation').value = state.correlation; $('limit').value = String(state.limit);

  function cell(row, text, className) { const td = document.createElement('td'); td.textContent = text; if (className) td.className = className; row.appendChild(td); return td; }

  function render(page) {
    tbody.replaceChildren();
    for (const e of page.events) {
      const tr = document.createElement('tr');
      tr.dataset.position = String(e.position);
      cell(tr, String(e.position), 'num');
      const streamCell = cell(tr, '');
      const link = document.createElement('button');
      link.type = 'button'; link.className = 'link stream-link'; link.textContent = e.streamId;
      link.addEventListener('click', () => { state.stream = e.streamId; state.type = ''; state.before = null; state.fromVersion = null; state.history = []; $('stream').value = e.streamId; $('type').value = ''; load(); });
      streamCell.appendChild(link);
      cell(tr, String(e.version), 'num');
      const typeCell = cell(tr, e.type + (e.schemaVersion > 1 ? ' (v' + e.schemaVersion + ')' : ''), 'event-type');
      // An event naming a saga (its payload's sagaId, or a correlation id in its metadata) links to that saga.
      const sagaId = (e.data && typeof e.data.sagaId === 'string' && e.data.sagaId) || (e.metadata && typeof e.metadata.sagaId === 'string' && e.metadata.sagaId) || '';
      if (sagaId) { const a = document.createElement('a'); a.className = 'saga-link'; a.textContent = ' saga →'; a.href = '/sagas/detail?id=' + encodeURIComponent(sagaId); typeCell.appendChild(a); }
      const meta = e.metadata || {};
      const correlationCell = cell(tr, '', 'correlation');
      if (typeof meta.correlationId === 'string') {
        // One click to everything that followed from the same request.
        const corr = document.createElement('button');
        corr.type = 'button'; corr.className = 'link correlation-link'; corr.textContent = meta.correlationId; corr.title = 'Show all events of this correlation';
        corr.addEventListener('click', () => { state.correlation = meta.correlationId; state.stream = ''; state.type = ''; state.before = null; state.fromVersion = null; state.history = []; $('correlation').value = meta.correlationId; $('stream').value = ''; $('type').value = ''; load(); });
        correlationCell.appendChild(corr);
      }
      if (typeof meta.causationId === 'string') {
        const cause = document.createElement('div');
        cause.className = 'muted causation'; cause.textContent = 'caused by ' + meta.causationId;
        correlationCell.appendChild(cause);
      }
      cell(tr, new Date(e.recordedAt).toLocaleString());
      const payload = cell(tr, '');
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'id ' + e.eventId.slice(0, 8);
      const pre = document.createElement('pre');
      pre.className = 'payload';
      pre.textContent = JSON.stringify({ data: e.data, metadata: e.metadata }, null, 2);
      details.append(summary, pre);
      payload.appendChild(details);
      tbody.appendChild(tr);
    }
    $('empty').hidden = page.events.length > 0;
    const inStream = state.stream !== '';
    $('older').disabled = inStream ? page.nextVersion === null : page.older === null;
    $('newer').disabled = state.history.length === 0;
    $('summary').textContent = 'log head: position ' + page.head;
    // A type or correlation filter searches a bounded range per page: say so when it stopped short.
    const short = (state.type || state.correlation) && !inStream && page.searched && page.events.length < state.limit;
    $('searched').textContent = short ? 'searched positions ' + page.searched.from + '–' + page.searched.to + (page.older ? '; Older → searches further back' : '') : '';
    $('page-info').textContent = page.events.length ? 'positions ' + page.events[page.events.length - 1].position + '–' + page.events[0].position : '';
    state.page = page;
  }

  async function load() {
    const q = new URLSearchParams({ limit: String(state.limit) });
    if (state.stream) q.set('stream', state.stream);
    if (state.type) q.set('type', state.type);
    if (state.correlation) q.set('correlationId', state.correlation);
    if (state.before) q.set('before', String(state.before));
    if (state.fromVersion) q.set('fromVersion', String(state.fromVersion));
    history.replaceState(null, '', '/events?' + q.toString());
    const response = await fetch('/events/api/events?' + q.toString());
    const body = await response.json();
    if (!response.ok) { tbody.replaceChildren(); $('empty').hidden = false; $('empty').textContent = body.message || 'Could not load events'; return; }
    render(body);
  }

  $('filters').addEventListener('submit', (ev) => { ev.preventDefault(); state.stream = $('stream').value.trim(); state.type = $('type').value.trim(); state.correlation = $('correlation').value.trim(); state.limit = Number($('limit').value); state.before = null; state.fromVersion = null; state.history = []; load(); });
  $('clear').addEventListener('click', () => { $('stream').value = ''; $('type').value = ''; $('correlation').value = ''; state.stream = ''; state.type = ''; state.correlation = ''; state.before = null; state.fromVersion = null; state.history = []; load(); });
  $('older').addEventListener('click', () => { state.history.push({ before: state.before, fromVersion: state.fromVersion }); if (state.stream) state.fromVersion = state.page.nextVersion; else state.before = state.page.older; load(); });
  $('newer').addEventListener('click', () => { const prev = state.history.pop() || {}; state.before = prev.before || null; state.fromVersion = prev.fromVersion || null; load(); });
  load();
})();
`;
