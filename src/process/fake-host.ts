/** A HostView for supervisor tests: ports held and memory used are what the test says. */
import type { CgroupVerdict, GroupMemory, HeldPort, HostView } from "./host-view";

export class FakeHost implements HostView {
  /** Every port looked up, in order (to see that nothing is polled when nothing waits). */
  readonly portLookups: number[] = [];
  /** Every memory sample: the leaders asked about. */
  readonly samples: number[][] = [];
  /** Pids killed through killLeftover. */
  readonly killed: number[] = [];
  /** What memoryEnforcement answers. */
  enforcement: CgroupVerdict = { usable: false, reason: "the fake host has no cgroup v2" };
  private readonly holders = new Map<number, HeldPort>();
  private readonly memory = new Map<number, number>();

  /** `port` is held by `holder` (pid 4121, comm "postgres" unless said) until `free(port)`. */
  hold(port: number, holder: Partial<HeldPort> = {}): void {
    this.holders.set(port, { port, pid: 4121, comm: "postgres", marker: null, ...holder });
  }

  free(port: number): void {
    this.holders.delete(port);
  }

  /** The processes of leader `pid` use `bytes` from now on. */
  setMemory(pid: number, bytes: number): void {
    this.memory.set(pid, bytes);
  }

  findPortHolder(port: number): HeldPort | null {
    this.portLookups.push(port);
    return this.holders.get(port) ?? null;
  }

  isListening(port: number): boolean {
    this.portLookups.push(port);
    return this.holders.has(port);
  }

  measureMemory(leaders: readonly number[]): Map<number, GroupMemory> {
    this.samples.push([...leaders]);
    const out = new Map<number, GroupMemory>();
    for (const pid of leaders) {
      const bytes = this.memory.get(pid);
      if (bytes !== undefined) out.set(pid, { rssBytes: bytes, processes: 1 });
    }
    return out;
  }

  memoryEnforcement(): CgroupVerdict {
    return this.enforcement;
  }

  /** Killing a leftover frees its port, as the kernel would once it died. */
  killLeftover(holder: HeldPort): boolean {
    if (holder.pid === null || holder.service === undefined) return false;
    this.killed.push(holder.pid);
    for (const [port, held] of this.holders) if (held.pid === holder.pid) this.holders.delete(port);
    return true;
  }
}
