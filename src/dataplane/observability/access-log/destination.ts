import { createWriteStream, open } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';

/** Where the lines go. */
export interface Destination {
  /** A stream to write to; called again to reopen (after the file was moved away). */
  open(): Promise<Writable>;
  /** False when reopening means nothing (stdout). */
  readonly reopens: boolean;
}

/** A file, created with its directory if missing, appended to, as Traefik opens it. */
export function fileDestination(path: string): Destination {
  return {
    reopens: true,
    async open() {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      return createWriteStream('', { fd: await openFd(path, 0o664), flags: 'a' });
    },
  };
}

/**
 * Standard output, opened anew through /dev/stdout where that works, so that writes go
 * through the thread pool and a reader that stalls blocks none of the event loop (Node
 * writes process.stdout synchronously to files and pipes). A socket cannot be reopened
 * that way; process.stdout is used then.
 */
export function stdoutDestination(): Destination {
  return {
    reopens: false,
    async open() {
      try {
        return createWriteStream('', { fd: await openFd('/dev/stdout', 0o666), flags: 'a' });
      } catch {
        return process.stdout;
      }
    },
  };
}

/**
 * Opens a file for appending, as a plain descriptor: a stream over a FileHandle (the
 * promise API) costs several times more per write.
 */
function openFd(path: string, mode: number): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, 'a', mode, (error, fd) => (error === null ? resolve(fd) : reject(error)));
  });
}

/** Ends a stream a destination opened, once what was written to it is out. */
export function release(stream: Writable): Promise<void> {
  // The process's own stdout stays open for everyone else.
  if (stream === process.stdout) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
    stream.end();
  });
}
