import t from 'tap';
import { createMemoryBus } from '@orderflow/platform';
import { busContract, contractTopology } from './support/bus-contract.js';

busContract(t, async () => {
  const bus = createMemoryBus(contractTopology(undefined));
  return { bus, close: () => bus.close() };
});
