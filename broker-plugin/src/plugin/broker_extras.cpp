#include "plugin/broker_extras.hpp"

#include <dlfcn.h>

namespace usp::plugin {
namespace {

template <typename Fn>
Fn lookup(const char* name) noexcept {
  // POSIX guarantees that a function pointer survives the trip through void*.
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

broker_extras broker_extras::resolve() noexcept {
  broker_extras e;
  e.read_string = lookup<read_string_fn>("mosquitto_property_read_string");
  e.copy_all = lookup<copy_all_fn>("mosquitto_property_copy_all");
  e.get_state = lookup<get_state_fn>("mosquitto__get_state");
  return e;
}

}  // namespace usp::plugin
