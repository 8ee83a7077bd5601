/**
 * AF_UNIX datagram sockets and epoll through `bun:ffi`, for sd_notify(3) (SPEC §14): Bun has
 * no unix datagram sockets, and reading one through Bun.file(fd).stream() runs datagrams
 * together ("READY=1" + "STATUS=x" arrive as one chunk), so each datagram is taken with its
 * own recvmsg(2), with the sender's credentials (SO_PASSCRED). epoll tells when one is
 * there: a Worker blocks in epoll_wait (notify-worker.ts), so waiting costs no CPU. Its own
 * dlopen of the same libc as libc.ts (glibc, then musl); made on first use.
 */
import { dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";
import { closeSync } from "node:fs";

interface SocketSymbols {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Pointer, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Pointer, length: number): number;
  recvmsg(fd: number, message: Pointer, flags: number): number | bigint;
  sendto(fd: number, data: Pointer, length: number, flags: number, address: Pointer, addressLength: number): number | bigint;
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, event: Pointer | null): number;
  epoll_wait(epfd: number, events: Pointer, max: number, timeoutMs: number): number;
  write(fd: number, data: Pointer, length: number): number | bigint;
  __errno_location(): Pointer | null;
}

const LIBC_NAMES = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  recvmsg: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i64 },
  sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
  epoll_create1: { args: [FFIType.i32], returns: FFIType.i32 },
  epoll_ctl: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  epoll_wait: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  write: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_PASSCRED = 16;
const SCM_CREDENTIALS = 2;
const MSG_DONTWAIT = 0x40;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLLIN = 1;
const EPOLLONESHOT = 1 << 30;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
/** sun_path holds 108 bytes with its NUL. */
export const MAX_SOCKET_PATH = 107;
/** struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
export const EPOLL_EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const EPOLL_DATA_OFFSET = process.arch === "x64" ? 4 : 8;
/** Larger than any notify message systemd itself accepts (NOTIFY_BUFFER_MAX, 4 KiB). */
const DATAGRAM_BYTES = 8192;

let loaded: SocketSymbols | undefined;

function libc(): SocketSymbols {
  if (loaded) return loaded;
  if (process.platform !== "linux") throw new Error(`notify sockets need Linux, got ${process.platform}`);
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      return (loaded = dlopen(name, SYMBOLS).symbols as unknown as SocketSymbols);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`cannot open libc through bun:ffi (${failures.join("; ")})`);
}

function errno(symbols: SocketSymbols): number {
  const where = symbols.__errno_location();
  return where ? read.i32(where, 0) : 0;
}

function socketAddress(path: string): { address: Uint8Array; length: number } {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > MAX_SOCKET_PATH) throw new Error(`expected a socket path of at most ${MAX_SOCKET_PATH} bytes, got ${bytes.length}: ${path}`);
  const address = new Uint8Array(110);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(bytes, 2);
  return { address, length: 2 + bytes.length + 1 };
}

/** A non-blocking, close-on-exec AF_UNIX datagram socket bound at `path`, passing senders' credentials. Throws with the errno. */
export function bindDatagramSocket(path: string): number {
  const symbols = libc();
  const { address, length } = socketAddress(path);
  const fd = symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket(AF_UNIX, SOCK_DGRAM) failed with errno ${errno(symbols)}`);
  const on = new Int32Array([1]);
  if (symbols.bind(fd, ptr(address), length) !== 0 || symbols.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, ptr(on), 4) !== 0) {
    const code = errno(symbols);
    closeDescriptor(fd);
    throw new Error(`cannot bind a notify socket at ${path}: errno ${code}`);
  }
  return fd;
}

export interface Datagram {
  text: string;
  /** The sender's pid from its credentials (0 when none came). */
  pid: number;
}

// One msghdr, iovec and control buffer, reused: recvmsg runs on one thread at a time.
const buffers = (() => {
  const data = new Uint8Array(DATAGRAM_BYTES);
  // Room for the credentials only: descriptors a sender passes (systemd-notify's BARRIER=1 pipe) are closed by the kernel, which ends its wait.
  const control = new Uint8Array(32);
  const iovec = new BigUint64Array(2);
  const header = new BigUint64Array(7);
  return { data, control, iovec, header };
})();

/** The next datagram waiting on `fd`, or null when none is (EAGAIN) or the socket is gone. Never blocks. */
export function receiveDatagram(fd: number): Datagram | null {
  const symbols = libc();
  const { data, control, iovec, header } = buffers;
  iovec[0] = BigInt(ptr(data));
  iovec[1] = BigInt(data.length);
  header.fill(0n);
  header[2] = BigInt(ptr(iovec));
  header[3] = 1n;
  header[4] = BigInt(ptr(control));
  header[5] = BigInt(control.length);
  control.fill(0);
  const got = Number(symbols.recvmsg(fd, ptr(header), MSG_DONTWAIT));
  if (got < 0) return null;
  const view = new DataView(control.buffer);
  const controlLength = Number(header[5]);
  const hasCredentials = controlLength >= 28 && view.getInt32(8, true) === SOL_SOCKET && view.getInt32(12, true) === SCM_CREDENTIALS;
  return { text: new TextDecoder().decode(data.subarray(0, Math.min(got, data.length))), pid: hasCredentials ? view.getUint32(16, true) : 0 };
}

/** sendto(2) one datagram to the socket at `path` from a fresh unbound socket (tests and benchmarks play sender with it). */
export function sendDatagram(path: string, text: string): void {
  const symbols = libc();
  const { address, length } = socketAddress(path);
  const fd = symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket failed with errno ${errno(symbols)}`);
  try {
    const bytes = new TextEncoder().encode(text);
    if (Number(symbols.sendto(fd, ptr(bytes), bytes.length, 0, ptr(address), length)) < 0) throw new Error(`sendto ${path} failed with errno ${errno(symbols)}`);
  } finally {
    closeDescriptor(fd);
  }
}

export function createEpoll(): number {
  const symbols = libc();
  const fd = symbols.epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw new Error(`epoll_create1 failed with errno ${errno(symbols)}`);
  return fd;
}

function epollEvent(fd: number): Uint8Array {
  const event = new Uint8Array(16);
  const view = new DataView(event.buffer);
  view.setUint32(0, EPOLLIN | EPOLLONESHOT, true);
  view.setUint32(EPOLL_DATA_OFFSET, fd, true);
  return event;
}

/**
 * Report `fd` readable once (EPOLLONESHOT) to whoever waits on `epfd`; `rearm` after draining
 * it asks for the next time. epoll_ctl may be called while another thread waits in epoll_wait.
 */
export function watchReadable(epfd: number, fd: number, rearm = false): void {
  const symbols = libc();
  if (symbols.epoll_ctl(epfd, rearm ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, ptr(epollEvent(fd))) !== 0) throw new Error(`epoll_ctl failed with errno ${errno(symbols)}`);
}

export function unwatch(epfd: number, fd: number): void {
  libc().epoll_ctl(epfd, EPOLL_CTL_DEL, fd, null);
}

/** Block until some watched fds are readable; their numbers (empty on EINTR). */
export function waitReadable(epfd: number, events: Uint8Array): number[] {
  const symbols = libc();
  const max = Math.floor(events.length / EPOLL_EVENT_SIZE);
  const count = symbols.epoll_wait(epfd, ptr(events), max, -1);
  const view = new DataView(events.buffer);
  const fds: number[] = [];
  for (let i = 0; i < count; i++) fds.push(view.getUint32(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET, true));
  return fds;
}

/** One byte to `fd` (the wake pipe of a waiting worker). */
export function writeByte(fd: number): void {
  libc().write(fd, ptr(new Uint8Array([1])), 1);
}

// close(2) is libc.ts's; the worker loads this file alone, so it is not imported from there.
function closeDescriptor(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
