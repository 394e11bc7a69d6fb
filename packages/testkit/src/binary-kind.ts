/** The server programs the testkit can run. */
export type BinaryKind = 'nats-server' | 'ferretdb';

/** Environment variable that names each binary explicitly. */
export const binaryEnvVar: Record<BinaryKind, string> = {
  'nats-server': 'NATS_SERVER_BIN',
  ferretdb: 'FERRETDB_BIN',
};

/** What to tell someone who has neither the binary nor a way for us to install it. */
export function notFoundMessage(kind: BinaryKind): string {
  return kind === 'nats-server'
    ? 'nats-server not found. Install it: `apt-get install -y nats-server` (Debian/Ubuntu) or download from the NATS releases page, or set NATS_SERVER_BIN'
    : 'ferretdb not found. Build it with Go: `bash scripts/install-ferretdb.sh` (needs Go ≥ 1.24), or set FERRETDB_BIN';
}
