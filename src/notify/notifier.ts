/** The sender interface every channel type implements. The registry is in registry.ts. */
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';
import type { OutboundMessage } from './message.js';
import type { SendOutcome } from './outcome.js';

export interface Notifier {
  readonly channel: string;
  send(msg: OutboundMessage): Promise<SendOutcome>;
  /** Releases sockets and timers (email transports). */
  close?(): void;
}

export interface NotifyDeps {
  log: Log;
  clock: Clock;
  /** Where the console channel writes its human-readable text (the agent passes stderr). */
  writeConsole?: (text: string) => void;
}
