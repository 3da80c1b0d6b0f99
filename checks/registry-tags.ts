/**
 * Whether a registry holds `repository:tag`, from its tag list. A list the registry paged past what the
 * probe reads (`truncated`) is not proof that a tag is missing: the tag's manifest is asked for directly.
 */
import type { RegistryProbe, TagList } from '../probes/types.js';

export async function holdsTag(registry: RegistryProbe, loginServer: string, list: TagList, tag: string): Promise<boolean> {
  if (list.tags.includes(tag)) return true;
  return !!list.truncated && (await registry.manifestDigest(loginServer, list.repository, tag)) !== undefined;
}
