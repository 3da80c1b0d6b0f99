/**
 * esbuild plugin: the native add-ons that dependencies load only if present are left out of the
 * bundle (a `.node` file cannot be inlined). ssh2 tries its own `sshcrypto.node` binding and
 * `cpu-features` inside try/catch and falls back to its JavaScript ciphers; ws does the same with
 * `bufferutil` and `utf-8-validate`. Each becomes a module that throws MODULE_NOT_FOUND, as a
 * missing optional dependency does, so nothing is looked up on the user's disk instead.
 */
import type { Plugin } from 'esbuild';

export const LEFT_OUT = /^(?:cpu-features|bufferutil|utf-8-validate)$|\.node$/;

export function leaveOutNativeAddons(): Plugin {
  return {
    name: 'leave-out-native-addons',
    setup(build) {
      build.onResolve({ filter: LEFT_OUT }, (args) => ({ path: args.path, namespace: 'left-out' }));
      build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is left out of the one-file lab-grade`)}), { code: 'MODULE_NOT_FOUND' });\n`,
        loader: 'js',
      }));
    },
  };
}
