/** Collects a command's output up to a cap; the rest is drained and dropped so the command can finish. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = this.maxBytes - this.size;
    if (buf.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = buf.length > room ? buf.subarray(0, room) : buf;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Reads at most `maxBytes` of a file of `size` bytes through `readAt` (SFTP or fs), chunk by chunk.
 * A size of 0 may be a special file that does not report one: read up to the cap then.
 */
export async function readCapped(
  size: number,
  maxBytes: number,
  readAt: (buffer: Buffer, offset: number, length: number) => Promise<number>,
  chunkBytes = 32 * 1024,
): Promise<{ content: Buffer; truncated: boolean }> {
  const content = Buffer.alloc(Math.min(maxBytes, size || maxBytes));
  let got = 0;
  while (got < content.length) {
    const n = await readAt(content, got, Math.min(chunkBytes, content.length - got));
    if (n === 0) break;
    got += n;
  }
  return { content: content.subarray(0, got), truncated: size > got };
}
