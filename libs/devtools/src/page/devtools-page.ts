/**
 * The HTML shell shared by the developer pages. Data never goes into this
 * HTML: each page's script fetches JSON and renders it with `textContent`, and
 * the Content-Security-Policy allows scripts from this origin only, so a
 * payload containing markup can neither render nor run. No other site may
 * frame a page (`frame-ancestors`, and X-Frame-Options for older browsers),
 * so none can overlay it to trick a click on "Retry".
 */
export const DEVTOOLS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; " +
  "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** X-Frame-Options of the pages: never framed. */
export const DEVTOOLS_FRAME_OPTIONS = 'DENY';

export interface DevtoolsPage {
  readonly title: string;
  /** Which navigation tab is current. */
  readonly active: 'events' | 'subscriptions' | 'sagas';
  /** Static markup of the page's body (no data). */
  readonly body: string;
  /** Path of the page's script. */
  readonly script: string;
}

const STYLE = `
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --accent:#0969da;
  --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --run:#8250df; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--fg); background:#fff; }
header { display:flex; align-items:center; gap:24px; padding:12px 24px; border-bottom:1px solid var(--line); background:var(--bg); }
header h1 { font-size:16px; margin:0; }
header nav a { margin-right:16px; color:var(--muted); text-decoration:none; font-weight:500; }
header nav a.active { color:var(--fg); border-bottom:2px solid var(--accent); padding-bottom:2px; }
main { padding:16px 24px; }
form.filters { display:flex; flex-wrap:wrap; gap:8px; align-items:end; margin-bottom:12px; }
label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
input, select, button { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
button { cursor:pointer; background:var(--bg); }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button:disabled { opacity:.5; cursor:default; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; background:var(--bg); position:sticky; top:0; }
td.num { font-variant-numeric:tabular-nums; text-align:right; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12px; }
pre { margin:6px 0 0; padding:8px; background:var(--bg); border-radius:6px; white-space:pre-wrap; word-break:break-word; max-height:320px; overflow:auto; }
.link { color:var(--accent); background:none; border:none; padding:0; cursor:pointer; text-align:left; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; }
.badge.completed { background:var(--ok); } .badge.compensated { background:var(--warn); }
.badge.compensation_failed, .badge.timed_out, .badge.corrupt { background:var(--bad); }
.badge.running { background:var(--accent); } .badge.compensating { background:var(--run); }
.progress { width:120px; height:8px; background:var(--line); border-radius:4px; overflow:hidden; display:inline-block; vertical-align:middle; }
.progress > span { display:block; height:100%; background:var(--ok); }
.muted { color:var(--muted); } .error { color:var(--bad); }
.pager { display:flex; gap:8px; align-items:center; margin-top:12px; }
.empty { padding:24px; text-align:center; color:var(--muted); }
.badge.standby, .badge.stopped { background:var(--muted); } .badge.stalled { background:var(--warn); } .badge.failed { background:var(--bad); }
.scroll { overflow-x:auto; }
button.danger { background:var(--bad); color:#fff; border-color:var(--bad); }
button:focus-visible, a:focus-visible, select:focus-visible, input:focus-visible { outline:2px solid var(--accent); outline-offset:2px; }
dialog { border:1px solid var(--line); border-radius:8px; max-width:min(480px, 92vw); padding:16px; }
dialog::backdrop { background:rgba(0,0,0,.3); }
dialog .buttons { display:flex; gap:8px; justify-content:flex-end; margin-top:12px; }
.actions { display:flex; flex-wrap:wrap; gap:6px; }
tr.parked td { background:#fff8c5; }
#log { margin-top:12px; }
`;

/** The full HTML document of a developer page. */
export function renderDevtoolsPage(page: DevtoolsPage): string {
  const tab = (name: DevtoolsPage['active'], label: string): string =>
    `<a href="/${name}"${page.active === name ? ' class="active"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Cello</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Cello devtools</h1><nav>${tab('events', 'Events')}${tab('subscriptions', 'Subscriptions')}${tab('sagas', 'Sagas')}</nav></header>
<main>${page.body}</main>
<script src="${page.script}"></script>
</body>
</html>`;
}
