import { describe, expect, it } from 'vitest';
import { interpolate, InterpolationError, parseTemplate } from './interpolate.js';

const env = { SET: 'value', EMPTY: '', REGISTRY: 'labuser07acr.azurecr.io/', TAG: 'v1.0' };

describe('Compose interpolation', () => {
  it.each([
    ['${SET}', 'value'],
    ['$SET', 'value'],
    ['$SET/x', 'value/x'],
    ['${UNSET}', ''],
    ['${UNSET-default}', 'default'],
    ['${EMPTY-default}', ''],
    ['${UNSET:-default}', 'default'],
    ['${EMPTY:-default}', 'default'],
    ['${SET:-default}', 'value'],
    ['${UNSET+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${SET:+alt}', 'alt'],
    ['${UNSET:-${SET}}', 'value'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['${REGISTRY-127.0.0.1:5000}/rng:${TAG-latest}', 'labuser07acr.azurecr.io//rng:v1.0'],
    ['$$SET costs $$5', '$SET costs $5'],
    ['${SET?must be set}', 'value'],
    ['${EMPTY?must be set}', ''],
    ['${REGISTRY}myapp:${TAG-latest}', 'labuser07acr.azurecr.io/myapp:v1.0'],
  ])('%s -> %s', (text, value) => {
    expect(interpolate(text, env).value).toBe(value);
  });

  it('resolves the lab stub with REGISTRY and TAG unset, reporting REGISTRY as unset', () => {
    expect(interpolate('${REGISTRY}myapp:${TAG-latest}', {})).toEqual({ value: 'myapp:latest', unset: ['REGISTRY'] });
  });

  it.each([
    ['${UNSET?Variable not set}', 'required variable UNSET is missing a value: Variable not set'],
    ['${EMPTY:?no empty}', 'required variable EMPTY is missing a value: no empty'],
    ['${UNSET:?}', 'required variable UNSET is missing a value'],
    ['${}', 'invalid interpolation format'],
    ['${SET', 'invalid interpolation format'],
    ['${SET*x}', 'invalid interpolation format'],
    ['cost $5', 'invalid interpolation format'],
    ['trailing $', 'invalid interpolation format'],
  ])('%s is an error: %s', (text, message) => {
    expect(() => interpolate(text, env)).toThrow(InterpolationError);
    expect(() => interpolate(text, env)).toThrow(message);
  });

  it('keeps how a value is built', () => {
    expect(parseTemplate('${REGISTRY}myapp:${TAG-latest}')).toEqual([
      { kind: 'var', name: 'REGISTRY' },
      { kind: 'text', text: 'myapp:' },
      { kind: 'var', name: 'TAG', op: '-', arg: 'latest' },
    ]);
  });
});
