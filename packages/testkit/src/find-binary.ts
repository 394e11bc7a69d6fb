import type { BinaryKind } from './binary-kind.js';
import { installBinary } from './install-binary.js';
import { locateBinary } from './locate-binary.js';

/**
 * Path of a server binary: $NATS_SERVER_BIN / $FERRETDB_BIN, PATH, /usr/sbin,
 * /usr/local/sbin, /usr/local/bin, and for ferretdb also $(go env GOPATH)/bin and
 * <repo>/.tools/bin. When missing, installs it if this machine allows (apt-get as root;
 * scripts/install-ferretdb.sh with Go), else throws an Error saying what to install.
 */
export async function findBinary(kind: BinaryKind, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await locateBinary(kind, env)) ?? installBinary(kind, env);
}
