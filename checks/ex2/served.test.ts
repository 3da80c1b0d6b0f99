/**
 * Exercise 2 steps 6–7 (bonus) with a stand-in HTTP probe: the VM's port 80 answers with the greetings
 * start page, or the reason code says why not. Not serving is the normal state after the exercise: a
 * failure, never the grader's error.
 */
import { describe, expect, it } from 'vitest';
import type { Target } from '../../core/target.js';
import { ProbeError, type HttpAnswer, type HttpProbe } from '../../probes/types.js';
import { runWith, STUDENT } from '../../test/support/check-run.js';
import { standInVm } from '../../test/support/lab-vm.js';
import { appServed, START_PAGE_MARKER } from './served.js';

const ON_VM: Target = { ...STUDENT, vm: { host: 'labuser07-lab.westeurope.cloudapp.azure.com', port: 22, username: 'labuser07' } };
const URL = 'http://labuser07-lab.westeurope.cloudapp.azure.com/';

/** An HTTP probe whose GET answers `answer` (or throws it), recording the URLs asked. */
function app(answer: Partial<HttpAnswer> | Error, asked: string[] = []): HttpProbe {
  return {
    get: async (url) => {
      asked.push(url);
      if (answer instanceof Error) throw answer;
      return { url, status: 200, headers: {}, body: '', truncated: false, ...answer };
    },
    postForm: async () => {
      throw new Error('ex2.app.served never posts');
    },
  };
}
const served = (http: HttpProbe, target: Target = ON_VM) => runWith(appServed, { vm: standInVm(), http }, { target });

describe('ex2.app.served', () => {
  it("passes when the VM's port 80 answers with the start page", async () => {
    const asked: string[] = [];
    expect(await served(app({ body: `<p>Click ${START_PAGE_MARKER}</p>` }, asked))).toMatchObject({ status: 'pass', evidence: { url: URL, status: 200 } });
    expect(asked).toEqual([URL]);
  });

  it('graded on the VM itself, it asks 127.0.0.1', async () => {
    const asked: string[] = [];
    await served(app({ body: START_PAGE_MARKER }, asked), { ...STUDENT, localHome: '/home/labuser07' });
    expect(asked).toEqual(['http://127.0.0.1/']);
  });

  it('an IPv6 VM address is put in brackets', async () => {
    const asked: string[] = [];
    await served(app({ body: START_PAGE_MARKER }, asked), { ...STUDENT, vm: { host: '2001:db8::7', port: 22, username: 'labuser07' } });
    expect(asked).toEqual(['http://[2001:db8::7]/']);
  });

  it('no VM address to try is skipped with LG-241', async () => {
    expect(await served(app({ body: START_PAGE_MARKER }), STUDENT)).toMatchObject({ status: 'skipped', code: 'LG-241' });
  });

  it('nothing answering (compose is not up) fails with LG-242, which waiting can change', async () => {
    const refused = new ProbeError('http', `GET ${URL}: the connection was refused`, { code: 'ECONNREFUSED', refused: false });
    expect(await served(app(refused))).toMatchObject({ status: 'fail', code: 'LG-242', outcome: 'not-ready', evidence: { url: URL } });
  });

  it.each([
    ['nginx welcome page', { status: 200, body: '<title>Welcome to nginx!</title>' }],
    ['404', { status: 404, body: `<p>${START_PAGE_MARKER}</p>` }],
  ])('a port that answers with something else (%s) fails with LG-243', async (_what, answer) => {
    expect(await served(app(answer))).toMatchObject({ status: 'fail', code: 'LG-243', evidence: { url: URL, status: answer.status } });
  });
});
