/** Public entry of alert delivery. The outbox writer the rules engine uses is store/outbox-repo.ts. */
export { resolveChannels } from './channels.js';
export { createDispatcher, type Dispatcher, type DispatcherDeps } from './dispatcher.js';
export { createNotifyModule, type NotifyModuleOptions } from './module.js';
export { createNotifier, notifierFactories } from './registry.js';
export type { Notifier, NotifyDeps } from './notifier.js';
export type { SendOutcome } from './outcome.js';
export { testMessage, type OutboundMessage } from './message.js';
