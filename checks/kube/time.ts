/** client-node turns timestamps into Date objects; JSON and YAML fixtures keep strings. */
export function isoOf(v: Date | string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export const epochOf = (v: Date | string | null | undefined): number => {
  const iso = isoOf(v);
  return iso ? Date.parse(iso) : 0;
};
