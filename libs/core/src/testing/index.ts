export { ManualClock, flushMicrotasks } from '../manual-clock.ts';
export { waitFor, type WaitForOptions } from './wait-for.ts';
export { propertyParams } from './property-params.ts';
