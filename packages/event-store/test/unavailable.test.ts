import t from 'tap';
import { MongoAPIError, MongoBulkWriteError, MongoNetworkError } from 'mongodb';
import { UnavailableError } from '@orderflow/platform';
import { guarded, isUnavailable } from '../src/unavailable.js';

/** What Node's net module throws on a write after the peer closed its side. */
function writeAfterFin(): Error {
  return Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
}

t.test('a socket the server closed under a command means unavailable, though the driver did not wrap it', async (t) => {
  t.ok(isUnavailable(writeAfterFin()));
  t.ok(isUnavailable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
  await t.rejects(
    guarded('reading order statistics', () => Promise.reject(writeAfterFin())),
    UnavailableError,
  );
});

t.test('driver network errors are unavailable, API misuse and other errors are not', async (t) => {
  t.ok(isUnavailable(new MongoNetworkError('connection closed')));
  t.notOk(isUnavailable(new MongoAPIError('bad option')));
  t.notOk(isUnavailable(new Error('a bug')));
  t.notOk(isUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' })));
  t.notOk(isUnavailable(undefined));
});

t.test('a batched write that failed as a whole is unavailable; one with a document refused is not', async (t) => {
  const lost = new MongoBulkWriteError({ message: 'connect ECONNREFUSED 127.0.0.1:1' } as never, {} as never);
  t.ok(isUnavailable(lost), 'no per-document errors and no code: the command never got through');
  const refused = new MongoBulkWriteError(
    { message: 'E11000', code: 11_000, writeErrors: [{ index: 0, code: 11_000, errmsg: 'E11000' }] as never },
    {} as never,
  );
  t.notOk(isUnavailable(refused));
});
