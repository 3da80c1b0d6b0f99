import { describe, expect, it } from 'vitest';
import { interpolate, InterpolationError, parseTemplate } from './interpolate.js';
import { thrown } from '../../test/support/thrown.js';

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
    ['${UNSET:-$$}', '$'],
    ['${UNSET:-$${x}', '${x'],
    ['${UNSET:-a{b}', 'a{b'],
    ['${UNSET:-$SET}', 'value'],
  ])('%s -> %s', (text, value) => {
    expect(interpolate(text, env).value).toBe(value);
  });

  it('reports only the variables read while unset', () => {
    expect(interpolate('${SET}${UNSET}$EMPTY${ALSO_UNSET-x}', env)).toEqual({ value: 'valuex', unset: ['UNSET'] });
  });

  it('names the variable and nothing more when a required one has no message', () => {
    expect(thrown(() => interpolate('${UNSET:?}', env))).toEqual({ name: 'InterpolationError', message: 'required variable UNSET is missing a value' });
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
    ['${1-SET}', 'invalid interpolation format'],
    ['$9x', 'invalid interpolation format'],
  ])('%s is an error: %s', (text, message) => {
    expect(() => interpolate(text, env)).toThrow(InterpolationError);
    expect(() => interpolate(text, env)).toThrow(message);
  });

  it('keeps a $VAR without braces as a variable', () => {
    expect(parseTemplate('$SET/x')).toEqual([
      { kind: 'var', name: 'SET' },
      { kind: 'text', text: '/x' },
    ]);
  });

  it('keeps how a value is built', () => {
    expect(parseTemplate('${REGISTRY}myapp:${TAG-latest}')).toEqual([
      { kind: 'var', name: 'REGISTRY' },
      { kind: 'text', text: 'myapp:' },
      { kind: 'var', name: 'TAG', op: '-', arg: 'latest' },
    ]);
  });
});
