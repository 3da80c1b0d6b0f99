/** The one colour painter of the terminal reporters: ANSI styles that reset only what they set. */
import type { Tone } from './format.js';

export type Paint = (tone: Tone | 'bold', text: string) => string;

const ANSI: Record<Tone | 'bold', [string, string]> = {
  good: ['\x1b[32m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  warn: ['\x1b[33m', '\x1b[39m'],
  alert: ['\x1b[35m', '\x1b[39m'],
  muted: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

export function painter(color: boolean): Paint {
  return (tone, text) => (color && text ? `${ANSI[tone][0]}${text}${ANSI[tone][1]}` : text);
}
