// The descriptor sets the build writes beside our protocol files (proto-packages.ts) must load as
// the same package definitions as parsing the files: same names, methods, messages and wire bytes.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSync, type MessageTypeDefinition, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS } from './loader-options.ts';
import { descriptorSetPath, loadProtocolFile, writeDescriptorSets } from './proto-packages.ts';
import { resolveProtoRoot } from './proto-root.ts';

type Definition = PackageDefinition[string];

const isMessage = (d: Definition): d is MessageTypeDefinition<object, object> => 'format' in d && d.format === 'Protocol Buffer 3 DescriptorProto';

/**
 * JSON of a definition without functions and without descriptor `options`: parsed, a proto3
 * `optional` message field carries FieldOptions with every default, from the descriptor set none.
 * Only reflection shows that difference, never the wire. Methods' options are compared apart.
 */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (typeof v === 'function' || key === 'fileDescriptorProtos' || key === 'options' ? undefined : v)));
}

describe('protocol descriptor sets', () => {
  let root: string;
  let files: string[];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'peerweave-proto-sets-'));
    cpSync(join(resolveProtoRoot({ env: {} }), 'peerweave'), join(root, 'peerweave'), { recursive: true });
    files = writeDescriptorSets(root, 'peerweave');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('are written for every protocol file', () => {
    assert.deepEqual(files.sort(), [
      'peerweave/content/v1/content.proto',
      'peerweave/node/v1/node.proto',
      'peerweave/routing/v1/routing.proto',
      'peerweave/search/v1/search.proto',
    ]);
  });

  it('load as the same package definitions as the parsed files', () => {
    for (const file of files) {
      const parsed = loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs: [root] });
      const fromSet = loadProtocolFile(root, file);
      assert.deepEqual(Object.keys(fromSet).sort(), Object.keys(parsed).sort(), file);
      for (const [name, a] of Object.entries(parsed)) {
        const b = fromSet[name]!;
        assert.deepEqual(shape(b), shape(a), name);
        if (isMessage(a)) {
          assert.equal(a.fileDescriptorProtos.length, (b as MessageTypeDefinition<object, object>).fileDescriptorProtos.length, name);
          // Every field set to a non-default value where the message's own serializer can make one.
          const sample = a.deserialize(a.serialize({}));
          assert.deepEqual((b as MessageTypeDefinition<object, object>).deserialize(a.serialize(sample)), sample, name);
          assert.deepEqual((b as MessageTypeDefinition<object, object>).serialize(sample), a.serialize(sample), name);
        } else if (!('format' in a)) {
          for (const [method, m] of Object.entries(a as Record<string, MethodDefinition<object, object>>)) {
            const n = (b as Record<string, MethodDefinition<object, object>>)[method]!;
            assert.equal(n.path, m.path);
            assert.deepEqual(n.options, m.options, m.path);
            assert.deepEqual(n.requestDeserialize(m.requestSerialize({})), m.requestDeserialize(m.requestSerialize({})), m.path);
          }
        }
      }
    }
  });

  it('are not used when older than their file', () => {
    const file = 'peerweave/node/v1/node.proto';
    writeFileSync(descriptorSetPath(root, file), 'not a descriptor set');
    const past = new Date(Date.now() - 60_000);
    utimesSync(descriptorSetPath(root, file), past, past);
    assert.ok(Object.keys(loadProtocolFile(root, file)).some((name) => name.endsWith('NodeService')));
  });
});
