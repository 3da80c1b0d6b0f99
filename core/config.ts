/**
 * The class config (`lab-grade.yaml`): who is graded and how to reach their environments.
 * Templates like "{user}-rg" expand per student. Passwords and tokens are never written in the
 * config: they are read from an environment variable or a file. Every error names the file, the
 * key and what is expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { armEndpoint } from './arm-endpoint.js';
import { ConfigError, errorMessage } from './errors.js';
import { readRegularFile } from './file-io.js';
import { Fields, readYamlFile } from './fields.js';
import { PROBE_KINDS, type ProbeKind } from './model.js';
import { resolveUserPath } from './paths.js';
import { USER_NAME } from './names.js';
import { Secret } from './secret.js';
import type { Target, VmTarget } from './target.js';

export interface RosterEntry {
  user: string;
  resourceGroup?: string;
  vmHost?: string;
  vmPort?: number;
  vmUsername?: string;
}

export interface AzureSettings {
  subscriptionId: string;
  endpoint: string;
  /**
   * 'default': DefaultAzureCredential (CLI login, service principal env, managed identity);
   * 'token': a fixed token; 'servicePrincipal': a client secret (`tenant`, `clientId`, `clientSecret`, `authorityHost`).
   */
  credential: 'default' | 'token' | 'servicePrincipal';
  token?: Secret;
  servicePrincipal?: { tenantId: string; clientId: string; clientSecret: Secret; authorityHost: string };
  requestsPerSecond: number;
  /** Microsoft Graph (sovereign clouds differ): service principals' object ids, for service-principal clusters' pull rights. */
  graphEndpoint?: string;
}

/** A student's VM login as the config writes it: host and username may hold `{user}`. */
export type VmSettings = VmTarget;

export interface ClassConfig {
  file: string;
  profileFile?: string;
  roster: RosterEntry[];
  /** The roster's CSV file, when the roster is one. */
  rosterFile?: string;
  resourceGroup: string;
  azure?: AzureSettings;
  vm?: VmSettings;
  kubernetes: { source: 'azure' | 'kubeconfig'; kubeconfig?: string; context?: string; namespace?: string };
  /** allowLoopback: students' targets (LoadBalancer IPs, kubeconfig servers…) may be on this machine. */
  network: { connectTo: Record<string, string>; loopbackOnly: boolean; allowLoopback?: boolean };
  /** Extra CA bundle (PEM) trusted for ARM, registries, clusters and the app. */
  caPem?: string;
  timeoutsMs: Partial<Record<ProbeKind, number>>;
  /** A self-check with --local: the VM exercises are graded on this machine, in this home folder. */
  localHome?: string;
  /**
   * How a class graded more than once is scored: `earned` (a check that passed at any grading counts) or
   * `final` (the latest grading only). Unset: `lab-grade live` scores earned; a single run is its one grading.
   */
  credit?: 'earned' | 'final';
}

/** `profile:`, resolved against the config's folder; one that is not there is this config's mistake, named so. */
function readProfilePath(root: Fields, pathOf: (p: string) => string): string | undefined {
  const given = root.optString('profile');
  if (!given) return undefined;
  const path = pathOf(given);
  if (!existsSync(path)) root.fail('profile', `${JSON.stringify(given)} not found (${path}): the path of a lab profile, relative to this file`);
  return path;
}

/**
 * What a class config says about the class itself, and nothing of how its students are reached: who is
 * in it, the lab profile, the credit. A dashboard following ledgers that graders write needs no more,
 * so it reads no credential (and runs without the graders' secrets).
 */
export type ClassOutline = Pick<ClassConfig, 'file' | 'profileFile' | 'roster' | 'rosterFile' | 'credit'>;

function readOutline(root: Fields, file: string): ClassOutline {
  const dir = dirname(resolve(file));
  const rosterFile = rosterCsvPath(root, dir);
  const outline: ClassOutline = { file, profileFile: readProfilePath(root, (p) => resolveUserPath(p, dir)), roster: readRoster(root, rosterFile) };
  if (rosterFile !== undefined) outline.rosterFile = rosterFile;
  const credit = root.optOneOf('credit', ['earned', 'final'] as const);
  if (credit) outline.credit = credit;
  return outline;
}

/** The class config's roster, profile and credit only: no secret is read, the other keys are not checked. */
export function loadClassOutline(file: string): ClassOutline {
  return readOutline(Fields.root(file, readYamlFile(file)), file);
}

export function loadClassConfig(file: string): ClassConfig {
  const root = Fields.root(file, readYamlFile(file));
  const dir = dirname(resolve(file));
  const config: ClassConfig = {
    ...readOutline(root, file),
    resourceGroup: root.optString('resourceGroup') ?? '{user}-rg',
    azure: readAzure(root.optObject('azure'), dir),
    vm: readVm(root.optObject('vm'), dir),
    kubernetes: readKubernetes(root.optObject('kubernetes'), dir),
    network: readNetwork(root.optObject('network')),
    caPem: readCa(root.optObject('tls'), dir),
    timeoutsMs: readTimeouts(root.optObject('timeouts')),
  };
  root.optString('lab'); // informational; the profile names the lab
  root.done();
  return config;
}

/** A roster entry and where it was written, for errors: a key of the config, or a line of the CSV. */
interface Placed {
  entry: RosterEntry;
  file: string;
  where: string;
  /** How another entry refers to this one ("on line 2", "roster[0]"). */
  ref: string;
}

/** The roster's CSV file, when `roster:` names one rather than listing the users. */
function rosterCsvPath(root: Fields, dir: string): string | undefined {
  const raw = root.raw('roster');
  return typeof raw === 'string' ? resolveUserPath(raw, dir) : undefined;
}

function readRoster(root: Fields, csvFile: string | undefined): RosterEntry[] {
  const raw = root.raw('roster');
  if (raw === undefined || raw === null) root.fail('roster', 'is required: a list of users, or the path of a CSV file with a "user" column');
  let placed: Placed[];
  if (csvFile !== undefined) placed = readRosterCsv(csvFile, root.file);
  else if (Array.isArray(raw)) {
    placed = raw.map((item, i) => {
      const at = { file: root.file, where: `roster[${i}]`, ref: `roster[${i}]` };
      if (typeof item === 'string' || typeof item === 'number') return { entry: { user: String(item) }, ...at };
      const f = root.objectList('roster')[i];
      const e: RosterEntry = {
        user: f.string('user'),
        resourceGroup: f.optString('resourceGroup'),
        vmHost: f.optString('vmHost'),
        vmPort: f.optNumber('vmPort', { integer: true, min: 1, max: 65535 }),
        vmUsername: f.optString('vmUsername'),
      };
      f.done();
      return { entry: e, ...at };
    });
  } else root.fail('roster', 'expected a list of users or the path of a CSV file');
  // Azure and SSH user names are not case-sensitive: Alice and alice would be one student graded twice.
  const seen = new Map<string, Placed>();
  for (const p of placed) {
    const { user } = p.entry;
    if (!USER_NAME.test(user)) throw new ConfigError(`expected a user name (letters, digits, . _ @ -), got ${JSON.stringify(user)}`, p.file, p.where);
    const other = seen.get(user.toLowerCase());
    if (other) {
      const as = other.entry.user === user ? '' : ` as ${JSON.stringify(other.entry.user)}: user names that differ only in case are one user for Azure and SSH`;
      throw new ConfigError(`user ${JSON.stringify(user)} is also ${other.ref}${as}`, p.file, p.where);
    }
    seen.set(user.toLowerCase(), p);
  }
  if (placed.length === 0) root.fail('roster', 'is empty');
  return placed.map((p) => p.entry);
}

/** Far beyond any class's roster. */
const MAX_ROSTER_BYTES = 16 * 1024 * 1024;
const CSV_COLUMNS = ['user', 'resourceGroup', 'vmHost', 'vmPort', 'vmUsername'];

function readRosterCsv(csvFile: string, configFile: string): Placed[] {
  let text: string;
  try {
    text = readRegularFile(csvFile, 'the roster', MAX_ROSTER_BYTES).toString('utf8');
  } catch (err) {
    throw new ConfigError(errorMessage(err), configFile, 'roster');
  }
  // One kind of line end: csv-parse counts a CRLF inside a quoted value as two lines, so its own line
  // numbers (in its errors) would drift past one; no roster value holds a line break anyway.
  text = text.replace(/\r\n?/g, '\n');
  const lines = new LineFinder(Buffer.from(text));
  let rows: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    // Arrays, not objects: the header's own end is then known, and each row starts where the one before ended.
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as typeof rows;
  } catch (err) {
    throw csvSyntaxError(err, csvFile, lines);
  }
  const header = (rows[0]?.record ?? []).map((c) => c.trim());
  const headerLine = `line ${lines.at(0)}`;
  const twice = header.find((c, i) => header.indexOf(c) !== i);
  if (twice !== undefined) throw new ConfigError(`the header names the column ${JSON.stringify(twice)} twice`, csvFile, headerLine);
  if (header.length && !header.includes('user')) throw new ConfigError(`needs a "user" column (columns allowed: ${CSV_COLUMNS.join(', ')})`, csvFile);
  const unknown = header.find((c) => !CSV_COLUMNS.includes(c));
  if (unknown !== undefined) throw new ConfigError(`unknown column ${JSON.stringify(unknown)} (allowed: ${CSV_COLUMNS.join(', ')})`, csvFile, headerLine);
  return rows.slice(1).map(({ record }, i) => {
    // A row's line is where it starts (a quoted value may span lines): where the row before it ended.
    const where = `line ${lines.at(rows[i].info.bytes)}`;
    const row = Object.fromEntries(header.map((c, k) => [c, record[k] ?? '']));
    const port = row.vmPort ? Number(row.vmPort) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new ConfigError(`vmPort: expected a port number, got ${JSON.stringify(row.vmPort)}`, csvFile, where);
    const entry = { user: row.user, resourceGroup: row.resourceGroup || undefined, vmHost: row.vmHost || undefined, vmPort: port, vmUsername: row.vmUsername || undefined };
    return { entry, file: csvFile, where, ref: `on ${where}` };
  });
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const BLANK = new Set([0x20, 0x09, 0x0a]);

/**
 * csv-parse's error, placed on its line: a quote never closed is named where it opened (csv-parse names
 * the end of the file, where it gave up).
 */
function csvSyntaxError(err: unknown, csvFile: string, lines: LineFinder): ConfigError {
  const e = err as Error & { code?: string; lines?: number; bytes?: number };
  if (e.code === 'CSV_QUOTE_NOT_CLOSED' && typeof e.bytes === 'number') {
    return new ConfigError('invalid CSV: a quoted value opened here is never closed', csvFile, `line ${lines.at(e.bytes)}`);
  }
  const message = e.message.replace(/ (?:at|on) line \d+/, '');
  return new ConfigError(`invalid CSV: ${message}`, csvFile, typeof e.lines === 'number' ? `line ${e.lines}` : undefined);
}

/**
 * The line of the first non-blank character at or after a byte offset of a text with LF line ends.
 * Offsets are asked in increasing order: the text is walked once.
 */
class LineFinder {
  private offset = 0;
  private line = 1;
  constructor(private readonly bytes: Buffer) {}

  at(from: number): number {
    let start = Math.max(from, this.bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0);
    while (BLANK.has(this.bytes[start])) start++;
    for (; this.offset < start; this.offset++) if (this.bytes[this.offset] === 0x0a) this.line++;
    return this.line;
  }
}

/** `{env: NAME}` or `{file: PATH}`; a literal string is refused so secrets never live in the config. */
function readSecret(parent: Fields, key: string, dir: string, label: string): Secret | undefined {
  const raw = parent.raw(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') parent.fail(key, `must not be written in the config: use {env: VARIABLE} or {file: PATH}`);
  const f = parent.object(key);
  const env = f.optString('env');
  const file = f.optString('file');
  f.done();
  if (!!env === !!file) parent.fail(key, 'expected exactly one of {env: VARIABLE} or {file: PATH}');
  if (env) {
    const v = process.env[env];
    if (!v) parent.fail(key, `environment variable ${env} is not set`);
    return new Secret(v, label);
  }
  const path = resolveUserPath(file!, dir);
  try {
    return new Secret(readFileSync(path, 'utf8').trim(), label);
  } catch {
    return parent.fail(key, `cannot read the file ${path}`);
  }
}

function readAzure(f: Fields | undefined, dir: string): AzureSettings | undefined {
  if (!f) return undefined;
  const a: AzureSettings = {
    subscriptionId: f.string('subscription'),
    endpoint: armEndpoint(f.optString('endpoint')),
    credential: f.oneOf('credential', ['default', 'token', 'servicePrincipal'] as const, 'default'),
    token: readSecret(f, 'token', dir, 'Azure token'),
    requestsPerSecond: f.optNumber('requestsPerSecond', { min: 0.1, max: 1000 }) ?? 10,
    graphEndpoint: (f.optString('graphEndpoint') ?? 'https://graph.microsoft.com').replace(/\/+$/, ''),
  };
  if (a.credential === 'token' && !a.token) f.fail('token', 'is required when credential is "token"');
  if (a.credential === 'servicePrincipal') a.servicePrincipal = readServicePrincipal(f, dir);
  if (!/^https:\/\//.test(a.endpoint)) f.fail('endpoint', `expected an https:// URL, got ${JSON.stringify(a.endpoint)}`);
  if (!/^https:\/\//.test(a.graphEndpoint ?? '')) f.fail('graphEndpoint', `expected an https:// URL, got ${JSON.stringify(a.graphEndpoint)}`);
  f.done();
  return a;
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readServicePrincipal(f: Fields, dir: string): NonNullable<AzureSettings['servicePrincipal']> {
  const tenantId = f.has('tenant') ? f.string('tenant') : f.fail('tenant', 'is required when credential is "servicePrincipal" (the directory id)');
  const clientId = f.has('clientId') ? f.string('clientId') : f.fail('clientId', 'is required when credential is "servicePrincipal" (the application id)');
  if (!GUID_RE.test(tenantId) && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(tenantId)) f.fail('tenant', `expected a directory id (GUID) or domain, got ${JSON.stringify(tenantId)}`);
  if (!GUID_RE.test(clientId)) f.fail('clientId', `expected an application id (GUID), got ${JSON.stringify(clientId)}`);
  const clientSecret = readSecret(f, 'clientSecret', dir, 'Azure client secret') ?? f.fail('clientSecret', 'is required when credential is "servicePrincipal": use {env: VARIABLE} or {file: PATH}');
  const authorityHost = (f.optString('authorityHost') ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  if (!/^https:\/\//.test(authorityHost)) f.fail('authorityHost', `expected an https:// URL, got ${JSON.stringify(authorityHost)}`);
  return { tenantId, clientId, clientSecret, authorityHost };
}

function readVm(f: Fields | undefined, dir: string): VmSettings | undefined {
  if (!f) return undefined;
  const keyFile = f.optString('keyFile');
  const knownHosts = f.optString('knownHosts');
  const vm: VmSettings = {
    host: f.string('host'),
    port: f.optNumber('port', { integer: true, min: 1, max: 65535 }) ?? 22,
    username: f.optString('username') ?? '{user}',
    keyFile: keyFile ? resolveUserPath(keyFile, dir) : undefined,
    password: readSecret(f, 'password', dir, 'VM password'),
    knownHosts: knownHosts ? resolveUserPath(knownHosts, dir) : undefined,
  };
  if (!vm.keyFile && !vm.password) f.fail('keyFile', 'the VM login needs keyFile or password ({env: VARIABLE} or {file: PATH})');
  f.done();
  return vm;
}

function readKubernetes(f: Fields | undefined, dir: string): ClassConfig['kubernetes'] {
  if (!f) return { source: 'azure' };
  const kubeconfig = f.optString('kubeconfig');
  const k: ClassConfig['kubernetes'] = {
    source: f.oneOf('source', ['azure', 'kubeconfig'] as const, 'azure'),
    kubeconfig: kubeconfig ? resolveUserPath(kubeconfig, dir) : undefined,
    context: f.optString('context'),
    namespace: f.optString('namespace'),
  };
  f.done();
  return k;
}

function readNetwork(f: Fields | undefined): ClassConfig['network'] {
  const connectTo: Record<string, string> = {};
  const ct = f?.optObject('connectTo');
  for (const [from, to] of ct?.entries() ?? []) {
    if (typeof to !== 'string' || !/^[^\s:]+:\d{1,5}$|^\[[^\]]+\]:\d{1,5}$/.test(to)) ct!.fail(from, `expected "host:port", got ${JSON.stringify(to)}`);
    if (!/^[^\s:]+:\d{1,5}$|^\[[^\]]+\]:\d{1,5}$/.test(from)) ct!.fail(from, 'expected the key as "host:port"');
    connectTo[from] = to as string;
  }
  const loopbackOnly = f?.optBoolean('loopbackOnly') ?? false;
  const allowLoopback = f?.optBoolean('allowLoopback') ?? false;
  f?.done();
  return { connectTo, loopbackOnly, allowLoopback };
}

function readCa(f: Fields | undefined, dir: string): string | undefined {
  const file = f?.optString('caFile');
  f?.done();
  if (!file) return undefined;
  const path = resolveUserPath(file, dir);
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) f!.fail('caFile', `${path} holds no PEM certificate`);
    return pem;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return f!.fail('caFile', `cannot read ${path}`);
  }
}

function readTimeouts(f: Fields | undefined): Partial<Record<ProbeKind, number>> {
  const out: Partial<Record<ProbeKind, number>> = {};
  for (const kind of PROBE_KINDS) {
    const s = f?.optNumber(kind, { min: 0.1, max: 600 });
    if (s !== undefined) out[kind] = s * 1000;
  }
  f?.done();
  return out;
}

const expandTemplate = (template: string, user: string): string => template.replaceAll('{user}', user);

/** The targets of the given users (all when none given); an unknown user lists the roster. */
export function targetsFor(config: ClassConfig, users: readonly string[] = []): Target[] {
  const byUser = new Map(config.roster.map((e) => [e.user, e]));
  for (const u of users) {
    if (!byUser.has(u)) {
      const names = config.roster.map((e) => e.user);
      const shown = names.length > 30 ? `${names.slice(0, 30).join(', ')}, … (${names.length} in all)` : names.join(', ');
      throw new ConfigError(`unknown user ${JSON.stringify(u)}; the roster has: ${shown}`, config.file, '--user');
    }
  }
  const entries = users.length ? users.map((u) => byUser.get(u)!) : config.roster;
  return entries.map((e) => {
    const t: Target = {
      user: e.user,
      resourceGroup: e.resourceGroup ?? expandTemplate(config.resourceGroup, e.user),
      subscriptionId: config.azure?.subscriptionId,
    };
    if (config.vm) {
      t.vm = {
        host: e.vmHost ?? expandTemplate(config.vm.host, e.user),
        port: e.vmPort ?? config.vm.port,
        username: e.vmUsername ?? expandTemplate(config.vm.username, e.user),
        keyFile: config.vm.keyFile,
        password: config.vm.password,
        knownHosts: config.vm.knownHosts,
      };
    }
    if (config.localHome) t.localHome = config.localHome;
    if (config.kubernetes.source === 'kubeconfig' && config.kubernetes.kubeconfig) {
      t.kubeconfig = { path: config.kubernetes.kubeconfig, context: config.kubernetes.context };
    }
    return t;
  });
}
