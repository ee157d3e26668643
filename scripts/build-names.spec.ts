// The cheaper keepNames helper of scripts/build-names.ts: it must give every function and class the
// same `name` property esbuild's own helper gives, in a real esbuild bundle too.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { blankDeclarationNames, ESBUILD_NAME_HELPER, SAME_NAME_SKIPPING_HELPER, skipSameNameDefinitions } from './build-names.ts';

type NameHelper = (target: object, value: string) => object;

/** The helper a line of bundle text defines (it uses esbuild's `__defProp`). */
function helperOf(text: string): NameHelper {
  return new Function('__defProp', `${text}\nreturn __name;`)(Object.defineProperty) as NameHelper;
}

/** Fresh functions and classes, each with the name esbuild would pass for it. */
function samples(): Array<[object, string]> {
  return [
    [function named() {}, 'named'],
    [function () {}, 'anonymous'],
    [() => 1, 'arrow'],
    [async function asyncNamed() {}, 'asyncNamed'],
    [function* generator() {}, 'generator'],
    [class Plain {}, 'Plain'],
    [class _Renamed {}, 'Renamed'],
    [class WithStatic { static x = 1; }, 'WithStatic'],
    [class Failure extends Error {}, 'Failure'],
  ];
}

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('keepNames helper that skips same-name definitions', () => {
  it('has the length of esbuild helper, so source map columns hold', () => {
    assert.equal(SAME_NAME_SKIPPING_HELPER.length, ESBUILD_NAME_HELPER.length);
  });

  it('leaves every name property as esbuild helper does', () => {
    const esbuildName = helperOf(ESBUILD_NAME_HELPER);
    const cheaperName = helperOf(SAME_NAME_SKIPPING_HELPER);
    const [a, b] = [samples(), samples()];
    for (let i = 0; i < a.length; i++) {
      const [fa, name] = a[i]!;
      const [fb] = b[i]!;
      assert.equal(esbuildName(fa, name), fa);
      assert.equal(cheaperName(fb, name), fb);
      assert.deepEqual(Object.getOwnPropertyDescriptor(fb, 'name'), Object.getOwnPropertyDescriptor(fa, 'name'), name);
      assert.deepEqual(Reflect.ownKeys(fb), Reflect.ownKeys(fa), name);
    }
  });

  it('replaces the helper of a real keepNames bundle, whose names stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-build-names-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'entry.js'),
      // A class that refers to itself is bound as `_Node` by esbuild; a renamed duplicate as `helper2`.
      "import { helper as other } from './other.js';\n" +
        'export class Node { static root = new Node(); }\n' +
        'export function helper() { return other; }\n' +
        'export const names = [Node.name, helper.name, other.name];\n',
    );
    writeFileSync(join(dir, 'other.js'), 'export function helper() { return 1; }\n');
    const outfile = join(dir, 'out.mjs');
    await build({ entryPoints: [join(dir, 'entry.js')], outfile, bundle: true, format: 'esm', keepNames: true, minifyWhitespace: true, logLevel: 'silent' });
    assert.ok(readFileSync(outfile, 'utf8').includes(ESBUILD_NAME_HELPER));
    skipSameNameDefinitions([outfile]);
    const text = readFileSync(outfile, 'utf8');
    assert.ok(text.includes(SAME_NAME_SKIPPING_HELPER) && !text.includes(ESBUILD_NAME_HELPER));
    // The declaration named as declared needs no call; the renamed one keeps its own.
    assert.ok(!text.includes('__name(helper,"helper")') && text.includes('__name(helper2,"helper")'), text);
    const bundle = (await import(pathToFileURL(outfile).href)) as { names: string[] };
    assert.deepEqual(bundle.names, ['Node', 'helper', 'helper']);
  });

  it('blanks only statements that name a function declaration as it is declared', () => {
    const kept = [
      'function f2(){}__name(f2,"f");', // renamed binding
      'var g=class{};__name(g,"g");', // not a function declaration
      'function h(){}x=__name(h,"h");', // a value, not a statement
      'var k=__name(function(){},"k");', // anonymous
    ];
    for (const text of kept) assert.equal(blankDeclarationNames(text), text);
    const text = 'function f(){}__name(f,"f");async function*g(){}\n__name(g,"g");';
    const blanked = blankDeclarationNames(text);
    assert.equal(blanked.length, text.length);
    assert.equal(blanked.replace(/ {2,}/g, ''), 'function f(){}async function*g(){}\n');
  });

  it('fails when a bundle calls __name but esbuild defines it otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-build-names-'));
    dirs.push(dir);
    const file = join(dir, 'main.mjs');
    writeFileSync(file, 'var __name=(a,b)=>a;__name(function f(){},"f");\n');
    assert.throws(() => skipSameNameDefinitions([file]), /__name helper is not the expected text/);
    const untouched = join(dir, 'plain.mjs');
    writeFileSync(untouched, 'export const x = 1;\n');
    skipSameNameDefinitions([untouched]);
  });
});
