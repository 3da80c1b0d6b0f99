/**
 * Markup that is escaped by default. The `html` tag escapes every interpolated string or number; only
 * a `SafeHtml` (the result of another `html` call) passes through. So student text (greetings, object
 * names, messages, evidence, user names) cannot become markup unless someone writes `new SafeHtml(...)`
 * by hand, which only this module does.
 */
import { escapeXml, stripControl } from '../format.js';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Markup = SafeHtml | string | number | null | undefined | false | readonly Markup[];

/**
 * Escapes text for HTML element content and for double-quoted attribute values alike (quotes and
 * newlines as references); drops control characters, which HTML renders as junk or refuses.
 */
export function escapeHtml(text: string): string {
  return escapeXml(stripControl(text), true);
}

function render(part: Markup): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

/** `html\`<p title="${t}">${text}</p>\``: attributes must be double-quoted in the template. */
export function html(strings: TemplateStringsArray, ...values: Markup[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Our own stylesheet, raw: <style> is raw text, where entities would not be decoded. */
export function styleElement(css: string): SafeHtml {
  if (/<\/style/i.test(css)) throw new Error('a stylesheet must not contain </style');
  return new SafeHtml(`<style>${css}</style>`);
}

/** Joins fragments without escaping them again (they already are SafeHtml). */
export const join = (parts: readonly SafeHtml[], separator = ''): SafeHtml => new SafeHtml(parts.map((p) => p.value).join(separator));
