import { readFileSync } from 'node:fs';

/**
 * Parses /etc/passwd (passwd(5): name:password:UID:GID:GECOS:dir:shell) into name → uid. Pure.
 * Malformed lines are skipped: a user missing from the map simply matches no process.
 */
export function parsePasswd(text: string): Map<string, number> {
  const users = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2])) continue;
    if (!users.has(f[0])) users.set(f[0], Number(f[2]));
  }
  return users;
}

/** Reads a passwd file into a `uidOf` lookup; an unreadable file resolves no names (numeric uids still match). */
export function readUidLookup(passwdPath = '/etc/passwd'): { uidOf: (name: string) => number | undefined; readable: boolean } {
  let text: string;
  try {
    text = readFileSync(passwdPath, 'utf8');
  } catch {
    // Unreadable passwd: rules by user name match nothing; the plan lists which rules matched nothing.
    return { uidOf: () => undefined, readable: false };
  }
  const users = parsePasswd(text);
  return { uidOf: (name) => users.get(name), readable: true };
}
