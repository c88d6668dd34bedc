import { z } from 'zod';

/** `kernel:` — whether and where the agent follows the kernel log for OOM reports (config/oomwatch.example.yaml, docs/kernel.md). */
export const kernelSection = z
  .object({
    /** Follow the kernel log for OOM reports. With false, kills are still counted from /proc/vmstat and cgroup counters. */
    enabled: z.boolean().default(true),
    kmsgPath: z.string().default('/dev/kmsg'),
  })
  .strict()
  .default({ enabled: true, kmsgPath: '/dev/kmsg' });

export type KernelConfig = z.output<typeof kernelSection>;
