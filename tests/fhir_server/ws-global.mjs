// Node 20 has no global WebSocket; @medplum/core expects one when it loads. Loaded with `node --import`.
import WebSocket from 'ws';

if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = WebSocket;
}
