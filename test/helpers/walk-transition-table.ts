/**
 * Walks a state machine's table against a listing written independently of it (one allowed
 * move per line, `state event next`): every listed move must be in the table, and every
 * (state, event) pair not listed must be refused with the machine's error.
 */
import { describe, expect, test } from "bun:test";

export interface TableUnderTest<S extends string, E extends string> {
  states: readonly S[];
  events: readonly E[];
  /** One allowed move per line: `state event next`. */
  allowed: string;
  transition(state: S, event: E): S;
  canTransition(state: S, event: E): boolean;
  /** The error an impossible move throws, and its code. */
  error: abstract new (...args: never[]) => Error;
  code: string;
}

/** The listing as a map from "state event" to the next state. */
function parseMoves(allowed: string): Map<string, string> {
  const moves = new Map<string, string>();
  for (const line of allowed.trim().split("\n")) {
    const [state, event, next] = line.trim().split(/\s+/);
    moves.set(`${state} ${event}`, next!);
  }
  return moves;
}

export function walkTransitionTable<S extends string, E extends string>(name: string, machine: TableUnderTest<S, E>): void {
  const expected = parseMoves(machine.allowed);
  describe(name, () => {
    for (const state of machine.states) {
      for (const event of machine.events) {
        const next = expected.get(`${state} ${event}`);
        if (next) {
          test(`${state} --${event}--> ${next}`, () => {
            expect(machine.transition(state, event)).toBe(next as S);
            expect(machine.canTransition(state, event)).toBe(true);
          });
          continue;
        }
        test(`${state} --${event}--> rejected`, () => {
          expect(machine.canTransition(state, event)).toBe(false);
          let error: unknown;
          try {
            machine.transition(state, event);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(machine.error);
          expect((error as { code?: string }).code).toBe(machine.code);
          expect((error as Error).message).toContain(`"${event}"`);
          expect((error as Error).message).toContain(state);
        });
      }
    }

    test("every listed move uses a known state and event", () => {
      for (const [key, next] of expected) {
        const [state, event] = key.split(" ");
        expect(machine.states as readonly string[]).toContain(state!);
        expect(machine.events as readonly string[]).toContain(event!);
        expect(machine.states as readonly string[]).toContain(next);
      }
    });
  });
}
