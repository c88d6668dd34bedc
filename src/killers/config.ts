import { z } from 'zod';

/** Where the user-space OOM killers' lines (systemd-oomd, earlyoom, nohang, kubelet evictions) are read from. */
export const killersSection = z
  .object({
    /**
     * 'auto': the journal when journalctl exists and journald runs, else nothing; 'journal': `journalctl --follow`;
     * 'syslog': follow `syslogPath`; 'off': none (`oomwatch import` still reads saved logs).
     */
    source: z.enum(['auto', 'journal', 'syslog', 'off']).default('auto'),
    /** The journalctl binary (a name is looked up in PATH). */
    journalctl: z.string().default('journalctl'),
    /** The syslog file the daemons log to (Debian/Ubuntu: /var/log/syslog; RHEL: /var/log/messages). */
    syslogPath: z.string().default('/var/log/syslog'),
  })
  .strict()
  .default({ source: 'auto', journalctl: 'journalctl', syslogPath: '/var/log/syslog' });
