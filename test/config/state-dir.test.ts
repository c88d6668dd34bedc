import { describe, expect, it } from 'vitest';
import { defaultStateDir } from '../../src/config/state-dir.js';

describe('defaultStateDir: a fixed, absolute place for the database, never the working directory', () => {
  it("is /var/lib/oomwatch for root (the unit's StateDirectory=)", () => {
    expect(defaultStateDir({ uid: 0, env: {}, homeDir: '/root' })).toBe('/var/lib/oomwatch');
  });
  it('is $XDG_STATE_HOME/oomwatch, else ~/.local/state/oomwatch, for other users', () => {
    expect(defaultStateDir({ uid: 1000, env: { XDG_STATE_HOME: '/home/ann/.state' }, homeDir: '/home/ann' })).toBe(
      '/home/ann/.state/oomwatch',
    );
    expect(defaultStateDir({ uid: 1000, env: {}, homeDir: '/home/ann' })).toBe('/home/ann/.local/state/oomwatch');
  });
  it('ignores a relative XDG_STATE_HOME, as the XDG spec says', () => {
    expect(defaultStateDir({ uid: 1000, env: { XDG_STATE_HOME: 'state' }, homeDir: '/home/ann' })).toBe('/home/ann/.local/state/oomwatch');
  });
  it('takes an absolute OOMWATCH_STATE_DIR first, for root too', () => {
    expect(defaultStateDir({ uid: 0, env: { OOMWATCH_STATE_DIR: '/srv/oomwatch' }, homeDir: '/root' })).toBe('/srv/oomwatch');
    expect(defaultStateDir({ uid: 0, env: { OOMWATCH_STATE_DIR: 'rel' }, homeDir: '/root' })).toBe('/var/lib/oomwatch');
  });
});
