import { createNetlink, createRtNetlink, NetlinkSocket, Protocol, RtNetlinkSocket, rt } from 'netlink';
import { decodeAddress, decodeLink, decodeRoute, familyNumber, RT_TABLE_MAIN } from './decode';
import { encodeIpv4Settings, encodeAttribute, encodeMacvlanInfo, encodeU32 } from './encode';
import { toNetlinkError } from './errors';
import { parseIp, parseMac } from './ip-bytes';
import { RequestWindow } from './window';
import type {
  AddressSpec,
  AddressState,
  KernelSnapshot,
  LinkState,
  MacvlanSpec,
  RouteSpec,
  RouteState,
} from './types';

const NLM_F_DUMP = 0x300;
/**
 * Changes in flight at once. Each reply costs the receive buffer about
 * 1 KiB of kernel accounting, and the default buffer is about 208 KiB.
 */
const WRITE_WINDOW = 64;

const NLM_F_ECHO = 0x8;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const IFLA_IFNAME = 3;
const IFLA_EXT_MASK = 29;
/** RTEXT_FILTER_SKIP_STATS: leave the per-link counters out of link dumps. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;

/**
 * The routing protocol number stamped on routes the daemon adds, so that
 * `ip route show proto 233` lists them and the daemon can tell its own routes
 * from routes that other software put on a shim. 233 is unassigned in
 * iproute2's rt_protos list.
 */
export const RTPROT_MACVLAN_SHIM = 233;

export interface ClientOptions {
  /** Milliseconds before a request without a reply fails with ETIMEDOUT. */
  timeoutMs: number;
  /** Receives socket-level errors, which the `netlink` package would throw. */
  onSocketError: (error: Error) => void;
}

type RequestOptions = { flags?: number; timeout?: number };

/**
 * Request side of rtnetlink. Changes go over one socket, and each of the
 * three dumps has a socket of its own, so a snapshot costs one round trip
 * rather than three. The `netlink` package tracks one multipart reply per
 * socket, so interleaved dumps on one socket fail.
 */
export class NetlinkClient {
  private readonly socket: RtNetlinkSocket;
  private readonly dumpSockets: Record<'links' | 'addresses' | 'routes', NetlinkSocket>;
  private readonly timeoutMs: number;
  private readonly window = new RequestWindow(WRITE_WINDOW);
  /** Count of create, change and delete requests sent; read by tests and benchmarks. */
  writes = 0;

  constructor(options: ClientOptions) {
    this.socket = createRtNetlink();
    this.dumpSockets = {
      links: createNetlink(Protocol.ROUTE),
      addresses: createNetlink(Protocol.ROUTE),
      routes: createNetlink(Protocol.ROUTE),
    };
    this.timeoutMs = options.timeoutMs;
    // The inner socket re-emits the raw socket's errors; an 'error' event
    // with no listener would throw and end the process.
    this.socket.socket.on('error', options.onSocketError);
    for (const socket of Object.values(this.dumpSockets)) {
      socket.on('error', options.onSocketError);
    }
  }

  close(): void {
    this.socket.socket.close();
    for (const socket of Object.values(this.dumpSockets)) socket.close();
  }

  private options(flags = 0): RequestOptions {
    return { flags, timeout: this.timeoutMs };
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (cause) {
      throw toNetlinkError(operation, cause);
    }
  }

  /**
   * Sends a change. Requests are sent in call order, at most
   * WRITE_WINDOW at a time; the kernel handles them in that order.
   */
  private async write<T>(operation: string, request: () => Promise<T>): Promise<T> {
    this.writes += 1;
    return this.window.run(() => this.call(operation, request));
  }

  /** `ip link show; ip address show; ip route show table main`, in parallel. */
  async snapshot(): Promise<KernelSnapshot> {
    const { links = [], addresses = [], routes = [] } = await this.dumpParts({ links: true, addresses: true, routes: true });
    return { links, addresses, routes };
  }

  /** Dumps only the parts asked for, in parallel. */
  async dumpParts(parts: { links: boolean; addresses: boolean; routes: boolean }): Promise<Partial<KernelSnapshot>> {
    const [links, addresses, routes] = await Promise.all([
      parts.links ? this.listLinks() : undefined,
      parts.addresses ? this.listAddresses() : undefined,
      parts.routes ? this.listRoutes() : undefined,
    ]);
    return { links, addresses, routes };
  }

  async listLinks(): Promise<LinkState[]> {
    const payloads = await this.dump('dump links', this.dumpSockets.links, RTM_GETLINK, RTM_NEWLINK, linkRequest());
    return defined(payloads.map(decodeLink));
  }

  async listAddresses(): Promise<AddressState[]> {
    const socket = this.dumpSockets.addresses;
    const payloads = await this.dump('dump addresses', socket, RTM_GETADDR, RTM_NEWADDR, Buffer.alloc(8));
    return defined(payloads.map(decodeAddress));
  }

  async listRoutes(): Promise<RouteState[]> {
    const socket = this.dumpSockets.routes;
    const payloads = await this.dump('dump routes', socket, RTM_GETROUTE, RTM_NEWROUTE, Buffer.alloc(12));
    const routes = defined(payloads.map(decodeRoute));
    return routes.filter((route) => route.table === RT_TABLE_MAIN);
  }

  /**
   * Sends a dump request and returns the raw payloads of the replies. The
   * decoders in decode.ts read only the fields the reconciler needs, which
   * costs far less than the package's full decoding of every attribute.
   */
  private async dump(
    operation: string,
    socket: NetlinkSocket,
    request: number,
    reply: number,
    header: Buffer,
  ): Promise<Buffer[]> {
    const [messages] = await this.call(operation, () =>
      socket.request(request, header, { flags: NLM_F_DUMP, timeout: this.timeoutMs }),
    );
    return messages.filter((message) => message.type === reply).map((message) => message.data);
  }

  /** `ip link show dev NAME`; undefined when there is no such link. */
  async getLink(name: string): Promise<LinkState | undefined> {
    const request = linkRequest(name);
    let messages;
    try {
      [messages] = await this.socket.socket.request(RTM_GETLINK, request, { timeout: this.timeoutMs });
    } catch (cause) {
      const error = toNetlinkError(`get link '${name}'`, cause);
      if (error.errno === 'ENODEV') return undefined;
      throw error;
    }
    const reply = messages.find((message) => message.type === RTM_NEWLINK);
    return reply ? decodeLink(reply.data) : undefined;
  }

  /**
   * `ip link add NAME link PARENT [address MAC] [mtu MTU] type macvlan mode
   * MODE`. Returns the new ifindex when the kernel echoes the link back
   * (NLM_F_ECHO, honoured for new links since Linux 6.3), else undefined.
   */
  async createMacvlan(spec: MacvlanSpec): Promise<number | undefined> {
    const attrs: Parameters<RtNetlinkSocket['newLink']>[1] = {
      ifname: spec.name,
      link: encodeU32(spec.parentIndex),
      linkinfo: encodeMacvlanInfo(spec.mode),
    };
    if (spec.mac !== undefined) attrs.address = parseMac(spec.mac);
    if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
    const echoed = await this.write(`create macvlan '${spec.name}'`, () =>
      this.socket.newLink({}, attrs, this.options(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO)),
    );
    return echoed.find((message) => message.attrs.ifname === spec.name)?.data.index;
  }

  /** `ip link show dev NAME`, returning only the ifindex. */
  async linkIndex(name: string): Promise<number> {
    const link = await this.getLink(name);
    if (!link) {
      throw toNetlinkError(`get link '${name}'`, new Error('ENODEV'));
    }
    return link.index;
  }

  /** `ip link delete dev NAME` */
  async deleteLink(index: number, name: string): Promise<void> {
    await this.write(`delete link '${name}'`, () =>
      this.socket.delLink({ index }, {}, this.options()),
    );
  }

  /** `ip link set dev NAME up` */
  async setUp(index: number, name: string): Promise<void> {
    await this.write(`set link '${name}' up`, () =>
      this.socket.setLink({ index, flags: { up: true }, change: { up: true } }, {}, this.options()),
    );
  }

  /** `ip link set dev NAME promisc on|off` */
  async setPromisc(index: number, name: string, on: boolean): Promise<void> {
    const flags = on ? { promisc: true as const } : {};
    await this.write(`set link '${name}' promisc ${on ? 'on' : 'off'}`, () =>
      this.socket.setLink({ index, flags, change: { promisc: true } }, {}, this.options()),
    );
  }

  /** `ip link set dev NAME alias TEXT` (an empty text removes the alias) */
  async setAlias(index: number, name: string, alias: string): Promise<void> {
    await this.write(`set alias of '${name}'`, () =>
      this.socket.setLink({ index }, { ifalias: alias }, this.options()),
    );
  }

  /**
   * `ip link set dev NAME alias TEXT` together with the sysctls
   * `net.ipv4.conf.NAME.arp_notify=1` and `promote_secondaries=1`, in one
   * request.
   */
  async setAliasAndIpv4Settings(index: number, name: string, alias: string): Promise<void> {
    await this.write(`set alias and IPv4 settings on '${name}'`, () =>
      this.socket.setLink({ index }, { ifalias: alias, afSpec: encodeIpv4Settings() }, this.options()),
    );
  }

  /** `ip link set dev NAME mtu MTU` */
  async setMtu(index: number, name: string, mtu: number): Promise<void> {
    await this.write(`set mtu ${mtu} on '${name}'`, () =>
      this.socket.setLink({ index }, { mtu }, this.options()),
    );
  }

  /** `ip link set dev NAME address MAC` */
  async setMac(index: number, name: string, mac: string): Promise<void> {
    await this.write(`set address ${mac} on '${name}'`, () =>
      this.socket.setLink({ index }, { address: parseMac(mac) }, this.options()),
    );
  }

  /** `ip address add ADDRESS/LEN dev NAME` */
  async addAddress(spec: AddressSpec, name: string): Promise<void> {
    await this.write(`add address ${spec.address}/${spec.prefixLength} to '${name}'`, () =>
      this.socket.newAddress(...addressMessage(spec), this.options(NLM_F_CREATE | NLM_F_EXCL)),
    );
  }

  /** `ip address delete ADDRESS/LEN dev NAME` */
  async deleteAddress(spec: AddressSpec, name: string): Promise<void> {
    await this.write(`delete address ${spec.address}/${spec.prefixLength} from '${name}'`, () =>
      this.socket.delAddress(...addressMessage(spec), this.options()),
    );
  }

  /** `ip route add DEST/LEN dev NAME proto 233` */
  async addRoute(spec: RouteSpec, name: string): Promise<void> {
    await this.write(`add route ${spec.destination}/${spec.prefixLength} via '${name}'`, () =>
      this.socket.newRoute(...routeMessage(spec), this.options(NLM_F_CREATE | NLM_F_EXCL)),
    );
  }

  /** `ip route delete DEST/LEN dev NAME proto 233` */
  async deleteRoute(spec: RouteSpec, name: string): Promise<void> {
    await this.write(`delete route ${spec.destination}/${spec.prefixLength} via '${name}'`, () =>
      this.socket.delRoute(...routeMessage(spec), this.options()),
    );
  }
}

function addressMessage(spec: AddressSpec): [rt.Address, rt.AddressAttrs] {
  const bytes = parseIp(spec.family, spec.address);
  const data = {
    family: familyNumber(spec.family),
    prefixlen: spec.prefixLength,
    index: spec.index,
    scope: RT_SCOPE_UNIVERSE,
  };
  const attrs = spec.family === 4 ? { local: bytes, address: bytes } : { address: bytes };
  return [data, attrs];
}

function routeMessage(spec: RouteSpec): [rt.Route, rt.RouteAttrs] {
  const data: rt.Route = {
    family: familyNumber(spec.family),
    dstLen: spec.prefixLength,
    table: RT_TABLE_MAIN,
    protocol: RTPROT_MACVLAN_SHIM as rt.RouteProtocol,
    scope: spec.family === 4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
    type: 'UNICAST',
  };
  const attrs = { dst: parseIp(spec.family, spec.destination), oif: spec.index };
  return [data, attrs];
}

/** struct ifinfomsg plus IFLA_EXT_MASK, and IFLA_IFNAME when asking for one link. */
function linkRequest(name?: string): Buffer {
  const parts = [Buffer.alloc(16), encodeAttribute(IFLA_EXT_MASK, encodeU32(RTEXT_FILTER_SKIP_STATS))];
  if (name !== undefined) parts.push(encodeAttribute(IFLA_IFNAME, Buffer.from(`${name}\0`)));
  return Buffer.concat(parts);
}

function defined<T>(items: (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}
