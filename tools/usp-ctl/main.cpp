// usp-ctl: a USP controller on the command line (docs/INTERFACES.md).
#include <iostream>

#include <CLI/CLI.hpp>

#include "codec_verbs.hpp"

int main(int argc, char** argv) {
  CLI::App app{"usp-ctl: a USP controller on the command line"};
  app.require_subcommand(1);
  bool compact = false;
  app.add_flag("--json", compact, "machine output: one line of JSON");

  auto* decode = app.add_subcommand("decode", "print a USP Record (and its Msg) as JSON");
  std::string path = "-";
  decode->add_option("file", path, "Record file, or - for stdin")->required();

  auto* encode = app.add_subcommand("encode", "build a USP Record from JSON on stdin");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : usp::ctl::exit_usage;
  }
  if (*decode) return usp::ctl::decode_verb(path, compact, std::cout, std::cerr);
  if (*encode) return usp::ctl::encode_verb(std::cin, std::cout, std::cerr);
  return usp::ctl::exit_usage;
}
