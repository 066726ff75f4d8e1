// usp-ctl decode / encode: Records <-> JSON on files and pipes.
#pragma once

#include <iosfwd>
#include <string>

namespace usp::ctl {

// Exit codes of usp-ctl (docs/INTERFACES.md).
enum exit_code : int { exit_ok = 0, exit_agent_error = 1, exit_usage = 2, exit_timeout = 3 };

// Reads a Record from `path` ("-" = stdin) and prints it as JSON to `out`.
int decode_verb(const std::string& path, bool compact, std::ostream& out, std::ostream& err);

// Reads JSON from `in` and writes the Record's wire bytes to `out`.
int encode_verb(std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace usp::ctl
