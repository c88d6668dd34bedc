/** Which log the killers are followed in (pure): the config's choice, 'auto' resolved from what the host has. */
export type KillerSource = 'journal' | 'syslog' | 'off';

export interface KillerSourceFacts {
  /** journalctl found (in PATH or at the configured path). */
  journalctl: boolean;
  /** journald runs (its socket /run/systemd/journal/socket exists). */
  journald: boolean;
}

export function chooseKillerSource(configured: 'auto' | KillerSource, facts: KillerSourceFacts): { source: KillerSource; why: string } {
  if (configured !== 'auto') return { source: configured, why: `killers.source is ${configured}` };
  if (facts.journalctl && facts.journald) return { source: 'journal', why: 'journald runs and journalctl is installed' };
  return {
    source: 'off',
    why: `${facts.journald ? 'journalctl is not installed' : 'journald does not run'}: set killers.source to syslog to follow a syslog file`,
  };
}
