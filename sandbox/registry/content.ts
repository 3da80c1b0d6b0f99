/**
 * What one registry holds, derived from the scenario's "repo:tag" list: for each repository its tags
 * (-> the image's manifest, config and layer from ../images.ts) and the blobs linked to it. Lookups are
 * map gets; building is O(images).
 */
import { imageContent, type Blob, type ImageContent } from '../images.js';

export interface RepositoryContent {
  tags: Map<string, ImageContent>;
  /** manifests and blobs by digest, as linked to this repository */
  byDigest: Map<string, Blob>;
}

export type RegistryContent = Map<string, RepositoryContent>;

export function registryContent(registryName: string, images: readonly string[]): RegistryContent {
  const repos: RegistryContent = new Map();
  for (const ref of images) {
    const colon = ref.lastIndexOf(':');
    const repo = ref.slice(0, colon);
    const tag = ref.slice(colon + 1);
    let r = repos.get(repo);
    if (!r) repos.set(repo, (r = { tags: new Map(), byDigest: new Map() }));
    const image = imageContent(registryName, repo, tag);
    r.tags.set(tag, image);
    for (const b of [image.manifest, image.config, image.layer]) r.byDigest.set(b.digest, b);
  }
  return repos;
}

/** Sorted like distribution's answers (lexical). */
export const sortedKeys = (m: Map<string, unknown>): string[] => [...m.keys()].sort();
