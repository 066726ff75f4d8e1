#include "model/bindings.hpp"

#include "config/derived.hpp"
#include "model/services.hpp"
#include "usp/strings.hpp"

namespace usp::agent {
namespace {

using dm::outcome;

dm::value_type value_type_of(param_type t) {
  switch (t) {
    case param_type::string: return dm::value_type::string;
    case param_type::boolean: return dm::value_type::boolean;
    case param_type::int_: return dm::value_type::int_;
    case param_type::unsigned_int: return dm::value_type::unsigned_int;
    case param_type::long_: return dm::value_type::long_;
    case param_type::unsigned_long: return dm::value_type::unsigned_long;
    case param_type::date_time: return dm::value_type::date_time;
    case param_type::base64: return dm::value_type::base64;
  }
  return dm::value_type::string;
}

outcome from(const settings_store::set_result& r) {
  if (r.ok) return {};
  return outcome::error(usp::value(r.code), r.message);
}

class literal_source final : public dm::value_source {
 public:
  explicit literal_source(std::string v) : v_(std::move(v)) {}
  std::string get(const dm::data_model&) const override { return v_; }
  outcome set(dm::data_model&, const std::string&) const override {
    return outcome::error(usp::value(usp::err_code::param_read_only), "a fixed value of the phone");
  }
  bool writable(const dm::data_model&) const override { return false; }

 private:
  std::string v_;
};

// A setting; booleans travel as true/false in USP and on/off in settings.
class setting_source final : public dm::value_source {
 public:
  setting_source(std::string name, bool boolean) : name_(std::move(name)), boolean_(boolean) {}
  std::string get(const dm::data_model& dm) const override {
    auto v = services(dm).settings().get(name_).value_or("");
    if (!boolean_) return v;
    return (v == "on" || v == "true" || v == "1") ? "true" : "false";
  }
  outcome set(dm::data_model& dm, const std::string& value) const override {
    return from(services(dm).settings().set(name_, stored(value)));
  }
  bool writable(const dm::data_model& dm) const override { return services(dm).settings().writable(name_); }
  outcome check(const dm::data_model& dm, const std::string& value) const override {
    auto scratch = services(dm).settings().dry_run();
    return from(scratch.set(name_, stored(value)));
  }

 private:
  std::string stored(const std::string& value) const {
    return boolean_ ? (value == "true" ? "on" : "off") : value;
  }

  std::string name_;
  bool boolean_;
};

class derived_source final : public dm::value_source {
 public:
  derived_source(derived_id id, unsigned index, std::vector<std::string> reads)
      : id_(id), index_(index), reads_(std::move(reads)) {}
  std::string get(const dm::data_model& dm) const override {
    auto& s = services(dm);
    return derived_get(id_, index_, s.settings(), s.derived());
  }
  outcome set(dm::data_model& dm, const std::string& value) const override {
    return from(derived_set(id_, index_, value, services(dm).settings()));
  }
  outcome check(const dm::data_model& dm, const std::string& value) const override {
    auto scratch = services(dm).settings().dry_run();
    return from(derived_set(id_, index_, value, scratch));
  }
  bool writable(const dm::data_model& dm) const override {
    if (reads_.empty()) return false;  // MQTTTOPIC_RESP: from the command line
    for (const auto& name : reads_) {
      if (!services(dm).settings().writable(name)) return false;
    }
    return true;
  }

 private:
  derived_id id_;
  unsigned index_;
  std::vector<std::string> reads_;
};

// Walks `path` in the schema, creating vendor objects, and reports paths that
// contradict the built-in model's shape.
dm::object_def* object_for(dm::schema& s, std::string_view object_path, std::string& problem) {
  auto parts = split(object_path, '.');
  parts.pop_back();  // trailing ""
  dm::object_def* cur = &s.root();
  auto is_number = [](std::string_view t) { return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos; };
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (is_number(parts[i])) {
      problem = "an instance number follows the single-instance object " + cur->supported_path;
      return nullptr;
    }
    const bool numbered = i + 1 < parts.size() && is_number(parts[i + 1]);
    if (const auto* existing = cur->find_child(parts[i])) {
      if (existing->multi != numbered) {
        problem = existing->supported_path + (existing->multi ? " is a table: give an instance number"
                                                              : " is not a table");
        return nullptr;
      }
    }
    cur = &cur->add_child(std::string(parts[i]), numbered);
    if (numbered) ++i;
  }
  return cur;
}

}  // namespace

std::vector<std::string> settings_read_by(const param_binding& b) {
  const unsigned i = b.index;
  switch (b.source) {
    case param_binding::kind::literal: return {};
    case param_binding::kind::setting: return {b.setting_name()};
    case param_binding::kind::derived: break;
  }
  switch (b.derived) {
    case derived_id::websocket_host:
    case derived_id::websocket_port:
    case derived_id::websocket_path:
    case derived_id::websocket_secured: return {indexed_setting("tr369_websocket_uri", i)};
    case derived_id::mqtt_address: return {indexed_setting("tr369_mqtt_hostport", i)};
    case derived_id::mqtt_port:
      return {indexed_setting("tr369_mqtt_hostport", i), indexed_setting("tr369_mqtt_transport", i)};
    case derived_id::mqtt_enable: return {indexed_setting("tr369_enable", i), indexed_setting("tr369_mtp_protocol", i)};
    case derived_id::mqtt_topic_ctrl: return {indexed_setting("tr369_mqtt_topic", i)};
    case derived_id::mqtt_topic_resp: return {};
    case derived_id::mtp_protocol: return {indexed_setting("tr369_mtp_protocol", i)};
  }
  return {};
}

std::unique_ptr<binding_set> prepare_bindings(dm::schema& s, std::vector<param_binding> bindings,
                                              const std::string& file, std::vector<std::string>& problems) {
  auto out = std::make_unique<binding_set>();
  out->bindings = std::move(bindings);
  for (const auto& b : out->bindings) {
    const auto dot = b.path.rfind('.');
    const auto object_path = b.path.substr(0, dot + 1);
    const auto name = b.path.substr(dot + 1);
    std::string problem;
    auto* obj = object_for(s, object_path, problem);
    if (!obj) {
      problems.push_back(file + ":" + std::to_string(b.line) + ": " + b.path + ": " + problem);
      continue;
    }
    const auto type = value_type_of(b.type);
    const dm::param_def* p = obj->find_param(name);
    if (p && p->type != type) {
      problems.push_back(file + ":" + std::to_string(b.line) + ": " + b.path + ": is " +
                         std::string(dm::to_string(p->type)) + " in the data model, not " + std::string(to_string(b.type)));
      continue;
    }
    if (!p) {
      // A vendor parameter; its writability comes from what it is bound to.
      p = &obj->add_param(name, type, b.source == param_binding::kind::literal ? dm::param_access::read_only
                                                                              : dm::param_access::read_write);
    }
    binding_set::bound entry;
    entry.instance_path = object_path;
    entry.param = p;
    entry.binding = &b;
    switch (b.source) {
      case param_binding::kind::literal: entry.source = std::make_unique<literal_source>(b.literal); break;
      case param_binding::kind::setting:
        entry.source = std::make_unique<setting_source>(b.setting_name(), type == dm::value_type::boolean);
        break;
      case param_binding::kind::derived:
        entry.source = std::make_unique<derived_source>(b.derived, b.index, settings_read_by(b));
        break;
    }
    out->bound_params.push_back(std::move(entry));
  }
  return out;
}

void attach_bindings(dm::data_model& dm, const binding_set& b) {
  for (const auto& e : b.bound_params) {
    auto& inst = dm.ensure(e.instance_path);
    dm.bind(inst, *e.param, e.source.get());
  }
}

}  // namespace usp::agent
