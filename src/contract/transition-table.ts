/**
 * A state machine as one explicit table: rows are the current state, columns the event, a
 * cell the next state. The services' (src/supervisor/transition.ts) and the orchestrator's
 * (./system-transition.ts) are both written this way and looked up here.
 */
export type TransitionTable<S extends string, E extends string> = { readonly [K in S]: Readonly<Partial<Record<E, S>>> };

/** The next state for `event` in `state`; throws what `impossible` builds when the table has no entry. */
export function lookUpTransition<S extends string, E extends string>(table: TransitionTable<S, E>, state: S, event: E, impossible: (state: S, event: E) => Error): S {
  const next = table[state][event];
  if (next === undefined) throw impossible(state, event);
  return next;
}
