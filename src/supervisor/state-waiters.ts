/** One-shot observers of one service's state changes (e.g. the dependencies tier waiting for a restarted dependency to settle). */
import type { ServiceState } from "../contract/states";

/** Called with each state entered; returns true when it is done, and then leaves. */
export type StateWaiter = (state: ServiceState) => boolean;

export class StateWaiters {
  #waiters: StateWaiter[] = [];

  add(waiter: StateWaiter): void {
    this.#waiters.push(waiter);
  }

  remove(waiter: StateWaiter): void {
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
  }

  /** Only `SupervisorCore.apply` calls this, right after the state changed to `to`. */
  notify(to: ServiceState): void {
    if (this.#waiters.length > 0) this.#waiters = this.#waiters.filter((waiter) => !waiter(to));
  }
}
