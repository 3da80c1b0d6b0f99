export { httpProbe, type HttpProbeOptions } from './http-probe.js';
export { readCapped, type CappedBody } from './body.js';
export { isTransientError, TRANSIENT_STATUS } from './retry.js';
