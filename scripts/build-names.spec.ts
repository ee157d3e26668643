// The cheaper keepNames helper of scripts/build-names.ts: it must give every function and class the
// same `name` property esbuild's own helper gives, in a real esbuild bundle too.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { blankDeclarationNames, ESBUILD_NAME_HELPER, SAME_NAME_SKIPPING_HELPER, skipSameNameDefinitions, unwrapInferredNames } from './build-names.ts';

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
        'export const names = [Node.name, helper.name, other.name];\n' +
        'export function make() { const inner = () => 1; return inner; }\n',
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
    // The closure made at each call is named by its binding, without a call to the helper.
    assert.ok(!text.includes('__name(()=>1'), text);
    const bundle = (await import(pathToFileURL(outfile).href)) as { names: string[]; make: () => () => number };
    assert.deepEqual(bundle.names, ['Node', 'helper', 'helper']);
    assert.equal(bundle.make().name, 'inner');
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

  describe('unwraps __name(fn,"x") where JavaScript names fn "x" by its position', () => {
    // Each program leaves its functions in `out`; run with esbuild's helper, unchanged and unwrapped,
    // every function must end with the same own keys and `name`.
    const programs: Array<{ what: string; code: string; unwrapped: boolean }> = [
      { what: 'const', code: 'const f=__name(()=>1,"f");out.push(f);', unwrapped: true },
      { what: 'var list, async arrow', code: 'var a=__name(async x=>x,"a"),b=__name(function(){},"b");out.push(a,b);', unwrapped: true },
      { what: 'assignment statement', code: 'let g;g=__name(()=>2,"g");out.push(g);', unwrapped: true },
      { what: 'assignment in a sequence', code: 'let g,h;g=__name(()=>2,"g"),h=1;out.push(g);', unwrapped: true },
      { what: 'object property', code: 'out.push({p:__name(x=>x,"p")}.p,{"q":__name(function(){},"q")}.q);', unwrapped: true },
      { what: 'class fields', code: 'class C{#h=__name(()=>3,"#h");pub=__name(()=>4,"pub");static s=__name(()=>5,"s");get h(){return this.#h}}const c=new C;out.push(c.h,c.pub,C.s);', unwrapped: true },
      { what: 'parenthesised function', code: 'const f=__name((function(){}),"f");out.push(f);', unwrapped: true },
      { what: 'renamed binding', code: 'const f2=__name(()=>1,"f");out.push(f2);', unwrapped: false },
      { what: 'member assignment', code: 'const o={};o.m=__name(()=>1,"m");out.push(o.m);', unwrapped: false },
      { what: 'part of a larger expression', code: 'let y=0;const f=__name(()=>1,"f")||y;out.push(f);', unwrapped: false },
      { what: 'argument', code: 'out.push(__name(()=>1,"f"));', unwrapped: false },
      { what: 'default parameter', code: 'function d(cb=__name(()=>1,"cb")){return cb}out.push(d());', unwrapped: false },
      { what: 'computed key', code: 'const k="c";out.push({[k]:__name(()=>1,"c")}.c);', unwrapped: false },
      { what: 'named function expression', code: 'const f=__name(function g(){},"f");out.push(f);', unwrapped: false },
      { what: 'shorthand method', code: 'out.push({m(){return 1}}.m);', unwrapped: false },
    ];
    const run = (code: string): Array<[string, PropertyKey[]]> => {
      const out: Array<(...args: never[]) => unknown> = [];
      new Function('__defProp', 'out', `${ESBUILD_NAME_HELPER}\n${code}`)(Object.defineProperty, out);
      return out.map((f) => [f.name, Reflect.ownKeys(f)]);
    };
    for (const { what, code, unwrapped } of programs) {
      it(`${what}: ${unwrapped ? 'unwrapped' : 'kept'}, same names`, () => {
        const out = unwrapInferredNames(code);
        assert.equal(out.length, code.length, 'same length: the source map columns hold');
        assert.equal(out !== code, unwrapped, out);
        if (unwrapped) assert.ok(!out.includes('__name('), out);
        assert.deepEqual(run(out), run(code));
      });
    }

    it('nested calls each unwrapped, newlines kept', () => {
      const code = 'const outer=__name(()=>{const inner=__name(()=>1,\n"inner");return inner},"outer");out.push(outer,outer());';
      const out = unwrapInferredNames(code);
      assert.ok(!out.includes('__name('), out);
      assert.equal(out.split('\n').length, 2);
      assert.deepEqual(run(out), run(code));
    });
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
