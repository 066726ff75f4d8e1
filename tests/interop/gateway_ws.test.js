// usp-js as a WebSocket-only controller that dials usp-gateway (mode listen)
// and manages an MQTT phone (usp-agent) through it: mosquitto with
// mosquitto_usp.so, usp-gateway, usp-agent. The transport is
// lib/ws_connect.js (the `websocket` package under usp-js's build()). Run by
// CTest (tests/interop/CMakeLists.txt).
"use strict";

const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./lib/harness");
const { connect_ws, dial } = require("./lib/ws_connect");

const controller_eid = "self::usp-js";
const controller_topic = "usp/controller/uspjs";

describe("usp-js over WebSocket manages an MQTT phone through usp-gateway (listen mode)", () => {
  const mac = "0004130B0001";
  const eid = h.eid_of(mac);
  let dir, broker, gateway, agent, usp, page, base;
  const usp_errors = [];
  let boot_seen;
  const boot = new Promise((resolve) => (boot_seen = resolve));

  before(async () => {
    dir = h.temp_dir("gw");
    broker = await h.start_mosquitto(dir, [
      "plugin_opt_agent_topic usp/agent/{eid}",
      `plugin_opt_controller_topics ${controller_topic}`,
      "plugin_opt_privileged_usernames usp-gateway",
      "plugin_opt_presence_topic usp/presence/{eid}",
    ]);
    gateway = await h.start_gateway(dir, {
      broker_port: broker.port,
      controllers: [
        `  - endpoint_id: ${controller_eid}`,
        `    mqtt_topic: ${controller_topic}`,
        "    websocket: {mode: listen}",
      ].join("\n"),
      extra: "listen: {address: 127.0.0.1, port: 0, path_prefix: /usp/}",
    });
    assert.ok(gateway.listen_port > 0, `no listen port in the gateway's log:\n${gateway.tail()}`);
    base = `ws://127.0.0.1:${gateway.listen_port}/usp/`;
    agent = h.start_agent(dir, { mac, broker_port: broker.port, version: "5.0", controller_eid, controller_topic });
    // The gateway refuses sessions for agents it has not heard of (404):
    // wait until the phone's MQTTConnect Record (or presence) made it known.
    await gateway.wait_for(new RegExp(`${eid}: reachable on `), 15000);
    page = await h.start_page_server("<SnomIPPhoneText><Title>Through the gateway</Title></SnomIPPhoneText>");
  });

  after(async () => {
    // usp-js leaves first (it throws on a DisconnectRecord; docs/interop.md).
    if (usp) await usp.disconnect();
    if (page) page.server.close();
    for (const [p, name] of [[agent, "usp-agent"], [gateway, "usp-gateway"]]) {
      if (!p) continue;
      const exit = await p.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `${name} exit:\n${p.tail()}`);
    }
    if (broker) await broker.stop();
    h.remove_dir(dir);
  });

  it("connects to /usp/<agent eid>?eid=<controller eid> with subprotocol v1.usp", async () => {
    usp = await connect_ws({
      url: base + encodeURIComponent(eid), from_id: controller_eid, to_id: eid,
      events: { onError: (err) => usp_errors.push(String(err)) },
    });
    usp.on("boot-2", (msg, full) => boot_seen({ msg, full }));
    assert.equal(usp.ws.connection.protocol, "v1.usp");
    await gateway.wait_for(new RegExp(`${controller_eid} connected for ${eid}`), 5000);
  });

  it("receives the Boot! the gateway kept for it, and answers it", async () => {
    const { msg, full } = await h.with_timeout(boot, 15000, "Boot! through the gateway");
    assert.equal(msg.eventName, "Boot!");
    usp._notifyResp("boot-2", full.header.msgId);
    await agent.wait_for(new RegExp(`NOTIFY_RESP ${full.header.msgId} from ${controller_eid}`), 10000);
  });

  it("gets and sets", async () => {
    assert.equal(await usp.get("Device.DeviceInfo.SerialNumber"), mac);
    await usp.set("Device.DeviceInfo.FriendlyName", "desk-via-gateway");
    assert.equal(await usp.get("Device.DeviceInfo.FriendlyName"), "desk-via-gateway");
    await assert.rejects(usp.get("Device.NoSuchObject."), (err) => err.errCode === 7026);
  });

  it("adds and deletes a Subscription, and gets its ValueChange Notify", async () => {
    let notified;
    const changed = new Promise((resolve) => (notified = resolve));
    const unsubscribe = await usp.subscribe(
      { id: "gw-vc", notif: "ValueChange", reference: "Device.DeviceInfo.FriendlyName" }, (msg) => notified(msg));
    const subs = await usp.get('Device.LocalAgent.Subscription.[ID=="NOTIFY@gw-vc"].Recipient');
    assert.deepEqual(subs, ["Device.LocalAgent.Controller.2."]);
    await usp.set("Device.DeviceInfo.FriendlyName", "desk-watched");
    assert.deepEqual(await h.with_timeout(changed, 10000, "ValueChange Notify"),
                     { paramPath: "Device.DeviceInfo.FriendlyName", paramValue: "desk-watched" });
    assert.equal((await unsubscribe()).length, 1);
    // A search that matches nothing is an empty success (R-GET.1a); usp-js makes it null.
    assert.equal(await usp.get('Device.LocalAgent.Subscription.[ID=="NOTIFY@gw-vc"].Recipient'), null);
  });

  it("operates synchronously and asynchronously", async () => {
    const [reset] = await usp.operate("Device.LocalAgent.Controller.2.E2ESession.Reset()", { isAsync: false });
    assert.deepEqual(await reset(), {});
    const [show, cleanup] = await usp.operate("Device.X_000413_XMLBrowser.ShowPage()");
    assert.deepEqual(await show({ URL: `http://127.0.0.1:${page.port}/p.xml` }), { Title: "Through the gateway" });
    assert.equal((await cleanup()).length, 1);
  });

  it("is refused a second session for the same agent (R-WS.4) and a session for an unknown agent", async () => {
    const status_of = (url) => dial(url)().then(
      async (c) => { await c.end(); return 101; },
      (err) => Number((/non-101 status: (\d{3})/.exec(String(err)) || [])[1]));
    assert.equal(await status_of(`${base}${encodeURIComponent(eid)}?eid=${encodeURIComponent(controller_eid)}`), 409);
    assert.equal(await status_of(`${base}${encodeURIComponent(h.eid_of("0004130BFFFF"))}?eid=${encodeURIComponent(controller_eid)}`), 404);
    // The first session is untouched.
    assert.equal(await usp.get("Device.DeviceInfo.SerialNumber"), mac);
  });

  it("saw no usp-js errors except its complaint about the WebSocketConnect Record", () => {
    // The gateway sends a WebSocketConnect Record on the new session (R-MTP.6);
    // usp-js 0.5.1 looks for a Msg in it and reports "illegal buffer".
    assert.deepEqual(usp_errors.filter((e) => !e.includes("illegal buffer")), []);
    assert.equal(usp_errors.length, 1, usp_errors.join("\n"));
    assert.doesNotMatch(agent.text, /^\S+ (warning|error|critical) /m, agent.tail());
  });
});
