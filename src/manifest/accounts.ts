/**
 * A service's `user` and `group`, resolved to ids when the manifest is loaded, so a typo is a
 * positioned `check` error and not a crash loop, and the spawner needs no look-up.
 *
 * Look-ups go through libc (getpwnam_r, getgrnam_r, getgrouplist through bun:ffi): the same
 * NSS answers (files, LDAP, sssd) that setpriv and initgroups(3) see at exec time, without a
 * `getent` process per name. One resolver per load caches each name.
 */
import { readFileSync } from "node:fs";
import type { Account } from "../contract/config";
import { findGroup, findUser, listUserGroups, type GroupEntry, type PasswdEntry } from "../lib/libc";
import { currentIdentity, type Identity } from "../lib/run-as-tools";
import { didYouMean } from "./suggest";

export interface AccountProblem {
  /** The key the problem is reported at. */
  key: "user" | "group";
  message: string;
}

export interface AccountResult {
  account?: Account;
  problems: AccountProblem[];
}

const NUMERIC = /^\d+$/;

/** A user as found: `listed` in passwd (so initgroups applies), or a bare uid with no primary group. */
interface Owner {
  name: string;
  uid: number;
  gid?: number;
  home: string;
  listed: boolean;
}

export class AccountResolver {
  private readonly users = new Map<string, PasswdEntry | null | Error>();
  private readonly groups = new Map<string, GroupEntry | null | Error>();
  private names?: { users: string[]; groups: string[] };

  constructor(private readonly self: Identity = currentIdentity()) {}

  /** The account for `user` (name or uid) and `group` (name or gid, default: the user's primary group). */
  resolve(user: string | undefined, group: string | undefined): AccountResult {
    if (user === undefined && group === undefined) return { problems: [] };
    const problems: AccountProblem[] = [];
    const owner = user === undefined ? this.ownUser() : this.findUser(user, problems);
    const primary = group === undefined ? undefined : this.findGroup(group, problems);
    if (!owner || (group !== undefined && !primary)) return { problems };
    const gid = primary?.gid ?? owner.gid;
    if (gid === undefined) {
      problems.push({ key: "user", message: `uid ${owner.uid} has no passwd entry, so no primary group: set \`group\`` });
      return { problems };
    }
    const account: Account = {
      user: owner.name,
      uid: owner.uid,
      group: primary?.name ?? this.groupName(gid),
      gid,
      groups: owner.listed ? this.groupsOf(owner.name, gid, problems) : [gid],
      home: owner.home,
    };
    problems.push(...this.checkPermission(account, user !== undefined, group !== undefined));
    return { account, problems };
  }

  /**
   * Without root only the orchestrator's own uid and gid can be had; its supplementary groups
   * cannot be changed either, so the account keeps them (the service gets what it would get).
   */
  private checkPermission(account: Account, userGiven: boolean, groupGiven: boolean): AccountProblem[] {
    const self = this.self;
    if (self.uid === 0) return [];
    const runsAs = `the orchestrator runs as uid ${self.uid}${this.ownName()} with gid ${self.gid}, not as root`;
    if (account.uid !== self.uid)
      return [{ key: userGiven ? "user" : "group", message: `running as user "${account.user}" (uid ${account.uid}) needs root: ${runsAs}` }];
    if (account.gid !== self.gid)
      return [{ key: groupGiven ? "group" : "user", message: `running with group "${account.group}" (gid ${account.gid}) needs root: ${runsAs}` }];
    account.groups = [...self.groups];
    return [];
  }

  private findUser(user: string, problems: AccountProblem[]): Owner | null {
    const entry = this.cached(this.users, user, () => findUser(NUMERIC.test(user) ? Number(user) : user));
    if (entry instanceof Error) {
      problems.push({ key: "user", message: `cannot look up user "${user}": ${entry.message}` });
      return null;
    }
    if (entry) return { ...entry, listed: true };
    // a uid without a passwd entry is still a uid (containers); a name is a typo
    if (NUMERIC.test(user)) return { name: user, uid: Number(user), home: "/", listed: false };
    problems.push({ key: "user", message: `no such user "${user}"${didYouMean(user, this.knownNames().users)}` });
    return null;
  }

  private findGroup(group: string, problems: AccountProblem[]): GroupEntry | null {
    const entry = this.cached(this.groups, group, () => findGroup(NUMERIC.test(group) ? Number(group) : group));
    if (entry instanceof Error) {
      problems.push({ key: "group", message: `cannot look up group "${group}": ${entry.message}` });
      return null;
    }
    if (entry) return entry;
    if (NUMERIC.test(group)) return { name: group, gid: Number(group) };
    problems.push({ key: "group", message: `no such group "${group}"${didYouMean(group, this.knownNames().groups)}` });
    return null;
  }

  private groupsOf(user: string, gid: number, problems: AccountProblem[]): number[] {
    try {
      return listUserGroups(user, gid);
    } catch (error) {
      problems.push({ key: "user", message: `cannot list the groups of "${user}": ${(error as Error).message}` });
      return [gid];
    }
  }

  // A `group` alone runs the orchestrator's own user with that group.
  private ownUser(): Owner {
    const entry = this.cached(this.users, String(this.self.uid), () => findUser(this.self.uid));
    if (entry && !(entry instanceof Error)) return { ...entry, listed: true };
    return { name: String(this.self.uid), uid: this.self.uid, gid: this.self.gid, home: process.env.HOME ?? "/", listed: false };
  }

  private ownName(): string {
    const entry = this.users.get(String(this.self.uid)) ?? this.cached(this.users, String(this.self.uid), () => findUser(this.self.uid));
    return entry && !(entry instanceof Error) ? ` ("${entry.name}")` : "";
  }

  private groupName(gid: number): string {
    const entry = this.cached(this.groups, String(gid), () => findGroup(gid));
    return entry && !(entry instanceof Error) ? entry.name : String(gid);
  }

  private cached<T>(cache: Map<string, T | null | Error>, key: string, look: () => T | null): T | null | Error {
    if (!cache.has(key)) {
      try {
        cache.set(key, look());
      } catch (error) {
        cache.set(key, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return cache.get(key)!;
  }

  // "did you mean" draws on the local files only: enumerating a directory service could be huge.
  private knownNames(): { users: string[]; groups: string[] } {
    return (this.names ??= { users: readNames("/etc/passwd"), groups: readNames("/etc/group") });
  }
}

function readNames(file: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .map((line) => line.slice(0, line.indexOf(":")))
      .filter((name) => name !== "" && !name.startsWith("#"));
  } catch {
    return [];
  }
}
