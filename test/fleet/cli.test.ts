/** The fleet commands' errors: what the user sees when the database is missing or unreachable, and the exit codes. */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { freePort } from '../metrics/daemon.js';

describe('oomwatch fleet errors', () => {
  it('an unreachable PostgreSQL: exit 69, host:port and what to check, no password', async () => {
    const port = await freePort();
    const r = await runCliInProcess(['fleet', 'incidents', '--postgres', `postgres://agent:s3cret@127.0.0.1:${port}/fleet`]);
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(
      `oomwatch: PostgreSQL at 127.0.0.1:${port}/fleet refused the connection: check that it runs and listens on that address, and the host and port in the URL.`,
    );
    expect(r.stderr).not.toContain('s3cret');
  });

  it('no database named: exit 64 with the three ways to name one', async () => {
    const r = await runCliInProcess(['fleet', 'report'], { OOMWATCH_CONFIG: '' });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/No fleet database named\. Pass --postgres .*OOMWATCH_FLEET_POSTGRES.*fleet\.postgres\.url/);
  });

  it('a malformed HOST:ID: exit 64 with an example', async () => {
    const r = await runCliInProcess(['fleet', 'incident', 'web-7', '--postgres', 'postgres://x@127.0.0.1/db']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/Expected HOST:ID \(e\.g\. web-7:42/);
  });
});
