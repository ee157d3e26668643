import { readFileSync, writeFileSync } from 'node:fs';
import { parse, type Node } from 'acorn';

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

// The calls that remain in hot paths wrap a function expression where it is created:
// `const onAbort=__name(()=>{...},"onAbort")`. The arrow passed as an argument has no name, so the
// helper defines one on every closure each time the enclosing code runs (an idle node's allocation
// profile: ~6 % of its bytes; its CPU profile: ~4 % of the busy samples, in the probe path). Where
// the call is the whole initialiser of a variable or class field, the whole right side of an
// assignment to a plain identifier, or the value of a plain object property, and the name is that
// binding's, JavaScript names the bare function itself (ECMA-262 NamedEvaluation): the call is
// unwrapped, its `__name(` and `,"x")` blanked with spaces (the function keeps its columns for the
// source maps). The bundle is parsed (acorn) rather than matched, since the function's end is only
// known to a parser. Nothing that follows can join the function: the call was the whole expression
// there.

/** A function expression or arrow, without its own name (a named one keeps its own). */
function isAnonymousFunction(node: Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (node.type === 'ArrowFunctionExpression') return true;
  return node.type === 'FunctionExpression' && (node as unknown as { id: unknown }).id === null;
}

/** The name JavaScript gives an anonymous function in the position of `node` (the child of `parent`), if any. */
function inferredName(parent: Node, node: Node): string | undefined {
  const p = parent as unknown as Record<string, { type?: string; name?: string; value?: unknown } | string | boolean | undefined>;
  if (parent.type === 'VariableDeclarator' && p['init'] === (node as unknown)) {
    const id = p['id'] as { type: string; name: string };
    return id.type === 'Identifier' ? id.name : undefined;
  }
  if (parent.type === 'AssignmentExpression' && p['operator'] === '=' && p['right'] === (node as unknown)) {
    const left = p['left'] as { type: string; name: string };
    return left.type === 'Identifier' ? left.name : undefined;
  }
  if (parent.type === 'PropertyDefinition' && p['value'] === (node as unknown) && !p['computed']) {
    // A class field: `#onAbort = () => ...` is named "#onAbort", `onAbort = ...` "onAbort".
    const key = p['key'] as { type: string; name: string };
    if (key.type === 'PrivateIdentifier') return `#${key.name}`;
    if (key.type === 'Identifier') return key.name;
    return undefined;
  }
  if (parent.type === 'Property' && p['kind'] === 'init' && p['value'] === (node as unknown) && !p['computed'] && !p['method'] && !p['shorthand']) {
    const key = p['key'] as { type: string; name?: string; value?: unknown };
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  }
  return undefined;
}

/** `text` with every `__name(fn,"x")` whose position names `fn` "x" anyway reduced to `fn` (see above). */
export function unwrapInferredNames(text: string): string {
  if (!text.includes('__name(')) return text;
  const ast = parse(text, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
  const edits: Array<[start: number, end: number]> = [];
  const visit = (node: Node, parent: Node | undefined): void => {
    if (parent !== undefined && node.type === 'CallExpression') {
      const call = node as unknown as { callee: { type: string; name?: string }; arguments: Node[]; optional: boolean };
      const [fn, name] = call.arguments;
      if (
        call.callee.type === 'Identifier' &&
        call.callee.name === '__name' &&
        !call.optional &&
        call.arguments.length === 2 &&
        isAnonymousFunction(fn) &&
        name!.type === 'Literal' &&
        (name as unknown as { value: unknown }).value === inferredName(parent, node)
      ) {
        edits.push([node.start, fn!.start], [fn!.end, node.end]);
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const child of value) if (child !== null && typeof child === 'object' && typeof child.type === 'string') visit(child, node);
      } else if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
        visit(value as Node, node);
      }
    }
  };
  visit(ast, undefined);
  if (edits.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of edits.sort((a, b) => a[0] - b[0])) {
    parts.push(text.slice(at, start), text.slice(start, end).replace(/[^\n]/g, ' '));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
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
    out = unwrapInferredNames(blankDeclarationNames(out));
    if (out !== text) writeFileSync(file, out);
  }
  if (calls && replaced === 0) {
    throw new Error(`esbuild's __name helper is not the expected text (esbuild updated?): update ESBUILD_NAME_HELPER in scripts/build-names.ts`);
  }
}
