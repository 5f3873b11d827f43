import t from 'tap';
import { deriveMac } from '../../../src/reconcile/mac';

t.test('derived mac is stable and distinct', async (t) => {
  const first = deriveMac('4c4c4544004a', 'nic-macvlan');
  t.equal(deriveMac('4c4c4544004a', 'nic-macvlan'), first, 'same inputs, same mac');
  t.not(deriveMac('4c4c4544004a', 'other'), first, 'another shim differs');
  t.not(deriveMac('aaaaaaaaaaaa', 'nic-macvlan'), first, 'another machine differs');
});

t.test('derived mac is local unicast', async (t) => {
  for (let i = 0; i < 200; i++) {
    const mac = deriveMac(`machine-${i}`, `shim${i}`);
    const first = parseInt(mac.slice(0, 2), 16);
    t.equal(first & 0x01, 0, `${mac} is unicast`);
    t.equal(first & 0x02, 0x02, `${mac} is locally administered`);
    t.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  }
});
