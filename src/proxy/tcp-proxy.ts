/**
 * The built-in TCP proxy of SPEC §15: accepts on one port and forwards each connection to a
 * ready instance, round robin (Bun.listen / Bun.connect, no dependency). Backpressure both
 * ways: when one side's write buffer is full, reading from the other side pauses until it
 * drains, so a slow client cannot grow the orchestrator's memory. Nothing here throws into its
 * caller: an upstream that refuses is retried on another instance, else the client is closed.
 */
import type { Socket, TCPSocketListener } from "bun";
import { OrchestratorError } from "../contract/errors";
import { ProxyStats, type ProxyStatsView } from "./proxy-stats";

export interface Upstream {
  /** The instance, e.g. `web@2`. */
  name: string;
  port: number;
}

export interface TcpProxyOptions {
  /** The group it fronts (`web`): named in stats and errors. */
  group: string;
  host: string;
  port: number;
  /** The routable instances now (ready, not stopping): asked for each new connection. */
  upstreams: () => Upstream[];
  /** Where the instances listen (default 127.0.0.1). */
  upstreamHost?: string;
}

export class ProxyListenError extends OrchestratorError {
  override readonly code = "PROXY_LISTEN_FAILED";
  override readonly status = 500;
  override readonly name = "ProxyListenError";
  constructor(group: string, host: string, port: number, cause: unknown) {
    super(`proxy of "${group}": expected to listen on ${host}:${port}, got ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface Link {
  client: Socket<Link>;
  upstream: Socket<Link> | null;
  target: Upstream | null;
  tried: Set<string>;
  /** Bytes one side could not take yet, waiting for its drain: toUpstream from the client, toClient from the upstream. */
  toUpstream: Uint8Array[];
  toClient: Uint8Array[];
  closed: boolean;
  /** The upstream closed while the client had bytes still to get: end the client once they are written. */
  endAfterFlush: boolean;
}

const keyOf = (u: Upstream): string => `${u.name}:${u.port}`;

export class TcpProxy {
  readonly stats = new ProxyStats();
  private listener: TCPSocketListener<Link> | null = null;
  private next = 0;
  private readonly open = new Map<string, Set<Link>>();
  private readonly drained = new Map<string, (() => void)[]>();

  constructor(private readonly options: TcpProxyOptions) {}

  get group(): string {
    return this.options.group;
  }

  get port(): number {
    return this.listener?.port ?? this.options.port;
  }

  /** Listen now; throws ProxyListenError when the port cannot be had. */
  start(): void {
    const { host, port } = this.options;
    try {
      this.listener = Bun.listen<Link>({
        hostname: host,
        port,
        socket: {
          open: (client) => this.accept(client),
          data: (client, chunk) => this.forward(client.data, chunk, "toUpstream"),
          drain: (client) => this.flush(client.data, "toClient"),
          close: (client) => this.closeLink(client.data),
          error: (client) => this.closeLink(client.data),
        },
      });
    } catch (error) {
      throw new ProxyListenError(this.options.group, host, port, error);
    }
  }

  /** Stop accepting; open connections are closed. */
  stop(): void {
    this.listener?.stop(true);
    this.listener = null;
    for (const links of this.open.values()) for (const link of links) this.closeLink(link);
  }

  /** Resolves once no connection to instance `name` on `port` is open, or after `timeoutMs` (then they are closed). */
  drain(name: string, port: number, timeoutMs: number): Promise<void> {
    const key = keyOf({ name, port });
    if (!this.open.get(key)?.size) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const link of [...(this.open.get(key) ?? [])]) this.closeLink(link);
        resolve();
      }, timeoutMs);
      const waiters = this.drained.get(key) ?? [];
      waiters.push(() => (clearTimeout(timer), resolve()));
      this.drained.set(key, waiters);
    });
  }

  view(): ProxyStatsView {
    return this.stats.view(this.options.group, this.options.host, this.port);
  }

  private accept(client: Socket<Link>): void {
    const link: Link = { client, upstream: null, target: null, tried: new Set(), toUpstream: [], toClient: [], closed: false, endAfterFlush: false };
    client.data = link;
    this.stats.accepted();
    this.connect(link);
  }

  // Round robin over the instances not tried yet for this connection; none left: the client is closed.
  private connect(link: Link): void {
    const candidates = this.options.upstreams().filter((u) => !link.tried.has(keyOf(u)));
    if (candidates.length === 0 || link.closed) {
      if (!link.closed) this.stats.refused();
      link.closed = true;
      link.client.end();
      return;
    }
    const target = candidates[this.next++ % candidates.length];
    link.tried.add(keyOf(target));
    // counted as open on its instance from now: a drain that starts while it connects waits for it
    link.target = target;
    this.track(link, true);
    const proxy = this;
    Bun.connect<Link>({
      hostname: this.options.upstreamHost ?? "127.0.0.1",
      port: target.port,
      data: link,
      socket: {
        open(upstream) {
          if (link.closed) return void upstream.end();
          link.upstream = upstream;
          proxy.flush(link, "toUpstream");
        },
        data: (_upstream, chunk) => proxy.forward(link, chunk, "toClient"),
        drain: () => proxy.flush(link, "toUpstream"),
        close: () => proxy.closeUpstream(link),
        error: () => proxy.closeUpstream(link),
        connectError: () => {},
      },
    }).catch(() => {
      if (link.upstream) return;
      this.track(link, false);
      link.target = null;
      this.connect(link);
    });
  }

  // Write what one side sent to the other; what does not fit waits, and the sender pauses.
  private forward(link: Link, chunk: Uint8Array, queue: "toUpstream" | "toClient"): void {
    if (link.closed) return;
    const to = queue === "toUpstream" ? link.upstream : link.client;
    const from = queue === "toUpstream" ? link.client : link.upstream;
    if (link.target) this.stats.bytes(link.target.name, queue === "toUpstream" ? chunk.byteLength : 0, queue === "toClient" ? chunk.byteLength : 0);
    if (!to || link[queue].length > 0) {
      link[queue].push(chunk.slice());
      from?.pause();
      return;
    }
    const written = to.write(chunk);
    if (written < chunk.byteLength) {
      link[queue].push(chunk.slice(written));
      from?.pause();
    }
  }

  private flush(link: Link, queue: "toUpstream" | "toClient"): void {
    const to = queue === "toUpstream" ? link.upstream : link.client;
    const from = queue === "toUpstream" ? link.client : link.upstream;
    if (!to || (link.closed && !link.endAfterFlush)) return;
    const pending = link[queue];
    while (pending.length > 0) {
      const chunk = pending[0];
      const written = to.write(chunk);
      if (written < chunk.byteLength) {
        pending[0] = chunk.slice(written);
        return;
      }
      pending.shift();
    }
    if (queue === "toClient" && link.endAfterFlush) return void this.closeLink(link);
    from?.resume();
  }

  // The instance closed its side: what it sent still reaches the client, then the client is closed.
  private closeUpstream(link: Link): void {
    if (link.closed) return;
    if (link.toClient.length === 0) return this.closeLink(link);
    link.endAfterFlush = true;
  }

  private closeLink(link: Link | undefined): void {
    if (!link || link.closed) return;
    link.closed = true;
    link.toClient = [];
    link.toUpstream = [];
    link.client.end();
    link.upstream?.end();
    link.upstream = null;
    if (link.target) this.track(link, false);
  }

  private track(link: Link, opened: boolean): void {
    const key = keyOf(link.target!);
    const links = this.open.get(key) ?? new Set();
    if (opened) {
      links.add(link);
      this.open.set(key, links);
      this.stats.opened(link.target!.name);
      return;
    }
    if (!links.delete(link)) return;
    this.stats.closed(link.target!.name);
    if (links.size > 0) return;
    this.open.delete(key);
    for (const resolve of this.drained.get(key) ?? []) resolve();
    this.drained.delete(key);
  }
}
