/** The kernel watcher as the kernel tests run it: a kmsg file, the real clock, 20 ms polls, incidents collected in `seen`. */
import { systemClock } from '../../src/clock.js';
import { createKernelWatcher, type KernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import type { IncidentView } from '../../src/model/incident.js';
import type { Database } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';
import { BOOT } from '../helpers/snapshots.js';

/** Not started: the caller starts it and stops it in its cleanup. */
export function createTestWatcher(db: Database, kmsgPath: string, seen: IncidentView[]): KernelWatcher {
  return createKernelWatcher({
    store: createStore(db),
    log: silentLogger(),
    clock: systemClock,
    kmsgPath,
    bootId: BOOT,
    hostname: 'testhost',
    pollIntervalMs: 20,
    onIncident: (i) => seen.push(i),
    suspendedMs: () => 0,
  });
}
