import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { armError } from './errors.js';

const call = { action: 'Microsoft.ContainerRegistry/registries/read', scope: '/subscriptions/s/resourceGroups/rg' };
const answered = (message: string) => armError(new RestError(message, { statusCode: 400, code: 'BadRequest' }), call).message;
const prefix = `ARM answered 400 BadRequest to ${call.action} on ${call.scope}: `;

describe('armError quotes what ARM said', () => {
  it('on one line: a JSON body indented over several lines reads as one', () => {
    expect(answered('\n{\r\n  "error": {\n\t"code": "x"\n  }\n}\n')).toBe(`${prefix}{ "error": { "code": "x" } }`);
  });

  it('at most 200 characters, and never half an emoji at the cut', () => {
    const quoted = answered('a'.repeat(198) + '👋👋').slice(prefix.length);
    expect(quoted).toBe('a'.repeat(198) + '…');
  });

  it('with a terminal escape or a direction override shown, not obeyed', () => {
    expect(answered('bad \u001b[2J name\u202e')).toBe(`${prefix}bad \\u001b[2J name\\u202e`);
  });
});
