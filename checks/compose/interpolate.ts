/**
 * Docker Compose variable interpolation (compose-spec "Interpolation"): `$VAR`, `${VAR}`,
 * `${VAR-default}`, `${VAR:-default}`, `${VAR?error}`, `${VAR:?error}`, `${VAR+alt}`, `${VAR:+alt}`,
 * nested defaults (`${A:-${B}}`) and `$$` for a literal `$`. A `$` followed by anything else is an
 * invalid template, as Compose says. The parsed form is kept too: a check may ask *how* a value is
 * built (the lab wants `${REGISTRY…}myapp:${TAG…}`, not only what it resolves to today).
 */

export type Operator = ':-' | '-' | ':?' | '?' | ':+' | '+';

export type Segment = { kind: 'text'; text: string } | { kind: 'var'; name: string; op?: Operator; arg?: string };

export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const OPERATORS: Operator[] = [':-', ':?', ':+', '-', '?', '+'];

/** Index of the `}` closing a `${` that starts before `from`, skipping nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  // Stryker disable next-line EqualityOperator: one more pass reads text[text.length], undefined, which is neither '$' nor '}'
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  // Stryker disable next-line UnaryOperator: with +1 the body sliced from after the "${" up to index 1 is empty, and an empty body is the same invalid template
  return -1;
}

export function parseTemplate(text: string): Segment[] {
  const out: Segment[] = [];
  let literal = '';
  const invalid = (): never => {
    throw new InterpolationError(`invalid interpolation format in ${JSON.stringify(text)}: a "$" must start $VAR or \${VAR…} (write $$ for a literal $)`);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$') {
      literal += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      literal += '$';
      i++;
      continue;
    }
    let segment: Segment;
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      // Stryker disable next-line EqualityOperator: end is -1 or the index of a '}' after "${", never 0
      if (end < 0) invalid();
      const body = text.slice(i + 2, end);
      const name = NAME.exec(body)?.[0];
      if (!name) invalid();
      const rest = body.slice(name!.length);
      if (rest === '') segment = { kind: 'var', name: name! };
      else {
        const op = OPERATORS.find((o) => rest.startsWith(o));
        if (!op) invalid();
        segment = { kind: 'var', name: name!, op, arg: rest.slice(op!.length) };
      }
      i = end;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (!name) invalid();
      segment = { kind: 'var', name: name! };
      i += name!.length;
    }
    if (literal) out.push({ kind: 'text', text: literal });
    literal = '';
    out.push(segment);
  }
  if (literal) out.push({ kind: 'text', text: literal });
  return out;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  value: string;
  /** Variables read while unset (Compose warns and uses ""), for evidence. */
  unset: string[];
}

export function interpolate(text: string, env: Environment): Interpolated {
  const unset = new Set<string>();
  const resolve = (t: string): string =>
    parseTemplate(t)
      .map((s) => {
        if (s.kind === 'text') return s.text;
        const v = env[s.name];
        const isSet = v !== undefined;
        const nonEmpty = isSet && v !== '';
        switch (s.op) {
          case ':-':
            return nonEmpty ? v : resolve(s.arg!);
          case '-':
            return isSet ? v : resolve(s.arg!);
          case ':?':
          case '?':
            if (s.op === ':?' ? nonEmpty : isSet) return v!;
            throw new InterpolationError(`required variable ${s.name} is missing a value${s.arg ? `: ${resolve(s.arg)}` : ''}`);
          case ':+':
            return nonEmpty ? resolve(s.arg!) : '';
          case '+':
            return isSet ? resolve(s.arg!) : '';
          default:
            if (!isSet) unset.add(s.name);
            return v ?? '';
        }
      })
      .join('');
  const value = resolve(text);
  return { value, unset: [...unset] };
}
