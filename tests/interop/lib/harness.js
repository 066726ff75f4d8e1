// Processes for the interop tests: mosquitto (with or without mosquitto_usp.so),
// usp-agent and usp-gateway, each in a temporary folder, with their output kept
// so a test can wait for a log line (an event with a deadline, never a sleep).
// Binary paths come from CTest (tests/interop/CMakeLists.txt) through the
// environment.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

function required_env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run these tests through ctest (tests/interop/CMakeLists.txt)`);
  return v;
}

const bins = {
  get agent() { return required_env("USP_AGENT_BIN"); },
  get gateway() { return required_env("USP_GATEWAY_BIN"); },
  get plugin() { return required_env("USP_PLUGIN_PATH"); },
  get source() { return required_env("USP_SOURCE_DIR"); },
  mosquitto: process.env.MOSQUITTO_BIN || "mosquitto",
};

// usp-js is installed by tests/interop/install.sh (scripts/test.sh runs it).
function require_usp_js() {
  try {
    return require("usp-js");
  } catch (e) {
    throw new Error(`usp-js is not installed (${e.code}): run tests/interop/install.sh`);
  }
}

// A port the OS just gave out on loopback; the caller retries if it lost a race.
function free_port() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function with_timeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// One child process; stdout and stderr go to `log_file` and to `text`.
class child {
  constructor(name, argv, log_file, env = process.env) {
    this.name = name;
    this.argv = argv;
    this.log_file = log_file;
    this.text = "";
    this.exit = null; // {code, signal} once it ended
    this.waiters = new Set();
    this.log = fs.createWriteStream(log_file);
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env });
    const on_data = (chunk) => {
      this.text += chunk.toString("utf8");
      this.log.write(chunk);
      for (const w of [...this.waiters]) w();
    };
    this.proc.stdout.on("data", on_data);
    this.proc.stderr.on("data", on_data);
    this.exited = new Promise((resolve) => {
      this.proc.on("error", (err) => {
        this.text += `\n[spawn ${argv[0]}: ${err.message}]\n`;
        this.exit = { code: -1, signal: null };
        for (const w of [...this.waiters]) w();
        resolve(this.exit);
      });
      this.proc.on("close", (code, signal) => {
        this.exit = { code, signal };
        this.log.end();
        for (const w of [...this.waiters]) w();
        resolve(this.exit);
      });
    });
    live.add(this);
  }

  get running() { return this.exit === null; }

  // Resolves with the match of `re` in the output (from `from` on), when it
  // appears; rejects when the process ends first or after `ms`.
  wait_for(re, ms = 15000, from = 0) {
    return new Promise((resolve, reject) => {
      let timer;
      const check = () => {
        const m = re.exec(this.text.slice(from));
        if (m) {
          done();
          resolve(m);
        } else if (this.exit) {
          done();
          reject(new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before printing ${re}:\n${this.tail()}`));
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} did not print ${re} within ${ms} ms:\n${this.tail()}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  tail(lines = 60) {
    return this.text.split("\n").slice(-lines).join("\n");
  }

  // SIGTERM, then SIGKILL after `ms`; resolves with the exit status.
  async stop(ms = 10000) {
    if (this.running) {
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.running && this.proc.kill("SIGKILL"), ms);
      await this.exited;
      clearTimeout(t);
    }
    live.delete(this);
    return this.exit;
  }
}

// Whatever a failing test left running dies with the test process.
const live = new Set();
process.on("exit", () => {
  for (const c of live) if (c.running) c.proc.kill("SIGKILL");
});

function temp_dir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `usp-interop-${tag}-`));
}

// Removes a test's folder unless USP_INTEROP_KEEP is set (to read the logs).
function remove_dir(dir) {
  if (dir && !process.env.USP_INTEROP_KEEP) fs.rmSync(dir, { recursive: true, force: true });
}

// mosquitto on a free loopback port. `plugin_lines`: null for a plain broker,
// else the plugin_opt_ lines to load mosquitto_usp.so with.
async function start_mosquitto(dir, plugin_lines = null) {
  for (let attempt = 1; ; ++attempt) {
    const port = await free_port();
    const conf = path.join(dir, "mosquitto.conf");
    const lines = [
      ...(process.getuid && process.getuid() === 0 ? ["user root"] : []),
      "per_listener_settings false",
      "persistence false",
      "log_dest stderr",
      "log_type error", "log_type warning", "log_type notice", "log_type information",
      "connection_messages true",
      "allow_anonymous true",
      "set_tcp_nodelay true",
      `listener ${port} 127.0.0.1`,
    ];
    if (plugin_lines) lines.push(`plugin ${bins.plugin}`, ...plugin_lines);
    fs.writeFileSync(conf, lines.join("\n") + "\n");
    // A sanitized plugin needs its runtimes loaded before the (plain) broker.
    const preload = plugin_lines ? process.env.USP_PLUGIN_PRELOAD : "";
    const env = preload ? { ...process.env, LD_PRELOAD: preload, ASAN_OPTIONS: "detect_leaks=1" } : process.env;
    const c = new child("mosquitto", [bins.mosquitto, "-c", conf], path.join(dir, `mosquitto-${attempt}.log`), env);
    try {
      // The last line mosquitto prints once its listeners are open.
      await c.wait_for(/ running/, preload ? 60000 : 10000);
      c.port = port;
      return c;
    } catch (e) {
      await c.stop(2000);
      if (attempt >= 5) throw e;
    }
  }
}

const eid_of = (mac) => `os::000413-${mac}`;

// usp-agent whose controller 2 is `controller_eid` on MQTT `version`
// ("5.0" or "3.1.1"), publishing to `controller_topic`.
function start_agent(dir, { mac, broker_port, version, controller_eid, controller_topic }) {
  const settings = path.join(dir, `agent-${mac}.txt`);
  fs.writeFileSync(settings, [
    "tr369_enable2!: on",
    "tr369_mtp_protocol2!: mqtt",
    `tr369_mqtt_hostport2!: 127.0.0.1:${broker_port}`,
    `tr369_mqtt_version2!: ${version}`,
    "tr369_mqtt_clientid2!: {eid}", // the plugin's identity: the client id
    `tr369_mqtt_topic2!: ${controller_topic}`,
    `tr369_controller_endpointid2!: ${controller_eid}`,
    "tr369_controller_subscriptionid2!: boot-2",
    "",
  ].join("\n"));
  const src = bins.source;
  const c = new child(`usp-agent ${mac}`, [
    bins.agent, "--mac", mac, "--settings", settings, "--state-dir", path.join(dir, `state-${mac}`),
    "--factory", path.join(src, "config/agent/factory.txt"), "--param-map", path.join(src, "config/agent/param_map"),
    "--retry-s", "1", "--reboot-delay-ms", "200", "--log-level", "debug",
  ], path.join(dir, `agent-${mac}.log`));
  c.eid = eid_of(mac);
  return c;
}

// usp-gateway in front of `broker_port`; `controllers` is the YAML list
// (indented by two). Reads back the listen and HTTP ports from its log.
async function start_gateway(dir, { broker_port, controllers, extra = "" }) {
  const file = path.join(dir, "gateway.yaml");
  fs.writeFileSync(file, [
    "mqtt:",
    "  host: 127.0.0.1",
    `  port: ${broker_port}`,
    "  client_id: usp-gateway-interop",
    "  username: usp-gateway",
    "presence_topic: usp/presence/+",
    "controllers:",
    controllers.trimEnd(),
    "agents:",
    "  offline_grace_s: 1",
    "  queue: {max_records: 16, ttl_s: 30}",
    "http: {address: 127.0.0.1, port: 0}",
    extra.trimEnd(),
    "",
  ].join("\n"));
  const c = new child("usp-gateway", [bins.gateway, "--config", file, "--log-level", "debug"],
                      path.join(dir, "gateway.log"));
  await c.wait_for(/usp-gateway running/, 15000);
  const listen = /listening for controllers on [0-9.]+:([0-9]+)\//.exec(c.text);
  const http = /operations endpoint on http:\/\/127\.0\.0\.1:([0-9]+)\//.exec(c.text);
  c.listen_port = listen ? Number(listen[1]) : 0;
  c.http_port = http ? Number(http[1]) : 0;
  return c;
}

// A one-page HTTP server for the phone's XML browser (ShowPage()).
function start_page_server(xml) {
  return new Promise((resolve) => {
    const hits = [];
    const s = require("node:http").createServer((req, res) => {
      hits.push(req.url);
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(xml);
    });
    s.listen(0, "127.0.0.1", () => resolve({ server: s, port: s.address().port, hits }));
  });
}

module.exports = {
  bins, require_usp_js, free_port, with_timeout, child, temp_dir, remove_dir, start_mosquitto, eid_of, start_agent,
  start_gateway, start_page_server,
};
