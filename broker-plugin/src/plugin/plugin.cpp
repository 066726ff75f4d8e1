// mosquitto_usp.so: the three entry points of a mosquitto 2.0 plugin (API
// version 5) and the callbacks that hand broker events to the policy engine.
//
// Every callback catches everything: no exception crosses into the broker.
// Nothing here blocks: the engine only computes, and publications are queued
// by mosquitto_broker_publish_copy for the broker's own loop.
#include <memory>
#include <string>
#include <vector>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <mqtt_protocol.h>

#include "plugin/adapters.hpp"
#include "plugin/broker_extras.hpp"
#include "policy/engine.hpp"
#include "policy/options.hpp"

namespace usp::plugin {
namespace {

struct instance {
  instance(mosquitto_plugin_id_t* id, plugin_options o) : pid(id), eng(std::move(o), port) {}

  mosquitto_plugin_id_t* pid;
  mosq_port port;
  engine eng;
  broker_extras extras = broker_extras::resolve();
  std::vector<int> registered;  // events to unregister on cleanup
};

// A string property of an MQTT 5 message, copied out by the broker.
struct owned_string {
  char* p = nullptr;
  ~owned_string() { mosquitto_free(p); }
  std::optional<std::string_view> view() const { return p ? std::optional<std::string_view>(p) : std::nullopt; }
};

void log_failure(const char* where) noexcept {
  mosquitto_log_printf(MOSQ_LOG_ERR, "mosquitto_usp: internal error in %s; refused", where);
}

std::string_view payload_of(const void* p, std::uint32_t n) noexcept {
  return p ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}

int on_acl_check(int, void* event_data, void* userdata) noexcept {
  try {
    auto* ed = static_cast<mosquitto_evt_acl_check*>(event_data);
    auto* self = static_cast<instance*>(userdata);
    if (!ed->topic) return MOSQ_ERR_PLUGIN_DEFER;
    access a;
    switch (ed->access) {
      case MOSQ_ACL_SUBSCRIBE: a = access::subscribe; break;
      case MOSQ_ACL_UNSUBSCRIBE: a = access::unsubscribe; break;
      case MOSQ_ACL_READ: a = access::read; break;
      case MOSQ_ACL_WRITE: a = access::write; break;
      default: return MOSQ_ERR_PLUGIN_DEFER;
    }
    const mosq_client c(ed->client);
    switch (self->eng.on_acl_check(c, a, ed->topic, payload_of(ed->payload, ed->payloadlen))) {
      case verdict::allow: return MOSQ_ERR_SUCCESS;
      case verdict::deny: return MOSQ_ERR_ACL_DENIED;
      case verdict::pass: break;
    }
    return self->eng.options().non_usp_acl == non_usp_policy::allow ? MOSQ_ERR_SUCCESS : MOSQ_ERR_PLUGIN_DEFER;
  } catch (...) {
    log_failure("the ACL check");
    return MOSQ_ERR_ACL_DENIED;
  }
}

// Copies the message to its partition topic, with its MQTT 5 properties.
void publish_partition_copy(const instance& self, const mosquitto_evt_message& ed, const std::string& topic) {
  mosquitto_property* props = nullptr;
  if (ed.properties && self.extras.copy_all) self.extras.copy_all(&props, ed.properties);
  const int rc = mosquitto_broker_publish_copy(nullptr, topic.c_str(), static_cast<int>(ed.payloadlen), ed.payload,
                                               ed.qos, false, props);
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_property_free_all(&props);  // not taken over on failure
    mosquitto_log_printf(MOSQ_LOG_WARNING, "mosquitto_usp: could not publish the copy on %s (error %d)",
                         topic.c_str(), rc);
  }
}

// MOSQ_EVT_MESSAGE comes after a successful WRITE check, with the properties
// the 2.0.x ACL check does not see. Only SUCCESS or ACL_DENIED may be
// returned: any other code makes the broker drop the client.
int on_message(int, void* event_data, void* userdata) noexcept {
  try {
    auto* ed = static_cast<mosquitto_evt_message*>(event_data);
    auto* self = static_cast<instance*>(userdata);
    if (!ed->topic) return MOSQ_ERR_SUCCESS;
    const mosq_client c(ed->client);
    message_view m{ed->topic, payload_of(ed->payload, ed->payloadlen), std::nullopt, std::nullopt};
    owned_string content_type, response_topic;
    if (ed->properties && self->extras.read_string && self->eng.is_record_topic(m.topic)) {
      self->extras.read_string(ed->properties, MQTT_PROP_CONTENT_TYPE, &content_type.p, false);
      self->extras.read_string(ed->properties, MQTT_PROP_RESPONSE_TOPIC, &response_topic.p, false);
      m.content_type = content_type.view();
      m.response_topic = response_topic.view();
    }
    const auto out = self->eng.on_message(c, m);
    if (out.result == verdict::deny) return MOSQ_ERR_ACL_DENIED;
    if (out.partition_topic) publish_partition_copy(*self, *ed, *out.partition_topic);
    return MOSQ_ERR_SUCCESS;
  } catch (...) {
    log_failure("the message check");
    return MOSQ_ERR_ACL_DENIED;
  }
}

int on_disconnect(int, void* event_data, void* userdata) noexcept {
  try {
    auto* ed = static_cast<mosquitto_evt_disconnect*>(event_data);
    auto* self = static_cast<instance*>(userdata);
    auto why = offline_reason::abrupt;
    if (self->extras.get_state) {
      const int state = self->extras.get_state(ed->client);
      if (state == broker_extras::state_disconnecting || state == broker_extras::state_disconnect_with_will) {
        why = offline_reason::clean;
      }
    }
    self->eng.on_disconnect(mosq_client(ed->client), why);
  } catch (...) {
    log_failure("the disconnect event");
  }
  return MOSQ_ERR_SUCCESS;
}

int on_tick(int, void*, void* userdata) noexcept {
  try {
    static_cast<instance*>(userdata)->eng.on_tick();
  } catch (...) {
    log_failure("the tick event");
  }
  return MOSQ_ERR_SUCCESS;
}

MOSQ_FUNC_generic_callback callback_of(int event) noexcept {
  switch (event) {
    case MOSQ_EVT_ACL_CHECK: return on_acl_check;
    case MOSQ_EVT_MESSAGE: return on_message;
    case MOSQ_EVT_DISCONNECT: return on_disconnect;
    default: return on_tick;
  }
}

void unregister_all(instance& self) noexcept {
  for (int event : self.registered) mosquitto_callback_unregister(self.pid, event, callback_of(event), nullptr);
  self.registered.clear();
}

std::string summary(const instance& self) {
  const auto& o = self.eng.options();
  std::string s = "mosquitto_usp: identity " + std::string(to_string(o.identity)) + ", agent topic " + o.agent_topic +
                  ", " + std::to_string(o.controller_topics.size()) + " controller topic(s), " +
                  std::to_string(o.privileged_usernames.size()) + " privileged username(s), presence " +
                  (o.presence_topic.empty() ? "off" : "on " + o.presence_topic) + ", " +
                  std::to_string(o.partitions) + " partition(s)";
  if (!self.extras.read_string) s += "; this broker hides MQTT 5 properties: Content Type and Response Topic unchecked";
  if (!self.extras.copy_all) s += "; partition copies carry no MQTT 5 properties";
  if (!self.extras.get_state) s += "; clean and abrupt disconnects look alike: offline reason always abrupt";
  return s;
}

int init(mosquitto_plugin_id_t* identifier, void** userdata, mosquitto_opt* options, int option_count) {
  std::vector<option_line> lines;
  for (int i = 0; i < option_count; ++i) lines.push_back({options[i].key, options[i].value ? options[i].value : ""});
  std::string error;
  auto opts = parse_options(lines, error);
  if (!opts) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "mosquitto_usp: %s", error.c_str());
    return MOSQ_ERR_INVAL;
  }
  const bool ticks = !opts->stats_topic.empty() && opts->stats_interval_s > 0;
  auto self = std::make_unique<instance>(identifier, std::move(*opts));
  std::vector<int> events = {MOSQ_EVT_ACL_CHECK, MOSQ_EVT_MESSAGE, MOSQ_EVT_DISCONNECT};
  if (ticks) events.push_back(MOSQ_EVT_TICK);
  for (int event : events) {
    const int rc = mosquitto_callback_register(identifier, event, callback_of(event), nullptr, self.get());
    if (rc != MOSQ_ERR_SUCCESS) {
      mosquitto_log_printf(MOSQ_LOG_ERR, "mosquitto_usp: cannot register for broker event %d (error %d)", event, rc);
      unregister_all(*self);
      return rc;
    }
    self->registered.push_back(event);
  }
  mosquitto_log_printf(MOSQ_LOG_INFO, "%s", summary(*self).c_str());
  *userdata = self.release();
  return MOSQ_ERR_SUCCESS;
}

}  // namespace
}  // namespace usp::plugin

extern "C" {

__attribute__((visibility("default"))) int mosquitto_plugin_version(int supported_version_count,
                                                                    const int* supported_versions) {
  for (int i = 0; i < supported_version_count; ++i) {
    if (supported_versions[i] == 5) return 5;
  }
  return -1;
}

__attribute__((visibility("default"))) int mosquitto_plugin_init(mosquitto_plugin_id_t* identifier, void** userdata,
                                                                 struct mosquitto_opt* options, int option_count) {
  try {
    return usp::plugin::init(identifier, userdata, options, option_count);
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "mosquitto_usp: cannot start: %s", e.what());
  } catch (...) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "mosquitto_usp: cannot start");
  }
  return MOSQ_ERR_UNKNOWN;
}

__attribute__((visibility("default"))) int mosquitto_plugin_cleanup(void* userdata, struct mosquitto_opt*, int) {
  // The broker leaves registered callbacks in place when it unloads a
  // plugin, so they must go before this library does.
  auto* self = static_cast<usp::plugin::instance*>(userdata);
  if (!self) return MOSQ_ERR_SUCCESS;
  usp::plugin::unregister_all(*self);
  delete self;
  return MOSQ_ERR_SUCCESS;
}

}  // extern "C"
