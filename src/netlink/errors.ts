/**
 * A failed rtnetlink request. `errno` is the kernel's errno name (`EEXIST`,
 * `ENODEV`, `EBUSY`, `EPERM`, ...) or `ETIMEDOUT` when no reply came in time,
 * so callers compare names and never match on message text.
 */
export class NetlinkError extends Error {
  readonly errno: string;
  readonly operation: string;

  constructor(operation: string, errno: string, options?: ErrorOptions) {
    super(`${operation} failed: ${errno}`, options);
    this.name = 'NetlinkError';
    this.errno = errno;
    this.operation = operation;
  }
}

const REJECTED = /\b(E[A-Z0-9]+)\b/;

/**
 * Wraps whatever the `netlink` package threw. It reports kernel rejections
 * as a plain Error whose text contains the errno name ("Request rejected:
 * EEXIST") and socket failures as errors with a `code` property.
 */
export function toNetlinkError(operation: string, cause: unknown): NetlinkError {
  if (cause instanceof NetlinkError) {
    return cause;
  }
  return new NetlinkError(operation, errnoOf(cause), { cause });
}

function errnoOf(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      return code;
    }
    if (/timed? ?out/i.test(cause.message)) {
      return 'ETIMEDOUT';
    }
    const match = REJECTED.exec(cause.message);
    if (match) {
      return match[1];
    }
  }
  return 'EUNKNOWN';
}

function hasErrno(error: unknown, ...names: string[]): boolean {
  return error instanceof NetlinkError && names.includes(error.errno);
}

/** True when the object to change or delete is already gone. */
export function isNotFound(error: unknown): boolean {
  return hasErrno(error, 'ENODEV', 'ENOENT', 'ESRCH', 'EADDRNOTAVAIL');
}

export function isExists(error: unknown): boolean {
  return hasErrno(error, 'EEXIST');
}

export function isPermission(error: unknown): boolean {
  return hasErrno(error, 'EPERM', 'EACCES');
}

export function isBusy(error: unknown): boolean {
  return hasErrno(error, 'EBUSY');
}
