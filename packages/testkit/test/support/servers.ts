import { MongoClient } from 'mongodb';

/** The environment without NATS_URL / MONGO_URL, so these tests start real servers even in a run that points at external ones. */
export const ownServers: NodeJS.ProcessEnv = { ...process.env };
delete ownServers.NATS_URL;
delete ownServers.MONGO_URL;

/** Runs `use` with a connected client and always closes it. */
export async function withMongo<T>(url: string, use: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.close();
  }
}
