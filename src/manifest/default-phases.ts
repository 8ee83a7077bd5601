/**
 * SPEC §5: a service without a `phase` goes in phase 1, or in the phase of its latest
 * dependency when that is later. That is the least fixed point of
 *   phase(s) = max(default, phase(d) for each dependency d)
 * over the services without an explicit phase. Services on a dependency cycle (an error
 * reported elsewhere) share one phase: the latest of what the cycle depends on.
 *
 * Computed in one pass over strongly connected components (Tarjan's algorithm, which
 * finishes a component only after every component it depends on), so a chain of n services
 * costs n steps, not the n rounds of n services that relaxing until stable took.
 */
import type { ServiceConfig } from "../contract/config";

interface Frame {
  service: ServiceConfig;
  next: number;
}

export function assignDefaultPhases(services: ServiceConfig[], explicit: ReadonlySet<string>, defaultPhase: number): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) if (!explicit.has(s.name) || s.phase < 0) s.phase = defaultPhase;
  const implicit = (name: string): ServiceConfig | undefined => (explicit.has(name) ? undefined : byName.get(name));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: ServiceConfig[] = [];
  const onStack = new Set<string>();
  const frames: Frame[] = [];
  const open = (service: ServiceConfig): void => {
    index.set(service.name, index.size);
    low.set(service.name, index.size - 1);
    stack.push(service);
    onStack.add(service.name);
    frames.push({ service, next: 0 });
  };
  for (const root of services) {
    if (explicit.has(root.name) || index.has(root.name)) continue;
    open(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const deps = frame.service.dependsOn;
      if (frame.next < deps.length) {
        const target = implicit(deps[frame.next++].name);
        if (!target) continue;
        if (!index.has(target.name)) open(target);
        else if (onStack.has(target.name)) low.set(frame.service.name, Math.min(low.get(frame.service.name)!, index.get(target.name)!));
        continue;
      }
      frames.pop();
      const name = frame.service.name;
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.service.name, Math.min(low.get(parent.service.name)!, low.get(name)!));
      if (low.get(name) === index.get(name)) settleComponent(popComponent(stack, onStack, name), byName, defaultPhase);
    }
  }
  for (const s of services) s.critical = s.phase === 0;
}

function popComponent(stack: ServiceConfig[], onStack: Set<string>, root: string): ServiceConfig[] {
  const members: ServiceConfig[] = [];
  let member: ServiceConfig;
  do {
    member = stack.pop()!;
    onStack.delete(member.name);
    members.push(member);
  } while (member.name !== root);
  return members;
}

// Every dependency outside the component is settled already (or explicit, or unknown: 0).
function settleComponent(members: ServiceConfig[], byName: Map<string, ServiceConfig>, defaultPhase: number): void {
  const inside = new Set(members.map((m) => m.name));
  let phase = defaultPhase;
  for (const m of members) {
    for (const dep of m.dependsOn) if (!inside.has(dep.name)) phase = Math.max(phase, byName.get(dep.name)?.phase ?? 0);
  }
  for (const m of members) m.phase = phase;
}
