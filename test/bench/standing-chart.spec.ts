import {
  standingChart,
  standingRows,
  type StandingEntry,
} from '../../bench/support/standing-chart';

/**
 * A strict well-formedness check (no XML parser is installed): every byte is
 * in a tag, a comment or text; tags nest; attribute values are quoted; `&`
 * only starts a predefined or numeric entity; one root element.
 */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const token =
    /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)/y;
  const badEntity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    const match = token.exec(body);
    if (!match) throw new Error(`not XML at ${at}: ${body.slice(at, at + 40)}`);
    const [whole, closing, name, attributes, selfClosing, text] = match;
    if (text !== undefined) {
      if (badEntity.test(text)) throw new Error(`bare & in text: ${text}`);
      if (stack.length === 0 && text.trim()) throw new Error(`text outside the root: ${text}`);
    } else if (name) {
      if (badEntity.test(attributes)) throw new Error(`bare & in attributes of <${name}>`);
      if (closing) {
        const open = stack.pop();
        if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      } else {
        if (stack.length === 0) roots++;
        if (!selfClosing) stack.push(name);
      }
    }
    at += whole.length;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

const entries: StandingEntry[] = [
  {
    name: 'append-sequential',
    peers: { 'emmett-postgresql': 1800 },
    ratio_vs_best_peer: 2.5,
    ceiling_name: 'pg-single-row',
    ratio_vs_ceiling: 0.55,
    limit_name: 'pg-single-row',
    ratio_vs_limit: 0.55,
    targets: [
      { kind: 'vs-ceiling', against: 'pg-single-row', min: 0.8 },
      { kind: 'vs-peer', against: 'emmett-postgresql', min: 2 },
    ],
  },
  {
    name: 'memory-replay-1m',
    peers: { 'emmett-memory': 3_500_000, 'other<&>peer': 10 },
    ratio_vs_best_peer: 0.26,
    ceiling_name: null,
    ratio_vs_ceiling: null,
    limit_name: 'json-parse-floor',
    ratio_vs_limit: 0.7,
    targets: [
      { kind: 'vs-reference', against: 'json-parse-floor', min: 0.9 },
      { kind: 'extra-max' },
    ],
  },
  {
    name: 'scale-out',
    peers: {},
    ratio_vs_best_peer: null,
    ceiling_name: null,
    ratio_vs_ceiling: null,
    limit_name: 'cello-1-process',
    ratio_vs_limit: null,
    targets: [{ kind: 'vs-reference', against: 'cello-1-process', min: 1 }],
  },
  {
    // An entry of a latest.json written before issue 22: the ceiling is the limit.
    name: 'load-10k',
    peers: { 'emmett-postgresql': 133_000 },
    ratio_vs_best_peer: 226,
    ceiling_name: 'pg-select-parse',
    ratio_vs_ceiling: 1.17,
    targets: [{ kind: 'vs-peer', against: 'emmett-postgresql', min: 20 }],
  },
];

const attribute = (element: string, name: string): string =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(element)![1];

describe('standing chart', () => {
  const svg = standingChart(entries);
  const bars: string[] = Array.from(svg.matchAll(/<rect class="bar"[^>]*>/g), (m) => m[0]);
  const targets: string[] = Array.from(svg.matchAll(/<line class="target"[^>]*>/g), (m) => m[0]);

  it('is a well-formed SVG document', () => {
    expect(() => assertWellFormedXml(svg)).not.toThrow();
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // Names are escaped, not written raw.
    expect(svg).not.toContain('other<&>peer');
  });

  it('the checker it relies on refuses what is not XML', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow(/closes/);
    expect(() => assertWellFormedXml('<svg>a & b</svg>')).toThrow(/bare &/);
    expect(() => assertWellFormedXml('<svg><rect x=1/></svg>')).toThrow(/not XML/);
    expect(() => assertWellFormedXml('<svg/><svg/>')).toThrow(/2 root/);
  });

  it('has one row per ratio: best peer, then the ceiling or limit', () => {
    expect(standingRows(entries)).toEqual([
      {
        workload: 'append-sequential',
        against: 'emmett-postgresql',
        kind: 'best peer',
        ratio: 2.5,
        target: 2,
      },
      {
        workload: 'append-sequential',
        against: 'pg-single-row',
        kind: 'limit',
        ratio: 0.55,
        target: 0.8,
      },
      {
        workload: 'memory-replay-1m',
        against: 'emmett-memory',
        kind: 'best peer',
        ratio: 0.26,
        target: null,
      },
      {
        workload: 'memory-replay-1m',
        against: 'json-parse-floor',
        kind: 'limit',
        ratio: 0.7,
        target: 0.9,
      },
      {
        workload: 'scale-out',
        against: 'cello-1-process',
        kind: 'limit',
        ratio: null,
        target: 1,
      },
      {
        workload: 'load-10k',
        against: 'emmett-postgresql',
        kind: 'best peer',
        ratio: 226,
        target: 20,
      },
      {
        workload: 'load-10k',
        against: 'pg-select-parse',
        kind: 'limit',
        ratio: 1.17,
        target: null,
      },
    ]);
  });

  it('draws one bar per ratio with a figure, and says "no figure" for the others', () => {
    expect(
      bars.map((b) => `${attribute(b, 'data-workload')}/${attribute(b, 'data-against')}`),
    ).toEqual([
      'append-sequential/emmett-postgresql',
      'append-sequential/pg-single-row',
      'memory-replay-1m/emmett-memory',
      'memory-replay-1m/json-parse-floor',
      'load-10k/emmett-postgresql',
      'load-10k/pg-select-parse',
    ]);
    expect(svg.match(/>no figure</g)).toHaveLength(1);
  });

  it('marks every target with a line, and colours bars by whether it is met', () => {
    expect(
      targets.map((t) => `${attribute(t, 'data-workload')}/${attribute(t, 'data-against')}`),
    ).toEqual([
      'append-sequential/emmett-postgresql',
      'append-sequential/pg-single-row',
      'memory-replay-1m/json-parse-floor',
      'scale-out/cello-1-process',
      'load-10k/emmett-postgresql',
    ]);
    expect(bars.map((b) => attribute(b, 'fill'))).toEqual([
      '#2e7d32', // 2.5× ≥ 2×: met
      '#c62828', // 0.55× < 0.8×: missed
      '#607d8b', // no target
      '#c62828',
      '#2e7d32',
      '#607d8b',
    ]);
  });

  it('puts bars and targets on one log scale that starts at 1×', () => {
    const oneX = /<line class="grid" x1="([\d.]+)"[^>]*stroke="#000000"/.exec(svg)![1];
    // The 1× target of scale-out sits on the 1× grid line.
    expect(attribute(targets[3], 'x1')).toBe(oneX);
    // A ratio above 1× starts at 1×; one below ends there.
    expect(attribute(bars[0], 'x')).toBe(oneX);
    const behind = bars[1];
    expect(Number(attribute(behind, 'x')) + Number(attribute(behind, 'width'))).toBeCloseTo(
      Number(oneX),
      0,
    );
    // Distance from 1× is proportional to the ratio's logarithm (226× widens the scale to 1000×).
    const x = (bar: string): number =>
      Number(attribute(bar, 'x')) + Number(attribute(bar, 'width'));
    const decade = x(bars[0]) - Number(oneX); // 2.5× → log10(2.5) decades
    expect(x(bars[4]) - Number(oneX)).toBeCloseTo((decade / Math.log10(2.5)) * Math.log10(226), 0);
  });
});
