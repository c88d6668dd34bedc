import type { AgentContext, AgentModule } from './module.js';

/**
 * The agent's parts, in start order (stopped in reverse). Each adapts one subsystem's facade
 * to the AgentModule hooks.
 */
export function createAgentModules(ctx: AgentContext): AgentModule[] {
  void ctx;
  return [];
}
