/**
 * Caps the requests in flight on one socket and starts the rest in FIFO
 * order as replies come back. Without a cap, hundreds of pipelined requests
 * fill the socket's receive buffer with replies, the kernel drops the
 * overflow (ENOBUFS) and the dropped requests time out.
 */
export class RequestWindow {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Starts `request` now when the window has room, else after the earlier ones. */
  run<T>(request: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.inFlight += 1;
        request()
          .then(resolve, reject)
          .finally(() => this.release());
      };
      if (this.inFlight < this.size && this.waiting.length === 0) {
        start();
      } else {
        this.waiting.push(start);
      }
    });
  }

  private release(): void {
    this.inFlight -= 1;
    this.waiting.shift()?.();
  }
}
