/**
 * Channel type → sender factory. A `Record` over every ChannelType, so adding a type to the config schema
 * without a sender fails the build (openstatus's provider registry).
 */
import type { ChannelType, ResolvedChannel, ResolvedChannelOf } from './config.js';
import { createAlertmanagerNotifier } from './alertmanager.js';
import { createConsoleNotifier } from './console.js';
import { createEmailNotifier } from './email.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import { createSlackNotifier } from './slack.js';
import { createWebhookNotifier } from './webhook.js';

export const notifierFactories: { [K in ChannelType]: (cfg: ResolvedChannelOf<K>, deps: NotifyDeps) => Notifier } = {
  slack: createSlackNotifier,
  email: createEmailNotifier,
  console: createConsoleNotifier,
  webhook: createWebhookNotifier,
  alertmanager: createAlertmanagerNotifier,
};

export function createNotifier(cfg: ResolvedChannel, deps: NotifyDeps): Notifier {
  const factory = notifierFactories[cfg.type] as (c: ResolvedChannel, d: NotifyDeps) => Notifier;
  return factory(cfg, deps);
}
