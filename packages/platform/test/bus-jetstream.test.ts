import t from 'tap';
import { jetstreamManager } from '@nats-io/jetstream';
import { uniqueName, useTestServers } from '@orderflow/testkit';
import { connectNats, createJetStreamBus, createLogger, ensureTopology } from '@orderflow/platform';
import { busContract, contractTopology } from './support/bus-contract.js';

const servers = await useTestServers(t);
const log = createLogger({ service: 'test', version: '0', environment: 'test', level: 'silent' });
const nats = await connectNats(
  { url: servers.natsUrl, user: undefined, password: undefined, token: undefined },
  { name: 'bus-contract', log, onFatal: (error) => t.fail(`NATS closed: ${error.message}`) },
);
t.teardown(() => nats.drain());
const jsm = await jetstreamManager(nats.nc);

busContract(t, async () => {
  const topology = contractTopology(uniqueName(servers.namespace));
  await ensureTopology(jsm, topology, log);
  const bus = createJetStreamBus(nats.nc, topology, log);
  return {
    bus,
    async close() {
      await bus.close();
      for (const stream of topology.streams) await jsm.streams.delete(topology.streamName(stream.name));
    },
  };
});
