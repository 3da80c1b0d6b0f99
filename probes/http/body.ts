/**
 * Reading an answer's body with a hard cap: past `maxBytes` the stream is destroyed (the connection
 * closes, nothing more is buffered), so an endless or huge body costs at most `maxBytes` of memory.
 */
import type { Readable } from 'node:stream';

export interface CappedBody {
  bytes: Buffer;
  truncated: boolean;
}

export async function readCapped(body: Readable, maxBytes: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      size += Math.max(room, 0);
      body.destroy();
      return { bytes: Buffer.concat(chunks, size), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks, size), truncated: false };
}
