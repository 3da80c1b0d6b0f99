import { describe, expect, it } from 'vitest';
import { bounded, codeSpans, escapeXml, oneLine, stripControl, wrap } from './text.js';

/** What bounding adds after an excerpt of a text `left` characters longer. */
const more = (left: number) => `… (${left} more characters)`;

describe('bounded', () => {
  it('keeps a text of exactly the limit whole', () => {
    expect(bounded('abcde', 5)).toBe('abcde');
  });

  it('keeps an excerpt bounded once, up to 40 characters over the limit', () => {
    const excerpt = 'x'.repeat(10) + more(7);
    expect(bounded(excerpt.padStart(50, 'y'), 10)).toBe(excerpt.padStart(50, 'y'));
    expect(bounded(excerpt.padStart(51, 'y'), 10)).toBe('y'.repeat(10) + more(41));
  });

  it('cuts a long text that only mentions an excerpt inside it', () => {
    const text = `${'x'.repeat(10)}${more(7)} and more`;
    expect(bounded(text, 10)).toBe('x'.repeat(10) + more(text.length - 10));
  });
});

describe('codeSpans', () => {
  it('tells code spans from prose, with no empty prose around them', () => {
    expect(codeSpans('`az login` then `kubectl get pods`')).toEqual([
      { text: 'az login', code: true },
      { text: ' then ', code: false },
      { text: 'kubectl get pods', code: true },
    ]);
    expect(codeSpans('run `ls`')).toEqual([
      { text: 'run ', code: false },
      { text: 'ls', code: true },
    ]);
  });
});

describe('escapeXml', () => {
  it('keeps a carriage return and a tab in an attribute as references', () => {
    expect(escapeXml('a\rb\tc', true)).toBe('a&#13;b&#9;c');
  });

  it('drops bidirectional controls', () => {
    expect(escapeXml('admin\u202Etxt.exe')).toBe('admintxt.exe');
  });

  it('drops every character a result would escape, C1 controls and zero-width ones included', () => {
    expect(escapeXml('a\u0085b\u200bc\u2028d\ufeffe', true)).toBe('abcde');
  });
});

describe('wrap', () => {
  it('fills a line up to the width, not one character more', () => {
    expect(wrap('aaaaaaaaa bbbbbbbbbb c', 20)).toEqual(['aaaaaaaaa bbbbbbbbbb', 'c']);
    expect(wrap('aaaaaaaaa bbbbbbbbbbb', 20)).toEqual(['aaaaaaaaa', 'bbbbbbbbbbb']);
  });

  it('counts the indent in the width', () => {
    expect(wrap('aaaaaaaaa bbbbbbbbbb cccc', 28, '    ')).toEqual(['    aaaaaaaaa bbbbbbbbbb', '    cccc']);
  });

  it('keeps empty lines and leading spaces', () => {
    expect(wrap('a\n\n  b\n   ', 40)).toEqual(['a', '', '  b', '']);
  });
});

describe('stripControl and oneLine', () => {
  it('leave out what results escape (core/student-text.ts): a name with a zero-width space or a line separator cannot pass for another', () => {
    expect(stripControl('alice\u200b\u2028\u2060\ufeff\ud800\n\tx')).toBe('alice\n\tx');
    expect(oneLine('alice\u200b \n\u2029 bob')).toBe('alice bob');
  });
});
