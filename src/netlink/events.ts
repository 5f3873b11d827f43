import { EventEmitter } from 'node:events';
import { createNetlink, NetlinkMessage, NetlinkSocket, Protocol } from 'netlink';
import { addressIndexOf, linkIndexOf, linkNameOf, routeIndexOf } from './decode';

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
  return { object: 'link', action: actionOf(message.type), index, name: linkNameOf(message.data) };
}

function addressEvent(message: NetlinkMessage): KernelEvent | undefined {
  const index = addressIndexOf(message.data);
  if (index === undefined) return undefined;
  return { object: 'address', action: actionOf(message.type), index };
}

function routeEvent(message: NetlinkMessage): KernelEvent | undefined {
  const index = routeIndexOf(message.data);
  if (index === undefined) return undefined;
  return { object: 'route', action: actionOf(message.type), index };
}
