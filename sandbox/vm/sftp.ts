/**
 * A read-only SFTP server for one simulated VM, rooted at the lab user's home: the client sees the
 * home as `/home/<user>` (relative paths start there, as with OpenSSH) and nothing outside it, not
 * even through a symlink. Enough of the protocol for `open`/`read`/`fstat`/`stat`/`lstat`/`close`/
 * `realpath`; every other request is answered OP_UNSUPPORTED so no client ever waits.
 */
import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import { join, posix, relative, sep, isAbsolute } from 'node:path';
import ssh2, { type Attributes, type SFTPWrapper } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader exposes only some of its exports by name.
const { utils } = ssh2;

const { STATUS_CODE } = utils.sftp;

const UNSUPPORTED = ['WRITE', 'FSETSTAT', 'OPENDIR', 'READDIR', 'REMOVE', 'RMDIR', 'READLINK', 'SETSTAT', 'MKDIR', 'RENAME', 'SYMLINK', 'EXTENDED'] as const;

export interface SftpRoot {
  /** The real folder. */
  home: string;
  /** What the client sees, e.g. /home/labuser07. */
  virtualHome: string;
  /** Added before every answer (the scenario's latencyMs). */
  latencyMs: number;
  /** Called once per SFTP request (the benchmark counts them). */
  onRequest?(): void;
}

function attrsOf(s: Stats): Attributes {
  return { mode: s.mode, uid: s.uid, gid: s.gid, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) };
}

function statusOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'OUTSIDE') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

const outside = () => Object.assign(new Error('outside the home folder'), { code: 'OUTSIDE' });

export function serveSftp(sftp: SFTPWrapper, root: SftpRoot): void {
  const files = new Map<number, fs.FileHandle>();
  let nextHandle = 1;
  const handleOf = (buf: Buffer) => (buf.length === 4 ? files.get(buf.readUInt32BE(0)) : undefined);

  /** Client path -> the client's normalised absolute path. */
  const virtual = (p: string) => posix.normalize(p.startsWith('/') ? p : posix.join(root.virtualHome, p || '.'));

  /** Client path -> real path inside the home; `follow`: also through symlinks. */
  const realPath = async (p: string, follow: boolean): Promise<string> => {
    const v = virtual(p);
    if (v !== root.virtualHome && !v.startsWith(root.virtualHome + '/')) throw outside();
    const real = join(root.home, v.slice(root.virtualHome.length));
    if (!follow) return real;
    const [resolved, base] = await Promise.all([fs.realpath(real), fs.realpath(root.home)]);
    const rel = relative(base, resolved);
    if (rel.split(sep).includes('..') || isAbsolute(rel)) throw outside();
    return resolved;
  };

  /** Runs one request after the scenario's latency; a thrown error becomes its SFTP status. */
  const answer = (reqId: number, work: () => Promise<void>) => {
    root.onRequest?.();
    const go = () => work().catch((err: unknown) => sftp.status(reqId, statusOf(err)));
    if (root.latencyMs > 0) setTimeout(go, root.latencyMs);
    else void go();
  };

  sftp.on('OPEN', (reqId, filename, flags) =>
    answer(reqId, async () => {
      // Read-only stand-in: the grader never writes to a student's VM.
      if (utils.sftp.flagsToString(flags) !== 'r') return void sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      const file = await fs.open(await realPath(filename, true), fsConstants.O_RDONLY);
      const id = nextHandle++;
      files.set(id, file);
      const handle = Buffer.alloc(4);
      handle.writeUInt32BE(id, 0);
      sftp.handle(reqId, handle);
    }),
  );

  sftp.on('READ', (reqId, handle, offset, length) =>
    answer(reqId, async () => {
      const file = handleOf(handle);
      if (!file) return void sftp.status(reqId, STATUS_CODE.FAILURE);
      const buf = Buffer.alloc(Math.min(length, 256 * 1024));
      const { bytesRead } = await file.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) sftp.status(reqId, STATUS_CODE.EOF);
      else sftp.data(reqId, buf.subarray(0, bytesRead));
    }),
  );

  sftp.on('FSTAT', (reqId, handle) =>
    answer(reqId, async () => {
      const file = handleOf(handle);
      if (!file) return void sftp.status(reqId, STATUS_CODE.FAILURE);
      sftp.attrs(reqId, attrsOf(await file.stat()));
    }),
  );

  sftp.on('CLOSE', (reqId, handle) =>
    answer(reqId, async () => {
      const file = handleOf(handle);
      if (!file) return void sftp.status(reqId, STATUS_CODE.FAILURE);
      files.delete(handle.readUInt32BE(0));
      await file.close();
      sftp.status(reqId, STATUS_CODE.OK);
    }),
  );

  sftp.on('STAT', (reqId, path) => answer(reqId, async () => void sftp.attrs(reqId, attrsOf(await fs.stat(await realPath(path, true))))));
  sftp.on('LSTAT', (reqId, path) => answer(reqId, async () => void sftp.attrs(reqId, attrsOf(await fs.lstat(await realPath(path, false))))));

  sftp.on('REALPATH', (reqId, path) =>
    answer(reqId, async () => {
      const v = virtual(path);
      sftp.name(reqId, [{ filename: v, longname: v, attrs: {} as Attributes }]);
    }),
  );

  for (const event of UNSUPPORTED) {
    (sftp.on as (e: string, l: (reqId: number) => void) => void)(event, (reqId) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED));
  }

  sftp.on('close', () => {
    for (const file of files.values()) void file.close().catch(() => {});
    files.clear();
  });
}
