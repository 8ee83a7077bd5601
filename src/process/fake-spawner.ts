/** A Spawner for supervisor tests: no processes, every child driven by the test. */
import { systemClock, type Clock } from "../lib/clock";
import { FakeChild, type StopBehaviour } from "./fake-child";
import type { NotifyFields, SpawnSpec, Spawner } from "./spawner";
import type { StreamName } from "../contract/output";

export { FakeChild, type StopBehaviour } from "./fake-child";

export interface FakeSpawnerOptions {
  /** Clock for stop timeouts (pass the FakeClock your test advances). Default: system clock. */
  clock?: Clock;
  /** Pid of the first child; each spawn gets the next one. Default 1000. */
  firstPid?: number;
  /** Stop behaviour of new children unless set per service. Default "obey". */
  stopBehaviour?: StopBehaviour;
}

/**
 * Records every spawn and hands back FakeChild handles the test controls:
 * ```ts
 * const fake = new FakeSpawner({ clock });
 * supervisor.start("api");
 * fake.last("api").emit("stdout", "listening");  // a log line
 * fake.last("api").exit(1);                       // a crash; fake.last("api").exit("SIGSEGV") for a signal
 * fake.setStopBehaviour("api", "ignore");         // next stop waits its timeout on `clock`, then SIGKILLs
 * fake.failNextSpawn("api", "command not found"); // next spawn of api exits with reason "spawn-error"
 * expect(fake.children("api")).toHaveLength(2);
 * ```
 */
export class FakeSpawner implements Spawner {
  /** Every spec passed to spawn(), in order, failed spawns included. */
  readonly spawns: SpawnSpec[] = [];
  /** True once close() was called. */
  closed = false;
  private readonly clock: Clock;
  private nextPid: number;
  private readonly defaultStop: StopBehaviour;
  private readonly stopByName = new Map<string, StopBehaviour>();
  private readonly failures = new Map<string, string[]>();
  private readonly byName = new Map<string, FakeChild[]>();
  private readonly listeners: ((child: FakeChild) => void)[] = [];

  constructor(options: FakeSpawnerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.nextPid = options.firstPid ?? 1000;
    this.defaultStop = options.stopBehaviour ?? "obey";
  }

  spawn(spec: SpawnSpec, onLine: (stream: StreamName, line: string) => void, onNotify?: (fields: NotifyFields) => void): FakeChild {
    this.spawns.push(spec);
    const failure = this.failures.get(spec.name)?.shift();
    const pid = failure === undefined ? this.nextPid++ : 0;
    const child = new FakeChild(pid, spec, onLine, this.clock, this.stopByName.get(spec.name) ?? this.defaultStop, onNotify);
    if (failure !== undefined) child.failSpawn(failure);
    const list = this.byName.get(spec.name) ?? [];
    list.push(child);
    this.byName.set(spec.name, list);
    for (const listener of this.listeners) listener(child);
    return child;
  }

  /** The latest child of service `name`; throws if it was never spawned. */
  last(name: string): FakeChild {
    const child = this.byName.get(name)?.at(-1);
    if (!child) {
      const known = [...this.byName.keys()].join(", ") || "none";
      throw new Error(`FakeSpawner: expected a spawn of "${name}", got none (spawned: ${known})`);
    }
    return child;
  }

  /** Every child of service `name`, oldest first (failed spawns included, with pid 0). */
  children(name: string): FakeChild[] {
    return [...(this.byName.get(name) ?? [])];
  }

  /** Every child still running, across services. */
  running(): FakeChild[] {
    return [...this.byName.values()].flat().filter((child) => child.running);
  }

  /** The next spawn of `name` fails with `error` (reason "spawn-error"). Calls queue up. */
  failNextSpawn(name: string, error = `cannot start "${name}": command not found`): void {
    const queue = this.failures.get(name) ?? [];
    queue.push(error);
    this.failures.set(name, queue);
  }

  /** How children of `name` react to stop(): applies to future spawns and to those running now. */
  setStopBehaviour(name: string, behaviour: StopBehaviour): void {
    this.stopByName.set(name, behaviour);
    for (const child of this.byName.get(name) ?? []) child.stopBehaviour = behaviour;
  }

  /** Run `listener` on every new child (e.g. to make a service crash as soon as it starts). Returns an unsubscribe. */
  onSpawn(listener: (child: FakeChild) => void): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  close(): void {
    this.closed = true;
  }
}
