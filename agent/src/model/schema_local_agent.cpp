// Device.LocalAgent. (Device:2.19: LocalAgent:1, Controllers:1, Subscriptions:1,
// MQTTAgent:1, MQTTController:2, WebSocketAgent:1, WebSocketController:1, Reboot:1).
#include "dm/tree.hpp"
#include "model/phone_schema.hpp"
#include "model/services.hpp"
#include "usp/err_code.hpp"

namespace usp::agent {

namespace {

using dm::value_type;

std::string no_wildcards(std::string_view topic) {
  // R-MQTT: a reply-to / publish topic is never a filter (digest §0.2).
  return topic.find_first_of("+#") != std::string_view::npos ? "must not contain + or #" : "";
}

std::string usp_record_size(std::string_view v) {
  // MaxUSPRecordSize: 0 (off) or at least 512 bytes.
  if (v == "0") return {};
  return in_range(512, 0xFFFFFFFFu)(v).empty() ? std::string() : std::string("must be 0 or at least 512");
}

void define_mtp(dm::object_def& mtp) {
  // LocalAgent.MTP.{i}.: how this agent is reached.
  read_write(mtp, "Alias");
  read_write(mtp, "Enable", value_type::boolean, "false");
  read_only(mtp, "Status").get = [](const dm::data_model& dm, const dm::instance& i) {
    return services(dm).agent_mtp_status(i.number());
  };
  read_write(mtp, "Protocol", value_type::string, "MQTT").enumeration = {"MQTT", "WebSocket"};
  read_write(mtp, "EnableMDNS", value_type::boolean, "false");
  mtp.unique_keys = {{"Alias"}};

  auto& mqtt = mtp.add_child("MQTT", false);
  read_write(mqtt, "Reference");
  read_write(mqtt, "ResponseTopicConfigured").check = no_wildcards;
  read_only(mqtt, "ResponseTopicDiscovered").get = [](const dm::data_model& dm, const dm::instance& i) {
    return services(dm).mqtt_response_information(i.parent()->number());
  };
  read_write(mqtt, "PublishQoS", value_type::unsigned_int, "1").check = in_range(0, 2);

  auto& ws = mtp.add_child("WebSocket", false);
  read_write(ws, "Interfaces");
  read_write(ws, "Port", value_type::unsigned_int, "8443").check = in_range(1, 65535);
  read_write(ws, "Path", value_type::string, "/usp");
  read_write(ws, "EnableEncryption", value_type::boolean, "true");
  read_write(ws, "KeepAliveInterval", value_type::unsigned_int, "60").check = in_range(1, 0xFFFFFFFFu);
}

void define_controller(dm::object_def& c) {
  c.unique_keys = {{"EndpointID"}, {"Alias"}};
  read_write(c, "Alias");
  read_write(c, "EndpointID");
  read_write(c, "Enable", value_type::boolean, "false");
  read_write(c, "PeriodicNotifInterval", value_type::unsigned_int, "86400").check = in_range(1, 0xFFFFFFFFu);
  read_write(c, "PeriodicNotifTime", value_type::date_time, std::string(dm::unknown_time));
  read_write(c, "USPNotifRetryMinimumWaitInterval", value_type::unsigned_int, "5").check = in_range(1, 65535);
  read_write(c, "USPNotifRetryIntervalMultiplier", value_type::unsigned_int, "2000").check = in_range(1000, 65535);
  read_write(c, "ControllerCode").check = [](std::string_view v) {
    return v.size() > 128 ? std::string("must be at most 128 characters") : std::string();
  };
  read_write(c, "ProvisioningCode").check = [](std::string_view v) {
    return v.size() > 64 ? std::string("must be at most 64 characters") : std::string();
  };

  auto& mtp = c.add_child("MTP", true);
  mtp.unique_keys = {{"Alias"}};
  read_write(mtp, "Alias");
  read_write(mtp, "Enable", value_type::boolean, "false");
  read_write(mtp, "Protocol", value_type::string, "MQTT").enumeration = {"MQTT", "WebSocket"};
  read_write(mtp, "Order", value_type::unsigned_int, "1").check = in_range(1, 0xFFFFFFFFu);
  auto& mqtt = mtp.add_child("MQTT", false);
  read_write(mqtt, "Topic").check = no_wildcards;
  read_write(mqtt, "AgentMTPReference");
  read_write(mqtt, "PublishRetainResponse", value_type::boolean, "false");
  read_write(mqtt, "PublishRetainNotify", value_type::boolean, "false");
  auto& ws = mtp.add_child("WebSocket", false);
  read_write(ws, "Host");
  read_write(ws, "Port", value_type::unsigned_int, "443").check = in_range(1, 65535);
  read_write(ws, "Path");
  read_write(ws, "EnableEncryption", value_type::boolean, "true");
  read_write(ws, "KeepAliveInterval", value_type::unsigned_int, "60").check = in_range(1, 0xFFFFFFFFu);
  auto& retries = read_only(ws, "CurrentRetryCount", value_type::unsigned_int, "0");
  retries.volatile_value = true;
  retries.get = [](const dm::data_model& dm, const dm::instance& i) {
    // WebSocket -> MTP row -> Controller row
    return std::to_string(services(dm).ws_retry_count(i.parent()->parent()->number()));
  };
  read_write(ws, "SessionRetryMinimumWaitInterval", value_type::unsigned_int, "5").check = in_range(1, 65535);
  read_write(ws, "SessionRetryIntervalMultiplier", value_type::unsigned_int, "2000").check = in_range(1000, 65535);

  // Reboot:1 — which parameters Boot! reports to this controller.
  auto& boot = c.add_child("BootParameter", true);
  boot.access = dm::object_access::add_delete;
  boot.max_instances = 64;
  boot.unique_keys = {{"Alias"}};
  read_write(boot, "Alias");
  read_write(boot, "Enable", value_type::boolean, "false");
  read_write(boot, "ParameterName").check = [](std::string_view v) {
    return v.size() > 256 ? std::string("must be at most 256 characters") : std::string();
  };

  auto& e2e = c.add_child("E2ESession", false);
  read_write(e2e, "SessionMode", value_type::string, "Allow").enumeration = {"Require", "Allow", "Forbid"};
  read_only(e2e, "Status", value_type::string, "Down").get = [](const dm::data_model& dm, const dm::instance& i) {
    return services(dm).e2e_status(i.parent()->number());
  };
  read_write(e2e, "SessionExpiration", value_type::unsigned_int, "0");
  read_write(e2e, "SessionRetryMinimumWaitInterval", value_type::unsigned_int, "5").check = in_range(1, 65535);
  read_write(e2e, "SessionRetryIntervalMultiplier", value_type::unsigned_int, "2000").check = in_range(1000, 65535);
  read_only(e2e, "CurrentRetryCount", value_type::unsigned_int, "0").get = [](const dm::data_model& dm,
                                                                             const dm::instance& i) {
    return std::to_string(services(dm).e2e_retry_count(i.parent()->number()));
  };
  read_write(e2e, "MaxUSPRecordSize", value_type::unsigned_int, "0").check = usp_record_size;
  read_write(e2e, "MaxRetransmitTries", value_type::int_, "0").check = [](std::string_view v) {
    return (v.size() == 2 && v == "-1") || in_range(0, 10)(v).empty() ? std::string() : std::string("must be in -1..10");
  };
  auto& security = read_write(e2e, "PayloadSecurity", value_type::string, "Plaintext");
  security.enumeration = {"Plaintext", "TLS"};
  security.check = [](std::string_view v) {
    return v == "TLS" ? std::string("TLS payload security (R-E2E.40) is not supported") : std::string();
  };
  // Reset(): the session ends (7105) and, under Require, a new one starts.
  e2e.commands.push_back({"Reset", false, {}, {}, {},
                          [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                            services(dm).e2e_reset(call.target->parent()->number());
                            done({});
                          },
                          {}});
}

// The controller row whose EndpointID is `eid`, as "Device.LocalAgent.Controller.N.".
std::string controller_path(const dm::data_model& dm, const std::string& eid) {
  const auto* la = dm.root().child(*dm.supported().root().find_child("LocalAgent"));
  const auto* table = la->def().find_child("Controller");
  const auto* key = table->find_param("EndpointID");
  for (const auto& [n, row] : *la->rows(*table)) {
    if (dm.get(*row, *key) == eid) return row->path();
  }
  return {};
}

void define_subscription(dm::object_def& sub) {
  sub.access = dm::object_access::add_delete;
  sub.max_instances = 256;
  sub.unique_keys = {{"Recipient", "ID"}, {"Alias"}};
  read_write(sub, "Alias");
  read_write(sub, "Enable", value_type::boolean, "false");
  read_only(sub, "Recipient");
  read_write(sub, "ID").check = [](std::string_view v) {
    return v.empty() || v.size() > 64 ? std::string("must be 1 to 64 characters") : std::string();
  };
  read_only(sub, "CreationDate", value_type::date_time, std::string(dm::unknown_time));
  read_write(sub, "NotifType").enumeration = {"ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete",
                                              "Event"};
  auto& refs = read_write(sub, "ReferenceList");
  refs.guard = [](const dm::data_model& dm, const dm::instance& inst, const std::string& v) {
    // Immutable once set: delete and re-add to change it (Subscriptions:1).
    const auto& current = dm.get(inst, *inst.def().find_param("ReferenceList"));
    if (!current.empty() && current != v) {
      return dm::outcome::error(usp::value(usp::err_code::invalid_value),
                                "ReferenceList cannot change once set; delete and add the subscription");
    }
    return dm::outcome{};
  };
  read_write(sub, "Persistent", value_type::boolean, "false");
  read_write(sub, "TimeToLive", value_type::unsigned_int, "0");
  read_write(sub, "NotifRetry", value_type::boolean, "false");
  read_write(sub, "NotifExpiration", value_type::unsigned_int, "0");
  read_write(sub, "TriggerAction", value_type::string, "Notify").enumeration = {"Notify", "Config", "NotifyAndConfig"};

  sub.on_add = [](dm::data_model& dm, dm::instance& inst, const std::string& originator) {
    // The agent fills in who created it and when (Subscriptions:1).
    const auto recipient = controller_path(dm, originator);
    if (recipient.empty()) {
      return dm::outcome::error(usp::value(usp::err_code::request_denied), "unknown controller " + originator);
    }
    const auto& def = inst.def();
    if (dm.get(inst, *def.find_param("ID")).empty()) {
      dm.set(inst, *def.find_param("ID"), "sub-" + std::to_string(inst.number()), dm::change_origin::agent);
    }
    dm.set(inst, *def.find_param("Recipient"), recipient, dm::change_origin::agent);
    dm.set(inst, *def.find_param("CreationDate"), dm::now_date_time(), dm::change_origin::agent);
    if (dm.get(inst, *def.find_param("NotifType")).empty()) {
      return dm::outcome::error(usp::value(usp::err_code::required_param_failed), "NotifType is required");
    }
    return dm::outcome{};
  };
}

void define_request(dm::object_def& req) {
  // Created by asynchronous Operate (R-OPR.0); removed when the operation ends.
  read_write(req, "Alias");
  read_only(req, "Originator");
  read_only(req, "Command");
  read_only(req, "CommandKey");
  read_only(req, "Status", value_type::string, "Requested");
  req.commands.push_back({"Cancel", false, {}, {}, {},
                          [](dm::data_model& dm, dm::command_call call, dm::command_done done) {
                            // R-OPR.3: only Cancel() stops a running operation.
                            done({services(dm).cancel_request(call.target->number()), {}});
                          }, {}});
}

}  // namespace

void define_local_agent(dm::schema& s) {
  auto& la = s.object("Device.LocalAgent.");
  read_only(la, "EndpointID").get = [](const dm::data_model& dm, const dm::instance&) {
    return services(dm).id().endpoint_id;
  };
  read_only(la, "SoftwareVersion", value_type::string, "usp-agent 0.1.0");
  auto& up = read_only(la, "UpTime", value_type::unsigned_int);
  up.volatile_value = true;
  up.get = [](const dm::data_model& dm, const dm::instance&) { return std::to_string(services(dm).uptime().count()); };
  read_only(la, "SupportedProtocols", value_type::string, "MQTT,WebSocket");
  read_write(la, "MaxSubscriptionChangeAdoptionTime", value_type::unsigned_int, "5").check =
      in_range(5, 0xFFFFFFFFu);
  read_only(la, "SupportedNumberOfSubscriptions", value_type::int_, "256");
  la.events.push_back({"Periodic", {}});
  la.events.push_back({"TransferComplete",
                       {"Command", "CommandKey", "Requestor", "TransferType", "Affected", "TransferURL", "StartTime",
                        "CompleteTime", "FaultCode", "FaultString", "CheckSumAlgorithm", "CheckSum"}});

  define_mtp(s.object("Device.LocalAgent.MTP.{i}."));
  define_controller(s.object("Device.LocalAgent.Controller.{i}."));
  define_subscription(s.object("Device.LocalAgent.Subscription.{i}."));
  define_request(s.object("Device.LocalAgent.Request.{i}."));
}

}  // namespace usp::agent
