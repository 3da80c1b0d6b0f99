/** A project's `.env` as Compose reads it to fill `${VARIABLES}`. */
import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.js';

describe('parseDotenv', () => {
  it('reads KEY=VALUE lines, with `export ` allowed, skipping blank lines and comments', () => {
    expect(parseDotenv('# the lab\n\nREGISTRY=labuser07acr.azurecr.io/\nexport TAG=v1.0\n   # indented comment\n')).toEqual({ REGISTRY: 'labuser07acr.azurecr.io/', TAG: 'v1.0' });
  });

  it('a commented-out assignment is a comment, and `export` is only a prefix of the line, not of a value', () => {
    expect(parseDotenv('#TAG=v2.0\n  # APP_PORT=8080\nCMD=export PATH\n')).toEqual({ CMD: 'export PATH' });
  });

  it('reads an indented line, `export ` and spaces around the "=" included, and a quoted value after a space', () => {
    expect(parseDotenv('  export  TAG=v1.0\n\tREGISTRY = "labuser07acr.azurecr.io"\nAPP_PORT= \'80\'\n')).toEqual({ TAG: 'v1.0', REGISTRY: 'labuser07acr.azurecr.io', APP_PORT: '80' });
  });

  it('reads Windows line ends', () => {
    expect(parseDotenv('APP_PORT=80\r\nTAG=v1.0\r\n')).toEqual({ APP_PORT: '80', TAG: 'v1.0' });
  });

  it('trims unquoted values and cuts them at " #"', () => {
    expect(parseDotenv('APP_PORT =  80   # the host port\nCOLOUR=red#not-a-comment\n')).toEqual({ APP_PORT: '80', COLOUR: 'red#not-a-comment' });
  });

  it('keeps single-quoted values literal, to the closing quote', () => {
    expect(parseDotenv("A='x # y \\n z' trailing\nB='unterminated\n")).toEqual({ A: 'x # y \\n z', B: 'unterminated' });
  });

  it('reads escapes in double-quoted values, to the closing quote', () => {
    expect(parseDotenv('A="one\\ntwo\\tthree \\"quoted\\" \\\\ end" ignored\n')).toEqual({ A: 'one\ntwo\tthree "quoted" \\ end' });
  });

  it('a backslash at the end of an unterminated double-quoted value is kept, not read as an escape of nothing', () => {
    expect(parseDotenv('A="x\\\n')).toEqual({ A: 'x\\' });
  });

  it('an empty value is an empty string', () => {
    expect(parseDotenv('REGISTRY=\n')).toEqual({ REGISTRY: '' });
  });

  it('skips lines without a key: no "=", "=" first, or a name Compose refuses', () => {
    expect(parseDotenv('JUST_A_WORD\n=80\n1ST=x\nMY VAR=x\nVAR!=x\nMY-VAR=x\nmy.var=y\n')).toEqual({ 'MY-VAR': 'x', 'my.var': 'y' });
  });

  it('the last of a key written twice wins', () => {
    expect(parseDotenv('TAG=latest\nTAG=v1.0\n')).toEqual({ TAG: 'v1.0' });
  });

  it('reads the first 1000 lines only', () => {
    const text = [...Array.from({ length: 999 }, (_, i) => `# ${i}`), 'LAST_READ=yes', 'TOO_FAR=yes'].join('\n');
    expect(parseDotenv(text)).toEqual({ LAST_READ: 'yes' });
  });
});
