/**
 * What one registry holds, derived from the scenario's "repo:tag" list (and the tags pushed again):
 * for each repository its tags (-> the newest image pushed under it, from ../images.ts), every
 * manifest ever pushed (a tag pushed again leaves the older manifest untagged but still readable by
 * digest, as distribution and ACR keep it) and the blobs linked to it. Lookups are map gets.
 */
import { imageContent, pushesOf, type Blob, type ImageContent } from '../images.js';

export interface PushedManifest {
  image: ImageContent;
  /** the tag this push was made under */
  tag: string;
  /** 0 for the first push of the tag */
  push: number;
  /** whether the tag still points here (its newest push) */
  tagged: boolean;
}

export interface RepositoryContent {
  tags: Map<string, ImageContent>;
  /** every push, oldest first */
  manifests: PushedManifest[];
  /** manifests and blobs by digest, as linked to this repository */
  byDigest: Map<string, Blob>;
}

export type RegistryContent = Map<string, RepositoryContent>;

export function registryContent(registryName: string, images: readonly string[], repushed: readonly string[] = []): RegistryContent {
  const repos: RegistryContent = new Map();
  for (const ref of images) {
    const colon = ref.lastIndexOf(':');
    const repo = ref.slice(0, colon);
    const tag = ref.slice(colon + 1);
    let r = repos.get(repo);
    if (!r) repos.set(repo, (r = { tags: new Map(), manifests: [], byDigest: new Map() }));
    const pushes = pushesOf(ref, repushed);
    for (let push = 0; push < pushes; push++) {
      const image = imageContent(registryName, repo, tag, push);
      r.manifests.push({ image, tag, push, tagged: push === pushes - 1 });
      for (const b of [image.manifest, image.config, image.layer]) r.byDigest.set(b.digest, b);
      r.tags.set(tag, image);
    }
  }
  return repos;
}

/** Sorted like distribution's answers (lexical). */
export const sortedKeys = (m: Map<string, unknown>): string[] => [...m.keys()].sort();
