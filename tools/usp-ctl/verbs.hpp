// usp-ctl's network verbs: build the request, reach the agent, wait for the
// answer, print it, and say how it went in the exit code (docs/INTERFACES.md).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "link_options.hpp"

namespace usp::ctl {

struct verb_request {
  std::string name;               // get, set, add, delete, operate, instances, supported-dm,
                                  // supported-protocol, watch
  std::vector<std::string> args;  // as typed after the verb
  bool json = false;
  bool wait = false;              // operate: until the command completes
  std::string command_key;        // operate; empty: usp-ctl-<pid>
  std::size_t count = 0;          // watch: stop after this many notifications (0: never)
  bool first_level = false;       // instances, supported-dm
  bool allow_partial = false;     // set, add, delete
};

// Runs one verb against the agent `link` reaches; returns the exit code.
int run_verb(const link_options& link, const verb_request& verb, std::ostream& out, std::ostream& err);

}  // namespace usp::ctl
