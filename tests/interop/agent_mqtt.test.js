// usp-js, a third-party USP controller library (IOPSYS), drives usp-agent over
// MQTT through a real mosquitto: Get, Set, Add and Delete of a
// Device.LocalAgent.Subscription., a ValueChange Notify, a synchronous and an
// asynchronous Operate. Run by CTest (tests/interop/CMakeLists.txt).
//
// usp-js publishes every request to one configured topic (publishEndpoint)
// without a reply-to (no MQTT 5 Response Topic, no 3.1.1 "/reply-to=", no
// Content Type): it deviates from R-MQTT.22/23/24/27 (docs/interop.md). The
// agent then answers on the controller's configured topic
// (tr369_mqtt_topic2, Controller.2.MTP.1.MQTT.Topic), where usp-js listens
// (subscribeEndpoint). The "observer" below records what usp-js sent, so the
// deviation is checked rather than assumed.
"use strict";

const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./lib/harness");

const { default: usp_connect } = h.require_usp_js();
const mqtt = require("mqtt");

const controller_eid = "self::usp-js";
const controller_topic = "usp/controller/uspjs";

// The plugin as deployed (docs/broker-plugin.md): the agent is bound by its
// client id ({eid}); usp-js, being an MQTT controller, is privileged.
const plugin_lines = [
  "plugin_opt_agent_topic usp/agent/{eid}",
  `plugin_opt_controller_topics ${controller_topic}`,
  "plugin_opt_privileged_usernames usp-js-controller interop-observer",
  "plugin_opt_presence_topic usp/presence/{eid}",
];

const cases = [
  { name: "MQTT 5.0, mosquitto with mosquitto_usp.so", version: "5.0", plugin: true, mac: "0004130A0001" },
  { name: "MQTT 3.1.1, mosquitto with mosquitto_usp.so", version: "3.1.1", plugin: true, mac: "0004130A0002" },
  { name: "MQTT 5.0, plain mosquitto", version: "5.0", plugin: false, mac: "0004130A0003" },
];

for (const c of cases) {
  describe(`usp-js drives usp-agent over ${c.name}`, () => {
    const protocol_version = c.version === "5.0" ? 5 : 4;
    const eid = h.eid_of(c.mac);
    const agent_topic = `usp/agent/${eid}`;
    let dir, broker, agent, usp, observer, page;
    const usp_errors = [];
    const seen = []; // what reached the agent's topic: {topic, properties}
    let boot; // the Boot! Notify, as usp-js handed it over

    before(async () => {
      dir = h.temp_dir("mqtt");
      broker = await h.start_mosquitto(dir, c.plugin ? plugin_lines : null);
      observer = await new Promise((resolve, reject) => {
        const o = mqtt.connect({ host: "127.0.0.1", port: broker.port, protocolVersion: 5,
                                 username: "interop-observer", reconnectPeriod: 0 });
        o.once("error", reject);
        o.once("connect", () => o.subscribe(`${agent_topic}/#`, { qos: 1 }, (err) => (err ? reject(err) : resolve(o))));
      });
      observer.on("message", (topic, _payload, packet) => seen.push({ topic, properties: packet.properties || {} }));

      // usp-js first, so that it hears the agent's first Records.
      usp = await usp_connect({
        protocol: "mqtt", host: "127.0.0.1", port: broker.port, protocolVersion: protocol_version,
        username: "usp-js-controller", clientId: `usp-js-${c.mac}`,
        fromId: controller_eid, toId: eid, // toId given: no obuspa/EndpointID discovery
        publishEndpoint: agent_topic,
        // A 3.1.1 agent answers on <topic>/reply-to=<its topic> (R-MQTT.24).
        subscribeEndpoint: c.version === "5.0" ? controller_topic : `${controller_topic}/#`,
        closeOnDisconnect: true, connectTimeout: 10000,
      }, { onError: (err) => usp_errors.push(String(err)) });
      boot = new Promise((resolve) => usp.on("boot-2", (msg, full) => resolve({ msg, full })));

      agent = h.start_agent(dir, { mac: c.mac, broker_port: broker.port, version: c.version, controller_eid,
                                   controller_topic });
      page = await h.start_page_server(
        "<SnomIPPhoneText><Title>Interop &amp; co</Title><Text>hello from usp-js</Text></SnomIPPhoneText>");
    });

    after(async () => {
      // usp-js 0.5.1 throws the agent's DisconnectRecord (R-MTP.7, sent when
      // the agent stops) out of its MQTT message handler, an uncaught
      // exception (docs/interop.md): usp-js leaves before the agent does.
      if (usp) await usp.disconnect();
      if (observer) await new Promise((resolve) => observer.end(false, {}, resolve));
      if (page) page.server.close();
      if (agent) {
        const exit = await agent.stop();
        assert.deepEqual(exit, { code: 0, signal: null }, `usp-agent exit:\n${agent.tail()}`);
      }
      if (broker) await broker.stop();
      h.remove_dir(dir);
    });

    it("hears the agent's Boot! (Event Notify with send_resp) and answers it", async () => {
      const { msg, full } = await h.with_timeout(boot, 15000, "Boot! from the agent");
      assert.equal(msg.eventName, "Boot!");
      assert.equal(msg.objPath, "Device.");
      assert.equal(full.body.request.notify.sendResp, true);
      // NotifyResp: usp-js sends it and never gets an answer, so it is not awaited.
      usp._notifyResp("boot-2", full.header.msgId);
      await agent.wait_for(new RegExp(`NOTIFY_RESP ${full.header.msgId} from ${controller_eid}`), 10000);
    });

    it("gets parameters and objects", async () => {
      assert.equal(await usp.get("Device.DeviceInfo.SerialNumber"), c.mac);
      const [serial, oui] = await usp.get(["Device.DeviceInfo.SerialNumber", "Device.DeviceInfo.ManufacturerOUI"]);
      assert.deepEqual([serial, oui], [c.mac, "000413"]);
      const info = await usp.get("Device.DeviceInfo.");
      assert.equal(info.SerialNumber, c.mac);
      assert.equal(info.ModelName, "D785");
      // A path outside the supported data model: 7026 (R-GET.0), as a rejection.
      await assert.rejects(usp.get("Device.NoSuchObject."), (err) => err.errCode === 7026);
    });

    it("sets a writable parameter and is refused a read-only one", async () => {
      const set = await usp.set("Device.DeviceInfo.FriendlyName", "desk-interop");
      assert.deepEqual(set, [{ affectedPath: "Device.DeviceInfo.", updatedParams: { FriendlyName: "desk-interop" } }]);
      assert.equal(await usp.get("Device.DeviceInfo.FriendlyName"), "desk-interop");
      await assert.rejects(usp.set("Device.DeviceInfo.SerialNumber", "x"), (err) => {
        assert.equal(err.errCode, 7021); // a required parameter failed (usp-js marks every one required)
        assert.equal(err.updatedInstFailures[0].paramErrs[0].errCode, 7013);
        return true;
      });
    });

    it("adds, reads and deletes a Device.LocalAgent.Subscription.", async () => {
      const path = await usp.add("Device.LocalAgent.Subscription.", {
        ID: "interop-add", NotifType: "ObjectCreation", ReferenceList: "Device.LocalAgent.Request.", Enable: false,
      });
      assert.match(path, /^Device\.LocalAgent\.Subscription\.\d+\.$/);
      const sub = await usp.get(path);
      assert.equal(sub.ID, "interop-add");
      assert.equal(sub.NotifType, "ObjectCreation");
      assert.equal(sub.Recipient, "Device.LocalAgent.Controller.2."); // the agent fills in the creator
      assert.deepEqual(await usp.del(path), [path]);
      await assert.rejects(usp.get(path), (err) => err.errCode === 7026 || err.errCode === 7016);
    });

    it("subscribes to a ValueChange, receives the Notify and unsubscribes", async () => {
      let notified;
      const changed = new Promise((resolve) => (notified = resolve));
      // usp-js's recipe: Add a Subscription (NotifRetry true), answer each
      // Notify with a NotifyResp, Delete it on clean-up.
      const unsubscribe = await usp.subscribe(
        { id: "interop-vc", notif: "ValueChange", reference: "Device.DeviceInfo.FriendlyName" },
        (msg) => notified(msg));
      await usp.set("Device.DeviceInfo.FriendlyName", "desk-watched");
      const msg = await h.with_timeout(changed, 10000, "ValueChange Notify");
      assert.deepEqual(msg, { paramPath: "Device.DeviceInfo.FriendlyName", paramValue: "desk-watched" });
      await agent.wait_for(/NOTIFY_RESP ValueChange-\S+ from self::usp-js/, 10000);
      const deleted = await unsubscribe();
      assert.equal(deleted.length, 1);
      assert.match(deleted[0], /^Device\.LocalAgent\.Subscription\.\d+\.$/);
    });

    it("operates a synchronous command", async () => {
      // Harmless: no E2E session with controller 2 exists to be reset.
      const [reset] = await usp.operate("Device.LocalAgent.Controller.2.E2ESession.Reset()", { isAsync: false });
      assert.deepEqual(await reset(), {});
    });

    it("operates an asynchronous command and gets its OperationComplete", async () => {
      // usp-js's recipe: a Subscription (OperationComplete) first, then the
      // Operate; the result is the Notify's output arguments.
      const [show, cleanup] = await usp.operate("Device.X_000413_XMLBrowser.ShowPage()");
      const out = await show({ URL: `http://127.0.0.1:${page.port}/menu.xml` });
      assert.deepEqual(out, { Title: "Interop & co" });
      assert.deepEqual(page.hits, ["/menu.xml"]);
      assert.equal(await usp.get("Device.X_000413_XMLBrowser.LastText"), "hello from usp-js");
      assert.equal((await cleanup()).length, 1);
    });

    it("sent every request without a reply-to, and was answered on the configured topic", () => {
      assert.ok(seen.length >= 10, `requests observed: ${seen.length}`);
      for (const { topic, properties } of seen) {
        assert.equal(topic, agent_topic, "usp-js appends no /reply-to= (R-MQTT.24)");
        assert.equal(properties.responseTopic, undefined, "usp-js sends no Response Topic (R-MQTT.23)");
        assert.equal(properties.contentType, undefined, "usp-js sends no Content Type (R-MQTT.27)");
      }
    });

    it("saw no usp-js errors except its complaint about the MQTTConnect Record", () => {
      // usp-js 0.5.1 decodes a Msg from every Record; the agent's
      // MQTTConnect Record (R-MTP.6) has none, which it reports as
      // "illegal buffer". Anything else is a real problem.
      const other = usp_errors.filter((e) => !e.includes("illegal buffer"));
      assert.deepEqual(other, []);
      assert.ok(usp_errors.length <= 1, usp_errors.join("\n"));
      assert.doesNotMatch(agent.text, /^\S+ (warning|error|critical) /m, agent.tail());
    });
  });
}
