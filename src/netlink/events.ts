import { EventEmitter } from 'node:events';
import { createRtNetlink, NetlinkMessage, RtNetlinkSocket, rt } from 'netlink';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;

/**
 * Receive buffer asked for on the event socket. The kernel caps it at
 * net.core.rmem_max (212992 bytes by default, doubled for bookkeeping), so a
 * burst larger than that still overflows and is answered with a resync.
 */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/** The part of an rtnetlink notification the reconciler filters on. */
export interface KernelEvent {
  object: 'link' | 'address' | 'route';
  action: 'new' | 'del';
  index: number;
  /** Interface name, for link events only. */
  name?: string;
}

interface EventSourceEvents {
  change: [KernelEvent];
  /** Notifications were lost (ENOBUFS): only a full dump tells the truth now. */
  overflow: [];
  error: [Error];
}

/**
 * Subscription to link, address and route notifications
 * (`ip monitor link address route`).
 */
export class KernelEvents extends EventEmitter<EventSourceEvents> {
  private readonly socket: RtNetlinkSocket;

  constructor() {
    super();
    this.socket = createRtNetlink({
      ref: true,
      recvBufferSize: RECEIVE_BUFFER_BYTES,
      sendBufferSize: 0,
    });
    this.socket.socket.on('error', (error) => this.onSocketError(error));
    this.socket.socket.on('message', (messages) => this.onMessages(messages));
    for (const group of ['LINK', 'IPV4_IFADDR', 'IPV6_IFADDR', 'IPV4_ROUTE', 'IPV6_ROUTE'] as const) {
      this.socket.addMembership(group);
    }
  }

  close(): void {
    this.socket.socket.close();
  }

  private onSocketError(error: Error): void {
    if ((error as NodeJS.ErrnoException).code === 'ENOBUFS') {
      this.emit('overflow');
      return;
    }
    this.emit('error', error);
  }

  private onMessages(messages: NetlinkMessage[]): void {
    for (const message of messages) {
      const event = decodeEvent(message);
      if (event) {
        this.emit('change', event);
      }
    }
  }
}

/** Decodes one notification; odd or unparseable messages return undefined. */
export function decodeEvent(message: NetlinkMessage): KernelEvent | undefined {
  try {
    switch (message.type) {
      case RTM_NEWLINK:
      case RTM_DELLINK:
        return linkEvent(message);
      case RTM_NEWADDR:
      case RTM_DELADDR:
        return addressEvent(message);
      case RTM_NEWROUTE:
      case RTM_DELROUTE:
        return routeEvent(message);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function actionOf(type: number): KernelEvent['action'] {
  return type === RTM_DELLINK || type === RTM_DELADDR || type === RTM_DELROUTE ? 'del' : 'new';
}

function linkEvent(message: NetlinkMessage): KernelEvent | undefined {
  const { data, attrs } = rt.parseLinkMessage(message.data);
  if (data.index === undefined) return undefined;
  return { object: 'link', action: actionOf(message.type), index: data.index, name: attrs.ifname };
}

function addressEvent(message: NetlinkMessage): KernelEvent | undefined {
  const { data } = rt.parseAddressMessage(message.data);
  if (data.index === undefined) return undefined;
  return { object: 'address', action: actionOf(message.type), index: data.index };
}

function routeEvent(message: NetlinkMessage): KernelEvent | undefined {
  const { attrs } = rt.parseRouteMessage(message.data);
  if (attrs.oif === undefined) return undefined;
  return { object: 'route', action: actionOf(message.type), index: attrs.oif };
}
