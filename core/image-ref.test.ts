import { describe, expect, it } from 'vitest';
import { parseImageRef, type ImageRef } from './image-ref.js';

const SHA = 'sha256:' + 'a'.repeat(64);

describe('parseImageRef reads references as Docker does', () => {
  it.each<[string, ImageRef]>([
    ['labuser07acr.azurecr.io/myapp:v1.0', { host: 'labuser07acr.azurecr.io', repository: 'myapp', tag: 'v1.0', digest: undefined }],
    ['gcr.io/heptio-images/ks-guestbook-demo:0.3', { host: 'gcr.io', repository: 'heptio-images/ks-guestbook-demo', tag: '0.3', digest: undefined }],
    // Docker Hub, however it is spelt: no host, official images under library/
    ['nginx', { host: undefined, repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['nginx:alpine', { host: undefined, repository: 'library/nginx', tag: 'alpine', digest: undefined }],
    ['library/nginx:1.25', { host: undefined, repository: 'library/nginx', tag: '1.25', digest: undefined }],
    ['docker.io/library/nginx', { host: undefined, repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['docker.io/nginx', { host: undefined, repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['index.docker.io/library/nginx:1.25', { host: undefined, repository: 'library/nginx', tag: '1.25', digest: undefined }],
    ['bitnami/nginx', { host: undefined, repository: 'bitnami/nginx', tag: undefined, digest: undefined }],
    // Another host that serves Docker Hub's images is still another host: its paths are not rewritten.
    ['registry-1.docker.io/nginx', { host: 'registry-1.docker.io', repository: 'nginx', tag: undefined, digest: undefined }],
    // localhost, ports, addresses
    ['localhost/x', { host: 'localhost', repository: 'x', tag: undefined, digest: undefined }],
    ['localhost:5000/x', { host: 'localhost:5000', repository: 'x', tag: undefined, digest: undefined }],
    [`localhost:5000/x@${SHA}`, { host: 'localhost:5000', repository: 'x', tag: undefined, digest: SHA }],
    [`registry:5000/team/x:v1@${SHA}`, { host: 'registry:5000', repository: 'team/x', tag: 'v1', digest: SHA }],
    ['127.0.0.1:5000/x:1', { host: '127.0.0.1:5000', repository: 'x', tag: '1', digest: undefined }],
    ['[::1]:5000/x', { host: '[::1]:5000', repository: 'x', tag: undefined, digest: undefined }],
    // host names are case-insensitive; an upper-case first component is a host, as Docker reads it
    ['LabUser07ACR.azurecr.io/team/web:1', { host: 'labuser07acr.azurecr.io', repository: 'team/web', tag: '1', digest: undefined }],
    ['Registry/x', { host: 'registry', repository: 'x', tag: undefined, digest: undefined }],
    // separators: one '.' or '_', two '_', any number of '-'
    ['a__b/c.d_e--f---g:T_a.g-1', { host: undefined, repository: 'a__b/c.d_e--f---g', tag: 'T_a.g-1', digest: undefined }],
    // the other digests a registry serves
    [`x@sha512:${'b'.repeat(128)}`, { host: undefined, repository: 'library/x', tag: undefined, digest: `sha512:${'b'.repeat(128)}` }],
  ])('%s', (image, ref) => expect(parseImageRef(image)).toEqual(ref));

  it.each([
    ['', 'empty'],
    ['<registry name>.azurecr.io/myapp:v1.0', "the lab's placeholder"],
    [' nginx', 'leading space'],
    ['nginx ', 'trailing space'],
    ['Nginx', 'an upper-case path'],
    ['localhost:5000/MyApp', 'an upper-case path under a host'],
    ['a___b', 'three underscores'],
    ['a._b', 'two separators in a row'],
    ['-a/b', 'a path starting with a separator'],
    ['a/b/', 'an empty last component'],
    ['-host.io/x', 'a host starting with a dash'],
    ['host.io:port/x', 'a port that is not a number'],
    ['x:', 'an empty tag'],
    ['x:.tag', 'a tag starting with a dot'],
    [`x:${'t'.repeat(129)}`, 'a tag longer than 128'],
    ['x@sha256:abc', 'a short digest'],
    [`x@sha256:${'A'.repeat(64)}`, 'an upper-case digest'],
    [`x@md5:${'a'.repeat(32)}`, 'an algorithm registries do not serve'],
    ['a'.repeat(64), 'an image id'],
    [`example.io/${'a'.repeat(245)}`, 'a name longer than 255'],
    [`${'a'.repeat(245)}`, 'a Docker Hub name longer than 255 once it is docker.io/library/…'],
  ])('%s is not a reference (%s)', (image) => expect(parseImageRef(image)).toBeUndefined());

  it('a name of 255 characters is one', () => {
    expect(parseImageRef(`example.io/${'a'.repeat(244)}`)?.repository).toHaveLength(244);
  });
});
