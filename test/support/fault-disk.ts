/**
 * A small disk of its own for a fault test: a tmpfs mounted on a temporary directory (root on Linux), which the test
 * fills with a ballast file to make it full, and empties again. Unmounted by `close()`.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  path: string;
  /** Fill every free byte with a ballast file; returns the bytes written. */
  fill(): number;
  /** Remove the ballast. */
  free(): void;
  freeBytes(): number;
  close(): void;
}

/** Whether this process may mount a tmpfs (root, mount(8) present); the test is skipped otherwise, and says so. */
export function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), 'vigil-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', path]);
  const ballast = join(path, 'ballast');
  const self: SmallDisk = {
    path,
    freeBytes() {
      const s = statfsSync(path);
      return s.bavail * s.bsize;
    },
    fill() {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // The last partial block: fill it byte-wise so that not one block is left.
        try {
          for (;;) written += writeSync(fd, chunk, 0, 512);
        } catch {
          /* full */
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      rmSync(ballast, { force: true });
    },
    close() {
      try {
        execFileSync('umount', ['-l', path]);
      } finally {
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
  return self;
}
