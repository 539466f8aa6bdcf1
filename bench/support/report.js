// Turns the raw runs into `latest.json` (issue 8's schema plus ranges) and the
// human table of `RESULTS.md`.
'use strict';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(runs) {
  const values = runs.filter((r) => r.measurement).map((r) => r.measurement.value);
  if (values.length === 0) {
    const failed = runs.find((r) => !r.measurement);
    return {
      median: null,
      min: null,
      max: null,
      runs: [],
      reason: failed ? failed.reason : 'not run',
    };
  }
  const extras = {};
  for (const run of runs) {
    for (const [key, value] of Object.entries(run.measurement?.extra ?? {})) {
      (extras[key] ??= []).push(value);
    }
  }
  const extra = Object.fromEntries(Object.entries(extras).map(([k, v]) => [k, median(v)]));
  const failures = runs.filter((r) => !r.measurement).map((r) => r.reason);
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values,
    extra,
    detail: runs.find((r) => r.measurement?.detail)?.measurement.detail,
    ...(failures.length ? { failures } : {}),
  };
}

function ratio(a, b) {
  return a == null || b == null || b === 0 ? null : a / b;
}

function checkTarget(target, entry) {
  const cello = entry.cello;
  switch (target.kind) {
    case 'vs-peer': {
      const r = ratio(cello, entry.peers[target.peer]);
      return {
        kind: target.kind,
        against: target.peer,
        min: target.min,
        text: `≥ ${Number(target.min.toFixed(2))}× ${target.peer}`,
        value: r,
        met: r == null ? null : r >= target.min,
      };
    }
    case 'vs-ceiling': {
      const r = entry.ratio_vs_ceiling;
      return {
        kind: target.kind,
        against: entry.ceiling_name,
        min: target.min,
        text: `≥ ${Number(target.min.toFixed(2))}× ${entry.ceiling_name}`,
        value: r,
        met: r == null ? null : r >= target.min,
      };
    }
    case 'vs-reference': {
      const r = ratio(cello, entry.references[target.subject]);
      return {
        kind: target.kind,
        against: target.subject,
        min: target.min,
        text: `≥ ${Number(target.min.toFixed(2))}× ${target.subject}`,
        value: r,
        met: r == null ? null : r >= target.min,
      };
    }
    case 'absolute':
      return {
        kind: target.kind,
        text: `≥ ${target.min} ${entry.unit}`,
        value: cello,
        met: cello == null ? null : cello >= target.min,
      };
    case 'extra-max': {
      const v = entry.cello_extra?.[target.extra];
      return {
        kind: target.kind,
        text: `${target.extra} < ${target.max}`,
        value: v ?? null,
        met: v == null ? null : v < target.max,
      };
    }
    case 'overhead-max': {
      // Time per unit relative to another subject of the workload (a time-per-unit extra's
      // medians when named, else the rates'), minus 1.
      const other = entry.subjects[target.subject];
      const r = target.perUnit
        ? ratio(entry.cello_extra?.[target.perUnit], other?.extra?.[target.perUnit])
        : ratio(other?.median, cello);
      const overhead = r == null ? null : r - 1;
      return {
        kind: target.kind,
        text: `overhead < ${Number((target.max * 100).toFixed(2))} % vs ${target.subject}${target.perUnit ? ` (${target.perUnit})` : ''}`,
        value: overhead,
        met: overhead == null ? null : overhead < target.max,
      };
    }
    default:
      return { text: JSON.stringify(target), value: null, met: null };
  }
}

/** One workload's entry of `latest.json`. */
function workloadEntry(workload, runsBySubject) {
  const summaries = Object.fromEntries(
    workload.subjects.map((s) => [s.name, summarize(runsBySubject[s.name] ?? [])]),
  );
  const byRole = (role) => workload.subjects.filter((s) => s.role === role);
  const celloSubject = byRole('cello')[0];
  const cello = celloSubject ? summaries[celloSubject.name] : undefined;
  const peers = Object.fromEntries(byRole('peer').map((s) => [s.name, summaries[s.name].median]));
  const ceilingSubject = byRole('ceiling')[0];
  const ceiling = ceilingSubject ? summaries[ceilingSubject.name].median : null;
  const peerValues = Object.values(peers).filter((v) => v != null);
  const bestPeer = peerValues.length ? Math.max(...peerValues) : null;
  const bestPeerName = Object.keys(peers)
    .filter((n) => peers[n] != null)
    .sort((a, b) => peers[b] - peers[a])[0];
  // The limit Cello is measured against: the ceiling, else the reference a target names.
  const limitName =
    ceilingSubject?.name ??
    workload.targets.find((t) => t.kind === 'vs-reference')?.subject ??
    null;
  const entry = {
    name: workload.name,
    unit: workload.unit,
    description: workload.description,
    cello_name: celloSubject?.name ?? null,
    cello: cello?.median ?? null,
    ...(cello?.median == null ? { cello_reason: cello?.reason ?? 'no cello subject' } : {}),
    cello_extra: cello?.extra ?? {},
    peers,
    ceiling,
    ceiling_name: ceilingSubject?.name ?? null,
    references: Object.fromEntries(
      byRole('reference').map((s) => [s.name, summaries[s.name].median]),
    ),
    ratio_vs_best_peer: ratio(cello?.median, bestPeer),
    ratio_vs_ceiling: ratio(cello?.median, ceiling),
    paired_ratio_range_vs_best_peer: bestPeerName
      ? pairedRange(cello, summaries[bestPeerName])
      : null,
    paired_ratio_range_vs_ceiling: ceilingSubject
      ? pairedRange(cello, summaries[ceilingSubject.name])
      : null,
    limit_name: limitName,
    ratio_vs_limit: limitName ? ratio(cello?.median, summaries[limitName]?.median) : null,
    paired_ratio_range_vs_limit: limitName ? pairedRange(cello, summaries[limitName]) : null,
    target: workload.targetText,
    subjects: summaries,
  };
  entry.targets = workload.targets.map((t) => checkTarget(t, entry));
  return entry;
}

function fmt(value) {
  if (value == null) return '—';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

function fmtRatio(value) {
  if (value == null) return '—';
  return `${value < 0.1 ? value.toFixed(3) : value.toFixed(2)}×`;
}

/** Ratios of runs made next to each other (run i of both), as [min, max]: steadier than medians under load. */
function pairedRange(a, b) {
  if (!a || !b) return null;
  const ratios = [];
  for (let i = 0; i < Math.min(a.runs.length, b.runs.length); i++) {
    if (b.runs[i]) ratios.push(a.runs[i] / b.runs[i]);
  }
  return ratios.length ? [Math.min(...ratios), Math.max(...ratios)] : null;
}

function fmtRatioWithRange(value, range) {
  if (value == null) return '—';
  return range
    ? `${fmtRatio(value)} (${fmtRatio(range[0])}–${fmtRatio(range[1])})`
    : fmtRatio(value);
}

function cell(summary) {
  if (!summary || summary.median == null) return '—';
  return `${fmt(summary.median)} (${fmt(summary.min)}–${fmt(summary.max)})`;
}

function verdict(targets) {
  return targets
    .map((t) => {
      const mark = t.met == null ? 'n/a' : t.met ? 'met' : 'NOT met';
      let shown = '';
      if (t.value != null) {
        shown =
          t.kind === 'absolute'
            ? fmt(t.value)
            : t.kind === 'extra-max'
              ? t.value.toFixed(3)
              : t.kind === 'overhead-max'
                ? `${(t.value * 100).toFixed(1)} %`
                : fmtRatio(t.value);
        shown = ` (${shown})`;
      }
      return `${t.text}: **${mark}**${shown}`;
    })
    .join('<br>');
}

/** `subject p50 / p99` lines of the subjects that recorded latencies, in milliseconds. */
function latencyCell(e) {
  const shown = Object.entries(e.subjects)
    .filter(([, s]) => s.extra?.p50Ms != null && s.extra?.p99Ms != null)
    .map(([name, s]) => `${name}: ${fmt(s.extra.p50Ms)} / ${fmt(s.extra.p99Ms)}`);
  return shown.length ? shown.join('<br>') : '—';
}

/** The markdown table: one row per workload. */
function markdownTable(entries) {
  const lines = [
    '| workload | unit | cello median (min–max) | best peer median (min–max) | ceiling or limit median (min–max) | vs best peer (paired runs min–max) | vs ceiling or limit (paired runs min–max) | latency p50 / p99 ms | targets |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of entries) {
    const peerNames = Object.keys(e.peers);
    const best = peerNames
      .filter((n) => e.peers[n] != null)
      .sort((a, b) => e.peers[b] - e.peers[a])[0];
    const peerCell = best ? `${best}: ${cell(e.subjects[best])}` : '—';
    // Entries of latest.json written before issue 22 have no limit_* fields.
    const limitName = e.limit_name === undefined ? e.ceiling_name : e.limit_name;
    const limitCell = limitName ? `${limitName}: ${cell(e.subjects[limitName])}` : '—';
    const vsLimit =
      e.limit_name === undefined
        ? fmtRatioWithRange(e.ratio_vs_ceiling, e.paired_ratio_range_vs_ceiling)
        : fmtRatioWithRange(e.ratio_vs_limit, e.paired_ratio_range_vs_limit);
    const celloCell =
      e.cello == null ? `null — ${e.cello_reason}` : cell(e.subjects[e.cello_name ?? 'cello']);
    lines.push(
      `| \`${e.name}\` | ${e.unit} | ${celloCell.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${peerCell} | ${limitCell} | ${fmtRatioWithRange(e.ratio_vs_best_peer, e.paired_ratio_range_vs_best_peer)} | ${vsLimit} | ${latencyCell(e)} | ${verdict(e.targets)} |`,
    );
  }
  return lines.join('\n');
}

/** Every subject's figures, including references and secondary measures. */
function detailTable(entries) {
  const lines = [
    '| workload | subject | role | median | min–max | runs | extra | detail |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const e of entries) {
    for (const [name, s] of Object.entries(e.subjects)) {
      const role =
        name === (e.cello_name ?? 'cello')
          ? 'cello'
          : name in e.peers
            ? 'peer'
            : name === e.ceiling_name
              ? 'ceiling'
              : 'reference';
      const extra = Object.entries(s.extra ?? {})
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(', ');
      const value = s.median == null ? `null — ${(s.reason ?? '').split('\n')[0]}` : fmt(s.median);
      lines.push(
        `| \`${e.name}\` | ${name} | ${role} | ${value.replace(/\|/g, '\\|')} | ${s.median == null ? '—' : `${fmt(s.min)}–${fmt(s.max)}`} | ${s.runs.length} | ${extra} | ${s.detail ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}

module.exports = { median, workloadEntry, markdownTable, detailTable, fmt, fmtRatio };
