// kafkajs 2.2.4 arms its throttle re-check with a negative delay once a broker throttle has already passed
// (RequestQueue.scheduleCheckPendingRequests); Node 24 warns `TimeoutNegativeWarning` on every such timer.
// Node clamps the delay to 1 ms, which is what kafkajs means, so exactly that warning from kafkajs is
// dropped; every other warning still prints through Node's own handler.
let installed = false;

export function quietKafkajsTimerWarning(): void {
  if (installed) return;
  installed = true;
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(warning.stack ?? '')) return;
    for (const print of printers) print(warning);
  });
}
