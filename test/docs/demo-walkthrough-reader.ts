// Reads README.md's "Demo walkthrough" as a list of HTTP requests with the responses the
// README documents, so the e2e test runs the README's own commands and checks its own claims.
//
// The README's convention: a comment line right before a `curl` that ends with `: <status> <json>`,
// `: <status>`, `: <json>` (or is `# <status> <json>`) documents that request's response. In the
// JSON, "…" stands for any string, "…text" / "text…" for a string containing text, a trailing "…"
// array element for "and more", and `...` before the closing brace for "and other fields".

/** One `curl` of the walkthrough. */
export interface WalkthroughStep {
  readonly method: string;
  /** The path and query, with shell variables (`$ORDER`) left in. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** `ORDER` in `ORDER=$(curl ... | node -pe '...order_id')`: the variable set from the answer. */
  readonly assigns?: string;
  /** The comment lines written since the previous request. */
  readonly comments: readonly string[];
  readonly documented?: { readonly status?: number; readonly json?: unknown };
}

const DOCUMENTED = /(?:^#|:)\s*(\d{3})?\s*(\{.*\})?\s*$/;

/** The steps of the "Demo walkthrough" section of `readme`, in order. */
export function readDemoWalkthrough(readme: string): WalkthroughStep[] {
  const start = readme.indexOf('\n## Demo walkthrough');
  if (start < 0) throw new Error('README.md has no "## Demo walkthrough" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const steps: WalkthroughStep[] = [];
  for (const block of section.matchAll(/^```bash\n([\s\S]*?)^```/gm)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    let comments: string[] = [];
    let previous = '';
    for (const line of lines) {
      const text = line.trim();
      if (text.startsWith('#')) {
        comments.push(text);
      } else if (text.includes('curl ')) {
        steps.push(parseCurl(text, comments, previous.startsWith('#') ? previous : undefined));
        comments = [];
      }
      previous = text;
    }
  }
  return steps;
}

function parseCurl(
  line: string,
  comments: string[],
  lastComment: string | undefined,
): WalkthroughStep {
  const assigns = /^(\w+)=\$\(curl /.exec(line)?.[1];
  const tokens = shellWords(line.slice(line.indexOf('curl ')));
  let method = 'GET';
  let path = '';
  const headers: Record<string, string> = {};
  let body: unknown;
  for (let i = 1; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token === '|' || token === ')') break;
    if (token === '-s') continue;
    if (token === '-X') method = tokens[++i]!;
    else if (token === '-H') {
      const [name, ...value] = tokens[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else if (token === '-d') body = JSON.parse(tokens[++i]!);
    else path = token.replace(/^localhost:\d+/, '');
  }
  const documented = lastComment === undefined ? undefined : documentedResponse(lastComment);
  return { method, path, headers, body, assigns, comments, documented };
}

function documentedResponse(comment: string): WalkthroughStep['documented'] {
  const match = DOCUMENTED.exec(comment);
  if (!match || (!match[1] && !match[2])) return undefined;
  return {
    status: match[1] ? Number(match[1]) : undefined,
    json: match[2] ? JSON.parse(match[2].replace(/,\s*\.\.\.\s*\}/g, '}')) : undefined,
  };
}

/** Splits a shell command line into words: '…' and "…" quoting, `|` and `)` as words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ((c === '|' || c === ')') && !inWord) {
      words.push(c);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
