/**
 * flock(2) through bun:ffi: the one libc call the state-dir lock needs. A flock belongs to
 * the open file description, so the kernel drops it when the last fd on it closes (a
 * SIGKILL included). Linux only (libc.so.6); loading throws where libc cannot be opened.
 */
import { dlopen, FFIType, read } from "bun:ffi";

export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
/** errno when LOCK_NB finds the lock taken (EAGAIN = EWOULDBLOCK on Linux). */
export const EWOULDBLOCK = 11;

export interface LibcFlock {
  /** flock(fd, operation): 0 on success, else the errno. */
  flock(fd: number, operation: number): number;
}

/** Bind flock and errno from libc.so.6; throws (with dlopen's reason) where that fails. */
export function loadLibcFlock(): LibcFlock {
  const { symbols } = dlopen("libc.so.6", {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  return {
    flock(fd, operation) {
      if (symbols.flock(fd, operation) === 0) return 0;
      const errno = symbols.__errno_location();
      return errno ? read.i32(errno, 0) : -1;
    },
  };
}
