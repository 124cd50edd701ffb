/**
 * Makes files opened for writing under one folder fail the way a read-only file system (EROFS) or a full disk
 * (ENOSPC) makes them fail. Tests run as root here, where a read-only folder cannot be made with chmod.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export function failWritesUnder(
  dir: string,
  code: 'EROFS' | 'ENOSPC' | 'EACCES',
  /** Only files whose name matches (a disk that fills up once the lock is taken: `/^segment-/`). */
  only: RegExp = /./,
): { restore(): void } {
  // The module object itself (an import is a view of it): every importer reads its properties live.
  const patched = createRequire(__filename)('node:fs') as { openSync: typeof fs.openSync };
  const openSync = fs.openSync;
  const open = fs.promises.open;
  const refuse = (file: fs.PathLike, flags: unknown): void => {
    const writing = flags !== undefined && flags !== 'r' && flags !== fs.constants.O_RDONLY;
    if (writing && String(file).startsWith(dir) && only.test(path.basename(String(file)))) {
      throw Object.assign(new Error(`${code}: simulated, open '${String(file)}'`), {
        code,
        syscall: 'open',
        path: String(file),
      });
    }
  };
  patched.openSync = ((file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    refuse(file, flags);
    return openSync(file, flags ?? 'r', mode);
  }) as typeof fs.openSync;
  fs.promises.open = async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    refuse(file, flags);
    return open(file, flags, mode);
  };
  return {
    restore() {
      patched.openSync = openSync;
      fs.promises.open = open;
    },
  };
}
