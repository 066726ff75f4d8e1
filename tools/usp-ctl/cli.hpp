// usp-ctl's command line (docs/INTERFACES.md, docs/usp-ctl.md).
#pragma once

#include <string>

#include "link_options.hpp"
#include "verbs.hpp"

namespace usp::ctl {

struct command_line {
  link_options link;
  verb_request verb;
  std::string codec_file = "-";  // decode FILE|-
  std::string log_level = "warn";  // libusp's lines on stderr
};

// Parses argv into `out`. Returns -1 to go on, else the exit code to leave
// with (0 after --help, 2 after a usage error, with the message printed).
int parse_command_line(int argc, char** argv, command_line& out);

}  // namespace usp::ctl
