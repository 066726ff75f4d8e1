// usp-ctl: a USP controller on the command line (docs/INTERFACES.md,
// docs/usp-ctl.md).
#include <iostream>

#include "cli.hpp"
#include "codec_verbs.hpp"

int main(int argc, char** argv) {
  usp::ctl::command_line c;
  if (const int rc = usp::ctl::parse_command_line(argc, argv, c); rc >= 0) return rc;
  const bool compact = c.verb.json;
  if (c.verb.name == "decode") return usp::ctl::decode_verb(c.codec_file, compact, std::cout, std::cerr);
  if (c.verb.name == "encode") return usp::ctl::encode_verb(std::cin, std::cout, std::cerr);
  return usp::ctl::run_verb(c.link, c.verb, std::cout, std::cerr);
}
