#include "verb_args.hpp"

#include <unistd.h>

#include <algorithm>

#include "requests.hpp"

namespace usp::ctl {

namespace {

// "NAME=VALUE" -> {NAME, VALUE}; the value may hold '=' too.
bool split_assignment(const std::string& word, std::pair<std::string, std::string>& out) {
  const auto eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  out = {word.substr(0, eq), word.substr(eq + 1)};
  return true;
}

bool params_of(const std::vector<std::string>& words, std::size_t from, param_list& out, std::string& problem) {
  for (std::size_t i = from; i < words.size(); ++i) {
    std::pair<std::string, std::string> kv;
    if (!split_assignment(words[i], kv)) {
      problem = "'" + words[i] + "': expected NAME=VALUE";
      return false;
    }
    out.push_back(std::move(kv));
  }
  return true;
}

// set Device.A.B=1 Device.A.C=2 Device.X.Y=3: one UpdateObject per object
// path, in the order first named.
std::optional<usp::Msg> build_set(const verb_request& v, std::string& problem) {
  std::vector<std::pair<std::string, param_list>> objects;
  for (const auto& word : v.args) {
    std::pair<std::string, std::string> kv;
    if (!split_assignment(word, kv)) {
      problem = "'" + word + "': expected PATH=VALUE";
      return std::nullopt;
    }
    const auto dot = kv.first.rfind('.');
    if (dot == std::string::npos || dot + 1 == kv.first.size()) {
      problem = "'" + kv.first + "': a parameter path (Device.Obj.Param)";
      return std::nullopt;
    }
    const auto obj = kv.first.substr(0, dot + 1);
    auto it = std::find_if(objects.begin(), objects.end(), [&](const auto& o) { return o.first == obj; });
    if (it == objects.end()) it = objects.insert(objects.end(), {obj, {}});
    it->second.emplace_back(kv.first.substr(dot + 1), kv.second);
  }
  return set_objects_msg(objects, v.allow_partial);
}

}  // namespace

std::string command_key_of(const verb_request& v) {
  return v.command_key.empty() ? "usp-ctl-" + std::to_string(::getpid()) : v.command_key;
}

std::optional<usp::Msg> build_request(const verb_request& v, std::string& problem) {
  const auto& a = v.args;
  const bool needs_args = v.name != "supported-protocol";
  if (needs_args && a.empty()) {
    problem = v.name + ": give at least one path";
    return std::nullopt;
  }
  if (v.name == "get") return get_msg(a);
  if (v.name == "set") return build_set(v, problem);
  if (v.name == "delete") return delete_msg(a, v.allow_partial);
  if (v.name == "instances") return get_instances_msg(a, v.first_level);
  if (v.name == "supported-dm") return get_supported_dm_msg(a, v.first_level);
  if (v.name == "supported-protocol") return get_supported_protocol_msg();
  param_list params;
  if (!params_of(a, 1, params, problem)) return std::nullopt;
  if (v.name == "add") {
    auto m = add_msg(a[0], std::move(params));
    m.mutable_body()->mutable_request()->mutable_add()->set_allow_partial(v.allow_partial);
    return m;
  }
  if (v.name == "operate") {
    if (a[0].size() < 3 || a[0].compare(a[0].size() - 2, 2, "()") != 0) {
      problem = "'" + a[0] + "': a command ends in () (Device.Reboot())";
      return std::nullopt;
    }
    return operate_msg(a[0], command_key_of(v), std::move(params));
  }
  problem = "unknown verb " + v.name;
  return std::nullopt;
}

}  // namespace usp::ctl
