/**
 * A project's `.env` file as Compose reads it for interpolation: `KEY=VALUE` lines, `export ` allowed,
 * `#` comments, values in single quotes literal, in double quotes with `\n` escapes, unquoted values
 * trimmed and cut at ` #`. Bounded: a lab's `.env` has a handful of lines.
 */
const MAX_LINES = 1_000;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/).slice(0, MAX_LINES)) {
    // One space after `export` is enough: the name is trimmed below.
    const line = raw.trim().replace(/^export\s/, '');
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    // A blank line, a `#` comment or an empty name is no name Compose accepts: skipped here.
    if (!KEY.test(key)) continue;
    out[key] = value(line.slice(eq + 1).trim());
  }
  return out;
}

function value(v: string): string {
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end === -1 ? v.slice(1) : v.slice(1, end);
  }
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      if (v[i] === '"') break;
      if (v[i] === '\\' && i + 1 < v.length) {
        const next = v[++i];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else out += v[i];
    }
    return out;
  }
  const comment = v.search(/\s#/);
  return (comment === -1 ? v : v.slice(0, comment)).trim();
}
