export { httpProbe, type HttpProbeOptions } from './probe.js';
export { readCapped, type CappedBody } from './body.js';
export { isTransientError, TRANSIENT_STATUS } from './retry.js';
