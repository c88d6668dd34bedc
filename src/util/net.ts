/**
 * Whether a host name or address only reaches this machine: `localhost`, `::1` or 127.0.0.0/8. Used for the metrics
 * listen address (exposed beyond the host?) and SMTP hosts (credentials in clear over the network?).
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
