import { readFileSync, writeFileSync } from 'node:fs';

// esbuild's keepNames helper, made cheaper in the bundles scripts/build.ts writes (issue #12).
//
// keepNames makes esbuild call its `__name(fn, "fn")` helper for every function and class it
// bundles (6 466 calls in the peer), which defines `name` on each even when it already holds that
// name: V8 then gives every such function an out-of-object property array of its own. The helper is
// replaced by one that defines `name` only where it differs (a renamed binding such as `_AntiEntropy`
// or an anonymous function); where it is equal, defining it again would change nothing (same value,
// the attributes of the existing property are kept). Same length as esbuild's, so the source maps'
// columns still hold. Measured, idle node from the bundle, 2 pairs side by side: RSS -1.1 / -1.2 MiB,
// heap used -0.9 / -1.15 MiB. The bench's baseline server keeps esbuild's helper: it is measured as
// the libraries give it.
export const ESBUILD_NAME_HELPER = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:true});';
export const SAME_NAME_SKIPPING_HELPER = 'var __name=(t,v)=>t.name===v?t:__defProp(t,"name",{value:v,configurable:!0});'.padEnd(ESBUILD_NAME_HELPER.length);

// Most calls need not run at all: `function f(){...}__name(f,"f");` names a function declaration
// by the name it was declared with, which the helper above leaves as it is. Each such statement is
// blanked with spaces (same length again): of 5 143 calls in the peer's main.mjs, 3 140 went, and
// start-up no longer calls the helper often enough for V8 to optimise it with TurboFan (one
// TurboFan compilation makes the Node binary's optimising-compiler code resident, several MiB of
// RSS: README "Where an idle node's memory goes").
const SAME_NAME_STATEMENT = /(?<=[;}\n]|^)__name\(([A-Za-z_$][\w$]*),"([\w$]*)"\);/g;

/** `text` with every `__name(f,"f");` statement of a function declared as `function f(` blanked. */
export function blankDeclarationNames(text: string): string {
  const declared = new Set<string>();
  for (const m of text.matchAll(/(?<![\w$.])function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/g)) declared.add(m[1]!);
  return text.replace(SAME_NAME_STATEMENT, (call, binding: string, name: string) =>
    binding === name && declared.has(binding) ? ' '.repeat(call.length) : call,
  );
}

/**
 * Replaces esbuild's `__name` helper in `files` and blanks the calls that would not change a name
 * (see above); fails if they call it but none defines it.
 */
export function skipSameNameDefinitions(files: readonly string[]): void {
  let calls = false;
  let replaced = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    calls ||= text.includes('__name(');
    const at = text.indexOf(ESBUILD_NAME_HELPER);
    // With code splitting the helper is defined in one chunk and called from the others.
    let out = text;
    if (at >= 0) {
      out = text.slice(0, at) + SAME_NAME_SKIPPING_HELPER + text.slice(at + ESBUILD_NAME_HELPER.length);
      replaced++;
    }
    out = blankDeclarationNames(out);
    if (out !== text) writeFileSync(file, out);
  }
  if (calls && replaced === 0) {
    throw new Error(`esbuild's __name helper is not the expected text (esbuild updated?): update ESBUILD_NAME_HELPER in scripts/build-names.ts`);
  }
}
