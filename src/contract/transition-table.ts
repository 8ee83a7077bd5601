/**
 * A state machine as one explicit table: rows are the current state, columns the event, a
 * cell the next state. The services' (src/supervisor/transition.ts) and the orchestrator's
 * (./system-transition.ts) are both written this way and looked up here.
 */
export type TransitionTable<S extends string, E extends string> = { readonly [K in S]: Readonly<Partial<Record<E, S>>> };

export interface StateMachine<S extends string, E extends string> {
  /** The next state for `event` in `state`; throws the machine's error when the table has no entry. */
  transition(state: S, event: E): S;
  /** Whether `event` is allowed in `state`, without throwing. */
  canTransition(state: S, event: E): boolean;
}

/** The two questions every table answers; `impossible` builds the error for a pair it lacks. */
export function defineStateMachine<S extends string, E extends string>(table: TransitionTable<S, E>, impossible: (state: S, event: E) => Error): StateMachine<S, E> {
  return {
    transition(state, event) {
      const next = table[state][event];
      if (next === undefined) throw impossible(state, event);
      return next;
    },
    canTransition: (state, event) => table[state][event] !== undefined,
  };
}

/** The message of an impossible transition, naming what the table allows instead. */
export function describeImpossible<S extends string, E extends string>(table: TransitionTable<S, E>, subject: string, state: S, event: E): string {
  const allowed = Object.keys(table[state]).join(", ") || "none";
  return `cannot apply "${event}" to ${subject} that is ${state} (allowed from ${state}: ${allowed})`;
}
