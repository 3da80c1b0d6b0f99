/**
 * An undici dispatcher that trusts the sandbox CA and reaches "public" names through a connect-to map
 * ("host:port" -> "127.0.0.1:port", like curl's --connect-to): TLS still sees the original name (SNI
 * and certificate check), the Host header keeps it, only the TCP destination changes. Registry login
 * servers (`<name>.azurecr.io`) and token realms are reached this way in tests.
 */
import { Agent, buildConnector } from 'undici';

export function connectToAgent(ca: string, map: Record<string, string> = {}): Agent {
  const base = buildConnector({ ca });
  return new Agent({
    connect(opts, callback) {
      const port = opts.port || (opts.protocol === 'http:' ? '80' : '443');
      const to = map[`${opts.hostname}:${port}`];
      if (!to) return base(opts, callback);
      const [hostname, toPort] = to.split(':');
      base({ ...opts, hostname, port: toPort, servername: opts.servername ?? opts.hostname }, callback);
    },
  });
}
