// prom-client by module (its index declares the exports of them all): the classes are its own,
// and each default-metric module registers its metrics in the registry given.
declare module 'prom-client/lib/gauge.js' {
  import { Gauge } from 'prom-client';
  export default Gauge;
}
declare module 'prom-client/lib/registry.js' {
  import { Registry } from 'prom-client';
  export default Registry;
}
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';
  const register: (registry: Registry, config?: { prefix?: string; labels?: Record<string, string> }) => void;
  export default register;
}
