#include "usp/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

namespace usp {

namespace {
std::string join_lines(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += p;
  }
  return out;
}
}  // namespace

config_error::config_error(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

struct yaml_document::impl {
  std::string file;
  YAML::Node root;
  std::vector<std::pair<int, std::string>> problems;  // (line, text)
  bool unreadable = false;  // after a syntax error only that error is reported
  std::vector<std::shared_ptr<map_reader::state>> maps;
};

struct map_reader::state {
  yaml_document::impl* doc = nullptr;
  YAML::Node node;         // a map, or undefined/null for an absent section
  int line = 0;            // where problems go when `node` is not a map
  std::string prefix;      // "mqtt." for keys in the mqtt map
  std::set<std::string, std::less<>> seen;
};

namespace {

// Const lookup: operator[] on a non-const node would insert the key.
YAML::Node find(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& m = map;
  return m[std::string(key)];
}

int line_of(const YAML::Node& n) {
  const auto mark = n.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

// The line of `key` itself: a null value ("tls:") is marked where the next
// token starts, often a line further down.
int key_line(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return 0;
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return line_of(kv.first);
  }
  return 0;
}

void add_problem(yaml_document::impl& doc, int line, std::string_view key, std::string_view msg) {
  if (doc.unreadable) return;
  std::string p = doc.file;
  if (line > 0) p += ":" + std::to_string(line);
  p += ": ";
  if (!key.empty()) {
    p.append(key);
    p += ": ";
  }
  p.append(msg);
  doc.problems.emplace_back(line, std::move(p));
}

}  // namespace

std::string map_reader::key_path(std::string_view key) const { return s_->prefix + std::string(key); }

bool map_reader::has(std::string_view key) const {
  return static_cast<bool>(find(s_->node, key));
}

namespace {
int map_line(const map_reader::state& s) { return s.node.IsMap() ? line_of(s.node) : s.line; }
}  // namespace

void map_reader::problem(std::string_view key, std::string_view message) {
  int line = key_line(s_->node, key);
  if (line == 0) line = map_line(*s_);
  add_problem(*s_->doc, line, key_path(key), message);
}

void map_reader::forbid(std::string_view key, std::string_view message) {
  s_->seen.emplace(key);
  if (has(key)) problem(key, message);
}

namespace {

// Looks a key up, marking it seen; reports a missing required key.
YAML::Node lookup(map_reader::state& s, map_reader& self, std::string_view key, presence p) {
  s.seen.emplace(key);
  YAML::Node n = find(s.node, key);
  const bool present = n.IsDefined() && !n.IsNull();
  if (!present && p == presence::required) self.problem(key, "is required");
  return present ? n : YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

bool map_reader::read(std::string_view key, std::string& out, presence p) {
  auto n = lookup(*s_, *this, key, p);
  if (!n) return false;
  if (!n.IsScalar()) {
    problem(key, "must be a string");
    return false;
  }
  out = n.Scalar();
  return true;
}

bool map_reader::read(std::string_view key, bool& out, presence p) {
  auto n = lookup(*s_, *this, key, p);
  if (!n) return false;
  const auto& v = n.IsScalar() ? n.Scalar() : std::string();
  if (v == "true" || v == "yes" || v == "on") {
    out = true;
    return true;
  }
  if (v == "false" || v == "no" || v == "off") {
    out = false;
    return true;
  }
  problem(key, "must be true or false");
  return false;
}

bool map_reader::read_int(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi,
                          presence p) {
  auto n = lookup(*s_, *this, key, p);
  if (!n) return false;
  const std::string v = n.IsScalar() ? n.Scalar() : std::string();
  std::int64_t parsed = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || parsed < lo || parsed > hi) {
    problem(key, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return false;
  }
  out = parsed;
  return true;
}

bool map_reader::read(std::string_view key, double& out, double lo, double hi, presence p) {
  auto n = lookup(*s_, *this, key, p);
  if (!n) return false;
  double v = 0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    problem(key, "must be a number");
    return false;
  }
  if (v < lo || v > hi) {
    problem(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return false;
  }
  out = v;
  return true;
}

bool map_reader::read(std::string_view key, std::vector<std::string>& out, presence p) {
  auto n = lookup(*s_, *this, key, p);
  if (!n) return false;
  if (!n.IsSequence()) {
    problem(key, "must be a list of strings");
    return false;
  }
  std::vector<std::string> values;
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      problem(key, "must be a list of strings");
      return false;
    }
    values.push_back(item.Scalar());
  }
  out = std::move(values);
  return true;
}

map_reader map_reader::child(std::string_view key, presence p) {
  auto n = lookup(*s_, *this, key, p);
  auto st = std::make_shared<state>();
  st->doc = s_->doc;
  st->prefix = key_path(key) + ".";
  st->line = key_line(s_->node, key);
  if (st->line == 0) st->line = map_line(*s_);
  if (n && !n.IsMap()) {
    problem(key, "must be a map");
  } else if (n) {
    st->node = n;
  }
  s_->doc->maps.push_back(st);
  return map_reader(st);
}

std::vector<map_reader> map_reader::children(std::string_view key, presence p) {
  auto n = lookup(*s_, *this, key, p);
  std::vector<map_reader> out;
  if (!n) return out;
  if (!n.IsSequence()) {
    problem(key, "must be a list");
    return out;
  }
  if (n.size() == 0 && p == presence::required) problem(key, "must not be empty");
  std::size_t i = 0;
  for (const auto& item : n) {
    auto st = std::make_shared<state>();
    st->doc = s_->doc;
    st->prefix = key_path(key) + "[" + std::to_string(i++) + "].";
    if (!item.IsMap()) {
      add_problem(*s_->doc, line_of(item), st->prefix.substr(0, st->prefix.size() - 1), "must be a map");
      continue;
    }
    st->node = static_cast<const YAML::Node&>(item);
    s_->doc->maps.push_back(st);
    out.emplace_back(st);
  }
  return out;
}

yaml_document::yaml_document(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
yaml_document::yaml_document(yaml_document&&) noexcept = default;
yaml_document& yaml_document::operator=(yaml_document&&) noexcept = default;
yaml_document::~yaml_document() = default;

namespace {
yaml_document::impl* parse_into(yaml_document::impl& d, const std::function<YAML::Node()>& load) {
  try {
    d.root = load();
    if (d.root.IsNull()) d.root = YAML::Node(YAML::NodeType::Map);
    if (!d.root.IsMap()) add_problem(d, line_of(d.root), "", "the document must be a map of settings");
  } catch (const YAML::BadFile&) {
    add_problem(d, 0, "", "cannot read the file");
    d.unreadable = true;
  } catch (const YAML::ParserException& e) {
    add_problem(d, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
    d.unreadable = true;
  }
  return &d;
}
}  // namespace

yaml_document yaml_document::from_file(const std::string& path) {
  auto d = std::make_unique<impl>();
  d->file = path;
  parse_into(*d, [&] { return YAML::LoadFile(path); });
  return yaml_document(std::move(d));
}

yaml_document yaml_document::from_string(std::string_view text, std::string name) {
  auto d = std::make_unique<impl>();
  d->file = std::move(name);
  const std::string copy(text);
  parse_into(*d, [&] { return YAML::Load(copy); });
  return yaml_document(std::move(d));
}

map_reader yaml_document::root() {
  auto st = std::make_shared<map_reader::state>();
  st->doc = impl_.get();
  if (impl_->root.IsMap()) st->node = impl_->root;
  impl_->maps.push_back(st);
  return map_reader(st);
}

void yaml_document::finish() {
  for (const auto& m : impl_->maps) {
    if (!m->node.IsMap()) continue;
    for (const auto& kv : m->node) {
      // A list or a map as a key ("{a: b}: c", "? - x") has no name to read;
      // as<std::string>() would throw YAML::BadConversion past the loader.
      if (!kv.first.IsScalar() && !kv.first.IsNull()) {
        add_problem(*impl_, line_of(kv.first), m->prefix + "(key)", "a key must be text, not a list or a map");
        continue;
      }
      const auto key = kv.first.as<std::string>();
      if (m->seen.find(key) == m->seen.end()) {
        add_problem(*impl_, line_of(kv.first), m->prefix + key, "unknown key");
      }
    }
  }
  impl_->maps.clear();
  if (!impl_->problems.empty()) throw config_error(problems());
}

std::vector<std::string> yaml_document::problems() const {
  // In file order, so the list reads top to bottom like the file.
  auto sorted = impl_->problems;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& p : sorted) out.push_back(std::move(p.second));
  return out;
}

}  // namespace usp
