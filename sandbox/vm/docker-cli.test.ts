/**
 * How the simulated VM's `docker` refuses a user outside the docker group depends on the CLI's version,
 * read from the scenario's `docker --version` text, however long a hostile scenario makes it.
 */
import { describe, expect, it } from 'vitest';
import { deniedDocker } from './docker-cli.js';

describe('deniedDocker', () => {
  it('answers as the version named: 23–28.0 exit 0 from docker info --format, 28.1 and later exit 1', () => {
    expect(deniedDocker('Docker version 24.0.7, build afdd53b').infoFormatExit).toBe(0);
    expect(deniedDocker('Docker version 28.1.1, build 4eba377').infoFormatExit).toBe(1);
    expect(deniedDocker('Docker version 20.10.24+dfsg1, build 297e128').infoFormatPrints).toBe(false);
  });

  it('reads the version where a number starts, after a long run of digits, in linear time', () => {
    const cpu0 = process.cpuUsage();
    // 200,000 digits with no dot, then the version: read from each digit, the run took over a minute.
    const denied = deniedDocker(`Docker version ${'9'.repeat(200_000)} 28.1.1, build 4eba377`);
    const { user, system } = process.cpuUsage(cpu0);
    expect(denied.infoFormatExit).toBe(1);
    expect((user + system) / 1000).toBeLessThan(1_000);
  });
});
