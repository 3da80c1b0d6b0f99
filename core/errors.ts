/** A usage or configuration problem: exit code 2, message names the file, the key and what is expected. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
  ) {
    super([file, key].filter(Boolean).join(': ') + (file || key ? ': ' : '') + message);
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
