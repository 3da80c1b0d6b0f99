/** A network policy that remembers every attempt it refused, for tests that assert none reached a target. */
import { NetworkPolicy, NetworkRefused } from '../../probes/net.js';

export class RecordedPolicy extends NetworkPolicy {
  /** `host:port -> address` of each connection refused */
  readonly refused: string[] = [];

  override async resolve(host: string, port: number): ReturnType<NetworkPolicy['resolve']> {
    try {
      return await super.resolve(host, port);
    } catch (err) {
      if (err instanceof NetworkRefused && err.attempt) this.refused.push(err.attempt);
      throw err;
    }
  }
}

export const recordedPolicy = (...opts: ConstructorParameters<typeof NetworkPolicy>) => new RecordedPolicy(...opts);
