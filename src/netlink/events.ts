import { EventEmitter } from 'node:events';
import { createNetlink, NetlinkMessage, NetlinkSocket, Protocol } from 'netlink';
import { addressIndexOf, decodeAddress, decodeLink, decodeRoute, linkIndexOf, routeIndexOf } from './decode';
import type { AddressState, LinkState, RouteState } from './types';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;

/** rtnetlink multicast groups (RTNLGRP_*) the daemon listens to. */
const GROUPS = {
  link: 1,
  ipv4Address: 5,
  ipv4Route: 7,
  ipv6Address: 9,
  ipv6Route: 11,
};

/**
 * Receive buffer asked for on the event socket. The kernel caps it at
 * net.core.rmem_max (212992 bytes by default, doubled for bookkeeping), so a
 * burst larger than that still overflows, and the daemon then resyncs.
 */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * One rtnetlink notification, decoded. `index` is the interface it is about,
 * which for a route is its output interface. The decoded object is absent
 * when the message contains nothing the reconciler reads, such as a
 * multipath route.
 */
export type KernelEvent =
  | { object: 'link'; action: 'new' | 'del'; index: number; name?: string; link?: LinkState }
  | { object: 'address'; action: 'new' | 'del'; index: number; address?: AddressState }
  | { object: 'route'; action: 'new' | 'del'; index: number; route?: RouteState };

interface EventSourceEvents {
  change: [KernelEvent];
  /** Notifications were lost (ENOBUFS), so only a full dump shows the kernel's state now. */
  overflow: [];
  error: [Error];
}

/**
 * Subscription to link, address and route notifications
 * (`ip monitor link address route`).
 */
export class KernelEvents extends EventEmitter<EventSourceEvents> {
  private readonly socket: NetlinkSocket;

  /**
   * Opens a plain netlink socket rather than the package's rtnetlink one,
   * which would decode every attribute of every notification.
   */
  constructor(receiveBufferBytes = RECEIVE_BUFFER_BYTES) {
    super();
    this.socket = createNetlink(Protocol.ROUTE, {
      ref: true,
      recvBufferSize: receiveBufferBytes,
      sendBufferSize: 0,
    });
    this.socket.on('error', (error) => this.onSocketError(error));
    this.socket.on('message', (messages) => this.onMessages(messages));
    for (const group of Object.values(GROUPS)) {
      this.socket.addMembership(group);
    }
  }

  close(): void {
    this.socket.close();
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
  const index = linkIndexOf(message.data);
  if (index === undefined) return undefined;
  const link = decodeLink(message.data);
  return { object: 'link', action: actionOf(message.type), index, name: link?.name, link };
}

function addressEvent(message: NetlinkMessage): KernelEvent | undefined {
  const index = addressIndexOf(message.data);
  if (index === undefined) return undefined;
  return { object: 'address', action: actionOf(message.type), index, address: decodeAddress(message.data) };
}

function routeEvent(message: NetlinkMessage): KernelEvent | undefined {
  const route = decodeRoute(message.data);
  const index = route?.index ?? routeIndexOf(message.data);
  return { object: 'route', action: actionOf(message.type), index: index ?? 0, route };
}
