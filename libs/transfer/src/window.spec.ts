import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ewma, nextWindow, type WindowEvent } from './window.ts';

const delivered = (latencyMs: number, averageLatencyMs: number | undefined): WindowEvent => ({ kind: 'delivered', latencyMs, averageLatencyMs });

describe('nextWindow (AIMD)', () => {
  const cases: [string, number, WindowEvent, number, number][] = [
    ['grows by one when faster than the recent average', 2, delivered(40, 50), 16, 3],
    ['holds when as slow as the average', 4, delivered(50, 50), 16, 4],
    ['holds when slower than the average (the peer is queueing)', 4, delivered(80, 50), 16, 4],
    ['holds on the first sample (nothing to compare with)', 2, delivered(10, undefined), 16, 2],
    ['never grows past maxWindow', 16, delivered(1, 50), 16, 16],
    ['halves on an error', 8, { kind: 'error' }, 16, 4],
    ['halves on a timeout, rounding down', 7, { kind: 'timeout' }, 16, 3],
    ['halves on a corrupt block', 16, { kind: 'corrupt' }, 16, 8],
    ['never drops below one', 1, { kind: 'error' }, 16, 1],
    ['clamps a window above the cap first', 40, { kind: 'error' }, 16, 8],
    ['treats a zero window as one', 0, delivered(1, 5), 16, 2],
  ];
  for (const [name, window, event, max, expected] of cases) {
    it(name, () => assert.equal(nextWindow(window, event, max), expected));
  }

  it('climbs additively and falls multiplicatively', () => {
    let w = 2;
    for (let i = 0; i < 6; i++) w = nextWindow(w, delivered(10, 20), 16);
    assert.equal(w, 8);
    w = nextWindow(w, { kind: 'timeout' }, 16);
    w = nextWindow(w, { kind: 'error' }, 16);
    assert.equal(w, 2);
  });
});

describe('ewma', () => {
  const cases: [number | undefined, number, number, number][] = [
    [undefined, 100, 0.25, 100],
    [100, 200, 0.25, 125],
    [100, 0, 0.5, 50],
    [100, 100, 0.25, 100],
  ];
  for (const [prev, sample, alpha, expected] of cases) {
    it(`ewma(${prev}, ${sample}, ${alpha}) = ${expected}`, () => assert.equal(ewma(prev, sample, alpha), expected));
  }
});
