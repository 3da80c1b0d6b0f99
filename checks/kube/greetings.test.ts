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
