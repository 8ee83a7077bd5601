/**
 * The fleet's proxies (SPEC §15): one TcpProxy per replicated service with a `proxy`, kept in
 * step with the config (at start and after each reload). A proxy that cannot listen is a
 * notice and a fleet-wide condition (`degraded`), never an exception into the supervisor.
 */
import type { Config } from "../contract/config";
import type { Notice } from "../contract/events";
import { TcpProxy, type Upstream } from "../proxy/tcp-proxy";
import type { ProxyStatsView } from "../proxy/proxy-stats";

export interface FleetProxiesOptions {
  upstreams: (group: string) => Upstream[];
  notice: (payload: Notice) => void;
  setCondition: (key: string, reason: string | null) => void;
}

export class FleetProxies {
  private readonly proxies = new Map<string, TcpProxy>();

  constructor(private readonly options: FleetProxiesOptions) {}

  /** Start the proxies `config` asks for, move those whose address changed, stop the ones it no longer has. */
  sync(config: Config): void {
    const wanted = new Map<string, { host: string; port: number }>();
    for (const s of config.services) if (s.proxy && !s.disabled && s.replica?.index === 1) wanted.set(s.replica.group, s.proxy);
    for (const [group, proxy] of this.proxies) {
      const want = wanted.get(group);
      if (want && want.host === proxy.view().host && want.port === proxy.port) continue;
      proxy.stop();
      this.proxies.delete(group);
      this.options.setCondition(`proxy:${group}`, null);
    }
    for (const [group, { host, port }] of wanted) {
      if (this.proxies.has(group)) continue;
      const proxy = new TcpProxy({ group, host, port, upstreams: () => this.options.upstreams(group) });
      try {
        proxy.start();
        this.proxies.set(group, proxy);
        this.options.setCondition(`proxy:${group}`, null);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.notice({ kind: "proxy-failed", level: "error", message, service: group });
        this.options.setCondition(`proxy:${group}`, message);
      }
    }
  }

  /** Wait for the connections to instance `name` (`web@2`) on `port` to close, at most `timeoutMs`. */
  drain(name: string, port: number, timeoutMs: number): Promise<void> {
    return this.proxies.get(name.replace(/@\d+$/, ""))?.drain(name, port, timeoutMs) ?? Promise.resolve();
  }

  views(): ProxyStatsView[] {
    return [...this.proxies.values()].map((proxy) => proxy.view()).sort((a, b) => a.group.localeCompare(b.group));
  }

  stopAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
    this.proxies.clear();
  }
}
