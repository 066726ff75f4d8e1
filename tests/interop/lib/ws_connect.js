// usp-js as a WebSocket-only controller. usp-js 0.5.1 speaks MQTT itself; its
// exported build() takes the transport from a connectClient function that
// returns an mqtt.js-shaped client (on, subscribe, unsubscribe, publish, end).
// This one dials a USP WebSocket server with the `websocket` package usp-js
// already depends on: subprotocol v1.usp (R-WS.9/10), our endpoint id in the
// eid= query (R-WS.10b, '%' as %25 per R-WS.10c), one Record per binary
// message (R-WS.14). Topics mean nothing on WebSocket and are ignored.
"use strict";

const { EventEmitter } = require("node:events");
const WebSocketClient = require("websocket").client;
const { build } = require("usp-js");
const { loadProtobuf } = require("usp-js/node/configurations/mqtt");
const { decodeId } = require("usp-js/node/commands");

// `url` is the server's URL without the query; `eid` our endpoint id.
function ws_url(url, eid) {
  return `${url}${url.includes("?") ? "&" : "?"}eid=${encodeURIComponent(eid)}`;
}

function dial(url) {
  return () => new Promise((resolve, reject) => {
    const ws = new WebSocketClient({ maxReceivedMessageSize: 1 << 20 });
    ws.once("connectFailed", reject);
    ws.once("connect", (conn) => {
      const events = new EventEmitter();
      // usp-js adds its "message" listener only after connectClient resolved
      // (and after loading its protobuf schemas): Records that came with or
      // right after the handshake (the server's WebSocketConnect Record,
      // R-MTP.6) wait for it here instead of being emitted to nobody.
      let held = [];
      const deliver = (data) => (held ? held.push(data) : events.emit("message", url, data));
      events.on("newListener", (name) => {
        if (name !== "message" || !held) return;
        setImmediate(() => {
          const pending = held || [];
          held = null;
          for (const data of pending) events.emit("message", url, data);
        });
      });
      conn.on("message", (m) => {
        if (m.type === "binary") deliver(m.binaryData);
        else conn.close(1003, "USP Records travel in binary frames"); // R-WS.14/16
      });
      conn.on("error", (err) => events.emit("error", err));
      conn.on("close", (code, description) => events.emit("close", code, description));
      resolve({
        events,
        connection: conn,
        on(name, fn) { events.on(name, fn); return this; },
        subscribe: async () => undefined,
        unsubscribe: async () => undefined,
        publish: async (_topic, record) => conn.sendBytes(Buffer.from(record)),
        end: () => new Promise((done) => {
          if (!conn.connected) return done();
          conn.once("close", () => done());
          conn.close(1000, "controller done");
        }),
      });
    });
    ws.connect(url, "v1.usp");
  });
}

// Connects usp-js to `url` (e.g. ws://127.0.0.1:PORT/usp/<agent eid>) as
// `from_id`, talking to `to_id`. Returns the usp-js API.
async function connect_ws({ url, from_id, to_id, events }) {
  let client = null;
  const connect_client = async () => {
    client = await dial(ws_url(url, from_id))();
    return client;
  };
  const usp = await build({ connectClient: connect_client, decodeID: decodeId, loadProtobuf })(
    { fromId: from_id, toId: to_id, closeOnDisconnect: true, connectTimeout: 10000 }, events);
  usp.ws = client;
  return usp;
}

module.exports = { connect_ws, dial, ws_url };
