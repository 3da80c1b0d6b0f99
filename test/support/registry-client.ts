/**
 * A small Docker Registry v2 client for the tests: it answers a 401 the way
 * docker/skopeo do (Basic challenge -> resend with Basic; Bearer challenge -> ask the realm for a token
 * with the challenge's scope, using Basic credentials if any -> resend with the token), and pushes
 * an image's blobs and manifest. It works the same against the stand-in and a real `docker-registry`.
 */
import { fetch, type Dispatcher } from 'undici';
import type { ImageContent } from '../../sandbox/images.js';
import { parseChallenge } from '../../sandbox/registry/errors.js';

export interface RegistryClientOptions {
  /** e.g. https://labuser07acr.azurecr.io or https://127.0.0.1:5000 */
  baseUrl: string;
  dispatcher: Dispatcher;
  username?: string;
  password?: string;
}

export interface RegistryResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer;
  /** false: do not answer a challenge (to observe it) */
  authenticate?: boolean;
}

export class RegistryClient {
  /** bearer tokens by the scope they were issued for */
  readonly #tokens = new Map<string, string>();
  constructor(readonly options: RegistryClientOptions) {}

  get #basic(): string | undefined {
    const { username, password } = this.options;
    return username === undefined ? undefined : 'Basic ' + Buffer.from(`${username}:${password ?? ''}`).toString('base64');
  }

  async #send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<RegistryResponse> {
    const res = await fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined, dispatcher: this.options.dispatcher, redirect: 'manual' });
    return { status: res.status, headers: res.headers as unknown as Headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<RegistryResponse> {
    const url = new URL(path, this.options.baseUrl).toString();
    const first = await this.#send(method, url, { ...opts.headers }, opts.body);
    if (first.status !== 401 || opts.authenticate === false) return first;
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    let auth: string | undefined;
    if (challenge?.scheme === 'basic') auth = this.#basic;
    else if (challenge?.scheme === 'bearer') auth = await this.#token(challenge.params);
    if (!auth) return first;
    return this.#send(method, url, { ...opts.headers, authorization: auth }, opts.body);
  }

  async #token(params: Record<string, string>): Promise<string | undefined> {
    const key = `${params.service} ${params.scope ?? ''}`;
    const cached = this.#tokens.get(key);
    if (cached) return cached;
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set('service', params.service);
    if (params.scope) realm.searchParams.set('scope', params.scope);
    const basic = this.#basic;
    const res = await this.#send('GET', realm.toString(), basic ? { authorization: basic } : {});
    if (res.status !== 200) return undefined;
    const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = json.access_token ?? json.token;
    if (!token) return undefined;
    this.#tokens.set(key, 'Bearer ' + token);
    return 'Bearer ' + token;
  }

  /** Pushes the config and layer blobs (skipping those present), then the manifest under `tag`. Returns the manifest digest the registry reports. */
  async push(repo: string, tag: string, image: ImageContent): Promise<string> {
    for (const blob of [image.config, image.layer]) {
      const head = await this.request('HEAD', `/v2/${repo}/blobs/${blob.digest}`);
      if (head.status === 200) continue;
      const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`);
      const location = start.headers.get('location');
      if (start.status !== 202 || !location) throw new Error(`upload start for ${repo}: HTTP ${start.status} ${start.body.toString('utf8').slice(0, 200)}`);
      const put = new URL(location, this.options.baseUrl);
      put.searchParams.set('digest', blob.digest);
      const done = await this.request('PUT', put.toString(), { body: blob.bytes, headers: { 'content-type': 'application/octet-stream' } });
      if (done.status !== 201) throw new Error(`blob upload for ${repo}: HTTP ${done.status} ${done.body.toString('utf8').slice(0, 200)}`);
    }
    const res = await this.request('PUT', `/v2/${repo}/manifests/${tag}`, { body: image.manifest.bytes, headers: { 'content-type': image.manifest.mediaType } });
    if (res.status !== 201) throw new Error(`manifest push ${repo}:${tag}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    return res.headers.get('docker-content-digest') ?? '';
  }
}
