export type Admission =
  | { readonly admitted: true; readonly release: () => void }
  | { readonly admitted: false; readonly limit: 'process' | 'ip' };

export interface ClientLimits {
  /** Takes a place for a client at `ip`, or says which limit is full. */
  admit(ip: string): Admission;
  /** Clients holding a place now. */
  readonly total: number;
}

/**
 * Places for long-lived clients (SSE streams): at most `maxClients` in the process and
 * `maxPerIp` from one address. A place is given back once, however often `release` is
 * called.
 */
export function createClientLimits(options: { readonly maxClients: number; readonly maxPerIp: number }): ClientLimits {
  const perIp = new Map<string, number>();
  let total = 0;
  return {
    admit(ip) {
      if (total >= options.maxClients) return { admitted: false, limit: 'process' };
      const fromIp = perIp.get(ip) ?? 0;
      if (fromIp >= options.maxPerIp) return { admitted: false, limit: 'ip' };
      perIp.set(ip, fromIp + 1);
      total++;
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          total--;
          const left = (perIp.get(ip) ?? 1) - 1;
          if (left === 0) perIp.delete(ip);
          else perIp.set(ip, left);
        },
      };
    },
    get total() {
      return total;
    },
  };
}
