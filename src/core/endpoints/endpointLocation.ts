/**
 * Where a workspace's engine endpoint lives. The descriptor `<root>/.lambda-trigger/endpoint/engine.json` says where
 * the socket is and who serves it; the directory is the server's own (mode 0700). The socket sits beside it,
 * `engine-<pid>.sock`, unless that path is longer than a Unix socket path may be: then it goes into a private 0700
 * directory under the temp dir. On Windows it is a named pipe with a random name. Only the process that holds the
 * workspace's store serves it, so whoever holds the store may remove what a killed holder left behind.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { integer, objectOf, string, type Shape } from './messageShape';

export const ENDPOINT_DIR_NAME = 'endpoint';
export const ENDPOINT_DESCRIPTOR_FILE = 'engine.json';
/** macOS's sun_path holds 104 bytes including the final NUL (Linux 108): the shorter one decides. */
export const MAX_SOCKET_PATH_BYTES = 103;
const PRIVATE_DIR_PREFIX = 'lambda-trigger-endpoint-';
const PIPE_PREFIX = '\\\\.\\pipe\\lambda-trigger-';
const SOCKET_NAME = /^engine-\d+\.sock$/;

/** What the descriptor file says. */
export interface EndpointDescriptor {
  protocol: string;
  /** A Unix socket path, or a Windows pipe name. */
  socket: string;
  pid: number;
  owner: string;
  version: string;
  /** ISO time the endpoint started. */
  since: string;
}

const descriptorShape: Shape<EndpointDescriptor> = objectOf(
  { protocol: string, socket: string, pid: integer(1, 2 ** 32), owner: string, version: string, since: string },
  'keep',
);

export function endpointDirOf(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.lambda-trigger', ENDPOINT_DIR_NAME);
}

export function descriptorPathOf(workspaceRoot: string): string {
  return path.join(endpointDirOf(workspaceRoot), ENDPOINT_DESCRIPTOR_FILE);
}

export interface SocketPlacement {
  socket: string;
  /** The private temp directory made for the socket when the workspace path is too long; removed with it. */
  privateDir?: string;
}

export interface PlacementOptions {
  platform?: NodeJS.Platform;
  /** Where a private directory goes when the workspace path is too long (default os.tmpdir()). */
  tmpDir?: string;
}

const isWindows = (platform: NodeJS.Platform): boolean => platform === 'win32';

/**
 * Makes `dir` a directory only this user can enter (0700), creating it when needed. Refuses a symlink or a
 * directory of another user: the socket inside must not be reachable by anyone else.
 */
export function ensurePrivateDirectory(dir: string, platform: NodeJS.Platform = process.platform): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (isWindows(platform)) return;
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory; the engine endpoint needs it to be one.`);
  if (process.getuid && stat.uid !== process.getuid())
    throw new Error(`${dir} belongs to another user (uid ${stat.uid}); the engine endpoint is not served there.`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/** Where a new endpoint of this process listens; creates the directories it needs. */
export function placeSocket(workspaceRoot: string, options: PlacementOptions = {}): SocketPlacement {
  const platform = options.platform ?? process.platform;
  if (isWindows(platform)) return { socket: `${PIPE_PREFIX}${randomBytes(12).toString('hex')}` };
  const name = `engine-${process.pid}.sock`;
  const beside = path.join(endpointDirOf(workspaceRoot), name);
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH_BYTES) return { socket: beside };
  for (const tmp of [options.tmpDir ?? os.tmpdir(), '/tmp']) {
    if (Buffer.byteLength(path.join(tmp, `${PRIVATE_DIR_PREFIX}XXXXXX`, name)) > MAX_SOCKET_PATH_BYTES) continue;
    const privateDir = fs.mkdtempSync(path.join(tmp, PRIVATE_DIR_PREFIX));
    fs.chmodSync(privateDir, 0o700);
    return { socket: path.join(privateDir, name), privateDir };
  }
  throw new Error(`No place for the engine endpoint's socket: ${beside} and the temp directory are too long.`);
}

export function writeDescriptor(workspaceRoot: string, descriptor: EndpointDescriptor): void {
  const file = descriptorPathOf(workspaceRoot);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(descriptor, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * A socket this protocol would have made: `engine-<pid>.sock` in the workspace's endpoint directory or in a private
 * temp directory of ours (0700, this user's), or one of our pipe names. The descriptor is a file in the workspace,
 * so it is input like any other: it must not send a client to, or make a cleanup remove, anything else.
 */
export function isEndpointSocket(
  workspaceRoot: string,
  socket: string,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (isWindows(platform))
    return socket.startsWith(PIPE_PREFIX) && /^[0-9a-f]{24}$/.test(socket.slice(PIPE_PREFIX.length));
  if (!path.isAbsolute(socket) || !SOCKET_NAME.test(path.basename(socket))) return false;
  const dir = path.dirname(socket);
  if (dir !== endpointDirOf(workspaceRoot) && !path.basename(dir).startsWith(PRIVATE_DIR_PREFIX)) return false;
  try {
    const stat = fs.lstatSync(dir);
    const mine = !process.getuid || stat.uid === process.getuid();
    return stat.isDirectory() && mine && (stat.mode & 0o077) === 0 && fs.lstatSync(socket).isSocket();
  } catch {
    return false;
  }
}

export type DescriptorReading =
  { found: false } | { found: true; descriptor: EndpointDescriptor } | { found: true; problem: string };

/** Reads the workspace's descriptor without creating anything. */
export function readDescriptor(workspaceRoot: string): DescriptorReading {
  const file = descriptorPathOf(workspaceRoot);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return { found: false };
    return { found: true, problem: `${file} cannot be read: ${(err as Error).message}` };
  }
  let descriptor: EndpointDescriptor;
  try {
    descriptor = descriptorShape(JSON.parse(text), 'the descriptor');
  } catch (err) {
    return { found: true, problem: `${file} is not an endpoint descriptor: ${(err as Error).message}` };
  }
  if (!isEndpointSocket(workspaceRoot, descriptor.socket))
    return { found: true, problem: `${file} names ${descriptor.socket}, which is not a socket of a live endpoint` };
  return { found: true, descriptor };
}

/**
 * Removes what an endpoint of `workspaceRoot` left behind: the descriptor, the sockets, a private temp directory.
 * Only for the holder of the workspace's store (no one else can be serving it); `keep` is a socket to leave alone.
 */
export function removeEndpointFiles(workspaceRoot: string, keep?: string): void {
  const dir = endpointDirOf(workspaceRoot);
  const file = descriptorPathOf(workspaceRoot);
  let described: string | undefined;
  try {
    described = (JSON.parse(fs.readFileSync(file, 'utf8')) as { socket?: unknown }).socket as string | undefined;
  } catch {
    described = undefined;
  }
  if (typeof described === 'string' && described !== keep) removeSocket(workspaceRoot, described);
  fs.rmSync(file, { force: true });
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const socket = path.join(dir, name);
    if (SOCKET_NAME.test(name) && socket !== keep) removeSocket(workspaceRoot, socket);
    if (name.startsWith(`${ENDPOINT_DESCRIPTOR_FILE}.`) && name.endsWith('.tmp')) fs.rmSync(socket, { force: true });
  }
}

/** Removes one of our sockets (and its private directory); anything else is left alone. */
export function removeSocket(workspaceRoot: string, socket: string): void {
  if (!isEndpointSocket(workspaceRoot, socket) || isWindows(process.platform)) return;
  fs.rmSync(socket, { force: true });
  const dir = path.dirname(socket);
  if (path.basename(dir).startsWith(PRIVATE_DIR_PREFIX)) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Not empty: something else is in there; it stays.
    }
  }
}
