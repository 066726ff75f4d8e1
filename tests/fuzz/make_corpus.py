#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/<target>/.

Protobuf seeds are written from text format with `protoc --encode` against
proto/*.proto, so they stay readable here; run this again after changing it
(the files are committed, so builds need neither Python nor protoc).
Usage: tests/fuzz/make_corpus.py  (from anywhere)
"""
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
NEXT = b"\xff\xffNEXT\xff\xff"
US = b"\x1f"

AGENT = "os::000413-000413AABBCC"
CTL = "self::ctl"


def encode(msg_type, text):
    return subprocess.run(
        ["protoc", f"--encode={msg_type}", "-I", str(ROOT / "proto"), "usp_msg.proto", "usp_record.proto"],
        input=text.encode(), capture_output=True, check=True).stdout


def msg(msg_id, mtype, body):
    return encode("usp.Msg", f'header {{ msg_id: "{msg_id}" msg_type: {mtype} }} body {{ {body} }}')


def octal(data):
    return "".join(f"\\{b:03o}" for b in data)


def record(frm, to, kind):
    return encode("usp_record.Record", f'version: "1.4" to_id: "{to}" from_id: "{frm}" {kind}')


def no_session(frm, to, payload):
    return record(frm, to, f'no_session_context {{ payload: "{octal(payload)}" }}')


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# ---- Msgs the agent answers ---------------------------------------------------------
MSGS = {
    "get": msg("g1", "GET", 'request { get { param_paths: "Device.DeviceInfo." param_paths: "Device.LocalAgent.Controller.*.EndpointID" max_depth: 2 } }'),
    "get-search": msg("g2", "GET", 'request { get { param_paths: "Device.LocalAgent.Controller.[Enable==true].Alias" param_paths: "Device.MQTT.Client.*." } }'),
    "set": msg("s1", "SET", 'request { set { allow_partial: true update_objs { obj_path: "Device.LocalAgent.Controller.2." param_settings { param: "Enable" value: "false" required: true } } update_objs { obj_path: "Device.X_000413_UI." param_settings { param: "Language" value: "German" } } } }'),
    "add": msg("a1", "ADD", 'request { add { allow_partial: false create_objs { obj_path: "Device.LocalAgent.Subscription." param_settings { param: "Enable" value: "true" } param_settings { param: "NotifType" value: "ValueChange" } param_settings { param: "ReferenceList" value: "Device.X_000413_UI.Language" } } } }'),
    "delete": msg("d1", "DELETE", 'request { delete { allow_partial: true obj_paths: "Device.LocalAgent.Subscription.*." obj_paths: "Device.LocalAgent.Request.1." } }'),
    "operate-reboot": msg("o1", "OPERATE", 'request { operate { command: "Device.Reboot()" command_key: "k1" send_resp: true input_args { key: "Cause" value: "RemoteReboot" } } }'),
    "operate-download": msg("o2", "OPERATE", 'request { operate { command: "Device.DeviceInfo.FirmwareImage.2.Download()" command_key: "fw" send_resp: true input_args { key: "URL" value: "http://127.0.0.1/fw.bin" } input_args { key: "AutoActivate" value: "true" } } }'),
    "operate-page": msg("o3", "OPERATE", 'request { operate { command: "Device.X_000413_XMLBrowser.ShowPage()" command_key: "p" send_resp: true input_args { key: "URL" value: "http://127.0.0.1/p.xml" } } }'),
    "gsdm": msg("m1", "GET_SUPPORTED_DM", 'request { get_supported_dm { obj_paths: "Device." first_level_only: false return_commands: true return_events: true return_params: true } }'),
    "instances": msg("i1", "GET_INSTANCES", 'request { get_instances { obj_paths: "Device.LocalAgent." first_level_only: false } }'),
    "gsp": msg("p1", "GET_SUPPORTED_PROTO", 'request { get_supported_protocol { controller_supported_protocol_versions: "1.3,1.4" } }'),
    "notify-resp": msg("n1", "NOTIFY_RESP", 'response { notify_resp { subscription_id: "boot-1" } }'),
}
for name, m in MSGS.items():
    write("agent_handlers", name, m)
write("agent_handlers", "add-set-delete", NEXT.join([MSGS["add"], MSGS["set"], MSGS["operate-download"], MSGS["delete"]]))

# ---- Records ----------------------------------------------------------------------------
ACME = "self::acme-controller"
A1 = "os::000413-A1B2C3"
REC = {
    "get": no_session(CTL, AGENT, MSGS["get"]),
    "mqtt-connect-v5": record(A1, ACME, f'mqtt_connect {{ version: V5 subscribed_topic: "usp/agent/{A1}" }}'),
    "mqtt-connect-311": record(A1, ACME, f'mqtt_connect {{ version: V3_1_1 subscribed_topic: "usp/agent/{A1}" }}'),
    "ws-connect": record(A1, ACME, "websocket_connect { }"),
    "disconnect": record(A1, ACME, 'disconnect { reason: "bye" reason_code: 7100 }'),
    "session": record(CTL, AGENT, 'session_context { session_id: 1 sequence_id: 1 expected_id: 1 payload_sar_state: NONE payload: "abc" }'),
    "notify": no_session(A1, ACME, MSGS["notify-resp"]),
}
for name, r in REC.items():
    write("record", name, r)

# ---- the gateway's routing --------------------------------------------------------------
boot = no_session(A1, ACME, msg("b1", "NOTIFY", 'request { notify { subscription_id: "boot-1" send_resp: true event { obj_path: "Device." event_name: "Boot!" } } }'))
to_agent = no_session(ACME, A1, MSGS["get"])
write("gateway_routing", "connect-then-boot", NEXT.join([
    b"M" + b"usp/controller/acme" + US + b"" + US + REC["mqtt-connect-v5"],
    b"M" + b"usp/controller/acme" + US + f"usp/agent/{A1}".encode() + US + boot,
    b"C" + ACME.encode() + US + A1.encode() + US + to_agent,
    b"C" + ACME.encode() + US + US + to_agent,
]))
write("gateway_routing", "reply-to-311", NEXT.join([
    b"M" + f"usp/controller/acme/reply-to=usp%2Fagent%2F{A1}".encode() + US + US + boot,
    b"C" + ACME.encode() + US + US + to_agent,
]))
write("gateway_routing", "presence", NEXT.join([
    b"M" + f"usp/presence/{A1}".encode() + US + US +
    f'{{"eid":"{A1}","state":"online","mqtt":"3.1.1","client_id":"{A1}","time":"2026-01-01T00:00:00Z"}}'.encode(),
    b"M" + f"usp/presence/{A1}".encode() + US + US +
    f'{{"eid":"{A1}","state":"offline","mqtt":"5.0","reason":"abrupt"}}'.encode(),
    b"C" + ACME.encode() + US + US + to_agent,
]))
write("gateway_routing", "learn", b"L\x01" + US + f"usp/agent/{A1}".encode() + US + b"" + US + b"")
write("gateway_routing", "learn-reply", b"L" + US + US + US + f"usp/agent/{A1}".encode())

# ---- the broker plugin -------------------------------------------------------------------
a1_record = no_session(A1, ACME, MSGS["notify-resp"])
write("plugin_policy", "agent-session", NEXT.join([
    b"S\x00" + f"usp/agent/{A1}/#".encode(),
    b"W\x00usp/controller/acme" + US + a1_record,
    b"M\x00usp/controller/acme" + US + a1_record + US + b"usp.msg" + US + f"usp/agent/{A1}".encode(),
    b"W\x01" + f"usp/controller/acme/reply-to=usp%2Fagent%2F{A1}".encode() + US + a1_record,
    b"W\x02" + f"usp/agent/{A1}".encode() + US + to_agent,
    b"R\x00" + f"usp/agent/{A1}".encode(),
    b"T\x00",
    b"D\x00",
    b"A\x01",
]))
write("plugin_policy", "spoof", NEXT.join([
    b"W\x01usp/controller/acme" + US + a1_record,
    b"M\x01usp/controller/acme" + US + a1_record + US + b"text/plain",
    b"S\x01usp/#",
]))
write("plugin_policy", "options", b"O\nidentity cert_san\ncontroller_topics usp/controller/acme usp/controller/b\n"
      b"privileged_usernames usp-gateway\npresence_topic usp/presence/{eid}\npartitions 8\nnon_usp_acl defer\n" + NEXT +
      b"S\x03usp/agent/os::000413-C1C2C3/#" + NEXT + b"W\x03usp/controller/b" + US + a1_record)
write("plugin_policy", "identity", b"I\x03os::000413-D1D2D3" + US + b"user" + US + b"cn" + US + b"urn:bbf:usp:id:self::x" + US + b"\x04" +
      NEXT + b"S\x03usp/agent/os::000413-D1D2D3")

# ---- text parsers ---------------------------------------------------------------------------
for name in ("factory.txt", "settings.txt"):
    write("agent_settings", name, (ROOT / "config" / "agent" / name).read_bytes())
write("agent_settings", "flags", "# comment\n<xml comment>\nlanguage!: English\ntimezone$: GMT+1\nfixed&: x\n"
      "tr369_enable2!: on\ntr369_mqtt_hostport2!: [::1]:1883\ntr369_websocket_uri2!: wss://h:443/usp\n")
write("agent_param_map", "shipped", (ROOT / "config" / "agent" / "param_map").read_bytes())
write("agent_param_map", "small", "# x\nboolean:Device.LocalAgent.Controller.2.Enable={tr369_enable|2}\n"
      "string:Device.X_000413_UI.Language={language|1}\nstring:Device.MQTT.Client.2.BrokerAddress!={TR369_MQTTADDRESS|2}\n"
      "string:Device.LocalAgent.Controller.2.Alias=cpe-2\n")
write("agent_identity", "full", "mac: 00:04:13:11:22:33\nmodel: D785\nfirmware: 10.1.190.0\nserial: S1\n"
      "endpoint_id: os::000413-001122\nmanufacturer: Snom\nhardware: \"2\"\n")
write("agent_identity", "flow", "{mac: 000413AABBCC, endpoint_id: 'proto::x'}\n")
write("gateway_config", "shipped", (ROOT / "config" / "gateway.yaml").read_bytes())
write("gateway_config", "listen", """mqtt: {host: broker, port: 8883, tls: {ca_file: /nonexistent}, partition: 1/4}
controllers:
  - endpoint_id: self::a
    mqtt_topic: usp/controller/a
    websocket: {mode: listen}
  - endpoint_id: self::b
    mqtt_topic: usp/controller/b
    websocket: {mode: multiplex, url: ws://[::1]:9000/usp, multiplex_eid: self::gw}
listen: {address: "::", port: 0, path_prefix: /usp/}
""")
upgrade = (b"GET /usp?eid=os%3A%3A012345-OBUSPA0001 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           b"Sec-WebSocket-Protocol: v1.usp\r\n")
# A masked binary frame carrying a Record, as a client must send it.
payload = REC["get"]
mask = b"\x01\x02\x03\x04"
masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
frame = bytes([0x82, 0x80 | len(payload)]) + mask + masked if len(payload) < 126 else \
    bytes([0x82, 0xFE]) + len(payload).to_bytes(2, "big") + mask + masked
write("ws_upgrade", "query-eid", upgrade + b"\r\n" + frame)
write("ws_upgrade", "extension-eid", upgrade.replace(b"?eid=os%3A%3A012345-OBUSPA0001", b"") +
      b"Sec-WebSocket-Extensions: bbf-usp-protocol; eid=\"self::ext\"\r\n\r\n")
write("ws_upgrade", "no-subprotocol", b"GET /usp HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
write("ws_upgrade", "urls", b"wss://[::1]:8443/usp?eid=self::x\r\nws://h/p\r\nos::000413-A1B2C3\r\n"
      b"v1.usp, v2\r\nbbf-usp-protocol; eid=\"os::a\\\"b\"\r\n")
write("reply_to", "311", f"usp/controller/acme/reply-to=usp%2Fagent%2F{A1}")
write("reply_to", "roundtrip", b"usp/controller/acme" + US + f"usp/agent/{A1}/reply-to=x".encode())
write("reply_to", "empty", "a/reply-to=/reply-to=")
for i, eid in enumerate(["os::000413-A1B2C3", "proto::x", "self::acme-controller", "oui:000413:x", "cid:3AA3F8:abc",
                         "uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "imei::990000862471854", "fqdn:example.com:x",
                         "imeisv::9900008624718543", "pen:3561:x", "ops::000413-A1B2C3-x", "self:::"]):
    write("endpoint_id", f"eid-{i}", eid)
for i, p in enumerate(["Device.", "Device.LocalAgent.Controller.*.EndpointID", "Device.DeviceInfo.FirmwareImage.2.Download()",
                       "Device.Boot!", "Device.LocalAgent.Controller.[Enable==true&&Alias==\"x%22\"].MTP.{i}.",
                       "Device.IP.Interface.1.IPv4Address.[Status!=Up].IPAddress", "Device.Hosts.Host.*.Interface+.Name",
                       "Device.X.[Stats.Errors>=10]."]):
    write("path_name", f"path-{i}", p)
