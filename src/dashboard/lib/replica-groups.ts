/**
 * SPEC §15 on the grid: the instances `NAME@1..N` of a service with replicas are shown together
 * under `NAME`; every other service stands alone. Order is kept: a set sits where its first
 * instance was.
 */
export interface CardRun<S extends { name: string; state: string }> {
  /** The replicated service's name, or null for a service on its own. */
  group: string | null;
  services: S[];
}

/** `web@2` → "web"; null for a name without an instance index. */
export function replicaGroupOf(name: string): string | null {
  const at = name.lastIndexOf("@");
  return at > 0 && /^[1-9][0-9]*$/.test(name.slice(at + 1)) ? name.slice(0, at) : null;
}

export function groupReplicas<S extends { name: string; state: string }>(services: readonly S[]): CardRun<S>[] {
  const runs: CardRun<S>[] = [];
  const sets = new Map<string, CardRun<S>>();
  for (const service of services) {
    const group = replicaGroupOf(service.name);
    if (group === null) {
      runs.push({ group: null, services: [service] });
      continue;
    }
    let set = sets.get(group);
    if (!set) {
      set = { group, services: [] };
      sets.set(group, set);
      runs.push(set);
    }
    set.services.push(service);
  }
  for (const set of sets.values()) set.services.sort((a, b) => index(a.name) - index(b.name));
  return runs;
}

const index = (name: string) => Number(name.slice(name.lastIndexOf("@") + 1));
