// The load generator's own ceiling: the same publisher workers, unthrottled, against a private Mosquitto
// with no subscriber (nothing else on the path), so a pipeline figure can be told apart from a publisher limit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../stack/native/ports.ts';
import { tcpOpen, waitFor } from '../../stack/wait.ts';
import { startLoad } from './load.ts';

export async function publisherCeiling(projectDir: string, seconds: number, workers: number, connections: number, window: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  writeFileSync(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  try {
    await waitFor('private mosquitto', () => tcpOpen(port), { timeoutMs: 10_000 });
    const load = startLoad({
      projectDir, host: '127.0.0.1', port, username: 'bench', password: 'bench', env: 'ceiling', tenant: 'ceiling',
      deviceCount: 10_000, rate: 1_000_000, seconds, workers, connectionsPerWorker: connections, window,
    });
    const r = await load.done;
    return { seconds, workers, connectionsPerWorker: connections, window, acked: r.acked, msgPerSec: Math.round(r.achievedRate), publisherCpuSeconds: Math.round(r.cpuSeconds * 10) / 10 };
  } finally {
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
