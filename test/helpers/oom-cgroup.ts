/** Memory cgroups for real OOM kills: the same helpers `scripts/oom-drill` ships with (scripts/drill/oom-cgroup.ts). */
export * from '../../scripts/drill/oom-cgroup.js';
