/**
 * Reading the greetings app's answers (github.com/cadullms/greetings; docs/lab.md): the start page, the form,
 * the POST answer's list, myapi's JSON list; and nginx's welcome page, which a borrowed image serves.
 */
import { excerpt } from '../text.js';
export interface Greeting {
  id: number;
  content: string;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');

export const hasStartLink = (html: string) => /<a\s[^>]*href\s*=\s*["']\/greeting["']/i.test(html);
export const hasForm = (html: string) => /<h1>\s*Form\s*<\/h1>/i.test(html) && /name\s*=\s*["']content["']/i.test(html);
export const isResultPage = (html: string) => /<h1>\s*Result\s*<\/h1>/i.test(html);
export const isNginxWelcome = (html: string) => /<title>\s*Welcome to nginx!?\s*<\/title>|<h1>\s*Welcome to nginx/i.test(html);

/** The contents the POST answer lists: one `<span>content: TEXT</span>` per greeting. */
export function listedContents(html: string): string[] {
  return [...html.matchAll(/<span>\s*content:\s*([\s\S]*?)<\/span>/gi)].map((m) => unescapeHtml(m[1].trim()));
}

/** myapi's `GET /api/greetings`: a JSON array of {id, content}; undefined when it is not one. */
export function parseGreetingList(body: string): Greeting[] | undefined {
  try {
    const v = JSON.parse(body);
    // Stryker disable next-line ConditionalExpression: JSON that is not an array has no .filter, so the TypeError's catch returns undefined as well
    if (!Array.isArray(v)) return undefined;
    // Stryker disable BlockStatement: an empty catch falls off the end of the function, which returns undefined as well
    return v.filter((g) => g && typeof g === 'object').map((g) => ({ id: Number(g.id), content: String(g.content ?? '') }));
  } catch {
    // Stryker restore BlockStatement
    return undefined;
  }
}

/** Order-free comparison key of a list (myapi's list is unsorted). */
export const listKey = (list: readonly Greeting[]) => JSON.stringify(list.map((g) => `${g.id}:${g.content}`).sort());

/** `myapi-a: [1 hello, 2 lab-grade x] | myapi-b: []` */
export function sideBySide(lists: Record<string, readonly Greeting[]>, maxItems = 5): string {
  return Object.entries(lists)
    .map(([pod, list]) => {
      const items = list.slice(0, maxItems).map((g) => `${g.id} ${excerpt(JSON.stringify(g.content), 62)}`);
      if (list.length > maxItems) items.push(`… ${list.length - maxItems} more`);
      return `${pod}: [${items.join(', ')}]`;
    })
    .join(' | ');
}
