import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { filenameOfContentDisposition, uploadMetaOf, type UploadQuery } from './upload-meta.ts';

test('filenameOfContentDisposition: filename* over filename, quoted, no directories', () => {
  const table: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['attachment', undefined],
    ['attachment; filename=report.pdf', 'report.pdf'],
    ['attachment; filename="my report.pdf"', 'my report.pdf'],
    ['attachment; filename="a \\"quoted\\" name.txt"', 'a "quoted" name.txt'],
    ["attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", '€ rates.txt'],
    ["attachment; filename=\"fallback.txt\"; filename*=utf-8''na%C3%AFve.txt", 'naïve.txt'],
    ["attachment; filename*=iso-8859-1'en'%A3%20rates", '£ rates'],
    ["attachment; filename*=UTF-8''%E2%82; filename=fallback.txt", 'fallback.txt'],
    ["attachment; filename*=koi8-r''x; filename=fallback.txt", 'fallback.txt'],
    ['inline; FILENAME="up.png"', 'up.png'],
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment; filename="C:\\\\Users\\\\me\\\\x.doc"', 'x.doc'],
    ['attachment; filename="dir/"', undefined],
    ['attachment; filename=""', undefined],
  ];
  for (const [header, expected] of table) assert.equal(filenameOfContentDisposition(header), expected, String(header));
});

test('uploadMetaOf: query over headers; form-urlencoded and missing types are octet-stream', () => {
  const table: [string, UploadQuery, IncomingHttpHeaders, { name: string; contentType: string; keywords: string[] }][] = [
    ['nothing', {}, {}, { name: '', contentType: 'application/octet-stream', keywords: [] }],
    [
      'query',
      { name: 'a.txt', type: 'text/plain', keywords: ' x, y ,,z ' },
      { 'x-peerweave-name': 'b.txt', 'content-type': 'image/png', 'x-peerweave-keywords': 'k' },
      { name: 'a.txt', contentType: 'text/plain', keywords: ['x', 'y', 'z'] },
    ],
    [
      'headers',
      {},
      { 'x-peerweave-name': 'b.txt', 'content-type': 'image/png', 'x-peerweave-keywords': 'cats, dogs', 'content-disposition': 'attachment; filename=c.txt' },
      { name: 'b.txt', contentType: 'image/png', keywords: ['cats', 'dogs'] },
    ],
    [
      'content-disposition',
      {},
      { 'content-disposition': 'attachment; filename="c.txt"', 'content-type': 'text/plain; charset=utf-8' },
      { name: 'c.txt', contentType: 'text/plain; charset=utf-8', keywords: [] },
    ],
    ['curl --data-binary', {}, { 'content-type': 'application/x-www-form-urlencoded' }, { name: '', contentType: 'application/octet-stream', keywords: [] }],
    ['json', {}, { 'content-type': 'application/json' }, { name: '', contentType: 'application/json', keywords: [] }],
    ['malformed type', {}, { 'content-type': 'nonsense' }, { name: '', contentType: 'application/octet-stream', keywords: [] }],
    ['empty query falls through', { name: '', keywords: '' }, { 'x-peerweave-name': 'h', 'x-peerweave-keywords': 'k' }, { name: 'h', contentType: 'application/octet-stream', keywords: ['k'] }],
  ];
  for (const [name, query, headers, expected] of table) assert.deepEqual(uploadMetaOf(query, headers), expected, name);
});
