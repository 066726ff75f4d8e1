// Device.MQTT. (Device:2.19: MQTTClientCon:1, MQTTClientSubscribe:1,
// MQTTClientExtended:1 as far as the phone uses them; R-MQTT.4/5).
#include "dm/tree.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {

void define_mqtt(dm::schema& s) {
  using dm::value_type;
  auto& caps = s.object("Device.MQTT.Capabilities.");
  read_only(caps, "ProtocolVersionsSupported", value_type::string, "3.1.1,5.0");
  read_only(caps, "TransportProtocolSupported", value_type::string, "TCP/IP,TLS");
  read_only(caps, "MaxNumberOfClientSubscriptions", value_type::unsigned_int, "0");

  auto& c = s.object("Device.MQTT.Client.{i}.");
  c.unique_keys = {{"Alias"}};
  read_write(c, "Alias");
  read_write(c, "Name");
  read_write(c, "Enable", value_type::boolean, "false");
  read_only(c, "Status").get = [](const dm::data_model& dm, const dm::instance& i) {
    return services(dm).mqtt_status(i.number());
  };
  read_write(c, "ProtocolVersion", value_type::string, "5.0").enumeration = {"3.1.1", "5.0"};
  read_write(c, "BrokerAddress");
  read_write(c, "BrokerPort", value_type::unsigned_int, "1883").check = in_range(1, 65535);
  read_write(c, "TransportProtocol", value_type::string, "TCP/IP").enumeration = {"TCP/IP", "TLS"};
  read_write(c, "CleanSession", value_type::boolean, "true");
  read_write(c, "CleanStart", value_type::boolean, "true");
  read_write(c, "KeepAliveTime", value_type::unsigned_int, "60").check = in_range(0, 65535);
  // R-MQTT.9: after a 5.0 connect with no configured id, the broker's choice.
  // Built in rather than param_map-bound: a read shows the configured id, or
  // after a 5.0 connect without one the broker's choice (R-MQTT.9); a write
  // goes to tr369_mqtt_clientid<i>.
  auto& id = read_write(c, "ClientID");
  id.get = [](const dm::data_model& dm, const dm::instance& i) { return services(dm).mqtt_client_id(i.number()); };
  id.set = [](dm::data_model& dm, dm::instance& i, const std::string& v) {
    auto r = services(dm).settings().set(indexed_setting("tr369_mqtt_clientid", i.number()), v);
    return r.ok ? dm::outcome{} : dm::outcome::error(usp::value(r.code), r.message);
  };
  read_write(c, "Username");
  read_write(c, "Password").hidden = true;  // TR-181: reads return ""
  read_write(c, "RequestResponseInfo", value_type::boolean, "true");
  read_write(c, "ConnectRetryTime", value_type::unsigned_int, "5").check = in_range(1, 65535);
  read_write(c, "ConnectRetryIntervalMultiplier", value_type::unsigned_int, "2000").check = in_range(1000, 65535);
  read_write(c, "ConnectRetryMaxInterval", value_type::unsigned_int, "30720").check = in_range(1, 0xFFFFFFFFu);
  read_write(c, "MessageRetryTime", value_type::unsigned_int, "5");
  read_only(c, "ResponseInformation").get = [](const dm::data_model& dm, const dm::instance& i) {
    return services(dm).mqtt_response_information(i.number());
  };
  c.commands.push_back({"ForceReconnect", false, {}, {}, {},
                        [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                          services(dm).force_mqtt_reconnect(call.target->number());
                          done({});
                        }, {}});
}

void define_vendor(dm::schema& s) {
  // The XML minibrowser: a controller pushes a page URL, the phone fetches
  // and shows it; what is on screen is readable here.
  using dm::value_type;
  auto& mb = s.object(std::string("Device.") + vendor_prefix + "XMLBrowser.");
  read_only(mb, "LastURL");
  read_only(mb, "LastTitle");
  read_only(mb, "LastText");
  read_only(mb, "LastShownTime", value_type::date_time, std::string(dm::unknown_time));
  mb.commands.push_back({"ShowPage", true, {"URL"}, {"Title"}, {"URL"},
                         [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                           services(dm).show_page(call.inputs.at("URL"), std::move(done));
                         }, {}});
}

}  // namespace usp::agent
