import { describe, expect, it } from 'vitest';
import { hasForm, hasStartLink, isNginxWelcome, isResultPage, listedContents, listKey, parseGreetingList, sideBySide } from './greetings.js';

// The app's pages as github.com/cadullms/greetings serves them.
const START = '<!DOCTYPE HTML><html><head><title>Getting Started: Serving Web Content</title></head><body><p>Get your greeting <a href="/greeting">here</a></p></body></html>';
const FORM =
  '<h1>Form</h1><form action="/greeting" method="post"><p>Message: <input type="text" id="content" name="content" value="Default content" /></p><p><input type="submit" value="Submit" /></p></form>';
const RESULT =
  '<title>Messages</title><h1>Result</h1><p><span>id: 1</span> &nbsp; <span>content: hello</span></p><p><span>id: 2</span> &nbsp; <span>content: lab-grade 1a2b &lt;b&gt; &amp; co</span></p><a href="/greeting">Submit another message</a>';
const NGINX = '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head><body><h1>Welcome to nginx!</h1></body></html>';

describe('greetings app pages', () => {
  it('recognises the start page, the form, the result and nginx', () => {
    expect(hasStartLink(START)).toBe(true);
    expect(hasStartLink(FORM.replace('/greeting', '/x'))).toBe(false);
    expect(hasForm(FORM)).toBe(true);
    expect(hasForm(START)).toBe(false);
    expect(isResultPage(RESULT)).toBe(true);
    expect(isNginxWelcome(NGINX)).toBe(true);
    expect(isNginxWelcome(START)).toBe(false);
  });

  it('reads the posted list, unescaping HTML', () => {
    expect(listedContents(RESULT)).toEqual(['hello', 'lab-grade 1a2b <b> & co']);
    expect(listedContents('<h1>Result</h1>')).toEqual([]);
  });

  it("reads myapi's JSON list and compares lists whatever their order", () => {
    const a = parseGreetingList('[{"id":2,"content":"b"},{"id":1,"content":"a"}]')!;
    const b = parseGreetingList('[{"id":1,"content":"a"},{"id":2,"content":"b"}]')!;
    expect(listKey(a)).toBe(listKey(b));
    expect(listKey(a)).not.toBe(listKey([]));
    expect(parseGreetingList('healthy')).toBeUndefined();
    expect(parseGreetingList('{"id":1}')).toBeUndefined();
    expect(sideBySide({ 'myapi-a': a, 'myapi-b': [] })).toBe('myapi-a: [2 "b", 1 "a"] | myapi-b: []');
    expect(sideBySide({ p: Array.from({ length: 7 }, (_, i) => ({ id: i, content: 'x' })) }, 2)).toBe('p: [0 "x", 1 "x", … 5 more]');
  });
});

describe('what the page readers accept and refuse', () => {
  it.each([
    ['attributes before href, spaces around =, single quotes', `<a class="btn" id='go' href = '/greeting'>here</a>`, true],
    ['upper case', '<A HREF="/greeting">here</A>', true],
    ['a tab after the tag name', '<a\thref="/greeting">', true],
    ['another path', '<a href="/greetings">here</a>', false],
    ['an unquoted path', '<a href=/greeting>here</a>', false],
    ['another tag', '<abbr href="/greeting">', false],
    ['the href of a later tag', '<a name="top">x</a><link href="/greeting">', false],
  ])('the start link: %s', (_what, html, found) => {
    expect(hasStartLink(html)).toBe(found);
  });

  it.each([
    ['spaces in the heading, single quotes', "<h1> Form </h1><input name = 'content'>", true],
    ['upper case', '<H1>FORM</H1><INPUT NAME="CONTENT">', true],
    ['the heading without the content field', '<h1>Form</h1><input name="message">', false],
    ['the content field without the heading', '<h1>Result</h1><input name="content">', false],
    ['another heading', '<h1>Formal</h1><input name="content">', false],
    ['a field named otherwise', '<h1>Form</h1><input name="contents">', false],
  ])('the form: %s', (_what, html, found) => {
    expect(hasForm(html)).toBe(found);
  });

  it.each([
    ['spaced', '<h1>\n  Result\n</h1>', true],
    ['upper case', '<H1>RESULT</H1>', true],
    ['another heading', '<h1>Results</h1>', false],
    ['the form', FORM, false],
  ])('the result page: %s', (_what, html, found) => {
    expect(isResultPage(html)).toBe(found);
  });

  it.each([
    ['the title without its !', '<title>Welcome to nginx</title>', true],
    ['a spaced title', '<title> Welcome to nginx! </title>', true],
    ['the heading alone', '<h1>Welcome to nginx!</h1>', true],
    ['a spaced heading', '<h1>\n Welcome to nginx', true],
    ['another title', '<title>Welcome to nginx?</title>', false],
    ['the words elsewhere', '<p>Welcome to nginx!</p>', false],
  ])("nginx's welcome page: %s", (_what, html, found) => {
    expect(isNginxWelcome(html)).toBe(found);
  });

  it('reads every span alone, whatever its spacing, case and lines, trimmed', () => {
    expect(listedContents('<span>content:x</span><span> content: two words </span><SPAN>Content:\nline 1\nline 2</SPAN><span>content:</span>')).toEqual(['x', 'two words', 'line 1\nline 2', '']);
    expect(listedContents('<span>id: 1</span><span>contents: no</span>')).toEqual([]);
  });

  it('unescapes each entity once, &amp; last', () => {
    expect(listedContents('<span>content: &lt;i&gt; &quot;q&quot; &#39;a&#x27; &amp;lt;</span>')).toEqual([`<i> "q" 'a' &lt;`]);
  });

  it('keeps the objects of a JSON array, with numeric ids and text contents', () => {
    expect(parseGreetingList('[null, 1, "x", {"id":"3","content":null}, {"id":4}, {"id":5,"content":6}]')).toEqual([
      { id: 3, content: '' },
      { id: 4, content: '' },
      { id: 5, content: '6' },
    ]);
    expect(parseGreetingList('[]')).toEqual([]);
    expect(parseGreetingList('null')).toBeUndefined();
    expect(parseGreetingList('"[]"')).toBeUndefined();
  });

  it('a list key tells ids and contents apart', () => {
    expect(listKey([{ id: 1, content: 'a' }])).toBe('["1:a"]');
    expect(
      listKey([
        { id: 2, content: 'b' },
        { id: 1, content: 'a' },
      ]),
    ).toBe('["1:a","2:b"]');
  });

  it('lists five items by default, and all of them when there are exactly that many', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, content: 'x' }));
    expect(sideBySide({ p: list(6) })).toBe('p: [0 "x", 1 "x", 2 "x", 3 "x", 4 "x", … 1 more]');
    expect(sideBySide({ p: list(2) }, 2)).toBe('p: [0 "x", 1 "x"]');
    expect(sideBySide({})).toBe('');
  });
});
