// Test fakes for transfer: in-memory providers with clock-time latency and bandwidth, content
// generated on demand, and a driver that moves a manual clock until a download settles.
export { FakeBlockSource, type FakeBlockSourceInit, type FakeRequest, type FakeSourceMode } from './fake-block-source.ts';
export { hashedContent, generatedContent, generateBlock, type FakeContent } from './fake-content.ts';
export { DeliveryTracker } from './delivery-tracker.ts';
export { RecordingMetrics } from './recording-metrics.ts';
export { runOnClock, type RunOnClockOptions } from './run-on-clock.ts';
export { readAll, type ReadAllOptions, type ReadAllResult } from './read-all.ts';
