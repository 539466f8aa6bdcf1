/**
 * The picture of `RESULTS.md` (issue 22): per workload, Cello's ratio against
 * the best peer and against the ceiling or limit, as bars from 1× on a log
 * scale (right of 1×: ahead, left: behind), with each target marked. Plain SVG
 * text, written by `bench/run.js` from the entries of `latest.json`.
 */

/** The fields of a `latest.json` workload entry the chart reads. */
export interface StandingEntry {
  readonly name: string;
  readonly peers: Readonly<Record<string, number | null>>;
  readonly ratio_vs_best_peer: number | null;
  readonly ceiling_name: string | null;
  readonly ratio_vs_ceiling: number | null;
  /** Absent in entries written before issue 22: the ceiling is the limit then. */
  readonly limit_name?: string | null;
  readonly ratio_vs_limit?: number | null;
  readonly targets: readonly {
    readonly kind: string;
    readonly against?: string | null;
    readonly min?: number;
  }[];
}

/** One bar: a workload's ratio against one subject, with the target on it if there is one. */
export interface StandingRow {
  readonly workload: string;
  readonly against: string;
  readonly kind: 'best peer' | 'limit';
  readonly ratio: number | null;
  readonly target: number | null;
}

/** The rows of the chart, in the entries' order: best peer first, then the limit. */
export function standingRows(entries: readonly StandingEntry[]): StandingRow[] {
  const rows: StandingRow[] = [];
  for (const entry of entries) {
    const bestPeer = Object.entries(entry.peers)
      .filter((peer): peer is [string, number] => peer[1] != null)
      .sort((a, b) => b[1] - a[1])[0]?.[0];
    const targetAgainst = (name: string, kinds: string[]): number | null =>
      entry.targets.find((t) => t.against === name && kinds.includes(t.kind) && t.min != null)
        ?.min ?? null;
    if (bestPeer) {
      rows.push({
        workload: entry.name,
        against: bestPeer,
        kind: 'best peer',
        ratio: entry.ratio_vs_best_peer,
        target: targetAgainst(bestPeer, ['vs-peer']),
      });
    }
    const limit = entry.limit_name === undefined ? entry.ceiling_name : entry.limit_name;
    if (limit) {
      rows.push({
        workload: entry.name,
        against: limit,
        kind: 'limit',
        ratio:
          entry.limit_name === undefined ? entry.ratio_vs_ceiling : (entry.ratio_vs_limit ?? null),
        target: targetAgainst(limit, ['vs-ceiling', 'vs-reference']),
      });
    }
  }
  return rows;
}

const WIDTH = 960;
const LABEL_WIDTH = 330;
const PLOT_LEFT = LABEL_WIDTH + 10;
const PLOT_RIGHT = WIDTH - 90;
const ROW_HEIGHT = 20;
const TOP = 64;
const COLOURS = { met: '#2e7d32', missed: '#c62828', none: '#607d8b' } as const;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function ratioText(value: number): string {
  if (value >= 100) return `${Math.round(value)}×`;
  if (value >= 10) return `${value.toFixed(1)}×`;
  return `${value < 0.1 ? value.toFixed(3) : value.toFixed(2)}×`;
}

/** Whole decades covering every ratio and target, at least 0.1× to 10×. */
function domain(rows: readonly StandingRow[]): [number, number] {
  const values = rows
    .flatMap((r) => [r.ratio, r.target])
    .filter((v): v is number => v != null && v > 0);
  const low = Math.min(0.1, ...values);
  const high = Math.max(10, ...values);
  return [Math.floor(Math.log10(low)), Math.ceil(Math.log10(high))];
}

/** The chart as an SVG document. */
export function standingChart(
  entries: readonly StandingEntry[],
  { title = 'Cello: ratio against the best peer and against the limit' } = {},
): string {
  const rows = standingRows(entries);
  const [lowDecade, highDecade] = domain(rows);
  const x = (ratio: number): number =>
    PLOT_LEFT +
    ((Math.log10(ratio) - lowDecade) / (highDecade - lowDecade)) * (PLOT_RIGHT - PLOT_LEFT);
  const round = (v: number): string => v.toFixed(1);
  const height = TOP + rows.length * ROW_HEIGHT + 40;
  const bottom = TOP + rows.length * ROW_HEIGHT;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="38" fill="#444444">Log scale; bars start at 1× (right: ahead, left: behind). Black tick: the target. Green: target met, red: missed, grey: no target.</text>`,
  ];
  // Decade grid, with 1× drawn stronger.
  for (let decade = lowDecade; decade <= highDecade; decade++) {
    const value = 10 ** decade;
    const gx = round(x(value));
    const strong = decade === 0;
    out.push(
      `<line class="grid" x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${bottom}" stroke="${strong ? '#000000' : '#cccccc'}" stroke-width="${strong ? 1.5 : 1}"/>`,
      `<text x="${gx}" y="${TOP - 10}" text-anchor="middle" fill="#444444">${escapeXml(ratioText(value))}</text>`,
    );
  }
  let previous = '';
  rows.forEach((row, i) => {
    const top = TOP + i * ROW_HEIGHT;
    const middle = top + ROW_HEIGHT / 2;
    if (row.workload !== previous && i > 0) {
      out.push(
        `<line x1="10" y1="${top}" x2="${WIDTH - 10}" y2="${top}" stroke="#e0e0e0" stroke-width="1"/>`,
      );
    }
    // The workload's name on its first row only, in bold.
    const name =
      row.workload !== previous
        ? `<tspan font-weight="bold">${escapeXml(row.workload)}</tspan> `
        : '';
    previous = row.workload;
    out.push(
      `<text x="${LABEL_WIDTH}" y="${round(middle + 4)}" text-anchor="end">${name}vs ${escapeXml(row.against)}</text>`,
    );
    if (row.ratio == null || !(row.ratio > 0)) {
      out.push(
        `<text x="${round(x(1) + 6)}" y="${round(middle + 4)}" fill="#888888">no figure</text>`,
      );
    } else {
      const colour =
        row.target == null ? COLOURS.none : row.ratio >= row.target ? COLOURS.met : COLOURS.missed;
      const from = x(Math.min(1, row.ratio));
      const to = x(Math.max(1, row.ratio));
      out.push(
        `<rect class="bar" data-workload="${escapeXml(row.workload)}" data-against="${escapeXml(row.against)}" x="${round(from)}" y="${round(top + 4)}" width="${round(Math.max(1, to - from))}" height="${ROW_HEIGHT - 8}" fill="${colour}"/>`,
        `<text x="${round(Math.max(to, x(1)) + 6)}" y="${round(middle + 4)}">${escapeXml(ratioText(row.ratio))}</text>`,
      );
    }
    if (row.target != null) {
      const tx = round(x(row.target));
      out.push(
        `<line class="target" data-workload="${escapeXml(row.workload)}" data-against="${escapeXml(row.against)}" x1="${tx}" y1="${top + 1}" x2="${tx}" y2="${top + ROW_HEIGHT - 1}" stroke="#000000" stroke-width="3"><title>${escapeXml(`target ≥ ${ratioText(row.target)} ${row.against}`)}</title></line>`,
      );
    }
  });
  out.push('</svg>', '');
  return out.join('\n');
}
