/**
 * References (`${self.port}`, `${self.name}`, `${services.NAME.port}`) name values that are
 * known only once the manifest is merged with discovery, so interpolation cannot replace them
 * when it reads the document. It leaves a placeholder instead, one per place a reference is
 * written, which references.ts replaces once the config is resolved (ports final). A
 * placeholder carries a random nonce: no text from the manifest or the environment can pass
 * for one. Each site remembers where it was written (for errors) and, in a command string,
 * how the shell reads the text there (for quoting the value).
 */
import { randomBytes } from "node:crypto";
import type { PathSegment } from "./issues";
import type { ShellContext } from "./shell-quote";
import type { SourceFile } from "./source";

export type Reference = { of: "self"; field: "port" | "name" } | { of: "service"; service: string; field: "port" };

/** Where a reference sits in a command string, as the shell reads it. */
export interface ShellPosition {
  context: ShellContext;
  escaped: boolean;
}

export interface ReferenceSite {
  reference: Reference;
  /** As written: `${services.db.port}`. */
  text: string;
  source: SourceFile;
  path: PathSegment[];
  /** Set when the site is in a command string (its value is shell-quoted there). */
  shell?: ShellPosition;
}

export const REFERENCE_FORMS = "${self.port}, ${self.name} or ${services.NAME.port}";

/** `self.…` or `services.…`: meant as a reference, not as a variable name (which has no dot). */
export function isReferenceLike(body: string): boolean {
  return /^(self|services)\./.test(body);
}

/** The reference `body` (what is inside `${…}`) stands for, or undefined when it is none of the forms. */
export function parseReference(body: string): Reference | undefined {
  if (body === "self.port" || body === "self.name") return { of: "self", field: body === "self.port" ? "port" : "name" };
  const service = /^services\.(.+)\.port$/.exec(body);
  return service ? { of: "service", service: service[1], field: "port" } : undefined;
}

export class ReferenceTable {
  readonly sites: ReferenceSite[] = [];
  private readonly nonce = randomBytes(6).toString("hex");
  private readonly pattern = new RegExp(`\uE000${this.nonce}(\\d+)\uE001`, "g");

  /** The placeholder for a reference written at `path`, or undefined (with `onProblem` told why) when `body` is none of the forms. */
  place(body: string, source: SourceFile, path: PathSegment[], shell: ShellPosition | undefined, onProblem: (message: string) => void): string | undefined {
    const reference = parseReference(body);
    if (!reference) {
      onProblem(`unknown reference "\${${body}}": expected ${REFERENCE_FORMS}`);
      return undefined;
    }
    this.sites.push({ reference, text: `\${${body}}`, source, path, shell });
    return `\uE000${this.nonce}${this.sites.length - 1}\uE001`;
  }

  /** Whether `text` holds a placeholder. */
  holds(text: string): boolean {
    return this.sites.length > 0 && text.includes(`\uE000${this.nonce}`);
  }

  /** The site when `value` is exactly one placeholder (a port reference standing for a whole number). */
  whole(value: unknown): ReferenceSite | undefined {
    if (typeof value !== "string" || !this.holds(value)) return undefined;
    const match = new RegExp(`^${this.pattern.source}$`).exec(value);
    return match ? this.sites[Number(match[1])] : undefined;
  }

  /** The sites of the placeholders in `text`, in order. */
  sitesIn(text: string): ReferenceSite[] {
    return this.holds(text) ? [...text.matchAll(this.pattern)].map((m) => this.sites[Number(m[1])]) : [];
  }

  /** `text` with each placeholder replaced by what `value` gives for its site. */
  substitute(text: string, value: (site: ReferenceSite) => string): string {
    return this.holds(text) ? text.replace(this.pattern, (_, index: string) => value(this.sites[Number(index)])) : text;
  }
}
