/**
 * The smallest protobuf reader that decodes Helm 2's release records (hapi.release.Release):
 * fields by number, varints and length-delimited payloads only (Helm 2 uses no other wire types
 * on the path we read). Not a general decoder; unknown wire types end the read with an error.
 */
export type ProtoValue = number | Buffer;
export type ProtoMessage = Map<number, ProtoValue[]>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    // Numbers past 2^53 do not occur in the fields read (status codes, versions, seconds).
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

export function readMessage(buf: Buffer): ProtoMessage {
  const out: ProtoMessage = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: ProtoValue;
    if (wire === 0) {
      [value, pos] = readVarint(buf, p1);
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      if (p2 + len > buf.length) throw new Error('truncated field');
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      value = buf.subarray(p1, p1 + size);
      pos = p1 + size;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

/** Follows a path of embedded message fields, e.g. [3, 1] = chart.metadata. */
export function messageAt(msg: ProtoMessage, path: number[]): ProtoMessage | undefined {
  let cur: ProtoMessage | undefined = msg;
  for (const no of path) {
    const v: ProtoValue | undefined = cur?.get(no)?.[0];
    if (!Buffer.isBuffer(v)) return undefined;
    cur = readMessage(v);
  }
  return cur;
}

export function stringField(msg: ProtoMessage | undefined, no: number): string | undefined {
  const v = msg?.get(no)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
}

export function numberField(msg: ProtoMessage | undefined, no: number): number | undefined {
  const v = msg?.get(no)?.[0];
  return typeof v === 'number' ? v : undefined;
}
