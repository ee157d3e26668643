import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ContactsWatch } from './contacts-watch.ts';

/** The routing side ContactsWatch needs: contacts-changed events, and who listens to them. */
function fakeRouting(): { routing: EventEmitter; change(): void; listeners(): number } {
  const routing = new EventEmitter();
  return { routing, change: () => routing.emit('contacts-changed'), listeners: () => routing.listenerCount('contacts-changed') };
}

describe('ContactsWatch', () => {
  it('counts changes of contacts only while started, and calls onChange for each', () => {
    const r = fakeRouting();
    let calls = 0;
    const watch = new ContactsWatch(r.routing, () => calls++);
    r.change();
    assert.equal(watch.version, 0, 'not listening before start()');
    assert.equal(watch.start(), true);
    r.change();
    r.change();
    assert.equal(watch.version, 2);
    assert.equal(calls, 2);
    assert.equal(watch.stop(), true);
    r.change();
    assert.equal(watch.version, 2, 'not listening after stop()');
    assert.equal(calls, 2);
  });

  it('starts and stops at most once each, and listens with one listener', () => {
    const r = fakeRouting();
    const watch = new ContactsWatch(r.routing);
    assert.equal(watch.stop(), false, 'stop before start does nothing');
    assert.equal(watch.running, false);
    assert.equal(watch.start(), true);
    assert.equal(watch.start(), false, 'a second start does nothing');
    assert.equal(watch.running, true);
    assert.equal(r.listeners(), 1);
    assert.equal(watch.stop(), true);
    assert.equal(watch.stop(), false);
    assert.equal(watch.running, false);
    assert.equal(r.listeners(), 0);
  });

  it('aborts the pass in flight on stop, and a restart gets a fresh signal', () => {
    const r = fakeRouting();
    const watch = new ContactsWatch(r.routing);
    watch.start();
    const first = watch.signal;
    assert.equal(first.aborted, false);
    watch.stop();
    assert.equal(first.aborted, true);
    watch.start();
    assert.notEqual(watch.signal, first);
    assert.equal(watch.signal.aborted, false);
    r.change();
    assert.equal(watch.version, 1, 'the version carries on across a restart');
    watch.stop();
  });
});
