#include "config/derived.hpp"

#include <gtest/gtest.h>

#include <tuple>

#include "usp_test/temp_dir.hpp"

namespace usp::agent {
namespace {

// Controller 1 as the vendor ships it (fixed except tr369_enable), controller
// 2 writable and mostly empty.
constexpr const char* factory_text =
    "tr369_enable!: off\n"
    "tr369_mtp_protocol: mqtt\n"
    "tr369_websocket_uri: wss://usp.sraps.example/usp\n"
    "tr369_mqtt_hostport: usp.sraps.example:8883\n"
    "tr369_mqtt_transport: TLS\n"
    "tr369_mqtt_topic: usp/controller/sraps\n"
    "tr369_enable2!: off\n"
    "tr369_mtp_protocol2!: mqtt\n"
    "tr369_websocket_uri2!:\n"
    "tr369_mqtt_hostport2!:\n"
    "tr369_mqtt_transport2!: TCP/IP\n"
    "tr369_mqtt_topic2!: usp/controller/default\n";

class Derived : public ::testing::Test {
 protected:
  Derived() { reload(); }

  void reload(const std::string& user_text = "") {
    store_.emplace(settings_store::load(
        {dir_.write("factory.txt", factory_text), dir_.write("settings.txt", user_text), dir_.file("state")},
        {"000413A1B2C3", "os::000413-000413A1B2C3"}));
  }
  std::string get(derived_id id, unsigned index = 2) {
    return derived_get(id, index, *store_, {"usp/agent/os::000413-000413A1B2C3"});
  }
  void expect_ok(derived_id id, std::string_view value, unsigned index = 2) {
    const auto r = derived_set(id, index, value, *store_);
    EXPECT_TRUE(r.ok) << to_string(id) << "=" << value << ": " << r.message;
  }
  void expect_refused(derived_id id, std::string_view value, usp::err_code code, const std::string& message,
                      unsigned index = 2) {
    const auto r = derived_set(id, index, value, *store_);
    EXPECT_FALSE(r.ok) << to_string(id) << "=" << value;
    EXPECT_EQ(r.code, code) << to_string(id) << "=" << value;
    EXPECT_EQ(r.message, message);
  }
  std::string raw(const std::string& name) { return store_->raw(name).value_or("(none)"); }

  usp::test::temp_dir dir_;
  std::optional<settings_store> store_;
};

// ---- reading ------------------------------------------------------------------

TEST_F(Derived, ReadsTheWebSocketUriParts) {
  EXPECT_EQ(get(derived_id::websocket_host, 1), "usp.sraps.example");
  EXPECT_EQ(get(derived_id::websocket_port, 1), "443");  // wss:// without a port
  EXPECT_EQ(get(derived_id::websocket_path, 1), "/usp");
  EXPECT_EQ(get(derived_id::websocket_secured, 1), "true");

  reload("tr369_websocket_uri2: ws://[fe80::1]:8080/a/b?x=1\n");
  EXPECT_EQ(get(derived_id::websocket_host), "fe80::1");
  EXPECT_EQ(get(derived_id::websocket_port), "8080");
  EXPECT_EQ(get(derived_id::websocket_path), "/a/b?x=1");
  EXPECT_EQ(get(derived_id::websocket_secured), "false");

  reload("tr369_websocket_uri2: ws://h\n");
  EXPECT_EQ(get(derived_id::websocket_port), "80");
  EXPECT_EQ(get(derived_id::websocket_path), "/");

  reload("tr369_websocket_uri2: ws://h?q=1\n");
  EXPECT_EQ(get(derived_id::websocket_path), "/?q=1");
}

TEST_F(Derived, AnEmptyUriReadsAsPlainWebSocketWithoutAHost) {
  EXPECT_EQ(get(derived_id::websocket_host), "");
  EXPECT_EQ(get(derived_id::websocket_port), "80");
  EXPECT_EQ(get(derived_id::websocket_path), "/");
  EXPECT_EQ(get(derived_id::websocket_secured), "false");
}

TEST_F(Derived, ReadsExpandedValues) {
  reload("tr369_websocket_uri2: wss://{mac}.example/usp/{eid}\ntr369_mqtt_hostport2: {mac}.example\n"
         "tr369_mqtt_topic2: usp/c/{mac}\n");
  EXPECT_EQ(get(derived_id::websocket_host), "000413A1B2C3.example");
  EXPECT_EQ(get(derived_id::websocket_path), "/usp/os::000413-000413A1B2C3");
  EXPECT_EQ(get(derived_id::mqtt_address), "000413A1B2C3.example");
  EXPECT_EQ(get(derived_id::mqtt_topic_ctrl), "usp/c/000413A1B2C3");
}

TEST_F(Derived, ReadsTheMqttBrokerWithDefaultPortsByTransport) {
  EXPECT_EQ(get(derived_id::mqtt_address, 1), "usp.sraps.example");
  EXPECT_EQ(get(derived_id::mqtt_port, 1), "8883");
  EXPECT_EQ(get(derived_id::mqtt_address), "");
  EXPECT_EQ(get(derived_id::mqtt_port), "1883");  // empty, TCP/IP

  reload("tr369_mqtt_hostport2: [::1]\ntr369_mqtt_transport2: TLS\n");
  EXPECT_EQ(get(derived_id::mqtt_address), "::1");
  EXPECT_EQ(get(derived_id::mqtt_port), "8883");
  reload("tr369_mqtt_hostport2: broker\n");
  EXPECT_EQ(get(derived_id::mqtt_port), "1883");
  reload("tr369_mqtt_hostport2: broker:1884\ntr369_mqtt_transport2: TLS\n");
  EXPECT_EQ(get(derived_id::mqtt_port), "1884");
}

TEST_F(Derived, MqttEnableNeedsBothEnableAndTheMqttMtp) {
  EXPECT_EQ(get(derived_id::mqtt_enable), "false");
  reload("tr369_enable2: on\n");
  EXPECT_EQ(get(derived_id::mqtt_enable), "true");
  reload("tr369_enable2: on\ntr369_mtp_protocol2: websocket\n");
  EXPECT_EQ(get(derived_id::mqtt_enable), "false");
}

TEST_F(Derived, ReadsTopicsAndTheMtpProtocol) {
  EXPECT_EQ(get(derived_id::mqtt_topic_ctrl, 1), "usp/controller/sraps");
  EXPECT_EQ(get(derived_id::mqtt_topic_ctrl), "usp/controller/default");
  EXPECT_EQ(get(derived_id::mqtt_topic_resp, 1), "usp/agent/os::000413-000413A1B2C3");
  EXPECT_EQ(get(derived_id::mtp_protocol), "MQTT");
  reload("tr369_mtp_protocol2: websocket\n");
  EXPECT_EQ(get(derived_id::mtp_protocol), "WebSocket");
}

TEST_F(Derived, ReadsDefaultsForAControllerNoFileDescribes) {
  EXPECT_EQ(get(derived_id::websocket_host, 3), "");
  EXPECT_EQ(get(derived_id::mqtt_port, 3), "1883");
  EXPECT_EQ(get(derived_id::mqtt_enable, 3), "false");
  EXPECT_EQ(get(derived_id::mtp_protocol, 3), "MQTT");
  EXPECT_EQ(get(derived_id::mqtt_topic_ctrl, 3), "");
}

// ---- writing the WebSocket URI ------------------------------------------------------

TEST_F(Derived, AnEmptyUriStartsWithTheHost) {
  expect_refused(derived_id::websocket_port, "8080", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETPORT: the URI is empty: set the Host first");
  expect_refused(derived_id::websocket_path, "/usp", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETPATH: the URI is empty: set the Host first");
  expect_refused(derived_id::websocket_secured, "true", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETSECURED: the URI is empty: set the Host first");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "");
  expect_ok(derived_id::websocket_host, "ctrl.example");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "ws://ctrl.example/");
  expect_ok(derived_id::websocket_port, "8080");
  expect_ok(derived_id::websocket_path, "/usp");
  expect_ok(derived_id::websocket_secured, "true");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://ctrl.example:8080/usp");
}

TEST_F(Derived, RewritingOnePartKeepsTheOthers) {
  reload("tr369_websocket_uri2!: wss://[2001:db8::1]:8443/usp/{eid}?x=1\n");
  expect_ok(derived_id::websocket_host, "ctrl.example");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://ctrl.example:8443/usp/{eid}?x=1");
  expect_ok(derived_id::websocket_host, "[::1]");  // brackets accepted
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://[::1]:8443/usp/{eid}?x=1");
  expect_ok(derived_id::websocket_host, "fe80::2");  // and added
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://[fe80::2]:8443/usp/{eid}?x=1");
  expect_ok(derived_id::websocket_port, "9000");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://[fe80::2]:9000/usp/{eid}?x=1");
  expect_ok(derived_id::websocket_secured, "0");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "ws://[fe80::2]:9000/usp/{eid}?x=1");
  expect_ok(derived_id::websocket_path, "/other");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "ws://[fe80::2]:9000/other");
  expect_ok(derived_id::websocket_path, "");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "ws://[fe80::2]:9000");
  EXPECT_EQ(get(derived_id::websocket_path), "/");
}

TEST_F(Derived, SecuredKeepsAnImplicitPortImplicit) {
  reload("tr369_websocket_uri2!: ws://h/usp\n");
  expect_ok(derived_id::websocket_secured, "true");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "wss://h/usp");
  EXPECT_EQ(get(derived_id::websocket_port), "443");
}

TEST_F(Derived, PortAndSecuredGiveOneUriInEitherOrder) {
  reload("tr369_websocket_uri2!: ws://h/usp\n");
  expect_ok(derived_id::websocket_port, "80");
  expect_ok(derived_id::websocket_secured, "true");
  const auto one = raw("tr369_websocket_uri2");
  reload("tr369_websocket_uri2!: ws://h/usp\n");
  store_->factory_reset();  // forget the first run's state
  expect_ok(derived_id::websocket_secured, "true");
  expect_ok(derived_id::websocket_port, "80");
  EXPECT_EQ(raw("tr369_websocket_uri2"), one);
  EXPECT_EQ(one, "wss://h:80/usp");
}

TEST_F(Derived, RefusesBadUriParts) {
  reload("tr369_websocket_uri2!: ws://h/usp\n");
  expect_refused(derived_id::websocket_host, "", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETHOST: the host cannot be empty");
  expect_refused(derived_id::websocket_host, "bad host", usp::err_code::invalid_value,
                 "tr369_websocket_uri2: must be empty or ws[s]://host[:port][/path] (bad character in the host name)");
  for (const char* port : {"0", "65536", "", "x", "-1"}) {
    expect_refused(derived_id::websocket_port, port, usp::err_code::invalid_value,
                   "TR369_WEBSOCKETPORT: must be 1..65535");
  }
  expect_refused(derived_id::websocket_path, "usp", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETPATH: must start with /");
  expect_refused(derived_id::websocket_path, "/a#b", usp::err_code::invalid_value,
                 "tr369_websocket_uri2: must be empty or ws[s]://host[:port][/path] (a WebSocket URI has no fragment)");
  expect_refused(derived_id::websocket_secured, "yes", usp::err_code::invalid_value,
                 "TR369_WEBSOCKETSECURED: must be true or false");
  EXPECT_EQ(raw("tr369_websocket_uri2"), "ws://h/usp");
}

TEST_F(Derived, ReadOnlySettingsRefuseEveryWriteWith7013First) {
  // Controller 1's URI and broker are fixed by the factory file.
  for (const auto id : {derived_id::websocket_host, derived_id::websocket_port, derived_id::websocket_path,
                        derived_id::websocket_secured}) {
    expect_refused(id, "x", usp::err_code::param_read_only,
                   "tr369_websocket_uri: fixed by the factory settings", 1);
  }
  for (const auto id : {derived_id::mqtt_address, derived_id::mqtt_port}) {
    expect_refused(id, "1", usp::err_code::param_read_only, "tr369_mqtt_hostport: fixed by the factory settings", 1);
  }
  expect_refused(derived_id::mqtt_topic_ctrl, "t", usp::err_code::param_read_only,
                 "tr369_mqtt_topic: fixed by the factory settings", 1);
  expect_refused(derived_id::mtp_protocol, "WebSocket", usp::err_code::param_read_only,
                 "tr369_mtp_protocol: fixed by the factory settings", 1);
  expect_refused(derived_id::mtp_protocol, "CoAP", usp::err_code::param_read_only,
                 "tr369_mtp_protocol: fixed by the factory settings", 1);

  reload("tr369_websocket_uri2: ws://h/\n");  // read-only through the user file
  expect_refused(derived_id::websocket_port, "1", usp::err_code::param_read_only, "tr369_websocket_uri2: read-only");
  // No such setting for controller 3.
  expect_refused(derived_id::websocket_host, "h", usp::err_code::invalid_path, "tr369_websocket_uri3: no such setting",
                 3);
  expect_refused(derived_id::mqtt_address, "h", usp::err_code::invalid_path, "tr369_mqtt_hostport3: no such setting",
                 3);
}

// ---- writing the MQTT broker ------------------------------------------------------

TEST_F(Derived, WritesTheBrokerAddressAndPort) {
  expect_refused(derived_id::mqtt_port, "1884", usp::err_code::invalid_value,
                 "TR369_MQTTPORT: the broker address is empty: set the Address first");
  expect_ok(derived_id::mqtt_address, "broker.example");
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "broker.example");
  EXPECT_EQ(get(derived_id::mqtt_port), "1883");
  expect_ok(derived_id::mqtt_port, "1883");  // written even when it is the default
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "broker.example:1883");
  expect_ok(derived_id::mqtt_address, "2001:db8::7");
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "[2001:db8::7]:1883");
  expect_ok(derived_id::mqtt_address, "[::1]");
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "[::1]:1883");
  EXPECT_EQ(get(derived_id::mqtt_address), "::1");

  expect_refused(derived_id::mqtt_address, "", usp::err_code::invalid_value, "TR369_MQTTADDRESS: the host cannot be empty");
  expect_refused(derived_id::mqtt_address, "a/b", usp::err_code::invalid_value,
                 "tr369_mqtt_hostport2: must be empty or host[:port] (bad character in the host name)");
  expect_refused(derived_id::mqtt_port, "70000", usp::err_code::invalid_value, "TR369_MQTTPORT: must be 1..65535");
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "[::1]:1883");
}

TEST_F(Derived, AddressKeepsAPlaceholderPort) {
  reload("tr369_mqtt_hostport2!: {mac}.fleet:1884\n");
  expect_ok(derived_id::mqtt_port, "1885");
  EXPECT_EQ(raw("tr369_mqtt_hostport2"), "{mac}.fleet:1885");
}

// ---- MQTTENABLE, topics, protocol ---------------------------------------------------

TEST_F(Derived, MqttEnableTrueTurnsOnTheControllerOverMqtt) {
  reload("tr369_mtp_protocol2!: websocket\n");
  std::vector<std::string> heard;
  store_->on_change([&](const std::string& n, const std::string&, const std::string& v) { heard.push_back(n + "=" + v); });
  expect_ok(derived_id::mqtt_enable, "true");
  EXPECT_EQ(raw("tr369_enable2"), "on");
  EXPECT_EQ(raw("tr369_mtp_protocol2"), "mqtt");
  EXPECT_EQ(get(derived_id::mqtt_enable), "true");
  const std::vector<std::string> expected = {"tr369_mtp_protocol2=mqtt", "tr369_enable2=on"};
  EXPECT_EQ(heard, expected);
  expect_ok(derived_id::mqtt_enable, "1");  // already so: nothing to do
  EXPECT_EQ(heard.size(), 2U);
}

TEST_F(Derived, MqttEnableFalseIsAcceptedOnlyWhenAlreadyFalse) {
  expect_ok(derived_id::mqtt_enable, "false");
  expect_ok(derived_id::mqtt_enable, "0");
  expect_ok(derived_id::mqtt_enable, "true");
  const std::string why =
      "TR369_MQTTENABLE: false could mean disabling the controller or moving it to WebSocket: "
      "set Enable or the MTP Protocol instead";
  expect_refused(derived_id::mqtt_enable, "false", usp::err_code::invalid_value, why);
  EXPECT_EQ(raw("tr369_enable2"), "on");
  expect_refused(derived_id::mqtt_enable, "maybe", usp::err_code::invalid_value,
                 "TR369_MQTTENABLE: must be true or false");
}

TEST_F(Derived, MqttEnableOnController1NeedsOnlyItsWritableEnable) {
  // tr369_mtp_protocol is fixed, but already mqtt: only tr369_enable changes.
  expect_ok(derived_id::mqtt_enable, "true", 1);
  EXPECT_EQ(raw("tr369_enable"), "on");
}

TEST_F(Derived, MqttEnableLeavesAnUnsetMtpUnset) {
  store_.emplace(settings_store::load({"", dir_.write("settings.txt", "tr369_enable3!: off\n"), ""}, {}));
  EXPECT_EQ(get(derived_id::mtp_protocol, 3), "MQTT");
  expect_ok(derived_id::mqtt_enable, "true", 3);
  EXPECT_EQ(raw("tr369_enable3"), "on");
  EXPECT_EQ(raw("tr369_mtp_protocol3"), "(none)");
  EXPECT_EQ(get(derived_id::mqtt_enable, 3), "true");
  expect_refused(derived_id::mqtt_enable, "true", usp::err_code::invalid_path, "tr369_enable4: no such setting", 4);
}

TEST_F(Derived, MqttEnableChangesNothingWhenOneSettingIsReadOnly) {
  reload("tr369_mtp_protocol2: websocket\n");  // read-only, and not mqtt
  expect_refused(derived_id::mqtt_enable, "true", usp::err_code::param_read_only, "tr369_mtp_protocol2: read-only");
  EXPECT_EQ(raw("tr369_enable2"), "off");
  reload("tr369_enable2: off\n");
  expect_refused(derived_id::mqtt_enable, "true", usp::err_code::param_read_only, "tr369_enable2: read-only");
}

TEST_F(Derived, WritesTheControllerTopic) {
  expect_ok(derived_id::mqtt_topic_ctrl, "usp/controller/new");
  EXPECT_EQ(raw("tr369_mqtt_topic2"), "usp/controller/new");
  expect_refused(derived_id::mqtt_topic_ctrl, "usp/+", usp::err_code::invalid_value,
                 "tr369_mqtt_topic2: must be a UTF-8 topic name without + or # (the agent publishes to it)");
}

TEST_F(Derived, TheResponseTopicIsReadOnly) {
  expect_refused(derived_id::mqtt_topic_resp, "x", usp::err_code::param_read_only,
                 "TR369_MQTTTOPIC_RESP: the phone's own topic is set on its command line");
}

TEST_F(Derived, WritesTheMtpProtocolByItsTr181Name) {
  expect_ok(derived_id::mtp_protocol, "WebSocket");
  EXPECT_EQ(raw("tr369_mtp_protocol2"), "websocket");
  EXPECT_EQ(get(derived_id::mtp_protocol), "WebSocket");
  expect_ok(derived_id::mtp_protocol, "MQTT");
  EXPECT_EQ(raw("tr369_mtp_protocol2"), "mqtt");
  for (const char* v : {"mqtt", "websocket", "CoAP", ""}) {
    expect_refused(derived_id::mtp_protocol, v, usp::err_code::invalid_value,
                   "TR369_MTPPROTOCOL: must be MQTT or WebSocket");
  }
}

TEST_F(Derived, DerivedWritesArePersisted) {
  expect_ok(derived_id::mqtt_address, "broker");
  expect_ok(derived_id::websocket_host, "ctrl");
  reload();
  EXPECT_EQ(get(derived_id::mqtt_address), "broker");
  EXPECT_EQ(get(derived_id::websocket_host), "ctrl");
}

}  // namespace
}  // namespace usp::agent
