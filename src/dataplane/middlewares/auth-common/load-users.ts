import { readFileSync } from 'node:fs';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';

/** One user line of an auth middleware, and where it came from, for error messages. */
export interface UserLine {
  readonly text: string;
  /** The error path of the line: `users[2]`, or `usersFile` for a line of the file. */
  readonly path: string;
  /** How to point at the line in a message: `users[2]` or `/etc/htpasswd line 3`. */
  readonly where: string;
}

/**
 * The user lines of basicAuth or digestAuth, read once when the middleware is built: the
 * file's lines first (trimmed, blank lines and `#` comments skipped), then `users`, so
 * that on a name given twice the inline entry wins, as Traefik's map of users ends up.
 */
export function loadUserLines(
  users: readonly string[] | undefined,
  usersFile: string | undefined,
): Result<UserLine[]> {
  const lines: UserLine[] = [];
  if (usersFile !== undefined && usersFile !== '') {
    let content: string;
    try {
      content = readFileSync(usersFile, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      return fail(new ConfigError('CONFIG_INVALID', 'usersFile', `cannot read ${usersFile} (${why})`));
    }
    content.split('\n').forEach((raw, index) => {
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) return;
      lines.push({ text, path: 'usersFile', where: `${usersFile} line ${index + 1}` });
    });
  }
  users?.forEach((text, index) => lines.push({ text, path: `users[${index}]`, where: `users[${index}]` }));
  return ok(lines);
}
