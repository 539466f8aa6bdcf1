/** What a redacted secret is replaced with. */
export const REDACTED = '***';

// A URL starts with a scheme and `://`, not in the middle of a word or of another
// URL's user info (a password may itself contain `x://`).
const URL_START = /(?<![A-Za-z0-9+.\-:/@%])[A-Za-z][A-Za-z0-9+.-]*:\/\//g;
// `name=value` at the start, after whitespace, or after `?`, `&` or `;`: URL query
// parameters, libpq keyword/value strings (`host=db password=x`), JDBC-style `;password=x`.
const PARAMETER = /(?:^|(?<=[\s?&;]))([^\s=&?#;]+)=/g;
const SECRET_NAME = /pass|pwd|secret|token|key|auth|credential/i;

/**
 * Removes secrets from a text that may hold connection URLs: a URL's user info
 * (everything between `://` and the last `@` of that URL, so passwords holding
 * `/`, `#`, `?`, `:` or `@` go whole) and the values of password-like
 * parameters (`password`, `passwd`, `pwd`, `secret`, `token`, `key`,
 * `sslpassword`, `auth`, `credential`, any case and any prefix). It errs on the
 * side of hiding too much. Use it on every URL, log line, error message and
 * health output that may hold one.
 */
export function redactSecrets(text: string): string {
  const value = String(text);
  const ranges = [...userInfoRanges(value), ...parameterRanges(value)];
  if (ranges.length === 0) return value;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let current: [number, number] | undefined;
  for (const range of ranges) {
    if (current && range[0] <= current[1]) {
      current[1] = Math.max(current[1], range[1]);
      continue;
    }
    if (current) {
      out += value.slice(at, current[0]) + REDACTED;
      at = current[1];
    }
    current = [range[0], range[1]];
  }
  out += value.slice(at, current![0]) + REDACTED + value.slice(current![1]);
  return out;
}

/** [start, end) of each URL's user info: from after `://` to its last `@`. */
function userInfoRanges(text: string): [number, number][] {
  const urls = [...text.matchAll(URL_START)];
  const ranges: [number, number][] = [];
  urls.forEach((match, i) => {
    const start = match.index + match[0].length;
    // A URL runs to the next URL (or the end): a password may hold spaces and `@`.
    const end = i + 1 < urls.length ? urls[i + 1].index : text.length;
    const at = text.lastIndexOf('@', end - 1);
    if (at > start) ranges.push([start, at]);
  });
  return ranges;
}

/** [start, end) of the value of each password-like `name=value`. */
function parameterRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const match of text.matchAll(PARAMETER)) {
    if (!SECRET_NAME.test(decodeName(match[1]))) continue;
    const start = match.index + match[0].length;
    const quote = text[start];
    let end: number;
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, start + 1);
      end = close === -1 ? text.length : close + 1;
    } else {
      // Up to the next parameter or whitespace; `#` and `;` may be part of a password.
      const next = text.slice(start).search(/[&\s]/);
      end = next === -1 ? text.length : start + next;
    }
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
