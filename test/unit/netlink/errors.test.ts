import t from 'tap';
import { isBusy, isExists, isNotFound, isPermission, NetlinkError, toNetlinkError } from '../../../src/netlink/errors';

t.test('kernel rejection text gives the errno', async (t) => {
  const error = toNetlinkError("create macvlan 'shim0'", new Error('Request rejected: EEXIST'));
  t.equal(error.errno, 'EEXIST');
  t.equal(error.message, "create macvlan 'shim0' failed: EEXIST");
  t.ok(isExists(error));
  t.ok(error.cause instanceof Error, 'the cause is kept');
});

t.test('request timeout becomes ETIMEDOUT', async (t) => {
  const error = toNetlinkError('dump links', new Error('Timeout has been reached'));
  t.equal(error.errno, 'ETIMEDOUT');
});

t.test('socket error code is used', async (t) => {
  const cause = Object.assign(new Error('Error when receiving Netlink message'), { code: 'ENOBUFS' });
  t.equal(toNetlinkError('dump routes', cause).errno, 'ENOBUFS');
});

t.test('errno helpers', async (t) => {
  const of = (errno: string) => new NetlinkError('op', errno);
  t.ok(isNotFound(of('ENODEV')));
  t.ok(isNotFound(of('EADDRNOTAVAIL')));
  t.notOk(isNotFound(of('EEXIST')));
  t.ok(isPermission(of('EPERM')));
  t.ok(isBusy(of('EBUSY')));
  t.equal(toNetlinkError('op', 'odd').errno, 'EUNKNOWN', 'non-errors map to EUNKNOWN');
});
